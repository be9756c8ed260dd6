//! Meta's client certificate checked by a proxy in front of axum: the
//! forwarded subject is believed from trusted proxy addresses only.

mod server;

use std::net::SocketAddr;

use instagram_webhook_axum::router;
use instagram_webhook_conformance::forwarded_cert::{META_SUBJECT, cases};
use instagram_webhook_conformance::{PATH, send_http};
use instagram_webhook_core::client_cert::CLIENT_CERT_SUBJECT_HEADER;

#[tokio::test]
async fn forwarded_subjects_from_trusted_proxies_only() {
    for case in cases() {
        let (receiver, recorder) = case.receiver();
        let app = router(PATH, receiver).into_make_service_with_connect_info::<SocketAddr>();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let task = tokio::spawn(async move { axum::serve(listener, app).await });
        let status = send_http(address, &case.request).await.status;
        task.abort();
        let handled = recorder.take().deliveries.len();
        assert_eq!((status, handled), case.expected, "{}", case.name);
    }
}

#[tokio::test]
async fn without_connect_info_the_peer_is_unknown_and_refused() {
    let case = cases().into_iter().next().unwrap();
    assert!(case.request.headers.iter().any(
        |(name, value)| name == CLIENT_CERT_SUBJECT_HEADER && value == META_SUBJECT.as_bytes()
    ));
    let (receiver, recorder) = case.receiver();
    let server = server::TestServer::start(router(PATH, receiver)).await;
    let response = send_http(server.address, &case.request).await;
    assert_eq!(response.status, 403);
    assert!(String::from_utf8_lossy(&response.body).contains("peer address is unknown"));
    assert!(recorder.take().deliveries.is_empty());
}
