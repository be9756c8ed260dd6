//! Several Meta apps behind one axum application: the App Secrets chosen per
//! request by the app's name, through `router()` nested under a prefix.

mod server;

use instagram_webhook_axum::{AppKey, AppSecret, AppVerifiers, Verifier, router};
use instagram_webhook_conformance::{
    TestRequest, comment_delivery, harness_with, send_http, signed_post,
};
use server::TestServer;

const SHOP_SECRET: &str = "shop-app-secret";
const BLOG_SECRET: &str = "blog-app-secret";

fn apps(key: AppKey) -> AppVerifiers {
    AppVerifiers::new(key)
        .app("shop", Verifier::new(AppSecret::new(SHOP_SECRET).unwrap()))
        .app("blog", Verifier::new(AppSecret::new(BLOG_SECRET).unwrap()))
}

fn delivery(secret: &str, path: &str, query: Option<&str>) -> TestRequest {
    let mut request = signed_post(
        secret,
        &comment_delivery("17841400000000001", "18000000000000001", "hi"),
    );
    request.path = path.to_owned();
    request.query = query.map(str::to_owned);
    request
}

/// Sends each request to a fresh server running `app`; the statuses, and
/// the secret index and path of each delivery handed over.
async fn statuses(
    app: impl Fn(instagram_webhook_axum::Receiver) -> axum::Router,
    key: AppKey,
    requests: &[TestRequest],
) -> Vec<(u16, usize)> {
    let mut seen = Vec::new();
    for request in requests {
        let (receiver, recorder) = harness_with(apps(key.clone()));
        let server = TestServer::start(app(receiver)).await;
        let status = send_http(server.address, request).await.status;
        seen.push((status, recorder.take().deliveries.len()));
    }
    seen
}

#[tokio::test]
async fn last_path_segment_selects_the_app_under_nest() {
    let app = |receiver| axum::Router::new().nest("/meta", router("/webhook/{app}", receiver));
    let requests = [
        delivery(SHOP_SECRET, "/meta/webhook/shop", None),
        delivery(BLOG_SECRET, "/meta/webhook/blog", None),
        // Each app's secret is good for its own path only.
        delivery(BLOG_SECRET, "/meta/webhook/shop", None),
        delivery(SHOP_SECRET, "/meta/webhook/blog", None),
        // An app nobody configured: 401, never a guess.
        delivery(SHOP_SECRET, "/meta/webhook/other", None),
    ];
    assert_eq!(
        statuses(app, AppKey::LastPathSegment, &requests).await,
        [(200, 1), (200, 1), (401, 0), (401, 0), (401, 0)]
    );
}

#[tokio::test]
async fn query_parameter_selects_the_app_under_nest() {
    let app = |receiver| axum::Router::new().nest("/meta", router("/webhook", receiver));
    let key = AppKey::QueryParameter("app".to_owned());
    let requests = [
        delivery(SHOP_SECRET, "/meta/webhook", Some("app=shop")),
        delivery(BLOG_SECRET, "/meta/webhook", Some("app=blog")),
        delivery(BLOG_SECRET, "/meta/webhook", Some("app=shop")),
        delivery(SHOP_SECRET, "/meta/webhook", None),
    ];
    assert_eq!(
        statuses(app, key, &requests).await,
        [(200, 1), (200, 1), (401, 0), (401, 0)]
    );
}
