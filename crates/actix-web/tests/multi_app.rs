//! Several Meta apps behind one actix-web application: the App Secrets
//! chosen per request by the app's name, through `WebhookService` inside a
//! scope.

use actix_web::{App, HttpServer, web};
use instagram_webhook_actix_web::{AppKey, AppSecret, AppVerifiers, Verifier, WebhookService};
use instagram_webhook_conformance::{
    TestRequest, comment_delivery, harness_with, send_http, signed_post,
};

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

/// Sends each request to a fresh server with `WebhookService::new(path, ..)`
/// inside `web::scope("/meta")`; the status of each, and how many
/// deliveries reached the handler.
fn statuses(key: &AppKey, path: &'static str, requests: &[TestRequest]) -> Vec<(u16, usize)> {
    actix_web::rt::System::new().block_on(async {
        let mut seen = Vec::new();
        for request in requests {
            let (receiver, recorder) = harness_with(apps(key.clone()));
            let server = HttpServer::new(move || {
                App::new().service(
                    web::scope("/meta").service(WebhookService::new(path, receiver.clone())),
                )
            })
            .workers(1)
            .bind(("127.0.0.1", 0))
            .expect("bind");
            let address = server.addrs()[0];
            let server = server.run();
            let handle = server.handle();
            actix_web::rt::spawn(server);
            let status = send_http(address, request).await.status;
            handle.stop(false).await;
            seen.push((status, recorder.take().deliveries.len()));
        }
        seen
    })
}

#[test]
fn last_path_segment_selects_the_app_in_a_scope() {
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
        statuses(&AppKey::LastPathSegment, "/webhook/{app}", &requests),
        [(200, 1), (200, 1), (401, 0), (401, 0), (401, 0)]
    );
}

#[test]
fn query_parameter_selects_the_app_in_a_scope() {
    let key = AppKey::QueryParameter("app".to_owned());
    let requests = [
        delivery(SHOP_SECRET, "/meta/webhook", Some("app=shop")),
        delivery(BLOG_SECRET, "/meta/webhook", Some("app=blog")),
        delivery(BLOG_SECRET, "/meta/webhook", Some("app=shop")),
        delivery(SHOP_SECRET, "/meta/webhook", None),
    ];
    assert_eq!(
        statuses(&key, "/webhook", &requests),
        [(200, 1), (200, 1), (401, 0), (401, 0)]
    );
}
