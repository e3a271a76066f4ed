//! The tabular form of the scan report, one count a row (`section,key,name,count`), for CSV and
//! spreadsheets. Cells that a spreadsheet would read as a formula (starting with `=`, `+`, `-`,
//! `@`, a tab or a carriage return) are written to CSV with a leading `'`, as OWASP advises for
//! CSV meant for spreadsheets.

use crate::labels::{Label, Tag};
use crate::output::neutralize_formula;
use crate::report::RunInfo;
use crate::report::scan::ScanReport;

/// The header of the tabular scan report.
pub const SCAN_COLUMNS: [&str; 4] = ["section", "key", "name", "count"];

/// One row of the tabular scan report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanRow<'a> {
    /// What is counted: `total`, `read`, `label`, `platform`, … (see [`ScanReport::rows`]).
    pub section: &'static str,
    /// The platform or month, for the sections that have one.
    pub key: &'a str,
    /// The label or tag, for the sections that have one.
    pub name: &'a str,
    /// The count.
    pub count: u64,
}

impl ScanReport {
    /// The report as rows, the sections being `total` (messages in the report), `read` and
    /// `rejected` (records of the run: every record read is in the report or rejected),
    /// `declared` (messages the export says it holds, when it says), `review` (messages sent to
    /// review, also counted as `other`), `empty` (messages with no text, under no label),
    /// `unparsed_times`, `label`, `tag`, `platform` (key: platform, name: label), `platform_tag`
    /// (key: platform, name: tag) and `month` (key: `YYYY-MM`, name: label).
    pub fn rows<'a>(&'a self, run: &RunInfo) -> Vec<ScanRow<'a>> {
        let count = |section, count| ScanRow { section, key: "", name: "", count };
        let mut rows = vec![count("total", self.total), count("read", run.read), count("rejected", run.rejected)];
        rows.extend(run.declared.map(|n| count("declared", n)));
        rows.extend([count("review", self.review), count("empty", self.empty)]);
        rows.push(count("unparsed_times", self.unparsed_times.0));
        let row = |section, key, name, count| ScanRow { section, key, name, count };
        rows.extend(Label::ALL.map(|l| row("label", "", l.as_str(), self.by_label.get(l))));
        rows.extend(Tag::ALL.map(|t| row("tag", "", t.as_str(), self.by_tag.get(t))));
        for p in &self.platforms {
            rows.extend(Label::ALL.map(|l| row("platform", &p.name, l.as_str(), p.labels.get(l))));
        }
        for p in &self.platforms {
            rows.extend(Tag::ALL.map(|t| row("platform_tag", &p.name, t.as_str(), p.tags.get(t))));
        }
        for (m, c) in &self.months {
            rows.extend(Label::ALL.map(|l| row("month", m, l.as_str(), c.get(l))));
        }
        rows
    }

    /// The CSV form: [`SCAN_COLUMNS`], then [`ScanReport::rows`].
    pub fn write_csv<W: std::io::Write>(&self, run: &RunInfo, out: W) -> csv::Result<W> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(SCAN_COLUMNS)?;
        for r in self.rows(run) {
            w.write_record([r.section, &neutralize_formula(r.key), r.name, &r.count.to_string()])?;
        }
        w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
    }
}
