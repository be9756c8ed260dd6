//! A real axum server on 127.0.0.1 for the tests, stopped when dropped.

use std::net::SocketAddr;

use axum::Router;

/// `axum::serve` on an ephemeral loopback port.
pub(crate) struct TestServer {
    /// Where the server listens.
    pub(crate) address: SocketAddr,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl TestServer {
    /// Serves `app` on 127.0.0.1 with a port of the system's choosing.
    pub(crate) async fn start(app: Router) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let task = tokio::spawn(async move { axum::serve(listener, app).await });
        Self { address, task }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
