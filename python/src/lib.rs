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
use cuishou::data::read_labelled;
use cuishou::features::FeatureConfig;
use cuishou::io::{DEFAULT_MAX_CHARS, reject_reason as reject_reason_with, too_long};
use cuishou::labels::Label;
use cuishou::model::hyperparams as hp;
use cuishou::model::train::gold_classes;
use cuishou::model::{Calibration, LinearParams, evaluate as evaluate_labels, train as train_examples};
use cuishou::output::{OUTPUT_COLUMNS, format_evidence, round4, span_texts};
use cuishou::{Classifier, Prediction, Resources};
use linfa::ParamGuard;
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

/// Why a value that is not a text is rejected.
const NULL_TEXT: &str = "text is null";
const NOT_A_STRING: &str = "text is not a string";
const NOT_UNICODE: &str = "text is not valid Unicode (lone surrogate)";

/// A loaded model. Load once per process and reuse: loading takes about half a second.
#[pyclass(frozen, subclass, module = "cuishou._cuishou")]
struct Model {
    classifier: Arc<Classifier>,
    pool: Option<Arc<rayon::ThreadPool>>,
    model_path: Option<PathBuf>,
    threads: Option<usize>,
}

/// One text's result as `cuishou classify` writes it: label, confidence rounded to four
/// decimals, tags joined, and evidence as `SPAN@START-END;…`.
struct Classification<'a> {
    /// A name of the model's label set.
    label: &'a str,
    confidence: f64,
    tags: String,
    evidence: String,
}

impl Model {
    /// Predicts `texts` on this model's pool (or rayon's global pool).
    fn predictions<T: AsRef<str> + Sync>(&self, texts: &[T]) -> Vec<Prediction> {
        match &self.pool {
            Some(pool) => pool.install(|| self.classifier.predict_batch(texts)),
            None => self.classifier.predict_batch(texts),
        }
    }

    /// Classifies `texts` as `cuishou classify` writes them.
    fn batch(&self, texts: &[&str]) -> Vec<Classification<'_>> {
        let predictions = self.predictions(texts);
        texts
            .iter()
            .zip(predictions)
            .map(|(text, p)| Classification {
                label: self.classifier.label_name(p.class),
                confidence: round4(p.confidence),
                tags: p.tags.to_field(),
                evidence: format_evidence(text, &p.evidence),
            })
            .collect()
    }
}

/// A pool of `threads` threads of a model's own, or None for rayon's global pool.
fn new_pool(threads: Option<usize>) -> PyResult<Option<Arc<rayon::ThreadPool>>> {
    match threads {
        None => Ok(None),
        Some(0) => Err(PyValueError::new_err("threads must be at least 1")),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .thread_name(|i| format!("cuishou-{i}"))
            .build()
            .map(|pool| Some(Arc::new(pool)))
            .map_err(|e| PyRuntimeError::new_err(format!("starting {n} threads: {e}"))),
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

/// What `gather` found: the texts to classify, and the position and reason of each reject.
type Gathered = (Vec<String>, Vec<(usize, String)>);

/// The texts of a Python iterable that can be classified, and the positions and reasons of those
/// that cannot (with `Errors::Raise`, the first of these is a ValueError naming its position).
fn gather(texts: &Bound<'_, PyAny>, max_chars: usize, errors: Errors, method: &str) -> PyResult<Gathered> {
    if texts.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(format!("{method} takes a list of texts, not one str: wrap it in a list")));
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
    Ok((owned, rejects))
}

#[pymethods]
impl Model {
    /// Model(model_path=None, threads=None)
    ///
    /// Loads the model file at `model_path` (from `cuishou train`), or the default model built
    /// into the package. `threads` sizes a pool of this model's own; by default the process-wide
    /// pool is used (all cores, or RAYON_NUM_THREADS).
    #[new]
    #[pyo3(signature = (model_path=None, threads=None, *, _from=None))]
    fn new(
        py: Python<'_>,
        model_path: Option<PathBuf>,
        threads: Option<usize>,
        _from: Option<PyRef<'_, Model>>,
    ) -> PyResult<Model> {
        // `_from`: the same classifier and pool as another model (how `cuishou.Model`, a
        // subclass, wraps what `train` returns). Nothing is loaded.
        if let Some(other) = _from {
            return Ok(Model {
                classifier: Arc::clone(&other.classifier),
                pool: other.pool.clone(),
                model_path: other.model_path.clone(),
                threads: other.threads,
            });
        }
        let loaded = py.detach(|| match &model_path {
            Some(path) => Classifier::load(path),
            None => Classifier::bundled(),
        });
        let classifier = loaded.map_err(|e| match &model_path {
            Some(path) => PyValueError::new_err(format!("loading model {}: {e}", path.display())),
            None => PyRuntimeError::new_err(format!("loading the bundled default model: {e}")),
        })?;
        let pool = new_pool(threads)?;
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
        let (owned, rejects) = gather(texts, max_chars, errors, "classify")?;
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

    /// The label names in the order of the model's outputs (the columns of `probabilities`):
    /// the four built-in labels, or the model's own.
    #[getter]
    fn classes_<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.classifier.labels().names())
    }

    /// predict_records(texts, *, max_chars=20000) -> list[tuple]
    ///
    /// One tuple per text: (label, confidence, tags, evidence, review), with confidence rounded
    /// to four decimals, tags a list of names, evidence a list of (span text, start, end) in
    /// character offsets. A text that cannot be classified raises ValueError naming its
    /// position, before anything is classified. The GIL is released while classifying.
    #[pyo3(signature = (texts, *, max_chars=DEFAULT_MAX_CHARS))]
    fn predict_records<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        max_chars: usize,
    ) -> PyResult<Bound<'py, PyList>> {
        let (owned, _) = gather(texts, max_chars, Errors::Raise, "predict")?;
        let predictions = py.detach(|| self.predictions(&owned));
        let out = PyList::empty(py);
        for (text, p) in owned.iter().zip(predictions) {
            let tags: Vec<&str> = p.tags.iter().map(|t| t.as_str()).collect();
            let evidence: Vec<(String, u32, u32)> = span_texts(text, &p.evidence)
                .into_iter()
                .zip(&p.evidence)
                .map(|(span, s)| (span, s.start, s.end))
                .collect();
            out.append((self.classifier.label_name(p.class), round4(p.confidence), tags, evidence, p.review))?;
        }
        Ok(out)
    }

    /// probabilities(texts, *, max_chars=20000) -> list[list[float]]
    ///
    /// Each text's label probabilities in the order of `classes_`, rounded to four decimals as
    /// `cuishou classify --probabilities` writes them. Texts that cannot be classified raise
    /// ValueError naming the position. The GIL is released while classifying.
    #[pyo3(signature = (texts, *, max_chars=DEFAULT_MAX_CHARS))]
    fn probabilities(&self, py: Python<'_>, texts: &Bound<'_, PyAny>, max_chars: usize) -> PyResult<Vec<Vec<f64>>> {
        let (owned, _) = gather(texts, max_chars, Errors::Raise, "predict_proba")?;
        let predictions = py.detach(|| self.predictions(&owned));
        Ok(predictions.iter().map(|p| p.scores.labels.iter().map(|&x| round4(x)).collect()).collect())
    }

    /// evaluate_json(paths) -> str
    ///
    /// Scores this model on labelled CSV files (`text`, `label` columns, as `cuishou eval`
    /// reads them): a JSON object with accuracy, macro_f1, per_label (label -> precision,
    /// recall, f1, support), confusion (gold -> predicted -> rows) and rows, the keys of
    /// `cuishou eval --json`.
    fn evaluate_json(&self, py: Python<'_>, paths: Vec<String>) -> PyResult<String> {
        py.detach(|| {
            let examples = read_labelled(&paths).map_err(|e| PyValueError::new_err(e.to_string()))?;
            let labels = self.classifier.labels();
            let gold = gold_classes(labels, &examples).map_err(|e| PyValueError::new_err(e.to_string()))?;
            let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
            let predicted: Vec<usize> = self.predictions(&texts).into_iter().map(|p| p.class).collect();
            serde_json::to_string(&evaluate_labels(labels, &gold, &predicted))
                .map_err(|e| PyRuntimeError::new_err(e.to_string()))
        })
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

/// The column that says why a text was not classified (null when it was).
const REJECT_REASON: &str = "reject_reason";

/// The fields of `classify_arrow`'s result, in order: the library's output columns, then
/// `reject_reason`.
fn output_fields() -> Fields {
    let mut fields: Vec<Field> = OUTPUT_COLUMNS
        .iter()
        .map(|&name| Field::new(name, if name == "confidence" { DataType::Float64 } else { DataType::Utf8 }, true))
        .collect();
    fields.push(Field::new(REJECT_REASON, DataType::Utf8, true));
    Fields::from(fields)
}

/// The Spark SQL type name of an output field's Arrow type.
fn sql_type(t: &DataType) -> &'static str {
    match t {
        DataType::Float64 => "double",
        _ => "string",
    }
}

/// The reasons a text is rejected, by kind; "too_long" is a `str.format` template with the
/// fields `chars` and `max_chars`, made by the library's own message function.
fn reject_reasons() -> Vec<(&'static str, String)> {
    const CHARS: u64 = 918_273_645;
    const MAX: usize = 546_372_819;
    let too_long = too_long(CHARS, MAX)
        .replace('{', "{{")
        .replace('}', "}}")
        .replace(&CHARS.to_string(), "{chars}")
        .replace(&MAX.to_string(), "{max_chars}");
    vec![
        ("null", NULL_TEXT.to_string()),
        ("not_a_string", NOT_A_STRING.to_string()),
        ("not_unicode", NOT_UNICODE.to_string()),
        ("nul", reject_reason_with("\0", DEFAULT_MAX_CHARS).expect("a NUL byte is rejected")),
        ("too_long", too_long),
    ]
}

/// train(paths, output=None, *, epochs, learning_rate, l2, tag_weight, seed, temperature) -> Model
///
/// Trains a model on labelled CSV files as `cuishou train` does without --cv, --search or
/// --loso (default features, the bundled resources, the calibration temperature given or, by
/// default, the shipped model's for the built-in labels and none for labels of one's own),
/// writes it to `output` when given, and returns it loaded.
#[pyfunction]
#[pyo3(signature = (
    paths, output=None, *, epochs=hp::DEFAULT_EPOCHS, learning_rate=hp::DEFAULT_LEARNING_RATE,
    l2=hp::DEFAULT_L2, tag_weight=hp::DEFAULT_TAG_WEIGHT, seed=hp::DEFAULT_SEED,
    temperature=None, threads=None
))]
#[allow(clippy::too_many_arguments)]
fn train(
    py: Python<'_>,
    paths: Vec<String>,
    output: Option<PathBuf>,
    epochs: usize,
    learning_rate: f32,
    l2: f32,
    tag_weight: f32,
    seed: u64,
    temperature: Option<f32>,
    threads: Option<usize>,
) -> PyResult<Model> {
    let params = LinearParams::default()
        .epochs(epochs)
        .learning_rate(learning_rate)
        .l2(l2)
        .tag_weight(tag_weight)
        .seed(seed)
        .check()
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    if let Some(t) = temperature
        && !(Calibration { temperature: t }).is_valid()
    {
        return Err(PyValueError::new_err(format!("temperature must be a positive number, got {t}")));
    }
    let pool = new_pool(threads)?;
    let classifier = py.detach(|| -> PyResult<Classifier> {
        let examples = read_labelled(&paths).map_err(|e| PyValueError::new_err(e.to_string()))?;
        let fit = || train_examples(&examples, Resources::bundled(), FeatureConfig::default(), params);
        let (mut classifier, _) = match &pool {
            Some(pool) => pool.install(fit),
            None => fit(),
        }
        .map_err(|e| PyValueError::new_err(format!("training: {e}")))?;
        let calibration = match temperature {
            Some(temperature) => Calibration { temperature },
            None => Calibration::default_for(classifier.labels()),
        };
        classifier.set_calibration(calibration);
        if let Some(path) = &output {
            write_model(path, &classifier.to_bytes())
                .map_err(|e| PyOSError::new_err(format!("writing {}: {e}", path.display())))?;
        }
        Ok(classifier)
    })?;
    Ok(Model { classifier: Arc::new(classifier), pool, model_path: output, threads })
}

/// Writes a model file under a temporary name beside `path` and renames it, so that a failed
/// write never leaves a partial model under the final name.
fn write_model(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let written = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
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
    #[pymodule_export]
    use super::train;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        let py = m.py();
        m.add("DEFAULT_MAX_CHARS", DEFAULT_MAX_CHARS)?;
        m.add("CLASSES", PyTuple::new(py, Label::ALL.map(Label::as_str))?)?;
        m.add("FIELDS", PyTuple::new(py, OUTPUT_COLUMNS)?)?;
        m.add("REJECT_REASON_FIELD", REJECT_REASON)?;
        let columns: Vec<(String, &str)> =
            output_fields().iter().map(|f| (f.name().clone(), sql_type(f.data_type()))).collect();
        m.add("OUTPUT_COLUMNS", PyTuple::new(py, columns)?)?;
        let reasons = PyDict::new(py);
        for (kind, reason) in reject_reasons() {
            reasons.set_item(kind, reason)?;
        }
        m.add("REJECT_REASONS", reasons)?;
        m.add("__version__", env!("CARGO_PKG_VERSION"))?;
        Ok(())
    }
}
