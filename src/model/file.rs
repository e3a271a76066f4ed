//! The model file: magic, version, a JSON header (labels, tags, feature configuration,
//! hyper-parameters, training counts, analysis resources), the weights, and a CRC-32. Checked on load.

use std::collections::BTreeMap;

use half::slice::HalfFloatSliceExt;
use serde::{Deserialize, Serialize};

use super::calibration::Calibration;
use super::hyperparams::ValidLinearParams;
use super::linear::{LinearModel, N_OUTPUTS};
use crate::analysis::Resources;
use crate::features::FeatureConfig;
use crate::labels::{Label, Tag};

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
    /// The label names in output order; must be this build's.
    pub labels: Vec<String>,
    /// The tag names in output order; must be this build's.
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
    let mut out = Vec::with_capacity(32 + header.len() + model.buckets * N_OUTPUTS * 2);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(header.len() as u32).to_le_bytes());
    out.extend_from_slice(&header);
    out.extend_from_slice(&(model.buckets as u32).to_le_bytes());
    out.extend_from_slice(&(N_OUTPUTS as u32).to_le_bytes());
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
/// and that the size fits a model of at most 2^24 buckets. A foreign or huge file is refused
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
    let outputs = N_OUTPUTS as u64;
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
    let expect_labels: Vec<&str> = Label::ALL.iter().map(|l| l.as_str()).collect();
    let expect_tags: Vec<&str> = Tag::ALL.iter().map(|t| t.as_str()).collect();
    if meta.labels != expect_labels || meta.tags != expect_tags {
        return Err(ModelFileError::Header(format!(
            "labels {:?} and tags {:?} differ from this build's {expect_labels:?} and {expect_tags:?}",
            meta.labels, meta.tags
        )));
    }
    meta.features.check().map_err(|e| ModelFileError::Header(e.to_string()))?;
    if !meta.calibration.is_valid() {
        return Err(ModelFileError::Header(format!(
            "calibration temperature {} is not positive",
            meta.calibration.temperature
        )));
    }
    let buckets = r.u32("bucket count")? as usize;
    let outputs = r.u32("output count")? as usize;
    if buckets != meta.features.buckets() || outputs != N_OUTPUTS {
        return Err(ModelFileError::Header(format!(
            "{buckets} buckets x {outputs} outputs, expected {} x {N_OUTPUTS}",
            meta.features.buckets()
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
    Ok((meta, LinearModel::from_rows(buckets, weights, bias)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::hyperparams::LinearParams;
    use linfa::ParamGuard;

    fn sample() -> (ModelMeta, LinearModel) {
        let features = FeatureConfig { bucket_bits: 10, ..FeatureConfig::default() };
        let weights = (0..features.buckets() * N_OUTPUTS).map(|i| (i as f32 * 0.37).sin());
        let mut model = LinearModel::from_rows(features.buckets(), weights, vec![0.0; N_OUTPUTS]);
        model.quantize();
        model.bias[2] = 0.25;
        let meta = ModelMeta {
            labels: Label::ALL.iter().map(|l| l.as_str().to_string()).collect(),
            tags: Tag::ALL.iter().map(|t| t.as_str().to_string()).collect(),
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
