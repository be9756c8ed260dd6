//! `instagram-webhook`: receive Instagram webhooks into a durable inbox and
//! hand each event to your application; send, sign and verify deliveries;
//! work the inbox.

mod cli;
mod commands;
mod error;
mod graph;
mod handlers;
mod http;
mod inbox_source;
mod secrets;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("instagram-webhook: cannot start the async runtime: {error}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(commands::run(cli.command)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("instagram-webhook: {error}");
            ExitCode::from(2)
        }
    }
}
