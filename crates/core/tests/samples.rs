//! The test kit's samples are what they claim: every kind the library models
//! has one, each parses to exactly one event of its kind, the bytes are in
//! Meta's key order and escaped like Meta, and a signed delivery carries the
//! signature of exactly those bytes.

use instagram_webhook_core::http::Uri;
use instagram_webhook_core::test_kit::{
    SAMPLE_ACCOUNT_ID, SAMPLE_CUSTOMER_ID, SAMPLE_KINDS, SignedDelivery, comment_delivery, sample,
    sample_at, sign, to_meta_json,
};
use instagram_webhook_core::types::{EventKind, EventPayload, Notification};
use instagram_webhook_core::{AppSecret, SIGNATURE_HEADER, Verifier};
use serde_json::{Value, json};

const AT: u64 = 1_756_217_841_123;

fn secret() -> AppSecret {
    AppSecret::new("samples-secret").unwrap()
}

#[test]
fn every_kind_has_a_sample() {
    let modelled: Vec<&str> = EventKind::ALL.iter().map(|kind| kind.as_str()).collect();
    let sampled: Vec<&str> = SAMPLE_KINDS.iter().map(|kind| kind.as_str()).collect();
    assert_eq!(sampled, modelled);
    for kind in SAMPLE_KINDS {
        assert_eq!(sample(kind).kind(), kind);
        assert_eq!(sample_at(kind, AT).kind(), kind);
    }
}

#[test]
fn every_sample_parses_to_one_event_of_its_kind() {
    for kind in SAMPLE_KINDS {
        for body in [sample(kind).to_bytes(), sample_at(kind, AT).to_bytes()] {
            let notification = Notification::from_slice(&body)
                .unwrap_or_else(|error| panic!("{kind}: not an envelope: {error}"));
            let events: Vec<_> = notification.events().collect();
            assert_eq!(events.len(), 1, "{kind}: one item");
            let event = events[0]
                .as_ref()
                .unwrap_or_else(|error| panic!("{kind}: the item does not decode: {error}"));
            assert_eq!(event.kind(), kind, "the {kind} sample");
            assert_eq!(event.account_id().as_str(), SAMPLE_ACCOUNT_ID, "{kind}");
        }
    }
}

#[test]
fn samples_are_escaped_like_meta() {
    for kind in SAMPLE_KINDS {
        let sample = sample_at(kind, AT);
        let body = sample.to_bytes();
        assert!(body.is_ascii(), "{kind}: every non-ASCII character escaped");
        assert!(
            !String::from_utf8_lossy(&body).contains("://"),
            "{kind}: `/` escaped"
        );
        assert_eq!(body, to_meta_json(&sample).unwrap(), "{kind}");
        let value: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(value, sample.to_value(), "{kind}: the same JSON");
    }
    let text = String::from_utf8(sample_at(EventKind::Comment, AT).to_bytes()).unwrap();
    assert!(text.contains(r#""text":"Tr\u00e8s joli \ud83d\ude0d https:\/\/example.com\/p\/1""#));
    let text = String::from_utf8(sample_at(EventKind::MessageReaction, AT).to_bytes()).unwrap();
    assert!(text.contains(r#""emoji":"\u2764\ufe0f""#));
}

#[test]
fn samples_keep_meta_key_order() {
    for kind in SAMPLE_KINDS {
        let text = String::from_utf8(sample_at(kind, AT).to_bytes()).unwrap();
        if text.contains(r#""changes":"#) {
            assert!(
                text.starts_with(
                    r#"{"entry":[{"id":"17841400000000001","time":1756217841,"changes":[{"value":{"#
                ),
                "{kind}: {text}"
            );
            assert!(
                text.ends_with(r#""}]}],"object":"instagram"}"#),
                "{kind}: {text}"
            );
            let value = text.find(r#""value":"#).unwrap();
            let field = text.rfind(r#""field":"#).unwrap();
            assert!(value < field, "{kind}: `value` before `field`");
        } else {
            assert!(
                text.starts_with(
                    r#"{"object":"instagram","entry":[{"time":1756217841123,"id":"17841400000000001","messaging":[{"sender":{"id":"1234567890123456"},"recipient":{"id":"17841400000000001"},"timestamp":1756217841123,""#
                ),
                "{kind}: {text}"
            );
        }
    }
}

#[test]
fn times_and_ids_follow_meta() {
    // `changes` entries: seconds; `messaging` entries and items: milliseconds.
    let comment = sample_at(EventKind::Comment, AT).to_value();
    assert_eq!(comment["entry"][0]["time"], json!(AT / 1000));
    assert_eq!(
        comment["entry"][0]["changes"][0]["value"]["id"],
        json!(format!("178{AT}"))
    );
    let message = sample_at(EventKind::Message, AT).to_value();
    assert_eq!(message["entry"][0]["time"], json!(AT));
    assert_eq!(message["entry"][0]["messaging"][0]["timestamp"], json!(AT));
    assert_eq!(
        message["entry"][0]["messaging"][0]["sender"]["id"],
        json!(SAMPLE_CUSTOMER_ID)
    );

    // Samples taken at different times are different deliveries, of every kind.
    for kind in SAMPLE_KINDS {
        let notification = Notification::from_slice(&sample_at(kind, AT).to_bytes())
            .unwrap()
            .events()
            .next()
            .unwrap()
            .unwrap()
            .dedup_key();
        let later = Notification::from_slice(&sample_at(kind, AT + 1).to_bytes())
            .unwrap()
            .events()
            .next()
            .unwrap()
            .unwrap()
            .dedup_key();
        // Even a millisecond apart: story insights take the story's id
        // from the time, the unknown field carries it.
        assert_ne!(notification, later, "{kind}");
    }
}

#[test]
fn the_samples_are_the_documented_deliveries() {
    assert_eq!(
        String::from_utf8(sample_at(EventKind::Comment, AT).to_bytes()).unwrap(),
        r#"{"entry":[{"id":"17841400000000001","time":1756217841,"changes":[{"value":{"from":{"id":"1234567890123456","username":"zo\u00eb.test"},"id":"1781756217841123","media":{"id":"18060000000000001","media_product_type":"FEED"},"text":"Tr\u00e8s joli \ud83d\ude0d https:\/\/example.com\/p\/1"},"field":"comments"}]}],"object":"instagram"}"#
    );
    assert_eq!(
        String::from_utf8(sample_at(EventKind::MessageReaction, AT).to_bytes()).unwrap(),
        r#"{"object":"instagram","entry":[{"time":1756217841123,"id":"17841400000000001","messaging":[{"sender":{"id":"1234567890123456"},"recipient":{"id":"17841400000000001"},"timestamp":1756217841123,"reaction":{"action":"react","emoji":"\u2764\ufe0f","mid":"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlE1756217841123","reaction":"love"}}]}]}"#
    );
    let live = sample_at(EventKind::LiveComment, AT).to_value();
    assert_eq!(
        live["entry"][0]["changes"][0]["value"]["media"]["media_product_type"],
        "LIVE"
    );
    assert_eq!(live["entry"][0]["changes"][0]["field"], "live_comments");
    let story = sample_at(EventKind::StoryMention, AT).to_value();
    assert_eq!(
        story["entry"][0]["messaging"][0]["message"]["attachments"][0]["type"],
        "story_mention"
    );
}

#[test]
fn comment_delivery_carries_the_given_comment() {
    let delivery = comment_delivery("17841400000000077", "18000000000000001", "Ça va ? 👍 a/b");
    assert_eq!(delivery.kind(), EventKind::Comment);
    assert_eq!(
        String::from_utf8(delivery.to_bytes()).unwrap(),
        r#"{"entry":[{"id":"17841400000000077","time":1756217841,"changes":[{"value":{"from":{"id":"17841401234567890","username":"zo\u00eb.b"},"id":"18000000000000001","media":{"id":"18060000000000001","media_product_type":"FEED"},"text":"\u00c7a va ? \ud83d\udc4d a\/b"},"field":"comments"}]}],"object":"instagram"}"#
    );
    let body = delivery.to_bytes();
    let notification = Notification::from_slice(&body).unwrap();
    let event = notification.events().next().unwrap().unwrap();
    assert_eq!(event.account_id().as_str(), "17841400000000077");
    let EventPayload::Comment(comment) = event.payload() else {
        panic!("a comment");
    };
    assert_eq!(comment.text.as_deref(), Some("Ça va ? 👍 a/b"));
}

#[test]
fn a_signed_delivery_signs_the_exact_bytes() {
    let secret = secret();
    let verifier = Verifier::new(secret.clone());
    for kind in SAMPLE_KINDS {
        let sample = sample_at(kind, AT);
        let delivery = sample.sign(&secret);
        assert_eq!(
            delivery.body().as_ref(),
            sample.to_bytes().as_slice(),
            "{kind}"
        );
        assert_eq!(
            delivery.signature(),
            sign(&secret, delivery.body()),
            "{kind}"
        );
        assert!(
            verifier
                .verify([delivery.signature()], delivery.body())
                .is_ok(),
            "{kind}"
        );
        assert_eq!(
            SignedDelivery::new(&secret, &sample).unwrap(),
            delivery,
            "{kind}: signing the sample or its bytes is the same"
        );
    }

    // Any payload, escaped like Meta.
    let delivery = SignedDelivery::new(&secret, &json!({"text": "é/😀"})).unwrap();
    assert_eq!(
        delivery.body().as_ref(),
        br#"{"text":"\u00e9\/\ud83d\ude00"}"#
    );
    // The signature is of the escaped bytes, not of the unescaped JSON.
    let plain = serde_json::to_vec(&json!({"text": "é/😀"})).unwrap();
    assert!(verifier.verify([delivery.signature()], &plain).is_err());

    // Any bytes, as they are.
    let delivery = SignedDelivery::from_body(&secret, b"not json".to_vec());
    assert_eq!(delivery.body().as_ref(), b"not json");
    let (body, signature) = delivery.into_parts();
    assert!(verifier.verify([signature.as_str()], &body).is_ok());
    assert!(
        Verifier::new(AppSecret::new("another secret").unwrap())
            .verify([signature.as_str()], &body)
            .is_err()
    );
}

#[test]
fn a_signed_delivery_as_an_http_request() {
    let secret = secret();
    let delivery = sample_at(EventKind::Message, AT).sign(&secret);
    let request = delivery.to_request(Uri::from_static("/webhook"));
    assert_eq!(request.method(), "POST");
    assert_eq!(request.uri(), "/webhook");
    assert_eq!(request.headers()["content-type"], "application/json");
    assert_eq!(
        request.headers()["content-length"],
        delivery.body().len().to_string().as_str()
    );
    assert_eq!(request.headers()[SIGNATURE_HEADER], delivery.signature());
    assert_eq!(request.body(), delivery.body());
    assert!(
        Verifier::new(secret)
            .verify_headers(request.headers(), request.body())
            .is_ok()
    );
}
