//! JSON Lines output: one object per input record, the input fields (or, for JSON Lines input,
//! the input object itself) followed by label, confidence, tags and evidence.

use std::io::Write;

use serde_json::{Map, Value};

use super::{Record, Sink};
use crate::labels::LabelSet;
use crate::output::{Form, OUTPUT_COLUMNS, OutputOptions, PROBABILITIES_FIELD, REVIEW_COLUMN, clash_prefix};
use crate::output::{TOP_FIELD, format_evidence, redact, round4, top_labels};
use crate::prediction::Prediction;

/// Writes one JSON object per record, one per line.
pub struct JsonlSink<W: Write> {
    out: W,
    columns: Vec<String>,
    line: Vec<u8>,
    options: OutputOptions,
    /// The model's labels: the names written.
    labels: LabelSet,
}

/// Masks every string inside `v`, and every number that would be masked as a string (a phone
/// number stored as `13811112222`), which becomes the masked string.
fn redact_value(v: &mut Value) {
    match v {
        Value::String(s) => *s = redact(s),
        Value::Number(n) => {
            let written = n.to_string();
            let masked = redact(&written);
            if masked != written {
                *v = Value::String(masked);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_value),
        Value::Object(map) => map.values_mut().for_each(redact_value),
        _ => {}
    }
}

impl<W: Write> JsonlSink<W> {
    /// A sink writing JSON Lines to `out`, with the default options.
    pub fn new(out: W) -> JsonlSink<W> {
        JsonlSink {
            out,
            columns: Vec::new(),
            line: Vec::new(),
            options: OutputOptions::default(),
            labels: LabelSet::builtin(),
        }
    }

    /// The labels of the model whose predictions are written (default: the built-in four).
    pub fn with_labels(mut self, labels: LabelSet) -> JsonlSink<W> {
        self.labels = labels;
        self
    }

    /// Masking, and the `review` and `probabilities` fields (probabilities with 4 decimals).
    pub fn with_options(mut self, options: OutputOptions) -> JsonlSink<W> {
        self.options = options;
        self
    }

    /// Returns the writer.
    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: Write> Sink for JsonlSink<W> {
    fn begin(&mut self, columns: &[String]) -> std::io::Result<()> {
        self.columns = columns.to_vec();
        Ok(())
    }

    fn write(&mut self, record: &Record, p: &Prediction) -> std::io::Result<()> {
        let mut object: Map<String, Value> = match &record.object {
            Some(o) => (**o).clone(),
            None => {
                self.columns.iter().zip(&record.fields).map(|(c, f)| (c.clone(), Value::String(f.clone()))).collect()
            }
        };
        if self.options.redact {
            object.values_mut().for_each(redact_value);
        }
        // an input's own `label` (or other added name) is kept: ours are then `cuishou_label`…
        let prefix = clash_prefix(object.keys().map(String::as_str), &self.options, Form::Object, &self.labels);
        let name = |n: &str| format!("{prefix}{n}");
        let [label, confidence, tags, evidence] = OUTPUT_COLUMNS.map(name);
        object.insert(label, Value::String(self.labels.name(p.class).into()));
        object.insert(confidence, serde_json::json!(round4(p.confidence)));
        object.insert(tags, Value::String(p.tags.to_field()));
        // masking keeps character offsets, so the spans still point at the same words
        let text = if self.options.redact { redact(record.text()) } else { record.text().to_string() };
        object.insert(evidence, Value::String(format_evidence(&text, &p.evidence)));
        if self.options.review {
            object.insert(name(REVIEW_COLUMN), Value::Bool(p.review));
        }
        if self.options.probabilities {
            let probabilities: Map<String, Value> = (self.labels.names().iter().cloned())
                .zip(p.scores.labels.iter().map(|&v| serde_json::json!(round4(v))))
                .collect();
            object.insert(name(PROBABILITIES_FIELD), Value::Object(probabilities));
        }
        if self.options.top_k > 0 {
            let top: Vec<Value> = top_labels(p, self.options.top_k)
                .into_iter()
                .map(|(k, v)| serde_json::json!({"label": self.labels.name(k), "p": round4(v)}))
                .collect();
            object.insert(name(TOP_FIELD), Value::Array(top));
        }
        self.line.clear();
        serde_json::to_writer(&mut self.line, &object)?;
        self.line.push(b'\n');
        self.out.write_all(&self.line)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::redact_value;
    use serde_json::json;

    #[test]
    fn numbers_that_would_be_masked_become_masked_strings_at_any_depth() {
        let mut v = json!({
            "phone": 13811112222u64,
            "card": 6222021234567890123u64,
            "nested": {"list": [1, 13911113333u64, {"id": 110105194912310021u64}], "amount": 2300.5},
            "code": 482913,
            "count": 3,
            "ok": true,
            "none": null,
        });
        redact_value(&mut v);
        assert_eq!(
            v,
            json!({
                "phone": "*******2222",
                "card": "***************0123",
                "nested": {"list": [1, "*******3333", {"id": "**************0021"}], "amount": 2300.5},
                "code": 482913,
                "count": 3,
                "ok": true,
                "none": null,
            })
        );
    }
}
