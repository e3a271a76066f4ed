//! The model file: magic, version, a JSON header (labels, tags, feature configuration,
//! hyper-parameters, training counts, analysis resources), the weights, and a CRC-32. Checked on load.

use std::collections::BTreeMap;

use half::slice::HalfFloatSliceExt;
use serde::{Deserialize, Serialize};

use super::calibration::Calibration;
use super::hyperparams::ValidLinearParams;
use super::linear::{LinearModel, MAX_LABELS, N_TAGS};
use crate::analysis::Resources;
use crate::features::FeatureConfig;
use crate::labels::{LabelSet, Tag};

/// The 8 bytes every model file starts with.
pub const MAGIC: &[u8; 8] = b"CUISHOU\0";
/// The model file format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// How a model was made, recorded when it was trained: the cuishou version, and the held-out
/// scores that training computed (`cv_macro_f1` under `--cv`; `loso_macro_f1` and
/// `loso_accuracy` under `--loso`). Older model files have none.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrainingRecord {
    /// The version of cuishou that trained the model.
    pub cuishou_version: String,
    /// Held-out scores by name; never scores on the training rows themselves.
    pub metrics: BTreeMap<String, f64>,
}

/// Everything about a model except its weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelMeta {
    /// The label names in output order: the four built-in labels, or a set of one's own
    /// ([`LabelSet`]).
    pub labels: Vec<String>,
    /// The tag names in output order: this build's for the built-in labels, none for a label
    /// set of one's own.
    pub tags: Vec<String>,
    /// How the model featurizes text.
    pub features: FeatureConfig,
    /// The hyper-parameters it was trained with.
    pub params: ValidLinearParams,
    /// Training rows per label.
    pub trained_on: BTreeMap<String, usize>,
    /// The dictionary, lexicon and variants table it analyses text with.
    pub resources: Resources,
    /// How label scores become probabilities (absent in older files: uncalibrated).
    #[serde(default)]
    pub calibration: Calibration,
    /// How it was made.
    #[serde(default)]
    pub record: TrainingRecord,
}

impl ModelMeta {
    /// The label set, checked: valid names, and the tags that go with them (this build's for the
    /// built-in labels, none for a set of one's own).
    pub fn label_set(&self) -> Result<LabelSet, ModelFileError> {
        let labels = LabelSet::new(&self.labels).map_err(|e| ModelFileError::Header(format!("labels: {e}")))?;
        let expect_tags: Vec<&str> =
            if labels.is_builtin() { Tag::ALL.iter().map(|t| t.as_str()).collect() } else { Vec::new() };
        if self.tags != expect_tags {
            return Err(ModelFileError::Header(format!(
                "tags {:?} differ from the {expect_tags:?} that labels {:?} need",
                self.tags, self.labels
            )));
        }
        Ok(labels)
    }

    /// How many outputs the model has: one per label and one per tag.
    pub fn n_outputs(&self) -> usize {
        self.labels.len() + self.tags.len()
    }
}

/// Why a model file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ModelFileError {
    /// The bytes do not start with [`MAGIC`].
    #[error("not a cuishou model (the file does not start with the cuishou magic bytes)")]
    Foreign,
    /// The file's format version (given) is not [`FORMAT_VERSION`].
    #[error("model file format version {0} is not supported (this build reads version {FORMAT_VERSION})")]
    Version(u32),
    /// The file ends inside the named part.
    #[error("model file is truncated: {0}")]
    Truncated(&'static str),
    /// The CRC-32 at the end of the file does not match its bytes.
    #[error("model file is corrupt: checksum {found:08x} does not match the stored {stored:08x}")]
    Checksum {
        /// The checksum stored in the file.
        stored: u32,
        /// The checksum of the bytes read.
        found: u32,
    },
    /// The JSON header is unreadable or does not fit this build (labels, tags, features,
    /// calibration, sizes), a weight is not finite, or bytes follow the weights.
    #[error("model file header is invalid: {0}")]
    Header(String),
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], ModelFileError> {
        let end = self.pos.checked_add(n).ok_or(ModelFileError::Truncated(what))?;
        let slice = self.bytes.get(self.pos..end).ok_or(ModelFileError::Truncated(what))?;
        self.pos = end;
        Ok(slice)
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, ModelFileError> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

/// Serializes a model. The weights are stored in half precision.
pub fn to_bytes(meta: &ModelMeta, model: &LinearModel) -> Vec<u8> {
    let header = serde_json::to_vec(meta).unwrap_or_default();
    let mut out = Vec::with_capacity(32 + header.len() + model.buckets * model.n_outputs() * 2);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(header.len() as u32).to_le_bytes());
    out.extend_from_slice(&header);
    out.extend_from_slice(&(model.buckets as u32).to_le_bytes());
    out.extend_from_slice(&(model.n_outputs() as u32).to_le_bytes());
    for b in &model.bias {
        out.extend_from_slice(&b.to_le_bytes());
    }
    for b in 0..model.buckets as u32 {
        for w in model.row(b) {
            out.extend_from_slice(&half::f16::from_f32(w).to_le_bytes());
        }
    }
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// Parses and checks a model file.
/// Bytes of the fixed prefix: magic, format version, header length.
pub const PREFIX_BYTES: usize = MAGIC.len() + 8;

/// Header bytes at most (the resources it carries are a few MB).
const MAX_HEADER_BYTES: u64 = 256 << 20;

/// Checks a file's fixed prefix and its size before the file is read: the magic, the version,
/// and that the size fits a model of at most 2^24 buckets and [`MAX_LABELS`] labels. A foreign or huge file is refused
/// without reading it into memory.
pub fn check_prefix(prefix: &[u8], file_size: u64) -> Result<(), ModelFileError> {
    if prefix.len() < MAGIC.len() || &prefix[..MAGIC.len()] != MAGIC {
        return Err(ModelFileError::Foreign);
    }
    if prefix.len() < PREFIX_BYTES {
        return Err(ModelFileError::Truncated("header"));
    }
    let word = |at: usize| u32::from_le_bytes([prefix[at], prefix[at + 1], prefix[at + 2], prefix[at + 3]]);
    let version = word(MAGIC.len());
    if version != FORMAT_VERSION {
        return Err(ModelFileError::Version(version));
    }
    let header_len = u64::from(word(MAGIC.len() + 4));
    if header_len > MAX_HEADER_BYTES {
        return Err(ModelFileError::Header(format!("a header of {header_len} bytes is not a model's")));
    }
    let outputs = (MAX_LABELS + N_TAGS) as u64;
    let largest = PREFIX_BYTES as u64 + header_len + 8 + outputs * 4 + (1u64 << 24) * outputs * 2 + 4;
    if file_size > largest {
        return Err(ModelFileError::Header(format!(
            "the file is {file_size} bytes, more than the largest model ({largest} bytes)"
        )));
    }
    Ok(())
}

/// Reads a model from the bytes of a model file.
pub fn from_bytes(bytes: &[u8]) -> Result<(ModelMeta, LinearModel), ModelFileError> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(ModelFileError::Foreign);
    }
    if bytes.len() < MAGIC.len() + 8 {
        return Err(ModelFileError::Truncated("header"));
    }
    let mut r = Reader { bytes, pos: MAGIC.len() };
    let version = r.u32("version")?;
    if version != FORMAT_VERSION {
        return Err(ModelFileError::Version(version));
    }
    // Check the whole file before trusting any length in it.
    let (body, crc) = bytes.split_at(bytes.len() - 4);
    let stored = u32::from_le_bytes([crc[0], crc[1], crc[2], crc[3]]);
    let found = crc32fast::hash(body);
    if stored != found {
        return Err(ModelFileError::Checksum { stored, found });
    }
    let r = &mut Reader { bytes: body, pos: r.pos };
    let header_len = r.u32("header length")? as usize;
    let header = r.take(header_len, "header")?;
    let meta: ModelMeta = serde_json::from_slice(header).map_err(|e| ModelFileError::Header(e.to_string()))?;
    meta.label_set()?;
    meta.features.check().map_err(|e| ModelFileError::Header(e.to_string()))?;
    if !meta.calibration.is_valid() {
        return Err(ModelFileError::Header(format!(
            "calibration temperature {} is not positive",
            meta.calibration.temperature
        )));
    }
    let buckets = r.u32("bucket count")? as usize;
    let outputs = r.u32("output count")? as usize;
    if buckets != meta.features.buckets() || outputs != meta.n_outputs() {
        return Err(ModelFileError::Header(format!(
            "{buckets} buckets x {outputs} outputs, expected {} x {}",
            meta.features.buckets(),
            meta.n_outputs()
        )));
    }
    let bias_bytes = r.take(outputs * 4, "bias")?;
    let bias: Vec<f32> = bias_bytes.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
    let weight_bytes = r.take(buckets * outputs * 2, "weights")?;
    let halves: Vec<half::f16> = weight_bytes.chunks_exact(2).map(|c| half::f16::from_le_bytes([c[0], c[1]])).collect();
    let mut weights = vec![0.0f32; halves.len()];
    // converts with the CPU's half-precision instructions where it has them
    halves.convert_to_f32_slice(&mut weights);
    if let Some(bad) = weights.iter().chain(&bias).find(|w| !w.is_finite()) {
        return Err(ModelFileError::Header(format!(
            "the model holds a weight of {bad}: it is broken or its training diverged"
        )));
    }
    if r.pos != body.len() {
        return Err(ModelFileError::Header(format!("{} unexpected bytes after the weights", body.len() - r.pos)));
    }
    let n_labels = meta.labels.len();
    Ok((meta, LinearModel::from_rows(buckets, n_labels, weights, bias)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::Label;
    use crate::model::hyperparams::LinearParams;
    use crate::model::linear::{N_LABELS, N_OUTPUTS};
    use linfa::ParamGuard;

    fn sample() -> (ModelMeta, LinearModel) {
        sample_of(Label::ALL.iter().map(|l| l.as_str().to_string()).collect())
    }

    /// A model of these labels, with tag outputs for the built-in ones.
    fn sample_of(labels: Vec<String>) -> (ModelMeta, LinearModel) {
        let builtin = LabelSet::new(&labels).unwrap().is_builtin();
        let outputs = labels.len() + if builtin { N_TAGS } else { 0 };
        let features = FeatureConfig { bucket_bits: 10, ..FeatureConfig::default() };
        let weights = (0..features.buckets() * outputs).map(|i| (i as f32 * 0.37).sin());
        let mut model = LinearModel::from_rows(features.buckets(), labels.len(), weights, vec![0.0; outputs]);
        model.quantize();
        model.bias[1] = 0.25;
        let meta = ModelMeta {
            labels,
            tags: if builtin { Tag::ALL.iter().map(|t| t.as_str().to_string()).collect() } else { Vec::new() },
            features,
            params: LinearParams::default().check().unwrap(),
            trained_on: BTreeMap::from([("other".to_string(), 3)]),
            resources: Resources {
                domain_dict: String::new(),
                lexicon: "term\ttag\n".into(),
                variants: "v\tc\n".into(),
            },
            calibration: Calibration { temperature: 1.5 },
            record: TrainingRecord {
                cuishou_version: "0.1.0".into(),
                metrics: BTreeMap::from([("loso_macro_f1".to_string(), 0.8863)]),
            },
        };
        (meta, model)
    }

    #[test]
    fn round_trips() {
        let (meta, model) = sample();
        let bytes = to_bytes(&meta, &model);
        let (meta2, model2) = from_bytes(&bytes).unwrap();
        assert_eq!(meta, meta2);
        assert_eq!(model, model2);
        assert_eq!(model2.n_outputs(), N_OUTPUTS);
        // a label set of one's own: no tag outputs, the same format
        let (meta, model) = sample_of(vec!["bill".into(), "promo".into(), "personal".into()]);
        let (meta2, model2) = from_bytes(&to_bytes(&meta, &model)).unwrap();
        assert_eq!((&meta, &model), (&meta2, &model2));
        assert_eq!((model2.n_labels(), model2.n_outputs()), (3, 3));
    }

    #[test]
    fn refuses_labels_that_are_no_label_set_or_tags_that_do_not_fit_them() {
        let (mut meta, model) = sample();
        meta.labels[1] = meta.labels[0].clone();
        let err = from_bytes(&to_bytes(&meta, &model)).unwrap_err().to_string();
        assert!(err.contains("given twice"), "{err}");
        // tags with labels of one's own
        let (mut meta, model) = sample_of(vec!["spam".into(), "ham".into()]);
        meta.tags = vec!["contacts".into()];
        let err = from_bytes(&to_bytes(&meta, &model)).unwrap_err().to_string();
        assert!(err.contains("tags"), "{err}");
        // the built-in labels without their tags
        let (mut meta, model) = sample();
        meta.tags.clear();
        assert!(from_bytes(&to_bytes(&meta, &model)).is_err());
        assert_eq!(meta.labels.len(), N_LABELS);
    }

    #[test]
    fn refuses_truncated_corrupt_and_foreign_files() {
        let (meta, model) = sample();
        let bytes = to_bytes(&meta, &model);
        for cut in [0, 5, 12, 40, bytes.len() / 2, bytes.len() - 1] {
            let err = from_bytes(&bytes[..cut]).unwrap_err();
            assert!(
                matches!(err, ModelFileError::Foreign | ModelFileError::Truncated(_) | ModelFileError::Checksum { .. }),
                "cut at {cut}: {err}"
            );
        }
        let mut flipped = bytes.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 0x40;
        assert!(matches!(from_bytes(&flipped), Err(ModelFileError::Checksum { .. })));
        assert!(matches!(from_bytes(b"PK\x03\x04 a zip file"), Err(ModelFileError::Foreign)));
        // a weight that is not a number
        let mut broken = model.clone();
        broken.bias[0] = f32::NAN;
        let err = from_bytes(&to_bytes(&meta, &broken)).unwrap_err().to_string();
        assert!(err.contains("diverged"), "{err}");
        let mut newer = bytes.clone();
        newer[8] = 9;
        assert!(matches!(from_bytes(&newer), Err(ModelFileError::Version(9))));
    }
}
