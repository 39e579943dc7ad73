//! The `wow` binary: parse arguments, run the command, map the outcome to
//! the documented exit codes (0 every intent passes, 1 some intent fails,
//! 2 usage, input, setup or model error).

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = wow::cli::Cli::parse();
    match wow::cli::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            // Every message already names its cause (`failed to read `x`:
            // permission denied`), so the chain is printed once, here.
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}
