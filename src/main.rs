//! The `cuishou` binary: parse arguments, run one subcommand, turn its outcome into an exit code.
//! The command line lives here, in `cli/`, one file per subcommand; the library does the work.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
