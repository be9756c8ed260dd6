//! A real PostgreSQL server for tests.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use sqlx::Connection as _;
use sqlx::postgres::PgConnection;

/// What to install when no server can be had.
const INSTALL: &str = "set DATABASE_URL to a PostgreSQL server, or install the server package \
     (Debian: `apt-get install postgresql`) so tests can start a throwaway cluster";

/// A PostgreSQL server tests create databases on.
#[derive(Debug)]
pub struct Server {
    /// A URL of the server without a database name (`postgres://user@host:port`).
    base: String,
    /// The throwaway cluster, when this process started one.
    cluster: Option<Cluster>,
}

impl Server {
    /// The server of this test process: `DATABASE_URL` when it is set, else
    /// one throwaway cluster started on first use (stopped when the process
    /// exits).
    ///
    /// # Panics
    /// When neither is available, with what to install.
    pub fn shared() -> &'static Server {
        static SHARED: OnceLock<Server> = OnceLock::new();
        SHARED.get_or_init(|| match std::env::var("DATABASE_URL") {
            Ok(url) if !url.is_empty() => Server {
                base: without_database(&url),
                cluster: None,
            },
            _ => Self::throwaway(),
        })
    }

    /// A throwaway cluster of this process's own, whatever `DATABASE_URL`
    /// says: for tests that stop and start the server.
    ///
    /// # Panics
    /// When the server binaries are missing or the cluster does not start.
    pub fn throwaway() -> Server {
        let cluster = Cluster::start();
        Server {
            base: format!("postgres://postgres@127.0.0.1:{}", cluster.port),
            cluster: Some(cluster),
        }
    }

    /// A new, empty database on the server; its URL.
    ///
    /// # Panics
    /// When the server does not answer.
    pub async fn database(&self) -> String {
        let name = format!("inbox_test_{:016x}", fastrand::u64(..));
        let mut admin = connect_retrying(&format!("{}/postgres", self.base)).await;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap_or_else(|error| panic!("cannot create a test database: {error}"));
        admin.close().await.ok();
        format!("{}/{name}", self.base)
    }

    /// Stops the server (fast shutdown: connections are cut).
    ///
    /// # Panics
    /// For a server this process did not start.
    pub fn stop(&self) {
        self.own_cluster().pg_ctl(&["stop", "-m", "fast", "-w"]);
    }

    /// Starts the server again after [`stop`](Self::stop).
    ///
    /// # Panics
    /// For a server this process did not start, or when it does not start.
    pub fn start(&self) {
        self.own_cluster().pg_ctl_start();
    }

    fn own_cluster(&self) -> &Cluster {
        self.cluster
            .as_ref()
            .expect("only a throwaway cluster can be stopped and started")
    }
}

/// A cluster in a temporary directory, on a free loopback port.
#[derive(Debug)]
struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl Cluster {
    fn start() -> Self {
        let bin = binaries().unwrap_or_else(|| panic!("no PostgreSQL server binaries: {INSTALL}"));
        // initdb and postgres refuse to run as root: run them as the
        // `postgres` system user, in a directory it owns.
        let as_postgres = is_root();
        let root = if as_postgres {
            let out = run(Command::new("runuser").args(["-u", "postgres", "--", "mktemp", "-d"]));
            PathBuf::from(out.trim())
        } else {
            tempfile::Builder::new()
                .prefix("pg-test-")
                .tempdir()
                .expect("a temporary directory")
                .keep()
        };
        let data = root.join("data");
        let port = free_port();
        let cluster = Self {
            bin,
            data,
            port,
            as_postgres,
        };
        run(cluster.command("initdb").args([
            "-D",
            path_str(&cluster.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
        ]));
        cluster.pg_ctl_start();
        cluster.watch_parent(&root);
        cluster
    }

    fn pg_ctl_start(&self) {
        let options = format!(
            "-c listen_addresses=127.0.0.1 -c port={} -c unix_socket_directories='' \
             -c fsync=on -c max_connections=200 -c shared_buffers=64MB",
            self.port
        );
        let log = self.data.with_file_name("server.log");
        self.pg_ctl(&[
            "start",
            "-w",
            "-t",
            "60",
            "-l",
            path_str(&log),
            "-o",
            &options,
        ]);
    }

    fn pg_ctl(&self, args: &[&str]) {
        let mut command = self.command("pg_ctl");
        command.args(["-D", path_str(&self.data)]).args(args);
        run(&mut command);
    }

    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }

    /// Stops the cluster and removes its directory once this process has
    /// exited (a test binary never runs the destructors of statics).
    fn watch_parent(&self, root: &Path) {
        let script = format!(
            "while [ -d /proc/{pid} ]; do sleep 1; done; \
             '{pg_ctl}' -D '{data}' stop -m immediate >/dev/null 2>&1; rm -rf '{root}'",
            pid = std::process::id(),
            pg_ctl = self.bin.join("pg_ctl").display(),
            data = self.data.display(),
            root = root.display(),
        );
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--", "sh", "-c", &script]);
            command
        } else {
            let mut command = Command::new("sh");
            command.args(["-c", &script]);
            command
        };
        // Left to run past this process: it is what outlives it.
        let watcher = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the cluster's watcher starts");
        drop(watcher);
    }
}

/// The directory of `initdb` and `pg_ctl`: `PG_BIN`, the newest Debian
/// install, `pg_config --bindir`, or the `PATH`.
fn binaries() -> Option<PathBuf> {
    let has_initdb = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(dir) = std::env::var_os("PG_BIN").map(PathBuf::from) {
        return has_initdb(&dir).then_some(dir);
    }
    let mut debian: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .filter(|dir| has_initdb(dir))
        .collect();
    debian.sort_by_key(|dir| {
        dir.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
    });
    if let Some(newest) = debian.pop() {
        return Some(newest);
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && has_initdb(&dir) {
            return Some(dir);
        }
    }
    std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .find(|dir| has_initdb(dir))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free loopback port")
}

fn run(command: &mut Command) -> String {
    let out = command
        .output()
        .unwrap_or_else(|error| panic!("cannot run {command:?}: {error}"));
    assert!(
        out.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 temporary path")
}

/// `url` without its database name.
fn without_database(url: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let base = match url[after_scheme..].find('/') {
        Some(slash) => &url[..after_scheme + slash],
        None => url.split('?').next().unwrap_or(url),
    };
    base.to_owned()
}

async fn connect_retrying(url: &str) -> PgConnection {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match PgConnection::connect(url).await {
            Ok(connection) => return connection,
            Err(error) if Instant::now() > deadline => {
                panic!("cannot reach PostgreSQL at {url}: {error} ({INSTALL})")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::without_database;

    #[test]
    fn the_database_name_is_cut_off() {
        assert_eq!(
            without_database("postgres://u:p@h:5432/db?sslmode=disable"),
            "postgres://u:p@h:5432"
        );
        assert_eq!(
            without_database("postgres://u@h:5432"),
            "postgres://u@h:5432"
        );
    }
}
