//! Several Meta apps behind one axum application: the App Secrets chosen per
//! request by the app's name, through `router()` nested under a prefix.

mod server;

use instagram_webhook_axum::{AppKey, Receiver, router};
use instagram_webhook_conformance::multi_app::{
    app_verifiers, by_last_path_segment, by_query_parameter,
};
use instagram_webhook_conformance::{TestRequest, harness_with, send_http};
use server::TestServer;

/// Sends each request to a fresh server running `app` with the apps told
/// apart by `key`; the status of each, and how many deliveries reached the
/// handler.
async fn outcomes(
    app: impl Fn(Receiver) -> axum::Router,
    key: &AppKey,
    requests: &[TestRequest],
) -> Vec<(u16, usize)> {
    let mut seen = Vec::new();
    for request in requests {
        let (receiver, recorder) = harness_with(app_verifiers(key.clone()));
        let server = TestServer::start(app(receiver)).await;
        let status = send_http(server.address, request).await.status;
        seen.push((status, recorder.take().deliveries.len()));
    }
    seen
}

#[tokio::test]
async fn last_path_segment_selects_the_app_under_nest() {
    let app = |receiver| axum::Router::new().nest("/meta", router("/webhook/{app}", receiver));
    let (requests, expected): (Vec<_>, Vec<_>) =
        by_last_path_segment("/meta/webhook").into_iter().unzip();
    assert_eq!(
        outcomes(app, &AppKey::LastPathSegment, &requests).await,
        expected
    );
}

#[tokio::test]
async fn query_parameter_selects_the_app_under_nest() {
    let app = |receiver| axum::Router::new().nest("/meta", router("/webhook", receiver));
    let key = AppKey::QueryParameter("app".to_owned());
    let (requests, expected): (Vec<_>, Vec<_>) =
        by_query_parameter("/meta/webhook").into_iter().unzip();
    assert_eq!(outcomes(app, &key, &requests).await, expected);
}
