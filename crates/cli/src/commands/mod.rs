//! One module per command (or family of commands).

mod inspect;
mod send;
mod serve;
mod sign;
mod subscribe;

use std::process::ExitCode;

use clap::CommandFactory;

use crate::cli::{Cli, Command};
use crate::error::Result;
use crate::inbox_source::open_inbox;

/// Runs `command`; the exit code, or the error to print (exit 2).
pub(crate) async fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Serve(args) => serve::serve(args).await,
        Command::Work(args) => serve::work(args).await,
        Command::Send(args) => send::send(args).await,
        Command::Sign(args) => sign::sign(&args),
        Command::Verify(args) => sign::verify(&args),
        Command::Events(args) => inspect::events(args).await,
        Command::Event(args) => inspect::event(args).await,
        Command::Stats(args) => inspect::stats(args).await,
        Command::Retry(args) => inspect::retry(args).await,
        Command::Replay(args) => inspect::replay(args).await,
        Command::Subscribe(args) => subscribe::subscribe(args).await,
        Command::Subscriptions(args) => subscribe::subscriptions(args).await,
        Command::Unsubscribe(args) => subscribe::unsubscribe(args).await,
        Command::Migrate(args) => {
            let inbox = open_inbox(&args.database.database).await?;
            println!("the inbox's schema is up to date ({})", inbox.engine());
            inbox.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions(args) => {
            clap_complete::generate(
                args.shell,
                &mut Cli::command(),
                "instagram-webhook",
                &mut std::io::stdout(),
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
