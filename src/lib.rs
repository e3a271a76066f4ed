//! cuishou reads exported Chinese SMS and chat messages and tells lawful repayment reminders
//! from intimidation and doctored-image threats.
//!
//! The pipeline: read ([`io`]) → normalize and segment ([`text`]) → features ([`features`],
//! chained by [`analysis`]) → classify ([`model`]) → write ([`io`], [`output`], [`report`]);
//! [`pipeline`] drives it over files. The labels and tags are defined in `docs/labels.md`.
//!
//! ```
//! use cuishou::{Classifier, Label, Tag};
//!
//! let classifier = Classifier::bundled()?;
//! let p = classifier.classify("再不还钱就把你P成遗照发到你家族群");
//! assert_eq!(p.label, Label::DoctoredImageThreat);
//! assert!(p.tags.contains(Tag::Image));
//!
//! // Many messages: in parallel, one prediction per text, in order.
//! let texts = ["您的借款将于明日到期，请按时还款", "今晚一起吃饭吗"];
//! let predictions = classifier.predict_batch(&texts);
//! assert_eq!(predictions.len(), 2);
//! # Ok::<(), cuishou::Error>(())
//! ```
//!
//! Training takes labelled examples and checked hyper-parameters:
//!
//! ```
//! use cuishou::features::FeatureConfig;
//! use cuishou::model::{Example, LinearParams, train};
//! use cuishou::{Label, Resources};
//! use linfa::ParamGuard;
//!
//! let examples: Vec<Example> = [
//!     ("您的借款今日到期，请按时还款", Label::LawfulReminder),
//!     ("不还钱就爆你通讯录，让你全家丢脸", Label::Intimidation),
//!     ("再不还就把你P成遗照发到你家族群", Label::DoctoredImageThreat),
//!     ("今晚一起吃饭吗", Label::Other),
//! ]
//! .iter()
//! .map(|(text, label)| Example::new(text, *label, None))
//! .collect();
//! let params = LinearParams::default().epochs(2).check()?;
//! let (classifier, _report) = train(&examples, Resources::bundled(), FeatureConfig::default(), params)?;
//! let p = classifier.classify("不还钱就爆你通讯录");
//! assert!((0.0..=1.0).contains(&p.confidence));
//! # Ok::<(), cuishou::Error>(())
//! ```
//!
//! Labels other than the four built-in names train a model of labels of one's own
//! ([`LabelSet`]): a prediction's `class` indexes [`Classifier::labels`], and the rules that know
//! the built-in labels (tags, the image rule, the reports) do not apply.

#![warn(missing_docs)]

pub mod analysis;
pub mod data;
mod error;
pub mod features;
pub mod io;
pub mod labels;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod prediction;
pub mod report;
pub mod text;

pub use analysis::{AnalyzedText, Analyzer, Resources};
pub use error::{Error, Result};
pub use labels::{Label, LabelSet, Tag, TagSet};
pub use model::{Classifier, ModelError, Scratch};
pub use prediction::{Prediction, Scores, Span};
