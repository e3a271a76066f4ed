//! cuishou reads exported Chinese SMS and chat messages and tells lawful repayment reminders
//! from intimidation and doctored-image threats.
//!
//! The pipeline: read → normalize → segment → features → classify → write.
//!
//! ```no_run
//! use cuishou::{Analysis, Classifier};
//!
//! let classifier = Classifier::bundled()?;
//! let mut analysis = Analysis::default();
//! let p = classifier.predict("再不还钱就把你P成遗照发到你家族群", &mut analysis);
//! println!("{} {:.4} {}", p.label, p.confidence, p.tags.to_field());
//! # Ok::<(), cuishou::model::ModelError>(())
//! ```

pub mod analysis;
pub mod api;
pub mod cli;
pub mod data;
pub mod features;
pub mod io;
pub mod labels;
pub mod model;
pub mod pipeline;
pub mod report;
pub mod text;

pub use analysis::{Analysis, Analyzer, Resources};
pub use api::{Classification, classify_batch};
pub use labels::{Label, Tag, TagSet};
pub use model::{Classifier, Prediction, Span, format_evidence};
