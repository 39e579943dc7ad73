//! The `wow` binary: parse arguments, run the command, map the outcome to
//! the documented exit codes (0 every intent passes, 1 some intent fails,
//! 2 usage, input, setup or model error). `wow __sandbox` is the hidden
//! launcher of the sandbox ([`wow::sandbox::launcher`]), dispatched before
//! anything else runs.

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == wow::sandbox::LAUNCHER) {
        let code = wow::sandbox::launcher(&args[2..]);
        return ExitCode::from(u8::try_from(code).unwrap_or(1));
    }
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
