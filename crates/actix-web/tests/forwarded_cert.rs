//! Meta's client certificate checked by a proxy in front of actix-web: the
//! forwarded subject is believed from trusted proxy addresses only.

use actix_web::{App, HttpServer};
use instagram_webhook_actix_web::WebhookService;
use instagram_webhook_conformance::forwarded_cert::cases;
use instagram_webhook_conformance::{PATH, send_http};

#[test]
fn forwarded_subjects_from_trusted_proxies_only() {
    actix_web::rt::System::new().block_on(async {
        for case in cases() {
            let (receiver, recorder) = case.receiver();
            let server = HttpServer::new(move || {
                App::new().service(WebhookService::new(PATH, receiver.clone()))
            })
            .workers(1)
            .bind(("127.0.0.1", 0))
            .expect("bind");
            let address = server.addrs()[0];
            let server = server.run();
            let handle = server.handle();
            actix_web::rt::spawn(server);
            let status = send_http(address, &case.request).await.status;
            handle.stop(false).await;
            let handled = recorder.take().deliveries.len();
            assert_eq!((status, handled), case.expected, "{}", case.name);
        }
    });
}
