//! The scan report of a complaint corpus: counts by label, tag, platform and month, with a few
//! example messages per platform and label, gathered in one streaming pass in bounded memory;
//! the sink that gathers it, and its JSON and CSV forms.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use chrono::Datelike;

use super::platform::PlatformDetector;
use super::time::month_key;
use super::{ColumnNames, Fields, LabelCounts, TagCounts, TimeReader, redact};
use crate::io::{Record, Sink};
use crate::labels::{Tag, TagSet};
use crate::prediction::{Prediction, Span};

/// Distinct platforms counted one by one; the records of any further platform are counted
/// under [`MORE_PLATFORMS`], so memory stays bounded whatever the corpus.
pub const MAX_PLATFORMS: usize = 5000;
/// The platform key that gathers platforms beyond [`MAX_PLATFORMS`].
pub const MORE_PLATFORMS: &str = "(more platforms)";
/// Example messages kept per platform and label: the most confident ones.
pub const EXAMPLES_PER_CELL: usize = 3;
/// Longest example text kept, in characters.
pub const EXAMPLE_CHARS: usize = 160;

/// One example message.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// The id column, else the record's line (or record number) in its input.
    pub id: String,
    /// At most [`EXAMPLE_CHARS`] characters (an ellipsis marks a cut).
    pub text: String,
    /// Probability of the label.
    pub confidence: f32,
    /// The harms named.
    pub tags: TagSet,
    /// Spans of `text`.
    pub evidence: Vec<Span>,
}

/// Counts and examples for one platform.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlatformRow {
    /// The platform's name, or [`MORE_PLATFORMS`].
    pub name: String,
    /// The platform's messages by label.
    pub labels: LabelCounts,
    /// Tag counts over the platform's messages.
    pub tags: TagCounts,
    /// Per label (in [`Label::ALL`](crate::labels::Label::ALL) order), the most confident examples, most confident first.
    pub examples: [Vec<Example>; 4],
}

impl PlatformRow {
    /// The share of this platform's unlawful messages that carry `tag`, 0 to 1.
    pub fn share(&self, tag: Tag) -> f64 {
        let n = self.labels.unlawful();
        if n == 0 { 0.0 } else { self.tags.get(tag) as f64 / n as f64 }
    }
}

/// The finished scan.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanReport {
    /// Every record counted.
    pub total: u64,
    /// Messages by label.
    pub by_label: LabelCounts,
    /// Messages carrying each tag.
    pub by_tag: TagCounts,
    /// Most unlawful messages first, then most messages, then by name.
    pub platforms: Vec<PlatformRow>,
    /// `YYYY-MM` in order.
    pub months: Vec<(String, LabelCounts)>,
    /// Records with a time that parsed.
    pub timed: u64,
    /// Whether the input had a time column at all.
    pub has_time: bool,
    /// Records counted under [`MORE_PLATFORMS`].
    pub overflow: u64,
    /// Messages sent to review (`--min-confidence`): counted under `other` too, and here apart.
    pub review: u64,
    /// Messages whose text is empty or blank (an image-only MMS, an export's empty row): in
    /// `total`, but in no label, tag, platform or month count.
    pub empty: u64,
    /// Message times that could not be read (so in no month), and the first as written.
    pub unparsed_times: (u64, Option<String>),
}

/// Gathers the scan; memory is bounded by [`MAX_PLATFORMS`] platforms with
/// [`EXAMPLES_PER_CELL`] short examples per label each, and one count per month.
pub struct ScanSink {
    names: ColumnNames,
    fields: Fields,
    detector: PlatformDetector,
    redact: bool,
    total: u64,
    by_label: LabelCounts,
    by_tag: TagCounts,
    platforms: HashMap<String, PlatformRow>,
    months: BTreeMap<(i32, u32), LabelCounts>,
    timed: u64,
    overflow: u64,
    review: u64,
    empty: u64,
    times: TimeReader,
}

impl ScanSink {
    /// A sink reading the columns `names`, naming platforms with `detector`; `redact` masks numbers
    /// and addresses in what it keeps.
    pub fn new(names: ColumnNames, detector: PlatformDetector, redact: bool) -> ScanSink {
        ScanSink {
            names,
            fields: Fields::absent(),
            detector,
            redact,
            total: 0,
            by_label: LabelCounts::default(),
            by_tag: TagCounts::default(),
            platforms: HashMap::new(),
            months: BTreeMap::new(),
            timed: 0,
            overflow: 0,
            review: 0,
            empty: 0,
            times: TimeReader::default(),
        }
    }

    /// The day the export was made: `昨天 10:00`, `3月3日 10:00` and the like count from it.
    pub fn reference_date(mut self, date: Option<chrono::NaiveDate>) -> ScanSink {
        self.times.reference = date;
        self
    }

    /// The finished scan.
    pub fn finish(self) -> ScanReport {
        let mut platforms: Vec<PlatformRow> = self.platforms.into_values().collect();
        platforms.sort_by(|a, b| {
            b.labels
                .unlawful()
                .cmp(&a.labels.unlawful())
                .then(b.labels.total().cmp(&a.labels.total()))
                .then(a.name.cmp(&b.name))
        });
        ScanReport {
            total: self.total,
            by_label: self.by_label,
            by_tag: self.by_tag,
            platforms,
            months: self.months.into_iter().map(|((y, m), c)| (month_key(y, m), c)).collect(),
            timed: self.timed,
            has_time: self.fields.time != super::Field::Absent,
            overflow: self.overflow,
            review: self.review,
            empty: self.empty,
            unparsed_times: (self.times.unparsed, self.times.example),
        }
    }

    fn example(&self, record: &Record, p: &Prediction) -> Example {
        // masked whole, then cut: masking a cut text would show the first digits of a number
        // cut in half
        let text = if self.redact { Cow::Owned(redact(record.text())) } else { Cow::Borrowed(record.text()) };
        let mut cut: String = text.chars().take(EXAMPLE_CHARS).collect();
        let n = cut.chars().count() as u32;
        if cut.len() < text.len() {
            cut.push('…');
        }
        let evidence =
            p.evidence.iter().filter(|s| s.start < n).map(|s| Span { start: s.start, end: s.end.min(n) }).collect();
        let id = self.fields.id(record, self.total);
        Example {
            id: if self.redact { redact(&id) } else { id },
            text: cut,
            confidence: p.confidence,
            tags: p.tags,
            evidence,
        }
    }
}

impl Sink for ScanSink {
    fn begin(&mut self, columns: &[String]) -> std::io::Result<()> {
        self.fields = self.names.resolve(columns);
        Ok(())
    }

    fn write(&mut self, record: &Record, p: &Prediction) -> std::io::Result<()> {
        self.total += 1;
        if record.text().trim().is_empty() {
            // nothing was said: counted apart, never as `other`
            self.empty += 1;
            return Ok(());
        }
        self.review += u64::from(p.review);
        self.by_label.add(p.label);
        self.by_tag.add(p.tags);
        if let Some(t) = self.times.read(self.fields.time.get(record).as_deref()) {
            self.timed += 1;
            self.months.entry((t.local.year(), t.local.month())).or_default().add(p.label);
        }
        let column = self.fields.platform.get(record);
        let mut name = self.detector.detect(column.as_deref(), record.text());
        if self.redact {
            name = redact(&name);
        }
        if !self.platforms.contains_key(&name) && self.platforms.len() >= MAX_PLATFORMS {
            self.overflow += 1;
            name = MORE_PLATFORMS.to_string();
        }
        let k = p.label.index();
        let wanted = {
            let row = self.platforms.get(&name);
            let kept = row.map_or(&[][..], |r| &r.examples[k][..]);
            kept.len() < EXAMPLES_PER_CELL || kept.last().is_some_and(|e| p.confidence > e.confidence)
        };
        let example = wanted.then(|| self.example(record, p));
        let row = self
            .platforms
            .entry(name)
            .or_insert_with_key(|n| PlatformRow { name: n.clone(), ..PlatformRow::default() });
        row.labels.add(p.label);
        row.tags.add(p.tags);
        if let Some(e) = example {
            let cell = &mut row.examples[k];
            let at = cell.iter().position(|x| e.confidence > x.confidence).unwrap_or(cell.len());
            cell.insert(at, e);
            cell.truncate(EXAMPLES_PER_CELL);
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl ScanReport {
    /// The platforms with at least one unlawful message, at most `n`.
    pub fn top_unlawful(&self, n: usize) -> &[PlatformRow] {
        let k = self.platforms.iter().take_while(|p| p.labels.unlawful() > 0).count();
        &self.platforms[..k.min(n)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::Label;
    use crate::prediction::{LabelValues, Scores};
    use crate::report::RunInfo;

    fn prediction(label: Label, confidence: f32, tags: &str) -> Prediction {
        Prediction {
            class: label.index(),
            label,
            confidence,
            scores: Scores { labels: LabelValues::zeros(4), tags: [0.0; 7] },
            tags: TagSet::parse_field(tags).unwrap(),
            evidence: vec![Span { start: 0, end: 2 }],
            review: false,
        }
    }

    fn feed(sink: &mut ScanSink, rows: &[(&str, &str, &str, Label, f32, &str)]) {
        let columns: Vec<String> = ["id", "platform", "time", "text"].iter().map(|s| s.to_string()).collect();
        sink.begin(&columns).unwrap();
        for (i, (platform, time, text, label, conf, tags)) in rows.iter().enumerate() {
            let r = Record {
                line: i as u64 + 2,
                fields: vec![format!("c{i}"), platform.to_string(), time.to_string(), text.to_string()],
                text_field: 3,
                object: None,
            };
            sink.write(&r, &prediction(*label, *conf, tags)).unwrap();
        }
    }

    #[test]
    fn counts_by_label_tag_platform_and_month() {
        use Label::*;
        let mut sink = ScanSink::new(ColumnNames::default(), PlatformDetector::default(), false);
        feed(
            &mut sink,
            &[
                ("橙意贷", "2024-01-05", "催收说要把我P成遗照", DoctoredImageThreat, 0.9, "image;contacts"),
                ("", "2024-01-20 10:00", "【速融宝】您的借款已逾期", LawfulReminder, 0.8, ""),
                ("", "1706745600000", "拍拍贷的催收天天打我单位电话", Intimidation, 0.7, "contacts"),
                ("橙意贷", "", "催收骂我全家", Intimidation, 0.6, "insult"),
                ("", "not a time", "今天天气不错", Other, 0.99, ""),
            ],
        );
        let r = sink.finish();
        assert_eq!(r.total, 5);
        assert_eq!(r.by_label, LabelCounts([1, 2, 1, 1]));
        assert_eq!((r.by_tag.get(Tag::Contacts), r.by_tag.get(Tag::Image), r.by_tag.get(Tag::Insult)), (2, 1, 1));
        let names: Vec<&str> = r.platforms.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["橙意贷", "拍拍贷", "unknown", "速融宝"]);
        assert_eq!(r.platforms[0].labels, LabelCounts([0, 1, 1, 0]));
        assert!((r.platforms[0].share(Tag::Contacts) - 0.5).abs() < 1e-9);
        let months: Vec<(&str, u64)> = r.months.iter().map(|(m, c)| (m.as_str(), c.total())).collect();
        assert_eq!(months, [("2024-01", 2), ("2024-02", 1)], "epoch millis 1706745600000 is 2024-02-01 in China");
        assert_eq!((r.timed, r.has_time), (3, true));
        assert_eq!(r.top_unlawful(10).len(), 2);
        let json = r.to_json();
        assert_eq!(json["by_platform"]["橙意贷"]["intimidation"], 1);
        assert_eq!(json["by_month"]["2024-01"]["lawful_reminder"], 1);
        let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["total", "review", "empty", "unparsed_times", "by_label", "by_tag", "by_platform", "by_month"]
        );
        assert_eq!(json["review"], 0);
    }

    #[test]
    fn examples_keep_the_most_confident_few_per_cell() {
        let mut sink = ScanSink::new(ColumnNames::default(), PlatformDetector::default(), true);
        let rows: Vec<(&str, &str, &str, Label, f32, &str)> = [0.5, 0.9, 0.7, 0.95, 0.6]
            .iter()
            .map(|&c| ("甲贷", "", "打13811112222找你妈", Label::Intimidation, c, "contacts"))
            .collect();
        feed(&mut sink, &rows);
        let r = sink.finish();
        let cell = &r.platforms[0].examples[Label::Intimidation.index()];
        let conf: Vec<f32> = cell.iter().map(|e| e.confidence).collect();
        assert_eq!(conf, [0.95, 0.9, 0.7]);
        assert_eq!(cell[0].id, "c3");
        assert_eq!(cell[0].text, "打*******2222找你妈", "examples are redacted");
    }

    #[test]
    fn examples_are_masked_before_they_are_cut() {
        let mut sink = ScanSink::new(ColumnNames::default(), PlatformDetector::default(), true);
        // the phone number crosses the cut at EXAMPLE_CHARS
        let text = format!("{}13811112222还钱", "催".repeat(EXAMPLE_CHARS - 4));
        feed(&mut sink, &[("甲贷", "", text.as_str(), Label::Intimidation, 0.9, "")]);
        let r = sink.finish();
        let e = &r.platforms[0].examples[Label::Intimidation.index()][0];
        assert!(e.text.ends_with("催****…"), "{}", e.text);
        assert_eq!(e.text.chars().count(), EXAMPLE_CHARS + 1);
    }

    #[test]
    fn long_examples_are_cut_and_their_spans_clipped() {
        let mut sink = ScanSink::new(ColumnNames::default(), PlatformDetector::default(), false);
        let long = "催".repeat(400);
        let columns: Vec<String> = ["text"].iter().map(|s| s.to_string()).collect();
        sink.begin(&columns).unwrap();
        let r = Record { line: 2, fields: vec![long], text_field: 0, object: None };
        let mut p = prediction(Label::Intimidation, 0.9, "insult");
        p.evidence = vec![Span { start: 150, end: 170 }, Span { start: 300, end: 302 }];
        sink.write(&r, &p).unwrap();
        let r = sink.finish();
        let e = &r.platforms[0].examples[Label::Intimidation.index()][0];
        assert_eq!(e.text.chars().count(), EXAMPLE_CHARS + 1);
        assert_eq!(e.evidence, [Span { start: 150, end: EXAMPLE_CHARS as u32 }]);
        assert_eq!((e.id.as_str(), r.has_time, r.months.len()), ("1", false, 0));
    }

    #[test]
    fn platforms_beyond_the_cap_are_counted_together() {
        let mut sink = ScanSink::new(ColumnNames::default(), PlatformDetector::default(), false);
        let names: Vec<String> = (0..MAX_PLATFORMS + 10).map(|i| format!("平台{i}")).collect();
        let rows: Vec<(&str, &str, &str, Label, f32, &str)> =
            names.iter().map(|n| (n.as_str(), "", "x", Label::Other, 0.5, "")).collect();
        feed(&mut sink, &rows);
        let r = sink.finish();
        assert_eq!(r.platforms.len(), MAX_PLATFORMS + 1);
        assert_eq!(r.overflow, 10);
        let more = r.platforms.iter().find(|p| p.name == MORE_PLATFORMS).unwrap();
        assert_eq!(more.labels.total(), 10);
        assert_eq!(r.platforms.iter().map(|p| p.labels.total()).sum::<u64>(), r.total);
    }

    #[test]
    fn messages_sent_to_review_are_counted_apart_and_as_other() {
        let mut sink = ScanSink::new(ColumnNames::default(), PlatformDetector::default(), false);
        let columns: Vec<String> = ["id", "text"].iter().map(|s| s.to_string()).collect();
        sink.begin(&columns).unwrap();
        for (i, review) in [true, false, true].into_iter().enumerate() {
            let r = Record { line: i as u64 + 2, fields: vec![i.to_string(), "x".into()], text_field: 1, object: None };
            let p = Prediction { review, ..prediction(Label::Other, 0.3, "") };
            sink.write(&r, &p).unwrap();
        }
        let r = sink.finish();
        assert_eq!((r.review, r.by_label.get(Label::Other), r.total), (2, 3, 3));
        assert_eq!(r.to_json()["review"], 2);
        let csv = String::from_utf8(r.write_csv(&RunInfo::default(), Vec::new()).unwrap()).unwrap();
        assert!(csv.contains("\nreview,,,2\n"), "{csv}");
    }

    #[test]
    fn empty_texts_are_counted_apart_never_as_other() {
        let mut sink = ScanSink::new(ColumnNames::default(), PlatformDetector::default(), false);
        let columns: Vec<String> = ["id", "text"].iter().map(|s| s.to_string()).collect();
        sink.begin(&columns).unwrap();
        for (i, text) in ["", "  \n", "今晚吃饭吗"].into_iter().enumerate() {
            let r =
                Record { line: i as u64 + 2, fields: vec![i.to_string(), text.into()], text_field: 1, object: None };
            sink.write(&r, &prediction(Label::Other, 0.9, "")).unwrap();
        }
        let r = sink.finish();
        assert_eq!((r.empty, r.by_label.get(Label::Other), r.total), (2, 1, 3));
        assert_eq!(r.by_label.total() + r.empty, r.total);
        assert_eq!(r.to_json()["empty"], 2);
        let csv = String::from_utf8(r.write_csv(&RunInfo::default(), Vec::new()).unwrap()).unwrap();
        assert!(csv.contains("\nempty,,,2\n"), "{csv}");
    }

    #[test]
    fn csv_form_has_one_count_a_row() {
        let mut sink = ScanSink::new(ColumnNames::default(), PlatformDetector::default(), false);
        feed(&mut sink, &[("甲贷", "2024-05-01", "x", Label::Intimidation, 0.5, "visit")]);
        let run = RunInfo { read: 2, rejected: 1, ..RunInfo::default() };
        let report = sink.finish();
        let csv = String::from_utf8(report.write_csv(&run, Vec::new()).unwrap()).unwrap();
        assert!(
            csv.starts_with(
                "section,key,name,count\ntotal,,,1\nread,,,2\nrejected,,,1\nreview,,,0\nempty,,,0\nunparsed_times,,,0\n\
                 label,,lawful_reminder,0\n"
            ),
            "{csv}"
        );
        let declared = RunInfo { declared: Some(5), ..run };
        let csv = String::from_utf8(report.write_csv(&declared, Vec::new()).unwrap()).unwrap();
        assert!(csv.contains("\nrejected,,,1\ndeclared,,,5\n"), "{csv}");
        assert!(csv.contains("platform,甲贷,intimidation,1\n"));
        assert!(csv.contains("platform_tag,甲贷,visit,1\n"));
        assert!(csv.contains("month,2024-05,intimidation,1\n"));
    }
}
