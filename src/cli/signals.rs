//! SIGINT and SIGTERM: the temporary files of unfinished outputs are removed, the user is told
//! what was done, and the process exits 130 (SIGINT) or 143 (SIGTERM), as shells expect.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// Temporary files of outputs not yet renamed into place.
static TEMPORARIES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Starts the thread that waits for SIGINT and SIGTERM. Without it (if the handler cannot be
/// installed) the signals keep their default action; temporary files are then left behind.
pub fn install() {
    let Ok(mut signals) = Signals::new([SIGINT, SIGTERM]) else { return };
    let _ = std::thread::Builder::new().name("cuishou-signals".into()).spawn(move || {
        if let Some(signal) = signals.forever().next() {
            let removed = remove_temporaries();
            let name = if signal == SIGINT { "SIGINT" } else { "SIGTERM" };
            eprintln!(
                "cuishou: stopped by {name}; removed {removed} unfinished output file(s); no output file was replaced"
            );
            std::process::exit(128 + signal);
        }
    });
}

/// Notes a temporary file, to be removed if the run is stopped by a signal.
pub fn track(path: &Path) {
    if let Ok(mut temps) = TEMPORARIES.lock() {
        temps.push(path.to_path_buf());
    }
}

/// Forgets a temporary file that was renamed into place or removed.
pub fn untrack(path: &Path) {
    if let Ok(mut temps) = TEMPORARIES.lock() {
        temps.retain(|p| p != path);
    }
}

/// Removes the tracked files; one already gone (an output dropped on an error removes its own)
/// is not counted.
fn remove_temporaries() -> usize {
    let Ok(mut temps) = TEMPORARIES.lock() else { return 0 };
    temps.drain(..).filter(|p| std::fs::remove_file(p).is_ok()).count()
}

/// [`track`] or [`untrack`] a temporary file: the hook the rejects writer calls.
pub fn temporary(path: &Path, created: bool) {
    if created { track(path) } else { untrack(path) }
}
