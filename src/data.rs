//! Labelled data: reading `text,label[,tags][,id]` CSV files into training and evaluation rows.
//! Labels are free names (the built-in four, or one's own); which set they make is training's
//! business ([`LabelSet::of_names`](crate::labels::LabelSet::of_names)).

use crate::io::{Format, InputError, Item, ReadOptions};
use crate::labels::TagSet;
use crate::model::Example;

/// How labelled files are read: the readers' options (format, encoding, text column, maximum
/// length) and the names of the label, tags and id columns.
#[derive(Debug, Clone)]
pub struct LabelledOptions {
    /// Format, encoding, delimiter, text column and `max_chars`, as for `classify`.
    pub read: ReadOptions,
    /// The column with the label.
    pub label_column: String,
    /// The optional column with the tags; without it, tags are unknown (not "none").
    pub tags_column: String,
    /// The optional column with row ids (`slice-NNNN`, `~` for augmented variants).
    pub id_column: String,
}

impl Default for LabelledOptions {
    fn default() -> Self {
        LabelledOptions {
            read: ReadOptions::default(),
            label_column: "label".to_string(),
            tags_column: "tags".to_string(),
            id_column: "id".to_string(),
        }
    }
}

/// Reads labelled CSV files with the default columns (`text`, `label`, `tags`, `id`).
pub fn read_labelled(paths: &[String]) -> Result<Vec<Example>, InputError> {
    read_labelled_with(paths, &LabelledOptions::default())
}

/// Reads labelled files in any input format and encoding the readers know. Every row must have
/// a label (and known tags, where there is a tags column) and a non-empty text; the first bad
/// row stops the read with its file and line.
pub fn read_labelled_with(paths: &[String], options: &LabelledOptions) -> Result<Vec<Example>, InputError> {
    let mut out = Vec::new();
    let mut read = options.read.clone();
    // the id is a column every reader keeps (JSON Lines reads only the columns it is told)
    read.id_column = Some(options.id_column.clone());
    for path in paths {
        read_one(path, options, &read, &mut out)?;
    }
    Ok(out)
}

fn read_one(
    path: &str,
    options: &LabelledOptions,
    read: &ReadOptions,
    out: &mut Vec<Example>,
) -> Result<(), InputError> {
    let fmt = |message: String| InputError::Format { file: path.to_string(), message };
    let mut source = crate::io::open(path, read)?;
    let columns = source.columns().to_vec();
    let is_jsonl = read.format.unwrap_or_else(|| Format::from_path(path)) == Format::Jsonl;
    let has = |name: &str| is_jsonl || columns.iter().any(|c| c == name);
    if !has(&options.label_column) {
        return Err(InputError::MissingColumn {
            file: path.to_string(),
            column: options.label_column.clone(),
            found: columns.join(", "),
        });
    }
    let tags_known = has(&options.tags_column);
    while let Some(item) = source.next_item() {
        let record = match item? {
            Item::Record(r) => r,
            Item::Reject(r) => return Err(fmt(format!("line {}: {}", r.line, r.reason))),
        };
        let line = record.line;
        let at = |m: String| fmt(format!("line {line}: {m}"));
        let label_field = record.field(&columns, &options.label_column).ok_or_else(|| at("no label".to_string()))?;
        let label = label_field.trim();
        if label.is_empty() {
            return Err(at("empty label".to_string()));
        }
        if label.chars().any(|c| c == ';' || c.is_control()) {
            return Err(at(format!("label {label:?} holds `;` or a control character")));
        }
        let label = label.to_string();
        let tags = match (tags_known, record.field(&columns, &options.tags_column)) {
            (true, Some(t)) => Some(TagSet::parse_field(t).map_err(|e| at(format!("{e}")))?),
            (true, None) if !is_jsonl => Some(TagSet::default()),
            _ => None,
        };
        let text = record.text().to_string();
        if text.trim().is_empty() {
            return Err(at("empty text".to_string()));
        }
        let (group, slice, augmented) = match record.field(&columns, &options.id_column) {
            Some(id) if !id.is_empty() => {
                let group = id.split('~').next().unwrap_or(id);
                let slice = group.split('-').next().unwrap_or(group);
                (group.to_string(), slice.to_string(), id.contains('~'))
            }
            _ => (format!("{path}:{line}"), path.to_string(), false),
        };
        out.push(Example { text, label, tags, group, slice, augmented });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(content: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(content.as_bytes()).unwrap();
        f
    }

    #[test]
    fn reads_labels_tags_and_groups() {
        let f = write(
            "id,text,label,tags\na-1,还钱,lawful_reminder,\na-1~aug,还 钱,lawful_reminder,\nb,P图,doctored_image_threat,image;contacts\n",
        );
        let rows = read_labelled(&[f.path().display().to_string()]).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].group, rows[1].group);
        assert_eq!((rows[0].slice.as_str(), rows[0].augmented), ("a", false));
        assert!(rows[1].augmented);
        assert_eq!(rows[2].slice, "b");
        assert_eq!(rows[2].tags.unwrap().to_field(), "contacts;image");
    }

    #[test]
    fn without_a_tags_column_tags_are_unknown_not_empty() {
        let f = write("text,label\n再还不上就上门,intimidation\n还钱,lawful_reminder\n");
        let rows = read_labelled(&[f.path().display().to_string()]).unwrap();
        assert!(rows.iter().all(|r| r.tags.is_none()), "no tags column: tags unknown, so not trained");
        let f = write("text,label,tags\n再还不上就上门,intimidation,\n");
        let rows = read_labelled(&[f.path().display().to_string()]).unwrap();
        assert_eq!(rows[0].tags, Some(crate::labels::TagSet::default()), "an empty tags field: known, none");
    }

    #[test]
    fn bad_rows_name_file_and_line() {
        let f = write("text,label\nok,other\nbad,\n");
        let err = read_labelled(&[f.path().display().to_string()]).unwrap_err().to_string();
        assert!(err.contains("line 3") && err.contains("empty label"), "{err}");
        // a label of one's own is read as it is, trimmed
        let f = write("text,label\nok,other\nbuy now, promo \n");
        let rows = read_labelled(&[f.path().display().to_string()]).unwrap();
        assert_eq!(rows[1].label, "promo");
    }
}
