//! Several App Secrets at once (rotation) and secrets chosen per request (several apps).

use http::{HeaderMap, HeaderValue};
use instagram_webhook_core::test_kit::sign;
use instagram_webhook_core::{
    AppKey, AppSecret, AppVerifiers, RequestContext, SIGNATURE_HEADER, SecretError, SelectVerifier,
    SignatureError, Verifier,
};

const BODY: &[u8] = br#"{"object":"instagram","entry":[{"id":"0","time":1,"changes":[]}]}"#;

fn secret(value: &str) -> AppSecret {
    AppSecret::new(value).unwrap()
}

#[test]
fn old_secret_verifies_while_both_are_configured_and_fails_after_removal() {
    let old = secret("old-secret");
    let new = secret("new-secret");
    let signed_with_old = sign(&old, BODY);
    let signed_with_new = sign(&new, BODY);

    let during = Verifier::with_secrets([new.clone(), old]).unwrap();
    assert_eq!(
        during
            .verify([&signed_with_new], BODY)
            .unwrap()
            .secret_index(),
        0
    );
    assert_eq!(
        during
            .verify([&signed_with_old], BODY)
            .unwrap()
            .secret_index(),
        1
    );

    let after = Verifier::new(new);
    assert!(after.verify([&signed_with_new], BODY).is_ok());
    assert_eq!(
        after.verify([&signed_with_old], BODY).unwrap_err(),
        SignatureError::Mismatch
    );
}

#[test]
fn comma_separated_list_configures_rotation() {
    let verifier = Verifier::from_comma_separated(" new-secret , old-secret,,").unwrap();
    assert_eq!(verifier.secret_count(), 2);
    assert!(
        verifier
            .verify([sign(&secret("old-secret"), BODY)], BODY)
            .is_ok()
    );
    assert!(
        verifier
            .verify([sign(&secret("new-secret"), BODY)], BODY)
            .is_ok()
    );
    assert!(
        verifier
            .verify([sign(&secret("other"), BODY)], BODY)
            .is_err()
    );
    assert_eq!(
        Verifier::from_comma_separated(" , ").unwrap_err(),
        SecretError::NoSecrets
    );
    assert_eq!(
        Verifier::with_secrets([]).unwrap_err(),
        SecretError::NoSecrets
    );
}

fn signed_headers(secret_value: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        SIGNATURE_HEADER,
        HeaderValue::from_str(&sign(&secret(secret_value), BODY)).unwrap(),
    );
    headers
}

#[test]
fn per_app_secret_by_path_segment() {
    let apps = AppVerifiers::new(AppKey::LastPathSegment)
        .app("shop", Verifier::new(secret("shop-secret")))
        .app("blog", Verifier::new(secret("blog-secret")));
    let shop = RequestContext::new("/webhook/shop/", None);
    let blog = RequestContext::new("/webhook/blog", Some("x=1"));

    assert!(
        apps.verify_request(&shop, &signed_headers("shop-secret"), BODY)
            .is_ok()
    );
    assert!(
        apps.verify_request(&blog, &signed_headers("blog-secret"), BODY)
            .is_ok()
    );
    assert_eq!(
        apps.verify_request(&shop, &signed_headers("blog-secret"), BODY)
            .unwrap_err(),
        SignatureError::Mismatch
    );
    assert_eq!(
        apps.verify_request(
            &RequestContext::new("/", None),
            &signed_headers("shop-secret"),
            BODY
        )
        .unwrap_err(),
        SignatureError::UnknownApp
    );
}

#[test]
fn per_app_secret_by_query_parameter() {
    let apps = AppVerifiers::new(AppKey::QueryParameter("app".to_owned()))
        .app("my shop", Verifier::new(secret("shop-secret")));
    let request = RequestContext::new("/webhook", Some("app=my%20shop"));
    assert!(
        apps.verify_request(&request, &signed_headers("shop-secret"), BODY)
            .is_ok()
    );
    assert_eq!(
        apps.verify_request(
            &RequestContext::new("/webhook", None),
            &signed_headers("shop-secret"),
            BODY
        )
        .unwrap_err(),
        SignatureError::UnknownApp
    );
}

#[test]
fn a_single_verifier_serves_every_request() {
    let verifier = Verifier::new(secret("only"));
    let request = RequestContext::new("/anything", None);
    assert!(
        verifier
            .verify_request(&request, &signed_headers("only"), BODY)
            .is_ok()
    );
    let shared: std::sync::Arc<dyn SelectVerifier> = std::sync::Arc::new(verifier);
    assert!(
        shared
            .verify_request(&request, &signed_headers("only"), BODY)
            .is_ok()
    );
}
