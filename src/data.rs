//! Labelled data: reading `text,label[,tags][,id]` CSV files into training and evaluation rows.

use crate::io::InputError;
use crate::io::csv_in::open_input;
use crate::labels::{Label, TagSet};
use crate::model::Example;

/// Reads labelled CSV files. Every row must have a known label (and known tags, where there is a
/// tags column); the first bad row stops the read with its file and line.
pub fn read_labelled(paths: &[String]) -> Result<Vec<Example>, InputError> {
    let mut out = Vec::new();
    for path in paths {
        read_one(path, &mut out)?;
    }
    Ok(out)
}

fn read_one(path: &str, out: &mut Vec<Example>) -> Result<(), InputError> {
    let fmt = |message: String| InputError::Format { file: path.to_string(), message };
    let mut reader = csv::ReaderBuilder::new().from_reader(open_input(path)?);
    let headers = reader.headers().map_err(|e| fmt(format!("cannot read the header row: {e}")))?.clone();
    let find = |name: &str| headers.iter().position(|h| h.trim_start_matches('\u{FEFF}').trim() == name);
    let missing = |column: &str| InputError::MissingColumn {
        file: path.to_string(),
        column: column.to_string(),
        found: headers.iter().collect::<Vec<_>>().join(", "),
    };
    let text_i = find("text").ok_or_else(|| missing("text"))?;
    let label_i = find("label").ok_or_else(|| missing("label"))?;
    let tags_i = find("tags");
    let id_i = find("id");
    for row in reader.records() {
        let row = row.map_err(|e| fmt(e.to_string()))?;
        let line = row.position().map_or(0, |p| p.line());
        let at = |m: String| fmt(format!("line {line}: {m}"));
        let label: Label = row.get(label_i).unwrap_or("").parse().map_err(|e| at(format!("{e}")))?;
        let tags = match tags_i {
            Some(i) => Some(TagSet::parse_field(row.get(i).unwrap_or("")).map_err(|e| at(format!("{e}")))?),
            None => None,
        };
        let text = row.get(text_i).unwrap_or("").to_string();
        if text.trim().is_empty() {
            return Err(at("empty text".to_string()));
        }
        let (group, slice, augmented) = match id_i.and_then(|i| row.get(i)) {
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
        let f = write("text,label\nok,other\nbad,threat\n");
        let err = read_labelled(&[f.path().display().to_string()]).unwrap_err().to_string();
        assert!(err.contains("line 3") && err.contains("threat"), "{err}");
    }
}
