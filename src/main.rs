//! The `cuishou` binary: parse arguments, run one subcommand, turn its outcome into an exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    cuishou::cli::main()
}
