//! The CSV form of the scan report, one count a row, for spreadsheets. Cells that a spreadsheet
//! would read as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) are
//! written with a leading `'`, as OWASP advises for CSV meant for spreadsheets.

use crate::labels::{Label, Tag};
use crate::output::neutralize_formula;
use crate::report::scan::ScanReport;

impl ScanReport {
    /// The CSV form, one count a row: `section,key,name,count`, the sections being `total`,
    /// `review` (messages sent to review, also counted as `other`), `empty` (messages with no text,
    /// under no label), `label`, `tag`, `platform` (key: platform, name: label), `platform_tag` (key: platform,
    /// name: tag) and `month` (key: `YYYY-MM`, name: label).
    pub fn write_csv<W: std::io::Write>(&self, out: W) -> csv::Result<W> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(["section", "key", "name", "count"])?;
        w.write_record(["total", "", "", &self.total.to_string()])?;
        w.write_record(["review", "", "", &self.review.to_string()])?;
        w.write_record(["empty", "", "", &self.empty.to_string()])?;
        for l in Label::ALL {
            w.write_record(["label", "", l.as_str(), &self.by_label.get(l).to_string()])?;
        }
        for t in Tag::ALL {
            w.write_record(["tag", "", t.as_str(), &self.by_tag.get(t).to_string()])?;
        }
        for p in &self.platforms {
            for l in Label::ALL {
                w.write_record(["platform", &neutralize_formula(&p.name), l.as_str(), &p.labels.get(l).to_string()])?;
            }
        }
        for p in &self.platforms {
            for t in Tag::ALL {
                w.write_record(["platform_tag", &neutralize_formula(&p.name), t.as_str(), &p.tags.get(t).to_string()])?;
            }
        }
        for (m, c) in &self.months {
            for l in Label::ALL {
                w.write_record(["month", &neutralize_formula(m), l.as_str(), &c.get(l).to_string()])?;
            }
        }
        w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
    }
}
