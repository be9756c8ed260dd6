//! Property tests: signing and verifying agree, any change breaks the
//! signature, and no input makes a parser panic.

use instagram_webhook_core::test_kit::{sign, to_meta_json};
use instagram_webhook_core::{
    AppSecret, Signature, SignatureError, Verifier, VerifyToken, verify_handshake,
};
use proptest::prelude::*;

fn key() -> impl Strategy<Value = Vec<u8>> {
    // Non-blank keys: at least one byte that is not ASCII whitespace.
    (proptest::collection::vec(any::<u8>(), 0..80), 33_u8..=126).prop_map(|(mut bytes, tail)| {
        bytes.push(tail);
        bytes
    })
}

proptest! {
    #[test]
    fn sign_then_verify(key in key(), body in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let secret = AppSecret::from_bytes(key).unwrap();
        let header = sign(&secret, &body);
        prop_assert!(Verifier::new(secret).verify([header], &body).is_ok());
    }

    #[test]
    fn flipping_any_body_bit_fails(
        key in key(),
        body in proptest::collection::vec(any::<u8>(), 1..512),
        bit in any::<prop::sample::Index>(),
    ) {
        let secret = AppSecret::from_bytes(key).unwrap();
        let header = sign(&secret, &body);
        let mut tampered = body;
        let bit = bit.index(tampered.len() * 8);
        tampered[bit / 8] ^= 1 << (bit % 8);
        prop_assert_eq!(Verifier::new(secret).verify([header], &tampered).unwrap_err(), SignatureError::Mismatch);
    }

    #[test]
    fn flipping_any_signature_bit_fails(
        key in key(),
        body in proptest::collection::vec(any::<u8>(), 0..512),
        bit in 0_usize..256,
    ) {
        let secret = AppSecret::from_bytes(key).unwrap();
        let header = sign(&secret, &body);
        let mut digest = hex::decode(&header["sha256=".len()..]).unwrap();
        digest[bit / 8] ^= 1 << (bit % 8);
        let tampered = format!("sha256={}", hex::encode(digest));
        prop_assert_eq!(Verifier::new(secret).verify([tampered], &body).unwrap_err(), SignatureError::Mismatch);
    }

    #[test]
    fn any_header_bytes_never_panic(value in proptest::collection::vec(any::<u8>(), 0..300)) {
        let verifier = Verifier::new(AppSecret::new("k").unwrap());
        let _ = Signature::parse(&value);
        prop_assert!(verifier.verify([&value], b"body").is_err());
    }

    #[test]
    fn any_header_string_never_panics(value in ".{0,200}") {
        let verifier = Verifier::new(AppSecret::new("k").unwrap());
        let _ = Signature::parse(&value);
        let _ = verifier.verify([value.as_str(), "sha256=x"], b"body");
    }

    #[test]
    fn near_miss_headers_never_panic(digest in "[0-9a-fA-F \t,=]{0,80}", prefix in "(sha256|sha1|SHA256|)(=|)") {
        let verifier = Verifier::new(AppSecret::new("k").unwrap());
        let value = format!("{prefix}{digest}");
        let _ = verifier.verify([value], b"body");
    }

    #[test]
    fn any_query_never_panics(query in ".{0,300}") {
        let token = VerifyToken::new("t").unwrap();
        if let Err(error) = verify_handshake(&query, &token) {
            prop_assert!(error.status() == 400 || error.status() == 403);
        }
    }

    #[test]
    fn any_challenge_round_trips_or_is_refused(challenge in any::<String>()) {
        let token = VerifyToken::new("t").unwrap();
        let encoded: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("hub.mode", "subscribe")
            .append_pair("hub.verify_token", "t")
            .append_pair("hub.challenge", &challenge)
            .finish();
        match verify_handshake(&encoded, &token) {
            Ok(answer) => prop_assert_eq!(answer.as_str(), challenge.as_str()),
            Err(error) => prop_assert_eq!(error.status(), 400),
        }
    }

    #[test]
    fn meta_json_is_ascii_and_parses_back(text in any::<String>()) {
        let body = to_meta_json(&text).unwrap();
        prop_assert!(body.is_ascii());
        let unescaped_slashes = String::from_utf8(body.clone()).unwrap().replace("\\/", "");
        prop_assert!(!unescaped_slashes.contains('/'));
        prop_assert_eq!(serde_json::from_slice::<String>(&body).unwrap(), text);
    }
}

proptest! {
    /// However a body is split into chunks, the collector returns exactly its
    /// bytes when they fit, and refuses it (413) as soon as they do not.
    #[test]
    fn body_collector_keeps_exactly_the_bytes_or_refuses(
        chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..12),
        limit in 0_usize..400,
    ) {
        use instagram_webhook_core::receive::BodyCollector;
        let mut collector = BodyCollector::new(limit);
        let mut sent = Vec::new();
        let mut refused = false;
        for chunk in &chunks {
            sent.extend_from_slice(chunk);
            if let Err(answer) = collector.push(bytes::Bytes::copy_from_slice(chunk)) {
                prop_assert_eq!(answer.status(), 413);
                prop_assert!(sent.len() > limit);
                refused = true;
                break;
            }
        }
        if !refused {
            prop_assert!(sent.len() <= limit);
            let body = collector.finish();
            prop_assert_eq!(body.as_ref(), sent.as_slice());
        }
    }
}
