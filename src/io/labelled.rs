//! Reading back what `cuishou classify` wrote: the prediction a classified record carries in its
//! `label`, `confidence`, `tags` and `evidence` columns (or JSON Lines fields), renamed
//! `cuishou_label`… when the input had columns of those names.

use super::Record;
use crate::output::{CLASH_PREFIX, recorded_prediction};
use crate::prediction::Prediction;

/// The label column's plain name.
const LABEL: &str = "label";

/// Whether a source's columns carry labels (`label` or `cuishou_label`).
pub fn has_labels(columns: &[String]) -> bool {
    columns.iter().any(|c| c == LABEL || is_prefixed_label(c))
}

fn is_prefixed_label(name: &str) -> bool {
    name.strip_prefix(CLASH_PREFIX) == Some(LABEL)
}

/// Whether the record's label is in the `cuishou_label` column or field.
fn is_prefixed(record: &Record, columns: &[String]) -> bool {
    columns.iter().any(|c| is_prefixed_label(c))
        || (!has_labels(columns) && record.object.as_ref().is_some_and(|o| o.keys().any(|k| is_prefixed_label(k))))
}

/// The prediction a classified record carries, or why it has none.
pub fn recorded(record: &Record, columns: &[String]) -> Result<Prediction, String> {
    recorded_prediction(|name| record.field(columns, name), is_prefixed(record, columns))
}

/// The label a classified record carries when it is not one of the four built-in labels (the
/// output of a model with labels of its own), which the reports cannot read.
pub fn foreign_label(record: &Record, columns: &[String]) -> Option<String> {
    let name = if is_prefixed(record, columns) { format!("{CLASH_PREFIX}{LABEL}") } else { LABEL.to_string() };
    let raw = record.field(columns, &name)?.trim();
    (!raw.is_empty() && raw.parse::<crate::labels::Label>().is_err()).then(|| raw.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::Label;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn predictions_are_read_from_plain_or_prefixed_columns() {
        let columns = names(&["text", "label", "tags", "evidence"]);
        let r = Record {
            line: 2,
            fields: names(&["爆你通讯录", "intimidation", "contacts", "通讯录@2-5"]),
            text_field: 0,
            object: None,
        };
        let p = recorded(&r, &columns).unwrap();
        assert_eq!(
            (p.label, p.tags.to_field(), p.evidence.len(), p.confidence),
            (Label::Intimidation, "contacts".into(), 1, 1.0)
        );
        let columns = names(&["text", "label", "cuishou_label", "cuishou_tags"]);
        let r = Record { line: 3, fields: names(&["hi", "gold", "other", ""]), text_field: 0, object: None };
        assert_eq!(recorded(&r, &columns).unwrap().label, Label::Other);
        let bad = Record { fields: names(&["hi", "x", "threat", ""]), ..r.clone() };
        assert!(recorded(&bad, &columns).unwrap_err().contains("not one of the four built-in labels"));
        // a label of one's own is found where the label is, prefixed or not
        assert_eq!(foreign_label(&bad, &columns).as_deref(), Some("threat"));
        assert_eq!(foreign_label(&r, &columns), None);
        assert!(has_labels(&columns) && !has_labels(&names(&["text", "labels"])));
    }

    #[test]
    fn json_objects_with_their_own_label_are_read_by_our_prefixed_one() {
        let object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(r#"{"text":"hi","label":"gold","cuishou_label":"other"}"#).unwrap();
        let r = Record { line: 1, fields: names(&["hi"]), text_field: 0, object: Some(Box::new(object)) };
        assert_eq!(recorded(&r, &names(&["text"])).unwrap().label, Label::Other);
    }
}
