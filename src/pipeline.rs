//! The batch pipeline: a reader thread fills chunks, rayon classifies each chunk in parallel,
//! a writer thread writes results in input order. Memory is bounded by a few chunks.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::analysis::Analysis;
use crate::io::{InputError, Item, RejectWriter, Sink, Source};
use crate::model::{Classifier, Prediction};

/// How the pipeline runs.
#[derive(Clone)]
pub struct Options<'a> {
    /// Records per chunk: the unit of parallel work and of flushing.
    pub chunk_size: usize,
    /// Stop at the first rejected record instead of reporting it and going on.
    pub fail_on_reject: bool,
    /// Called after each chunk is written, with the number of records it held.
    pub progress: Option<&'a (dyn Fn(u64) + Sync)>,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options { chunk_size: 4096, fail_on_reject: false, progress: None }
    }
}

/// Records read, classified and rejected in one input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileCounts {
    pub name: String,
    pub read: u64,
    pub classified: u64,
    pub rejected: u64,
}

/// What a run did, per input.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub files: Vec<FileCounts>,
    pub elapsed: Duration,
}

impl Summary {
    pub fn read(&self) -> u64 {
        self.files.iter().map(|f| f.read).sum()
    }
    pub fn classified(&self) -> u64 {
        self.files.iter().map(|f| f.classified).sum()
    }
    pub fn rejected(&self) -> u64 {
        self.files.iter().map(|f| f.rejected).sum()
    }
}

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("writing output: {0}")]
    Output(#[from] std::io::Error),
    #[error("{file}: record at line {line} rejected ({reason}); stopping as --on-error fail asks")]
    Rejected { file: String, line: u64, reason: String },
}

struct Chunk {
    file: usize,
    items: Vec<Item>,
}

type Classified = (Chunk, Vec<Option<Prediction>>);

fn read_all(mut sources: Vec<Box<dyn Source>>, chunk_size: usize, tx: SyncSender<Result<Chunk, InputError>>) {
    for (file, source) in sources.iter_mut().enumerate() {
        let mut items = Vec::with_capacity(chunk_size);
        while let Some(item) = source.next_item() {
            match item {
                Ok(item) => items.push(item),
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            }
            if items.len() == chunk_size {
                let full = std::mem::replace(&mut items, Vec::with_capacity(chunk_size));
                if tx.send(Ok(Chunk { file, items: full })).is_err() {
                    return;
                }
            }
        }
        if !items.is_empty() && tx.send(Ok(Chunk { file, items })).is_err() {
            return;
        }
    }
}

fn write_all(
    rx: Receiver<Classified>,
    sink: &mut (dyn Sink + Send),
    rejects: &mut RejectWriter,
    counts: &mut [FileCounts],
    fail_on_reject: bool,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<(), PipelineError> {
    for (chunk, predictions) in rx {
        let n = chunk.items.len() as u64;
        let c = &mut counts[chunk.file];
        for (item, prediction) in chunk.items.iter().zip(&predictions) {
            c.read += 1;
            match (item, prediction) {
                (Item::Record(r), Some(p)) => {
                    sink.write(r, p)?;
                    c.classified += 1;
                }
                (Item::Reject(r), _) => {
                    c.rejected += 1;
                    rejects.write(&c.name, r)?;
                    if fail_on_reject {
                        sink.flush()?;
                        rejects.flush()?;
                        return Err(PipelineError::Rejected {
                            file: c.name.clone(),
                            line: r.line,
                            reason: r.reason.clone(),
                        });
                    }
                }
                (Item::Record(r), None) => {
                    return Err(PipelineError::Output(std::io::Error::other(format!(
                        "{}: record at line {} has no prediction",
                        c.name, r.line
                    ))));
                }
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
pub fn begin_sink(sources: &[Box<dyn Source>], sink: &mut dyn Sink) -> Result<(), PipelineError> {
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

/// Classifies every record of `sources` into `sink`, in input order; rejects go to `rejects`.
/// All sources must have the same columns.
pub fn run(
    classifier: &Classifier,
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
    let fail_on_reject = options.fail_on_reject;
    let progress = options.progress;
    let (read_tx, read_rx) = sync_channel::<Result<Chunk, InputError>>(2);
    let (write_tx, write_rx) = sync_channel::<Classified>(2);
    let result = std::thread::scope(|scope| {
        scope.spawn(move || read_all(sources, chunk_size, read_tx));
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
            let predictions: Vec<Option<Prediction>> = chunk
                .items
                .par_iter()
                .map_init(Analysis::default, |a, item| match item {
                    Item::Record(r) => Some(classifier.predict(r.text(), a)),
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
        match (written, input_error) {
            (Err(e), _) => Err(e),
            (Ok(()), Some(e)) => Err(e.into()),
            (Ok(()), None) => Ok(()),
        }
    });
    result?;
    Ok(Summary { files: counts, elapsed: started.elapsed() })
}
