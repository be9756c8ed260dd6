//! The conformance suite over a real actix-web server on 127.0.0.1, against
//! every entry point of the crate: `WebhookService`, and an application
//! built from the extractors (with the receiver as app data and as
//! `web::Data`).

mod apps;

use apps::App;
use instagram_webhook_conformance::{Observation, TestRequest, harness, send_http};

fn observe(app: App, request: &TestRequest) -> Vec<Observation> {
    actix_web::rt::System::new().block_on(async {
        let (receiver, recorder) = harness();
        let (address, handle) = app.start(receiver, recorder.clone(), None);
        let response = send_http(address, request).await;
        handle.stop(false).await;
        vec![Observation::new(app.via(), response, recorder.take())]
    })
}

mod service {
    use super::*;

    fn run(request: &TestRequest) -> Vec<Observation> {
        observe(App::Service, request)
    }

    instagram_webhook_conformance::conformance_tests!(run);
}

mod extractors {
    use super::*;

    fn run(request: &TestRequest) -> Vec<Observation> {
        observe(App::Extractors, request)
    }

    instagram_webhook_conformance::conformance_tests!(
        run,
        not_run {
            put_not_allowed: "the application's own routes answer other methods",
        }
    );
}

mod extractors_web_data {
    use super::*;

    fn run(request: &TestRequest) -> Vec<Observation> {
        observe(App::ExtractorsWebData, request)
    }

    instagram_webhook_conformance::conformance_tests!(
        run,
        not_run {
            put_not_allowed: "the application's own routes answer other methods",
        }
    );
}
