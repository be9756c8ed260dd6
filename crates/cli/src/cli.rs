//! The command line: every command, flag and environment variable.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Receive Instagram webhooks from Meta into a durable inbox, hand each
/// event to your application, and work the inbox.
#[derive(Debug, Parser)]
#[command(name = "instagram-webhook", version, propagate_version = true)]
#[command(after_help = "Examples:
  instagram-webhook serve
  instagram-webhook send --url http://127.0.0.1:3000/webhook --kind comment
  instagram-webhook events --state dead_letter")]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Receiver, inbox, workers and operations surface in one process.
    #[command(after_help = "Examples:
  instagram-webhook serve
  instagram-webhook serve --forward-to http://127.0.0.1:8080/hooks --forward-secret whsec_...
  instagram-webhook serve --database postgres://localhost/inbox --exec ./handle-event.sh")]
    Serve(ServeArgs),
    /// Workers only, on a shared inbox (receivers run elsewhere).
    #[command(after_help = "Examples:
  instagram-webhook work --database postgres://localhost/inbox --forward-to http://127.0.0.1:8080/hooks")]
    Work(WorkArgs),
    /// Send a signed, Meta-faithful delivery, like the App Dashboard's Test button.
    #[command(after_help = "Examples:
  instagram-webhook send --url http://127.0.0.1:3000/webhook --kind comment
  instagram-webhook send --kind list
  instagram-webhook send --url http://127.0.0.1:3000/webhook --kind message --count 1000 --concurrency 16
  instagram-webhook send --url http://127.0.0.1:3000/webhook --file delivery.json")]
    Send(SendArgs),
    /// Print the `X-Hub-Signature-256` value of a body.
    #[command(after_help = "Examples:
  instagram-webhook sign --secret \"$INSTAGRAM_APP_SECRET\" delivery.json")]
    Sign(SignArgs),
    /// Check a body against an `X-Hub-Signature-256` value: exit 0 when it matches, 1 when not.
    #[command(after_help = "Examples:
  instagram-webhook verify --signature sha256=... delivery.json")]
    Verify(VerifyArgs),
    /// List the inbox's events, newest first.
    #[command(after_help = "Examples:
  instagram-webhook events --state dead_letter
  instagram-webhook events --kind comment --since 2026-12-01T00:00:00Z --json")]
    Events(EventsArgs),
    /// Show one event with its item and its failed attempts.
    #[command(after_help = "Examples:
  instagram-webhook event 42")]
    Event(EventArgs),
    /// Counts over the inbox: by state and kind, duplicates, dead letters, recent activity.
    #[command(after_help = "Examples:
  instagram-webhook stats --json")]
    Stats(StatsArgs),
    /// Queue one event again, or every event matching a filter.
    #[command(after_help = "Examples:
  instagram-webhook retry 42
  instagram-webhook retry --state dead_letter --kind comment --dry-run")]
    Retry(RetryArgs),
    /// Send a stored delivery's exact bytes again, signed, to a URL.
    #[command(after_help = "Examples:
  instagram-webhook replay 42 --to http://127.0.0.1:3000/webhook")]
    Replay(ReplayArgs),
    /// Subscribe an account to webhook fields (Meta's `subscribed_apps` edge).
    #[command(after_help = "Examples:
  instagram-webhook subscribe --account me --fields comments,messages --access-token \"$IG_TOKEN\"
  instagram-webhook subscribe --login facebook --account 1234567890 --fields feed --access-token \"$PAGE_TOKEN\"")]
    Subscribe(SubscribeArgs),
    /// Show an account's subscriptions.
    #[command(after_help = "Examples:
  instagram-webhook subscriptions --account me --access-token \"$IG_TOKEN\"")]
    Subscriptions(GraphArgs),
    /// Remove an account's subscription.
    #[command(after_help = "Examples:
  instagram-webhook unsubscribe --account me --access-token \"$IG_TOKEN\"")]
    Unsubscribe(GraphArgs),
    /// Create or bring up to date the inbox's schema.
    #[command(after_help = "Examples:
  instagram-webhook migrate --database postgres://localhost/inbox")]
    Migrate(MigrateArgs),
    /// Print a shell completion script.
    #[command(after_help = "Examples:
  instagram-webhook completions bash > /etc/bash_completion.d/instagram-webhook")]
    Completions(CompletionsArgs),
}

/// The App Secret(s): comma-separated for a rotation.
#[derive(Debug, Clone, Args)]
pub(crate) struct SecretArgs {
    /// The App Secret, comma-separated for a rotation (the first one signs).
    #[arg(long = "secret", env = "INSTAGRAM_APP_SECRET", hide_env_values = true)]
    pub(crate) secret: Option<String>,
}

/// The inbox's database.
#[derive(Debug, Clone, Args)]
pub(crate) struct DatabaseArgs {
    /// `sqlite://PATH` (created if missing) or `postgres://...`.
    #[arg(
        long,
        env = "INSTAGRAM_WEBHOOK_DATABASE",
        default_value = "sqlite://instagram-webhook.db"
    )]
    pub(crate) database: String,
}

/// What each processed event is handed to.
#[derive(Debug, Clone, Args)]
#[group(multiple = false)]
pub(crate) struct HandlerArgs {
    /// Print one JSON line per processed event on stdout (the default).
    #[arg(long)]
    pub(crate) print: bool,
    /// POST each event as JSON to this URL, signed the Standard Webhooks way.
    #[arg(long, value_name = "URL")]
    pub(crate) forward_to: Option<String>,
    /// Run this command per event, the event's JSON on its stdin (run by `sh -c`).
    #[arg(long, value_name = "CMD")]
    pub(crate) exec: Option<String>,
}

/// How events are handled: the handler, the forwarding secret, the timeout.
#[derive(Debug, Clone, Args)]
pub(crate) struct WorkerArgs {
    #[command(flatten)]
    pub(crate) handler: HandlerArgs,
    /// The Standard Webhooks secret `--forward-to` signs with (`whsec_` and base64).
    #[arg(
        long,
        env = "INSTAGRAM_WEBHOOK_FORWARD_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub(crate) forward_secret: Option<String>,
    /// Events handled at once (0 for `serve`: a receiver only).
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub(crate) workers: usize,
    /// How long one attempt (a forward, a command) may take.
    #[arg(long, default_value = "30s", value_parser = parse_duration, value_name = "DURATION")]
    pub(crate) attempt_timeout: Duration,
    /// The delays before each retry of a failed attempt; after the last, a
    /// dead letter.
    #[arg(
        long,
        value_delimiter = ',',
        value_parser = parse_duration,
        default_value = "1s,5s,30s",
        value_name = "DELAYS"
    )]
    pub(crate) retry: Vec<Duration>,
    /// How long shutdown waits for attempts under way.
    #[arg(long, default_value = "30s", value_parser = parse_duration, value_name = "DURATION")]
    pub(crate) shutdown_timeout: Duration,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Where the webhook listens.
    #[arg(long, default_value = "127.0.0.1:3000", value_name = "ADDRESS")]
    pub(crate) listen: String,
    /// The webhook's path.
    #[arg(long, default_value = "/webhook")]
    pub(crate) path: String,
    /// Where the operations surface (dashboard, API, metrics) listens.
    #[arg(long, default_value = "127.0.0.1:3001", value_name = "ADDRESS")]
    pub(crate) ops_listen: String,
    /// The operations surface's token (generated and printed once without it).
    #[arg(
        long,
        env = "INSTAGRAM_WEBHOOK_OPS_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub(crate) ops_token: Option<String>,
    /// The verify token of Meta's handshake.
    #[arg(
        long,
        env = "INSTAGRAM_VERIFY_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub(crate) verify_token: Option<String>,
    /// Refuse (422) deliveries whose newest entry is older than this, as
    /// replays (off without it; 48h is longer than Meta's 36 h of retries).
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub(crate) replay_window: Option<Duration>,
    #[command(flatten)]
    pub(crate) secret: SecretArgs,
    #[command(flatten)]
    pub(crate) database: DatabaseArgs,
    #[command(flatten)]
    pub(crate) worker: WorkerArgs,
}

#[derive(Debug, Args)]
pub(crate) struct WorkArgs {
    #[command(flatten)]
    pub(crate) database: DatabaseArgs,
    #[command(flatten)]
    pub(crate) worker: WorkerArgs,
}

#[derive(Debug, Args)]
pub(crate) struct SendArgs {
    /// The receiver's URL.
    #[arg(long, default_value = "http://127.0.0.1:3000/webhook")]
    pub(crate) url: String,
    /// The kind of event (`list` prints them).
    #[arg(long, default_value = "comment", conflicts_with = "file")]
    pub(crate) kind: String,
    /// Send this file's bytes instead of a sample, signed.
    #[arg(long, value_name = "PATH")]
    pub(crate) file: Option<PathBuf>,
    /// Deliveries to send (each sample gets its own ids).
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub(crate) count: u64,
    /// Deliveries in flight at once.
    #[arg(long, default_value_t = 1, value_name = "C")]
    pub(crate) concurrency: usize,
    #[command(flatten)]
    pub(crate) secret: SecretArgs,
    /// Print the summary as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// The body: a file, or `-` (the default) for stdin.
    #[arg(default_value = "-", value_name = "FILE")]
    pub(crate) input: String,
    #[command(flatten)]
    pub(crate) secret: SecretArgs,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The `X-Hub-Signature-256` value (`sha256=` and 64 hex digits).
    #[arg(long, value_name = "VALUE")]
    pub(crate) signature: String,
    /// The body: a file, or `-` (the default) for stdin.
    #[arg(default_value = "-", value_name = "FILE")]
    pub(crate) input: String,
    #[command(flatten)]
    pub(crate) secret: SecretArgs,
}

/// Where the inbox is read: its database, or a running operations surface.
#[derive(Debug, Clone, Args)]
pub(crate) struct SourceArgs {
    #[command(flatten)]
    pub(crate) database: DatabaseArgs,
    /// Ask this operations surface instead of opening the database.
    #[arg(long, value_name = "URL")]
    pub(crate) ops_url: Option<String>,
    /// The operations surface's token.
    #[arg(
        long,
        env = "INSTAGRAM_WEBHOOK_OPS_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub(crate) ops_token: Option<String>,
}

/// An event's state, as the inbox names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
pub(crate) enum StateArg {
    Pending,
    Processing,
    Processed,
    Failed,
    DeadLetter,
}

/// Which events.
#[derive(Debug, Clone, Args)]
pub(crate) struct FilterArgs {
    /// Only events in this state.
    #[arg(long)]
    pub(crate) state: Option<StateArg>,
    /// Only events of this kind (`comment`, `message`, ...).
    #[arg(long)]
    pub(crate) kind: Option<String>,
    /// Only events of this Instagram account id.
    #[arg(long)]
    pub(crate) account: Option<String>,
    /// Only events stored at or after this time (RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub(crate) since: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct EventsArgs {
    #[command(flatten)]
    pub(crate) filter: FilterArgs,
    /// Events to show at most.
    #[arg(long, default_value_t = 50)]
    pub(crate) limit: u32,
    #[command(flatten)]
    pub(crate) source: SourceArgs,
    /// Print JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct EventArgs {
    /// The event's id.
    pub(crate) id: i64,
    #[command(flatten)]
    pub(crate) source: SourceArgs,
    /// Print JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct StatsArgs {
    #[command(flatten)]
    pub(crate) source: SourceArgs,
    /// Print JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct RetryArgs {
    /// The event to queue again (or give a filter).
    #[arg(required_unless_present_any = ["state", "kind", "account", "since"])]
    pub(crate) id: Option<i64>,
    #[command(flatten)]
    pub(crate) filter: FilterArgs,
    /// Queue at most this many.
    #[arg(long, default_value_t = 1000)]
    pub(crate) limit: u64,
    /// Only count what would be queued.
    #[arg(long)]
    pub(crate) dry_run: bool,
    #[command(flatten)]
    pub(crate) source: SourceArgs,
    /// Print JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ReplayArgs {
    /// The event whose delivery is sent again.
    pub(crate) id: i64,
    /// The receiver's URL.
    #[arg(long, value_name = "URL")]
    pub(crate) to: String,
    #[command(flatten)]
    pub(crate) secret: SecretArgs,
    #[command(flatten)]
    pub(crate) source: SourceArgs,
}

/// Which login the account uses: which Graph host and which node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Login {
    /// Instagram Login: `graph.instagram.com`, the account `me` (or its id).
    Instagram,
    /// Facebook Login: `graph.facebook.com`, the Facebook Page's id.
    Facebook,
}

/// The account and how to reach Meta's Graph API for it.
#[derive(Debug, Clone, Args)]
pub(crate) struct GraphArgs {
    /// The Instagram account (`me` with Instagram Login) or the Facebook Page id.
    #[arg(long, default_value = "me")]
    pub(crate) account: String,
    /// The account's access token (an Instagram user token, or a Page token).
    #[arg(
        long,
        env = "INSTAGRAM_ACCESS_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub(crate) access_token: String,
    /// Instagram Login or Facebook Login.
    #[arg(long, value_enum, default_value_t = Login::Instagram)]
    pub(crate) login: Login,
    /// The Graph API version.
    #[arg(long, default_value = "v24.0", value_name = "VERSION")]
    pub(crate) api_version: String,
    /// The Graph API's base URL (by default the login's Meta host).
    #[arg(long, value_name = "URL")]
    pub(crate) graph_url: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct SubscribeArgs {
    /// The fields, comma-separated (`comments,messages,mentions,...`).
    #[arg(long, value_delimiter = ',', required = true)]
    pub(crate) fields: Vec<String>,
    #[command(flatten)]
    pub(crate) graph: GraphArgs,
}

#[derive(Debug, Args)]
pub(crate) struct MigrateArgs {
    #[command(flatten)]
    pub(crate) database: DatabaseArgs,
}

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell.
    pub(crate) shell: clap_complete::Shell,
}

/// `30s`, `500ms`, `2m`, `1h 30m`.
fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text.trim())
        .map_err(|error| format!("`{text}` is not a duration ({error}): write 30s, 500ms or 2m"))
}
