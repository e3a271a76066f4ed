//! The classifier: a trained linear model with the analysis chain it was trained with; it turns
//! a message into a label, a confidence, tags and evidence. Tags, evidence and `explain` all
//! weigh a feature by one formula, [`Classifier::contribution`]. The rules that know what the
//! built-in labels mean (the image rule, tags, lexicon evidence) apply to the built-in label set
//! only; a label set of one's own gets label, confidence, probabilities and feature evidence.

use std::path::Path;

use rayon::prelude::*;

use super::file::{self, ModelMeta};
use super::linear::{self, LinearModel};
use super::{Calibration, DEFAULT_MODEL, ModelError};
use crate::analysis::{AnalyzedText, Analyzer};
use crate::features::Namespace;
use crate::labels::{Label, LabelSet, Tag, TagSet};
use crate::prediction::{LabelValues, Prediction, Scores, Span, best_label};
use crate::text::normalize::is_cjk;

/// How many spans of evidence at most, and how many of them may come from model features.
const MAX_EVIDENCE: usize = 6;
const MAX_FEATURE_EVIDENCE: usize = 3;
/// Image terms at least this strong turn an intimidation into an image threat.
const IMAGE_TERM_WEIGHT: f32 = 1.5;
/// Lexicon terms weaker than this do not add a tag on their own.
const TAG_TERM_WEIGHT: f32 = 1.0;

/// A model and its analysis chain. Build once; share between threads (`&Classifier` is `Sync`).
pub struct Classifier {
    analyzer: Analyzer,
    model: LinearModel,
    meta: ModelMeta,
    /// The model's labels, in output order.
    labels: LabelSet,
    /// Added to the calibrated label scores: `ln(prior / training prior)` per label (zero: the
    /// training prior).
    prior_shift: LabelValues,
    /// A label less confident than this becomes the review label with the review flag.
    min_confidence: f32,
    /// Where doubtful messages go: the output index of the label `other`, if the set has one.
    review_class: Option<usize>,
}

/// Why a label prior could not be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PriorError {
    /// A prior, given or left to an unnamed label, is not strictly between 0 and 1: the label's name
    /// and the prior.
    #[error("the prior of {0} must be a number above 0 and below 1, got {1}")]
    OutOfRange(String, f32),
    /// The model records no training rows of the named label, so its prior cannot be shifted.
    #[error("the model records no training rows of {0}, so its prior cannot be shifted")]
    NoTrainingRows(String),
    /// A name that is not one of the model's labels: the name, and the model's labels.
    #[error("unknown label {0:?}: the model's labels are {1}")]
    UnknownLabel(String, String),
}

/// A minimum confidence asked of a model whose label set has no `other` to send doubtful
/// messages to; holds the model's labels.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "a minimum confidence sends doubtful messages to the label `other`, which this model's labels ({0}) do not have"
)]
pub struct NoReviewLabel(pub String);

impl Classifier {
    /// A classifier of `model` with the analysis chain of `meta`'s resources and features; no prior
    /// shift, no review threshold. Fails when the chain cannot be built, or the labels are no
    /// label set or do not match the model's outputs.
    pub fn new(meta: ModelMeta, model: LinearModel) -> Result<Classifier, ModelError> {
        let labels = meta.label_set()?;
        if model.n_labels() != labels.len() || model.is_tagged() != labels.is_builtin() {
            return Err(ModelError::Labels(format!(
                "the model has {} label outputs{}, its labels are {}",
                model.n_labels(),
                if model.is_tagged() { " and tag outputs" } else { "" },
                labels.joined()
            )));
        }
        let analyzer = Analyzer::new(&meta.resources, meta.features.clone())?;
        Ok(Classifier {
            analyzer,
            model,
            meta,
            prior_shift: LabelValues::zeros(labels.len()),
            min_confidence: 0.0,
            review_class: labels.index(Label::Other.as_str()),
            labels,
        })
    }

    /// Reads a model from the bytes of a model file.
    pub fn from_bytes(bytes: &[u8]) -> Result<Classifier, ModelError> {
        let (meta, model) = file::from_bytes(bytes)?;
        Classifier::new(meta, model)
    }

    /// Reads a model file.
    /// The file's prefix and size are checked before the rest is read, so that a foreign or
    /// huge file is refused without reading it.
    pub fn load(path: &Path) -> Result<Classifier, ModelError> {
        use std::io::Read;
        let io_error = |source| ModelError::Io { path: path.display().to_string(), source };
        let mut file = std::fs::File::open(path).map_err(io_error)?;
        let size = file.metadata().map_err(io_error)?.len();
        let mut prefix = Vec::with_capacity(file::PREFIX_BYTES);
        (&mut file).take(file::PREFIX_BYTES as u64).read_to_end(&mut prefix).map_err(io_error)?;
        file::check_prefix(&prefix, size)?;
        let mut bytes = prefix;
        bytes.reserve(usize::try_from(size).unwrap_or(0).saturating_sub(bytes.len()));
        file.read_to_end(&mut bytes).map_err(io_error)?;
        Classifier::from_bytes(&bytes)
    }

    /// The default model compiled into this build.
    pub fn bundled() -> Result<Classifier, ModelError> {
        Classifier::from_bytes(DEFAULT_MODEL)
    }

    /// The serialized model file.
    pub fn to_bytes(&self) -> Vec<u8> {
        file::to_bytes(&self.meta, &self.model)
    }

    /// The analysis chain.
    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    /// The model's labels, in output order: the built-in four, or a set of one's own.
    pub fn labels(&self) -> &LabelSet {
        &self.labels
    }

    /// The name of output `k`'s label (the label of a [`Prediction`]'s `class`).
    pub fn label_name(&self, k: usize) -> &str {
        self.labels.name(k)
    }

    /// The linear model.
    pub fn model(&self) -> &LinearModel {
        &self.model
    }

    /// The model's metadata: features, hyper-parameters, training counts, resources, calibration.
    pub fn meta(&self) -> &ModelMeta {
        &self.meta
    }

    /// Records a held-out score computed while training (`cv_macro_f1`, `loso_macro_f1`, …); it
    /// is written with the model and shown by `cuishou model info`.
    pub fn record_metric(&mut self, name: &str, value: f64) {
        self.meta.record.metrics.insert(name.to_string(), value);
    }

    /// Sets how label scores become probabilities (see [`calibration`](super::calibration)).
    pub fn set_calibration(&mut self, calibration: Calibration) {
        self.meta.calibration = calibration;
    }

    /// Label shift: the share of each label expected in the input, where it differs from the
    /// training data's (a phone export is mostly everyday messages; about half of the training
    /// data is collection). Labels not named keep their training share, and the rest is scaled so that the
    /// shares sum to one. Probabilities are reweighted by `prior / training prior` (Saerens et
    /// al., 2002). Labels are named as in the model's label set.
    pub fn set_prior<S: AsRef<str>>(&mut self, prior: &[(S, f32)]) -> Result<(), PriorError> {
        let n = self.labels.len();
        let total: f32 = self.meta.trained_on.values().sum::<usize>() as f32;
        let train: Vec<f32> = self
            .labels
            .names()
            .iter()
            .map(|l| self.meta.trained_on.get(l).copied().unwrap_or(0) as f32 / total.max(1.0))
            .collect();
        let mut target = vec![f32::NAN; n];
        for (label, p) in prior {
            let (label, p) = (label.as_ref(), *p);
            let k = self
                .labels
                .index(label.trim())
                .ok_or_else(|| PriorError::UnknownLabel(label.to_string(), self.labels.joined()))?;
            if !(p > 0.0 && p < 1.0) {
                return Err(PriorError::OutOfRange(self.labels.name(k).to_string(), p));
            }
            target[k] = p;
        }
        let named: f32 = target.iter().filter(|p| !p.is_nan()).sum();
        let rest_train: f32 = (0..n).filter(|&k| target[k].is_nan()).map(|k| train[k]).sum();
        for k in 0..n {
            if target[k].is_nan() {
                target[k] = if rest_train > 0.0 { train[k] * (1.0 - named).max(0.0) / rest_train } else { 0.0 };
            }
        }
        let sum: f32 = target.iter().sum();
        for k in 0..n {
            if train[k] <= 0.0 {
                return Err(PriorError::NoTrainingRows(self.labels.name(k).to_string()));
            }
            let p = target[k] / sum;
            if p.is_nan() || p <= 0.0 {
                return Err(PriorError::OutOfRange(self.labels.name(k).to_string(), p));
            }
            self.prior_shift[k] = (p / train[k]).ln();
        }
        Ok(())
    }

    /// Labels other than `other` given with less confidence than `min` become `other`, flagged
    /// for review. A label set without a label named `other` has nowhere to send them: a
    /// minimum above 0 is then refused.
    pub fn set_min_confidence(&mut self, min: f32) -> Result<(), NoReviewLabel> {
        if min > 0.0 && self.review_class.is_none() {
            return Err(NoReviewLabel(self.labels.joined()));
        }
        self.min_confidence = min;
        Ok(())
    }

    /// Calibrated label probabilities of raw label scores, with the prior applied.
    fn label_probabilities(&self, logits: &[f32]) -> LabelValues {
        let mut z = self.meta.calibration.scaled(logits);
        for (zk, shift) in z.iter_mut().zip(self.prior_shift.iter()) {
            *zk += shift;
        }
        linear::softmax(&mut z);
        z
    }

    /// Analyses and classifies one message, reusing `scratch`'s buffers; `scratch.analysis()`
    /// holds the message's analysis afterwards.
    pub fn predict(&self, text: &str, scratch: &mut Scratch) -> Prediction {
        let a = &mut scratch.analysis;
        self.analyzer.analyze(text, a);
        let labels = self.label_probabilities(&self.model.label_logits(&a.features));
        let (mut class, mut confidence) = best_label(&labels);
        // the built-in label, for the built-in label set
        let mut builtin = self.labels.builtin_label(class);
        if builtin == Some(Label::Intimidation) && self.names_an_image(a) {
            // The more harmful label wins: a threat that names a shaming picture is an image
            // threat. Its confidence is that of an unlawful label, the two together.
            let image = Label::DoctoredImageThreat;
            (builtin, class) = (Some(image), image.index());
            confidence += labels[class];
        }
        let unlawful = builtin.is_some_and(Label::is_unlawful);
        let scores = Scores {
            labels,
            tags: if unlawful { self.model.tag_probabilities(&a.features) } else { [0.0; linear::N_TAGS] },
        };
        let tags = match builtin {
            Some(label) => self.tags(label, &scores, a),
            None => TagSet::default(),
        };
        let evidence = self.evidence(builtin, class, tags, &scratch.analysis, &mut scratch.evidence);
        let label = builtin.unwrap_or(Label::Other);
        if let Some(other) = self.review_class
            && class != other
            && confidence < self.min_confidence
        {
            return Prediction {
                class: other,
                label: Label::Other,
                confidence: labels[other],
                scores,
                tags: TagSet::default(),
                evidence,
                review: true,
            };
        }
        Prediction { class, label, confidence, scores, tags, evidence, review: false }
    }

    /// Classifies one message with fresh buffers; for many messages, [`Classifier::predict`]
    /// with one [`Scratch`] per thread, or [`Classifier::predict_batch`], is faster.
    pub fn classify(&self, text: &str) -> Prediction {
        self.predict(text, &mut Scratch::default())
    }

    /// Classifies every text in parallel on rayon's pool, one prediction per text in input order.
    pub fn predict_batch<T: AsRef<str> + Sync>(&self, texts: &[T]) -> Vec<Prediction> {
        texts.par_iter().with_min_len(64).map_init(Scratch::default, |s, t| self.predict(t.as_ref(), s)).collect()
    }

    /// Whether a strong image term of the lexicon (遗照, P图, 合成, 裸照 …) occurs un-negated.
    fn names_an_image(&self, a: &AnalyzedText) -> bool {
        let lexicon = self.analyzer.lexicon();
        a.hits.iter().any(|h| {
            let e = lexicon.entry(h);
            !h.negated && e.tag == Tag::Image && e.weight >= IMAGE_TERM_WEIGHT
        })
    }

    /// Tags: the harms named by un-negated lexicon terms and by the tag outputs, for the two
    /// unlawful labels only; an image threat always carries `image`, intimidation never does.
    fn tags(&self, label: Label, scores: &Scores, a: &AnalyzedText) -> TagSet {
        let mut tags = TagSet::default();
        if !label.is_unlawful() {
            return tags;
        }
        let lexicon = self.analyzer.lexicon();
        for hit in a.hits.iter().filter(|h| !h.negated) {
            let entry = lexicon.entry(hit);
            // a term read across word boundaries (发到|你家族群 holds 到你家) names no harm
            if entry.weight >= TAG_TERM_WEIGHT && on_word_boundaries(a, hit.start, hit.end) {
                tags.insert(entry.tag);
            }
        }
        for (tag, &p) in Tag::ALL.iter().zip(&scores.tags) {
            if p >= 0.5 {
                tags.insert(*tag);
            }
        }
        let mut out = TagSet::default();
        for tag in tags.iter().filter(|t| *t != Tag::Image) {
            out.insert(tag);
        }
        if label == Label::DoctoredImageThreat {
            out.insert(Tag::Image);
        } else if out.is_empty() {
            let best = Tag::ALL
                .iter()
                .zip(&scores.tags)
                // (tag outputs no row taught say 0 for every tag: no best one to make up)
                .filter(|(t, p)| **t != Tag::Image && **p > 0.0)
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map(|(t, _)| *t);
            if let Some(t) = best {
                out.insert(t);
            }
        }
        out
    }

    /// How much a feature of value `value` in `bucket` pushes towards label `k` rather than the
    /// others: `value · (w_k − mean of the other labels' weights)`. The one formula behind both
    /// the evidence and `cuishou explain`.
    #[inline]
    pub fn contribution(&self, bucket: u32, value: f32, k: usize) -> f32 {
        // (called for every word of every message: the built-in four get a loop of known length)
        value
            * match self.model.label_row_of::<{ linear::N_LABELS }>(bucket) {
                Some(four) => margin(four, k),
                None => margin(self.model.label_row(bucket), k),
            }
    }

    /// Evidence of output `k`: for a built-in `label`, lexicon terms that agree with it (threat
    /// terms for unlawful labels, negated terms for lawful reminders); then, for any label set,
    /// the features that pushed hardest towards the label, mapped back to the original text.
    fn evidence(
        &self,
        label: Option<Label>,
        k: usize,
        tags: TagSet,
        a: &AnalyzedText,
        scratch: &mut EvidenceScratch,
    ) -> Vec<Span> {
        let lexicon = self.analyzer.lexicon();
        let EvidenceScratch { spans, candidates } = scratch;
        spans.clear();
        for hit in &a.hits {
            let entry = lexicon.entry(hit);
            let keep = match label {
                Some(Label::Intimidation | Label::DoctoredImageThreat) => !hit.negated && tags.contains(entry.tag),
                Some(Label::LawfulReminder) => hit.negated,
                Some(Label::Other) | None => false,
            };
            if keep {
                spans.push((hit.start, hit.end));
            }
        }
        candidates.clear();
        for (i, o) in a.occurrences.iter().enumerate() {
            if matches!(o.namespace, Namespace::Word | Namespace::WordNgram | Namespace::LexTerm) {
                let c = self.contribution(o.bucket, a.features.values[a.positions[i] as usize], k);
                if c > 0.0 {
                    candidates.push((c, o.start, o.end));
                }
            }
        }
        // The strongest candidates first (ties: earlier in the text), until enough are taken.
        candidates.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
        let mut added = 0;
        for &(_, s, e) in candidates.iter() {
            if added == MAX_FEATURE_EVIDENCE {
                break;
            }
            let slice = a.normalized_slice(s, e);
            // A span must be a word or more, must not contain the field's own separator, and
            // must say something (not 我们, 你好, 的照片).
            if slice.chars().filter(|&c| is_cjk(c) || c.is_alphanumeric()).count() < 2
                || slice.contains([';', '\n', '\r'])
                || is_filler(slice)
            {
                continue;
            }
            if !spans.iter().any(|&(ps, pe)| ps <= s && e <= pe) {
                spans.push((s, e));
                added += 1;
            }
        }
        // Map to the original text, merge overlaps, keep text order.
        let mut original: Vec<Span> = spans
            .iter()
            .map(|&(s, e)| {
                let (os, oe) = a.normalized.original_span(s as usize, e as usize);
                Span { start: os, end: oe }
            })
            .filter(|s| s.end > s.start)
            .collect();
        original.sort_unstable();
        original.dedup_by(|next, last| {
            let overlaps = next.start < last.end;
            if overlaps {
                last.end = last.end.max(next.end);
            }
            overlaps
        });
        original.truncate(MAX_EVIDENCE);
        original
    }
}

/// `row[k]` less the mean of the row's other weights.
#[inline(always)]
fn margin(row: &[f32], k: usize) -> f32 {
    let n = row.len();
    let others = (0..n).filter(|&j| j != k).map(|j| row[j]).sum::<f32>() / (n - 1) as f32;
    row[k] - others
}

/// Whether a character span starts and ends where the segmenter's words do.
fn on_word_boundaries(a: &AnalyzedText, start: u32, end: u32) -> bool {
    let inside = |pos: u32| a.tokens.iter().any(|t| t.start < pos && pos < t.end);
    !inside(start) && !inside(end)
}

/// Words that carry no evidence on their own: pronouns, greetings, particles, time words.
const FILLER_WORDS: &[&str] = &[
    "我们",
    "你们",
    "他们",
    "咱们",
    "我的",
    "你的",
    "您的",
    "他的",
    "她的",
    "你好",
    "您好",
    "开始",
    "是吧",
    "东西",
    "好了",
    "一下",
    "这个",
    "那个",
    "已经",
    "现在",
    "今天",
    "明天",
    "今晚",
    "就是",
    "什么",
    "怎么",
    "一个",
    "知道",
    "可以",
    "没有",
    "不是",
    "还是",
    "如果",
    "因为",
    "所以",
    "但是",
    "然后",
    "时候",
    "大家",
    "自己",
    "这样",
    "那样",
    "还有",
    "一起",
    "给你",
    "给您",
    "跟你",
    "你家",
    "我家",
    "的话",
    "一点",
    "这边",
    "那边",
    "我们的",
    "你们的",
    "准备",
    "看看",
    "处理",
    "一直",
    "马上",
    "尽快",
    "请您",
    "您在",
    "你在",
    "我在",
];

/// Characters a span should neither start nor end with (particles and structure words).
const EDGE_PARTICLES: &[char] =
    &['的', '了', '吧', '呢', '啊', '吗', '呀', '嘛', '哦', '着', '地', '得', '和', '与', '在', '是'];

/// Whether a candidate evidence span is filler: a filler word, or a span that starts or ends with
/// a particle (`的照片`, `好了`).
fn is_filler(span: &str) -> bool {
    let span = span.trim();
    FILLER_WORDS.contains(&span) || span.starts_with(EDGE_PARTICLES) || span.ends_with(EDGE_PARTICLES)
}

/// One thread's reusable buffers for [`Classifier::predict`]: the message's analysis and the
/// evidence step's candidates. Cleared, not reallocated, from one message to the next.
#[derive(Default)]
pub struct Scratch {
    analysis: AnalyzedText,
    evidence: EvidenceScratch,
}

impl Scratch {
    /// The analysis of the last message predicted (normalized text, tokens, lexicon hits,
    /// features).
    pub fn analysis(&self) -> &AnalyzedText {
        &self.analysis
    }
}

/// Reusable buffers of [`Classifier::evidence`].
#[derive(Debug, Default)]
struct EvidenceScratch {
    spans: Vec<(u32, u32)>,
    candidates: Vec<(f32, u32, u32)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_term_read_across_words_names_no_harm() {
        let c = Classifier::bundled().unwrap();
        let lexicon = c.analyzer().lexicon();
        let mut a = AnalyzedText::default();
        let term_at = |a: &AnalyzedText, term: &str| {
            a.hits.iter().find(|h| lexicon.entry(h).term == term).map(|h| (h.start, h.end)).expect(term)
        };
        c.analyzer().analyze("把你P成遗照发到你家族群", &mut a);
        let (s, e) = term_at(&a, "到你家");
        assert!(!on_word_boundaries(&a, s, e), "发到|你|家族群 splits 到你家");
        let (s, e) = term_at(&a, "遗照");
        assert!(on_word_boundaries(&a, s, e));
    }

    #[test]
    fn a_batch_keeps_input_order_and_matches_single_predictions() {
        let classifier = Classifier::bundled().unwrap();
        let texts: Vec<&str> = ["您的账单已出，请按时还款", "不还钱就爆你通讯录", "", "今晚一起吃饭吗"].repeat(50);
        let batch = classifier.predict_batch(&texts);
        assert_eq!(batch.len(), texts.len());
        let mut scratch = Scratch::default();
        for (text, got) in texts.iter().zip(&batch) {
            assert_eq!(*got, classifier.predict(text, &mut scratch));
            assert_eq!(*got, classifier.classify(text));
        }
        assert!(classifier.predict_batch::<&str>(&[]).is_empty());
    }

    #[test]
    fn filler_is_never_evidence() {
        for span in ["我们", "你好", "开始", "是吧", "东西", "的照片", "好了", "发群里了"] {
            assert!(is_filler(span), "{span}");
        }
        for span in ["通讯录", "遗照", "上门", "你爸妈", "老赖"] {
            assert!(!is_filler(span), "{span}");
        }
    }
}
