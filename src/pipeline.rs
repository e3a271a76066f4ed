//! The batch pipeline, the one driver of every run over input files: a reader thread fills
//! chunks, rayon labels each chunk in parallel, a writer thread writes results in input order
//! and counts every record as written or rejected. Memory is bounded by a few chunks, each
//! bounded in records and in bytes.
//!
//! What labels a record is a [`Labeller`]: the [`Classifier`], or [`RecordedLabels`] for an
//! input that `classify` has already labelled (the reports read it without classifying again).

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::io::{InputError, Item, Record, Reject, RejectWriter, Sink, Source};
use crate::model::{Classifier, Scratch};
use crate::prediction::Prediction;

/// What gives a record its prediction, or the reason it gets none (the record is then rejected).
pub trait Labeller: Sync {
    /// Per-thread reusable buffers.
    type Scratch: Default + Send;
    /// The prediction of `record`, whose source has `columns`.
    fn label(&self, record: &Record, columns: &[String], scratch: &mut Self::Scratch) -> Result<Prediction, String>;
}

impl Labeller for Classifier {
    type Scratch = Scratch;
    fn label(&self, record: &Record, _: &[String], scratch: &mut Scratch) -> Result<Prediction, String> {
        Ok(self.predict(record.text(), scratch))
    }
}

/// The labels an already classified input carries in its columns
/// ([`io::labelled`](crate::io::labelled)); a record without a valid label is rejected.
pub struct RecordedLabels;

impl Labeller for RecordedLabels {
    type Scratch = ();
    fn label(&self, record: &Record, columns: &[String], _: &mut ()) -> Result<Prediction, String> {
        crate::io::labelled::recorded(record, columns)
    }
}

/// Text bytes per chunk at most, whatever the number of records: long records make short chunks.
pub const DEFAULT_CHUNK_BYTES: usize = 8 << 20;

/// How the pipeline runs.
#[derive(Clone)]
pub struct Options<'a> {
    /// Records per chunk at most: the unit of parallel work and of flushing.
    pub chunk_size: usize,
    /// Bytes of record fields per chunk at most (a chunk holds at least one record).
    pub chunk_bytes: usize,
    /// Stop at the first rejected record instead of reporting it and going on.
    pub fail_on_reject: bool,
    /// Called after each chunk is written, with the number of records it held.
    pub progress: Option<&'a (dyn Fn(u64) + Sync)>,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options { chunk_size: 4096, chunk_bytes: DEFAULT_CHUNK_BYTES, fail_on_reject: false, progress: None }
    }
}

/// Records read, classified and rejected in one input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileCounts {
    /// The input's name as given.
    pub name: String,
    /// Records read: classified plus rejected.
    pub read: u64,
    /// Records written to the sink.
    pub classified: u64,
    /// Records written to the rejects.
    pub rejected: u64,
    /// How many messages the input says it holds (an SMS backup's `count`), when it says.
    pub declared: Option<u64>,
}

impl FileCounts {
    /// `the export declares N messages, M were read` when an input holds fewer records than it
    /// declares (a truncated export).
    pub fn shortfall(&self) -> Option<String> {
        self.declared
            .filter(|&d| d > self.read)
            .map(|d| {
                format!(
                    "the export declares {d} messages, {} records were read ({} classified, {} rejected): the file ends early",
                    self.read, self.classified, self.rejected
                )
            })
    }
}

/// What a run did, per input.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// One entry per input, in the order given.
    pub files: Vec<FileCounts>,
    /// Wall time of the run.
    pub elapsed: Duration,
}

impl Summary {
    /// Records read over all inputs.
    pub fn read(&self) -> u64 {
        self.files.iter().map(|f| f.read).sum()
    }
    /// Records classified over all inputs.
    pub fn classified(&self) -> u64 {
        self.files.iter().map(|f| f.classified).sum()
    }
    /// Records rejected over all inputs.
    pub fn rejected(&self) -> u64 {
        self.files.iter().map(|f| f.rejected).sum()
    }
    /// Messages the inputs declare, summed over those that declare a count.
    pub fn declared(&self) -> Option<u64> {
        self.files.iter().filter_map(|f| f.declared).reduce(|a, b| a + b)
    }
}

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// An input could not be read further.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The output or the rejects could not be written.
    #[error("writing output: {0}")]
    Output(#[from] std::io::Error),
    /// A record was rejected under `--on-error fail`.
    #[error("{file}: record at line {line} rejected ({reason}); stopping as --on-error fail asks")]
    Rejected {
        /// The input's name.
        file: String,
        /// The record's line (or record number).
        line: u64,
        /// Why it was rejected.
        reason: String,
    },
}

struct Chunk {
    file: usize,
    items: Vec<Item>,
}

type Labelled = (Chunk, Vec<Option<Result<Prediction, String>>>);

/// Bytes an item holds, for the chunk's byte bound.
fn item_bytes(item: &Item) -> usize {
    match item {
        Item::Record(r) => r.fields.iter().map(String::len).sum::<usize>() + r.fields.len(),
        Item::Reject(r) => r.raw.len(),
    }
}

/// Reads every source into chunks; returns what each source declares it holds.
fn read_all(
    mut sources: Vec<Box<dyn Source>>,
    chunk_size: usize,
    chunk_bytes: usize,
    tx: SyncSender<Result<Chunk, InputError>>,
) -> Vec<Option<u64>> {
    let declared = |sources: &[Box<dyn Source>]| sources.iter().map(|s| s.declared()).collect();
    for (file, source) in sources.iter_mut().enumerate() {
        let mut items = Vec::with_capacity(chunk_size.min(1024));
        let mut bytes = 0;
        while let Some(item) = source.next_item() {
            match item {
                Ok(item) => {
                    bytes += item_bytes(&item);
                    items.push(item);
                }
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return declared(&sources);
                }
            }
            if items.len() == chunk_size || bytes >= chunk_bytes {
                bytes = 0;
                let full = std::mem::replace(&mut items, Vec::with_capacity(chunk_size.min(1024)));
                if tx.send(Ok(Chunk { file, items: full })).is_err() {
                    return declared(&sources);
                }
            }
        }
        if !items.is_empty() && tx.send(Ok(Chunk { file, items })).is_err() {
            return declared(&sources);
        }
    }
    declared(&sources)
}

fn write_all(
    rx: Receiver<Labelled>,
    sink: &mut (dyn Sink + Send),
    rejects: &mut RejectWriter,
    counts: &mut [FileCounts],
    fail_on_reject: bool,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<(), PipelineError> {
    for (chunk, predictions) in rx {
        let n = chunk.items.len() as u64;
        let c = &mut counts[chunk.file];
        for (item, prediction) in chunk.items.iter().zip(predictions) {
            c.read += 1;
            let unlabelled;
            let reject = match (item, prediction) {
                (Item::Record(r), Some(Ok(p))) => {
                    sink.write(r, &p)?;
                    c.classified += 1;
                    continue;
                }
                (Item::Reject(r), _) => r,
                (Item::Record(r), Some(Err(reason))) => {
                    unlabelled = Reject::new(r.line, r.fields.join(",").as_bytes(), reason);
                    &unlabelled
                }
                (Item::Record(r), None) => {
                    return Err(PipelineError::Output(std::io::Error::other(format!(
                        "{}: record at line {} has no prediction",
                        c.name, r.line
                    ))));
                }
            };
            c.rejected += 1;
            rejects.write(&c.name, reject)?;
            if fail_on_reject {
                sink.flush()?;
                rejects.flush()?;
                return Err(PipelineError::Rejected {
                    file: c.name.clone(),
                    line: reject.line,
                    reason: reject.reason.clone(),
                });
            }
        }
        sink.flush()?;
        rejects.flush()?;
        if let Some(progress) = progress {
            progress(n);
        }
    }
    Ok(())
}

/// Checks that all sources share one layout and starts `sink` with it. Empty inputs (no header,
/// no records) have no layout to agree with.
fn begin_sink(sources: &[Box<dyn Source>], sink: &mut dyn Sink) -> Result<(), PipelineError> {
    let Some(first) = sources.iter().find(|s| !s.columns().is_empty()) else { return Ok(()) };
    for s in sources.iter().filter(|s| !s.columns().is_empty()) {
        if s.columns() != first.columns() {
            return Err(InputError::LayoutMismatch {
                file: s.name().to_string(),
                first: first.name().to_string(),
                found: s.columns().join(", "),
                expected: first.columns().join(", "),
            }
            .into());
        }
    }
    sink.begin(first.columns())?;
    Ok(())
}

/// Labels every record of `sources` into `sink`, in input order; rejects go to `rejects`.
/// All sources must have the same columns.
pub fn run<L: Labeller>(
    labeller: &L,
    sources: Vec<Box<dyn Source>>,
    sink: &mut (dyn Sink + Send),
    rejects: &mut RejectWriter,
    options: &Options<'_>,
) -> Result<Summary, PipelineError> {
    let started = Instant::now();
    let mut counts: Vec<FileCounts> =
        sources.iter().map(|s| FileCounts { name: s.name().to_string(), ..FileCounts::default() }).collect();
    begin_sink(&sources, sink)?;
    let chunk_size = options.chunk_size.max(1);
    let chunk_bytes = options.chunk_bytes.max(1);
    let columns: Vec<Vec<String>> = sources.iter().map(|s| s.columns().to_vec()).collect();
    let fail_on_reject = options.fail_on_reject;
    let progress = options.progress;
    let (read_tx, read_rx) = sync_channel::<Result<Chunk, InputError>>(2);
    let (write_tx, write_rx) = sync_channel::<Labelled>(2);
    let result = std::thread::scope(|scope| {
        let reader = scope.spawn(move || read_all(sources, chunk_size, chunk_bytes, read_tx));
        let writer = scope.spawn(|| write_all(write_rx, sink, rejects, &mut counts, fail_on_reject, progress));
        let mut input_error = None;
        for chunk in read_rx {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => {
                    input_error = Some(e);
                    break;
                }
            };
            let columns = &columns[chunk.file];
            let predictions: Vec<Option<Result<Prediction, String>>> = chunk
                .items
                .par_iter()
                .map_init(L::Scratch::default, |scratch, item| match item {
                    Item::Record(r) => Some(labeller.label(r, columns, scratch)),
                    Item::Reject(_) => None,
                })
                .collect();
            if write_tx.send((chunk, predictions)).is_err() {
                break; // the writer stopped; its error is reported below
            }
        }
        drop(write_tx);
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(PipelineError::Output(std::io::Error::other("writer thread panicked"))));
        let declared = reader.join().unwrap_or_default();
        let result = match (written, input_error) {
            (Err(e), _) => Err(e),
            (Ok(()), Some(e)) => Err(e.into()),
            (Ok(()), None) => Ok(()),
        };
        (result, declared)
    });
    let (result, declared) = result;
    result?;
    for (c, d) in counts.iter_mut().zip(declared) {
        c.declared = d;
    }
    Ok(Summary { files: counts, elapsed: started.elapsed() })
}
