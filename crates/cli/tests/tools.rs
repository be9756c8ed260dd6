//! The binary's tools and its surface: `sign` and `verify` against
//! GitHub's known-answer vector, bad input (exit code 2, one line naming
//! what is wrong, never a panic), clap's own errors, `--version`, every
//! command's `--help` with its examples, and `completions`.

mod support;

use std::time::Duration;

use support::{OPS_TOKEN, SECRET, VERIFY_TOKEN, cli, free_port, sqlite_url};

/// GitHub's documented example of `X-Hub-Signature-256`, the same scheme
/// as Meta's.
const GITHUB_SECRET: &str = "It's a Secret to Everybody";
const GITHUB_BODY: &[u8] = b"Hello, World!";
const GITHUB_SIGNATURE: &str =
    "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

fn body_file(dir: &tempfile::TempDir, bytes: &[u8]) -> String {
    let path = dir.path().join("body.txt");
    std::fs::write(&path, bytes).expect("the body file");
    path.display().to_string()
}

#[tokio::test]
async fn sign_matches_the_known_answer_from_a_file_and_from_stdin() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = body_file(&dir, GITHUB_BODY);

    let out = cli(["sign", "--secret", GITHUB_SECRET, &file]).run().await;
    assert_eq!(out.success().stdout().trim(), GITHUB_SIGNATURE);
    assert!(out.stderr.trim().is_empty(), "{}", out.describe());

    let out = cli(["sign", "--secret", GITHUB_SECRET, "-"])
        .stdin(GITHUB_BODY)
        .run()
        .await;
    assert_eq!(out.success().stdout().trim(), GITHUB_SIGNATURE);

    // Stdin is the default; the secret may come from the environment.
    let out = cli(["sign"])
        .env("INSTAGRAM_APP_SECRET", GITHUB_SECRET)
        .stdin(GITHUB_BODY)
        .run()
        .await;
    assert_eq!(out.success().stdout().trim(), GITHUB_SIGNATURE);
}

#[tokio::test]
async fn verify_says_whether_the_body_matches() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = body_file(&dir, GITHUB_BODY);

    let out = cli([
        "verify",
        "--secret",
        GITHUB_SECRET,
        "--signature",
        GITHUB_SIGNATURE,
        &file,
    ])
    .run()
    .await;
    assert!(
        out.success().stdout().starts_with("valid"),
        "{}",
        out.describe()
    );

    let out = cli([
        "verify",
        "--secret",
        GITHUB_SECRET,
        "--signature",
        GITHUB_SIGNATURE,
        "-",
    ])
    .stdin(b"Hello, World?".as_slice())
    .run()
    .await;
    out.expect_code(1);
    let said = out.stdout();
    assert!(
        said.starts_with("invalid: ") && said.trim().len() > "invalid: ".len(),
        "a tampered body is invalid, saying why\n{}",
        out.describe()
    );

    let out = cli([
        "verify",
        "--secret",
        GITHUB_SECRET,
        "--signature",
        "sha256=not-hex",
        &file,
    ])
    .run()
    .await;
    out.expect_code(1);
    assert!(
        out.stdout().starts_with("invalid: "),
        "a malformed signature is invalid\n{}",
        out.describe()
    );
}

#[tokio::test]
async fn verify_tries_every_secret_of_a_rotation() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = body_file(&dir, GITHUB_BODY);
    let rotation = format!("the-new-secret,{GITHUB_SECRET}");
    let out = cli([
        "verify",
        "--secret",
        &rotation,
        "--signature",
        GITHUB_SIGNATURE,
        &file,
    ])
    .run()
    .await;
    let said = out.success().stdout();
    assert!(said.starts_with("valid"), "{}", out.describe());
    assert!(
        said.contains("#1"),
        "names the second secret\n{}",
        out.describe()
    );

    // The first of the list signs.
    let out = cli(["sign", "--secret", &rotation, &file]).run().await;
    assert_ne!(out.success().stdout().trim(), GITHUB_SIGNATURE);
    let out = cli(["sign", "--secret", "the-new-secret", &file])
        .run()
        .await;
    let first = out.success().stdout();
    let out = cli(["sign", "--secret", &rotation, &file]).run().await;
    assert_eq!(out.success().stdout(), first);
}

#[tokio::test]
async fn bad_input_to_send_sign_verify_and_replay_is_one_line_and_exit_2() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let missing = dir.path().join("missing.json").display().to_string();

    cli(["send", "--secret", SECRET, "--kind", "no_such_kind"])
        .run()
        .await
        .bad_input(&["kind", "no_such_kind", "comment"]);
    cli(["send", "--secret", SECRET, "--url", "not a url"])
        .run()
        .await
        .bad_input(&["--url", "not a url"]);
    cli([
        "send",
        "--secret",
        SECRET,
        "--url",
        "ftp://127.0.0.1/webhook",
    ])
    .run()
    .await
    .bad_input(&["--url"]);
    cli(["send", "--secret", SECRET, "--file", &missing])
        .run()
        .await
        .bad_input(&[&missing]);
    cli(["sign", "--secret", SECRET, &missing])
        .run()
        .await
        .bad_input(&[&missing]);
    cli([
        "verify",
        "--secret",
        SECRET,
        "--signature",
        "sha256=00",
        &missing,
    ])
    .run()
    .await
    .bad_input(&[&missing]);
    cli(["replay", "1", "--to", "nowhere", "--secret", SECRET])
        .run()
        .await
        .bad_input(&["--to", "nowhere"]);
    cli(["sign", "--secret", " , "])
        .stdin(GITHUB_BODY)
        .run()
        .await
        .bad_input(&["App Secret"]);
}

#[tokio::test]
async fn an_empty_secret_is_bad_input_not_the_development_default() {
    // An explicitly empty `--secret` is a mistake (an unset variable in a
    // script): it must not sign with the development secret.
    cli(["sign", "--secret", ""])
        .stdin(GITHUB_BODY)
        .run()
        .await
        .bad_input(&["secret"]);
    cli(["verify", "--secret", "", "--signature", GITHUB_SIGNATURE])
        .stdin(GITHUB_BODY)
        .run()
        .await
        .bad_input(&["secret"]);
}

#[tokio::test]
async fn bad_databases_are_one_line_and_exit_2() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    cli(["events", "--database", "mysql://x"])
        .run()
        .await
        .bad_input(&["mysql://x", "--database"]);
    cli(["stats", "--database", "postgres://127.0.0.1:1/x"])
        .run()
        .await
        .bad_input(&["--database"]);
    let nowhere = format!("sqlite://{}/no/such/dir/inbox.db", dir.path().display());
    cli(["work", "--workers", "0", "--database", &nowhere])
        .run()
        .await
        .bad_input(&["--workers"]);
    cli(["migrate", "--database", &nowhere])
        .run()
        .await
        .bad_input(&["--database"]);
    cli(["events", "--database", "sqlite://:memory:"])
        .run()
        .await
        .bad_input(&["memory"]);
    let database = sqlite_url(dir.path());
    cli(["events", "--database", &database, "--since", "yesterday"])
        .run()
        .await
        .bad_input(&["since", "yesterday"]);
    cli(["event", "424242", "--database", &database])
        .run()
        .await
        .bad_input(&["424242"]);
    // The inbox itself is fine: `migrate` makes it.
    let out = cli(["migrate", "--database", &database]).run().await;
    assert!(
        out.success().stdout().contains("up to date"),
        "{}",
        out.describe()
    );
}

#[tokio::test]
async fn bad_operations_surfaces_are_one_line_and_exit_2() {
    cli(["events", "--ops-url", "not a url", "--ops-token", OPS_TOKEN])
        .run()
        .await
        .bad_input(&["--ops-url"]);
    cli(["stats", "--ops-url", "http://127.0.0.1:1"])
        .run()
        .await
        .bad_input(&["token"]);
    let unreachable = format!("http://127.0.0.1:{}", free_port());
    cli(["stats", "--ops-url", &unreachable, "--ops-token", OPS_TOKEN])
        .run()
        .await
        .bad_input(&["operations surface", &unreachable]);
}

/// `serve` with `extra` (which replaces the defaults it names), on ports
/// and a database of its own; it must refuse to start (a time limit keeps a
/// wrongly started server from hanging the test).
async fn serve_refuses(dir: &tempfile::TempDir, extra: &[&str], names: &[&str]) {
    let database = sqlite_url(dir.path());
    let listen = format!("127.0.0.1:{}", free_port());
    let ops = format!("127.0.0.1:{}", free_port());
    let defaults = [
        ("--listen", listen.as_str()),
        ("--ops-listen", ops.as_str()),
        ("--database", database.as_str()),
        ("--secret", SECRET),
        ("--verify-token", VERIFY_TOKEN),
        ("--ops-token", OPS_TOKEN),
    ];
    let mut args = vec!["serve"];
    for (flag, value) in defaults {
        if !extra.contains(&flag) {
            args.extend([flag, value]);
        }
    }
    args.extend_from_slice(extra);
    cli(args)
        .timeout(Duration::from_secs(30))
        .run()
        .await
        .bad_input(names);
}

#[tokio::test]
async fn serve_refuses_bad_flags_with_one_line_and_exit_2() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let forward = ["--forward-to", "http://127.0.0.1:9/hooks"];
    for (secret, names) in [
        ("not base64!", &["forwarding secret"][..]),
        ("whsec_c2hvcnQ=", &["forwarding secret", "24 bytes"][..]),
        ("", &["forwarding secret"][..]),
    ] {
        let mut extra = forward.to_vec();
        extra.extend(["--forward-secret", secret]);
        serve_refuses(&dir, &extra, names).await;
    }
    serve_refuses(
        &dir,
        &[
            "--forward-to",
            "not-a-url",
            "--forward-secret",
            &support::forward_secret(),
        ],
        &["--forward-to", "not-a-url"],
    )
    .await;
    serve_refuses(&dir, &["--database", "mysql://x"], &["mysql://x"]).await;
    serve_refuses(
        &dir,
        &["--database", "postgres://127.0.0.1:1/x"],
        &["--database"],
    )
    .await;
    serve_refuses(&dir, &["--ops-token", "short"], &["--ops-token"]).await;
    serve_refuses(&dir, &["--listen", "nowhere"], &["--listen", "nowhere"]).await;

    // A port already taken.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let address = taken.local_addr().expect("its address").to_string();
    serve_refuses(&dir, &["--listen", &address], &["--listen", &address]).await;
}

#[tokio::test]
async fn unknown_flags_and_values_are_clap_errors_with_exit_2() {
    for args in [
        &["events", "--no-such-flag"][..],
        &["no-such-command"][..],
        &["completions", "no-such-shell"][..],
        &["serve", "--attempt-timeout", "forever"][..],
        &["retry", "--database", "sqlite://x.db"][..],
    ] {
        let out = cli(args).run().await;
        out.expect_code(2);
        assert!(
            out.stderr.starts_with("error: "),
            "clap's error\n{}",
            out.describe()
        );
        assert!(out.stdout.is_empty(), "{}", out.describe());
    }
}

#[tokio::test]
async fn version_and_every_commands_help_with_examples() {
    let out = cli(["--version"]).run().await;
    assert_eq!(
        out.success().stdout().trim(),
        format!("instagram-webhook {}", env!("CARGO_PKG_VERSION"))
    );

    let help = cli(["--help"]).run().await;
    let help = help.success().stdout();
    assert!(help.contains("Examples:"), "{help}");
    let commands: Vec<String> = help
        .lines()
        .skip_while(|line| !line.starts_with("Commands:"))
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        // A wrapped description is indented further.
        .filter(|line| !line.starts_with("   "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect();
    for expected in [
        "serve",
        "work",
        "send",
        "sign",
        "verify",
        "events",
        "event",
        "stats",
        "retry",
        "replay",
        "migrate",
        "completions",
    ] {
        assert!(
            commands.iter().any(|name| name == expected),
            "`--help` lists {expected}: {commands:?}"
        );
    }
    let mut without_examples = Vec::new();
    for command in &commands {
        let out = cli([command.as_str(), "--help"]).run().await;
        let text = out.success().stdout();
        assert!(
            text.contains(&format!("instagram-webhook {command}")),
            "{command}'s help shows how to call it\n{text}"
        );
        if !text.contains("Examples:") {
            without_examples.push(command.clone());
        }
    }
    assert!(
        without_examples.is_empty(),
        "every command's --help has an `Examples:` section; these do not: {without_examples:?}"
    );
}

#[tokio::test]
async fn completions_print_a_script_for_every_shell() {
    let commands = [
        "serve",
        "work",
        "send",
        "sign",
        "verify",
        "events",
        "event",
        "stats",
        "retry",
        "replay",
        "migrate",
        "completions",
    ];
    let out = cli(["completions", "bash"]).run().await;
    let script = out.success().stdout();
    assert!(
        script.contains("complete") && script.contains("instagram-webhook"),
        "a bash completion script\n{script}"
    );
    for command in commands {
        assert!(script.contains(command), "completes {command}");
    }
    // Bash reads it without a syntax error.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("instagram-webhook.bash");
    std::fs::write(&path, &script).expect("the script");
    let checked = std::process::Command::new("bash")
        .arg("-n")
        .arg(&path)
        .output()
        .expect("bash runs");
    assert!(
        checked.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&checked.stderr)
    );
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let out = cli(["completions", shell]).run().await;
        assert!(!out.success().stdout.is_empty(), "{shell}");
    }
}
