//! `cuishou._cuishou`: the compiled half of the Python package. A `Model` wraps a loaded
//! classifier (and, optionally, its own thread pool); `classify` takes Python strings,
//! `classify_arrow` takes an Arrow string array through the C data interface without copying
//! the texts. Both release the GIL while they classify. `python/cuishou/__init__.py` is the
//! public face; everything here returns what `cuishou classify` writes.

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::builder::{Float64Builder, StringBuilder};
use arrow_array::{Array, ArrayRef, LargeStringArray, StringArray, StringViewArray, StructArray, make_array};
use arrow_data::ArrayData;
use arrow_pyarrow::PyArrowType;
use arrow_schema::{DataType, Field, Fields};
use cuishou::io::{DEFAULT_MAX_CHARS, reject_reason as reject_reason_with};
use cuishou::output::{format_evidence, round4};
use cuishou::{Classifier, Prediction};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

/// Why a value that is not a text is rejected.
const NULL_TEXT: &str = "text is null";
const NOT_A_STRING: &str = "text is not a string";
const NOT_UNICODE: &str = "text is not valid Unicode (lone surrogate)";

/// A loaded model. Load once per process and reuse: loading takes about half a second.
#[pyclass(frozen, module = "cuishou._cuishou")]
struct Model {
    classifier: Arc<Classifier>,
    pool: Option<rayon::ThreadPool>,
    model_path: Option<PathBuf>,
    threads: Option<usize>,
}

/// One text's result as `cuishou classify` writes it: label, confidence rounded to four
/// decimals, tags joined, and evidence as `SPAN@START-END;…`.
struct Classification {
    label: &'static str,
    confidence: f64,
    tags: String,
    evidence: String,
}

impl Model {
    /// Classifies `texts` on this model's pool (or rayon's global pool).
    fn batch(&self, texts: &[&str]) -> Vec<Classification> {
        let predictions: Vec<Prediction> = match &self.pool {
            Some(pool) => pool.install(|| self.classifier.predict_batch(texts)),
            None => self.classifier.predict_batch(texts),
        };
        texts
            .iter()
            .zip(predictions)
            .map(|(text, p)| Classification {
                label: p.label.as_str(),
                confidence: round4(p.confidence),
                tags: p.tags.to_field(),
                evidence: format_evidence(text, &p.evidence),
            })
            .collect()
    }
}

/// How to treat a text that cannot be classified.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Errors {
    Raise,
    Reject,
}

fn parse_errors(errors: &str) -> PyResult<Errors> {
    match errors {
        "raise" => Ok(Errors::Raise),
        "reject" => Ok(Errors::Reject),
        other => Err(PyValueError::new_err(format!("errors must be \"raise\" or \"reject\", got {other:?}"))),
    }
}

#[pymethods]
impl Model {
    /// Model(model_path=None, threads=None)
    ///
    /// Loads the model file at `model_path` (from `cuishou train`), or the default model built
    /// into the package. `threads` sizes a pool of this model's own; by default the process-wide
    /// pool is used (all cores, or RAYON_NUM_THREADS).
    #[new]
    #[pyo3(signature = (model_path=None, threads=None))]
    fn new(py: Python<'_>, model_path: Option<PathBuf>, threads: Option<usize>) -> PyResult<Model> {
        let loaded = py.detach(|| match &model_path {
            Some(path) => Classifier::load(path),
            None => Classifier::bundled(),
        });
        let classifier = loaded.map_err(|e| match &model_path {
            Some(path) => PyValueError::new_err(format!("loading model {}: {e}", path.display())),
            None => PyRuntimeError::new_err(format!("loading the bundled default model: {e}")),
        })?;
        let pool = match threads {
            None => None,
            Some(0) => return Err(PyValueError::new_err("threads must be at least 1")),
            Some(n) => Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .thread_name(|i| format!("cuishou-{i}"))
                    .build()
                    .map_err(|e| PyRuntimeError::new_err(format!("starting {n} threads: {e}")))?,
            ),
        };
        Ok(Model { classifier: Arc::new(classifier), pool, model_path, threads })
    }

    /// The model file this model was loaded from, or None for the default model.
    #[getter]
    fn model_path(&self) -> Option<PathBuf> {
        self.model_path.clone()
    }

    /// The size of this model's own pool, or None when it uses the process-wide pool.
    #[getter]
    fn threads(&self) -> Option<usize> {
        self.threads
    }

    /// classify(texts, *, max_chars=20000, errors="raise") -> list[dict]
    ///
    /// One dict per text, in order, with the keys label, confidence, tags and evidence, equal
    /// to what `cuishou classify` writes. A value that cannot be classified (None, not a str,
    /// a NUL byte, more than `max_chars` characters) raises ValueError with errors="raise"
    /// before anything is classified; with errors="reject" its dict has None for the four
    /// fields and a fifth key, reject_reason. The GIL is released while classifying.
    #[pyo3(signature = (texts, *, max_chars=DEFAULT_MAX_CHARS, errors="raise"))]
    fn classify<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        max_chars: usize,
        errors: &str,
    ) -> PyResult<Bound<'py, PyList>> {
        let errors = parse_errors(errors)?;
        if texts.is_instance_of::<PyString>() {
            return Err(PyTypeError::new_err("classify takes a list of texts, not one str: wrap it in a list"));
        }
        let mut owned: Vec<String> = Vec::with_capacity(texts.len().unwrap_or(0));
        let mut rejects: Vec<(usize, String)> = Vec::new();
        for (i, item) in texts.try_iter()?.enumerate() {
            let item = item?;
            let reason = if item.is_none() {
                Some(NULL_TEXT.to_string())
            } else if let Ok(s) = item.cast::<PyString>() {
                match s.to_cow() {
                    Ok(text) => {
                        let reason = reject_reason_with(&text, max_chars);
                        if reason.is_none() {
                            owned.push(text.into_owned());
                        }
                        reason
                    }
                    Err(_) => Some(NOT_UNICODE.to_string()),
                }
            } else {
                Some(NOT_A_STRING.to_string())
            };
            if let Some(reason) = reason {
                if errors == Errors::Raise {
                    return Err(PyValueError::new_err(format!("text {i}: {reason}")));
                }
                rejects.push((i, reason));
            }
        }
        let results = py.detach(|| {
            let refs: Vec<&str> = owned.iter().map(String::as_str).collect();
            self.batch(&refs)
        });
        let out = PyList::empty(py);
        let mut results = results.into_iter();
        let mut rejects = rejects.into_iter().peekable();
        let mut i = 0;
        loop {
            let d = PyDict::new(py);
            if rejects.peek().is_some_and(|(r, _)| *r == i) {
                let (_, reason) = rejects.next().expect("peeked");
                for key in ["label", "confidence", "tags", "evidence"] {
                    d.set_item(key, py.None())?;
                }
                d.set_item("reject_reason", reason)?;
            } else if let Some(c) = results.next() {
                d.set_item("label", c.label)?;
                d.set_item("confidence", c.confidence)?;
                d.set_item("tags", c.tags)?;
                d.set_item("evidence", c.evidence)?;
            } else {
                break;
            }
            out.append(d)?;
            i += 1;
        }
        Ok(out)
    }

    /// classify_arrow(array, *, max_chars=20000) -> pyarrow.StructArray
    ///
    /// Classifies a pyarrow string, large_string or string_view array (a null array counts as
    /// all null) read in place through the Arrow C data interface. Returns a StructArray of the
    /// same length with the fields label, confidence, tags, evidence and reject_reason: a null
    /// or unclassifiable text gets null fields and a reject_reason, never an exception. The
    /// GIL is released while classifying.
    #[pyo3(signature = (array, *, max_chars=DEFAULT_MAX_CHARS))]
    fn classify_arrow(
        &self,
        py: Python<'_>,
        array: PyArrowType<ArrayData>,
        max_chars: usize,
    ) -> PyResult<PyArrowType<ArrayData>> {
        let array = make_array(array.0);
        match array.data_type() {
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null => {}
            other => {
                return Err(PyTypeError::new_err(format!(
                    "classify_arrow takes a string, large_string or string_view array, got {other}"
                )));
            }
        }
        let out = py.detach(|| self.arrow_batch(&array, max_chars));
        Ok(PyArrowType(out.into_data()))
    }
}

impl Model {
    fn arrow_batch(&self, array: &ArrayRef, max_chars: usize) -> StructArray {
        let texts: Vec<Option<&str>> = if let Some(a) = array.as_any().downcast_ref::<StringArray>() {
            a.iter().collect()
        } else if let Some(a) = array.as_any().downcast_ref::<LargeStringArray>() {
            a.iter().collect()
        } else if let Some(a) = array.as_any().downcast_ref::<StringViewArray>() {
            a.iter().collect()
        } else {
            vec![None; array.len()]
        };
        let reasons: Vec<Option<String>> = texts
            .iter()
            .map(|t| match t {
                None => Some(NULL_TEXT.to_string()),
                Some(text) => reject_reason_with(text, max_chars),
            })
            .collect();
        let valid: Vec<&str> =
            texts.iter().zip(&reasons).filter(|(_, r)| r.is_none()).filter_map(|(t, _)| *t).collect();
        let results = self.batch(&valid);

        let n = texts.len();
        let mut label = StringBuilder::with_capacity(n, n * 16);
        let mut confidence = Float64Builder::with_capacity(n);
        let mut tags = StringBuilder::with_capacity(n, n * 8);
        let mut evidence = StringBuilder::with_capacity(n, n * 32);
        let mut reject = StringBuilder::with_capacity(n, 0);
        let mut results = results.into_iter();
        for reason in &reasons {
            match reason {
                Some(reason) => {
                    label.append_null();
                    confidence.append_null();
                    tags.append_null();
                    evidence.append_null();
                    reject.append_value(reason);
                }
                None => {
                    let c = results.next().expect("one result per valid text");
                    label.append_value(c.label);
                    confidence.append_value(c.confidence);
                    tags.append_value(&c.tags);
                    evidence.append_value(&c.evidence);
                    reject.append_null();
                }
            }
        }
        let fields = output_fields();
        let columns: Vec<ArrayRef> = vec![
            Arc::new(label.finish()),
            Arc::new(confidence.finish()),
            Arc::new(tags.finish()),
            Arc::new(evidence.finish()),
            Arc::new(reject.finish()),
        ];
        StructArray::new(fields, columns, None)
    }
}

/// The fields of `classify_arrow`'s result, in order.
fn output_fields() -> Fields {
    Fields::from(vec![
        Field::new("label", DataType::Utf8, true),
        Field::new("confidence", DataType::Float64, true),
        Field::new("tags", DataType::Utf8, true),
        Field::new("evidence", DataType::Utf8, true),
        Field::new("reject_reason", DataType::Utf8, true),
    ])
}

/// reject_reason(text, max_chars=20000) -> str | None
///
/// Why `cuishou classify --max-chars MAX_CHARS` would reject this text, or None when it would
/// classify it.
#[pyfunction]
#[pyo3(signature = (text, max_chars=DEFAULT_MAX_CHARS))]
fn reject_reason(text: String, max_chars: usize) -> Option<String> {
    reject_reason_with(&text, max_chars)
}

#[pymodule]
mod _cuishou {
    use super::*;

    #[pymodule_export]
    use super::Model;
    #[pymodule_export]
    use super::reject_reason;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("DEFAULT_MAX_CHARS", DEFAULT_MAX_CHARS)?;
        m.add("__version__", env!("CARGO_PKG_VERSION"))?;
        Ok(())
    }
}
