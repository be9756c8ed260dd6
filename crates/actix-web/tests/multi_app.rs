//! Several Meta apps behind one actix-web application: the App Secrets
//! chosen per request by the app's name, through `WebhookService` inside a
//! scope.

use actix_web::{App, HttpServer, web};
use instagram_webhook_actix_web::{AppKey, WebhookService};
use instagram_webhook_conformance::multi_app::{
    app_verifiers, by_last_path_segment, by_query_parameter,
};
use instagram_webhook_conformance::{TestRequest, harness_with, send_http};

/// Sends each request to a fresh server with `WebhookService::new(path, ..)`
/// inside `web::scope("/meta")`, the apps told apart by `key`; the status of
/// each, and how many deliveries reached the handler.
fn outcomes(key: &AppKey, path: &'static str, requests: &[TestRequest]) -> Vec<(u16, usize)> {
    actix_web::rt::System::new().block_on(async {
        let mut seen = Vec::new();
        for request in requests {
            let (receiver, recorder) = harness_with(app_verifiers(key.clone()));
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
    let (requests, expected): (Vec<_>, Vec<_>) =
        by_last_path_segment("/meta/webhook").into_iter().unzip();
    assert_eq!(
        outcomes(&AppKey::LastPathSegment, "/webhook/{app}", &requests),
        expected
    );
}

#[test]
fn query_parameter_selects_the_app_in_a_scope() {
    let key = AppKey::QueryParameter("app".to_owned());
    let (requests, expected): (Vec<_>, Vec<_>) =
        by_query_parameter("/meta/webhook").into_iter().unzip();
    assert_eq!(outcomes(&key, "/webhook", &requests), expected);
}
