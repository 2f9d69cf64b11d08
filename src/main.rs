//! The `consentry` binary. The CLI itself is the `cli` module tree (one file per command
//! group, one for output); this file only names the entry point.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
