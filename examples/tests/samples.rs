//! The sample deliveries `send_test_event` sends are what they claim: each
//! kind's sample, escaped like Meta, parses to exactly one event of that
//! kind, and every kind the library models has a sample.

use instagram_webhook_core::test_kit::to_meta_json;
use instagram_webhook_core::types::{EventKind, Notification};
use instagram_webhook_examples::samples::{KINDS, sample};

#[test]
fn every_sample_parses_to_one_event_of_its_kind() {
    for kind in KINDS {
        let value = sample(kind).unwrap_or_else(|| panic!("no sample for {kind}"));
        let body = to_meta_json(&value).expect("serializes");
        let notification = Notification::from_slice(&body)
            .unwrap_or_else(|error| panic!("{kind}: not an envelope: {error}"));
        let events: Vec<_> = notification.events().collect();
        assert_eq!(events.len(), 1, "{kind}: one item");
        let event = events[0]
            .as_ref()
            .unwrap_or_else(|error| panic!("{kind}: the item does not decode: {error}"));
        assert_eq!(event.kind().as_str(), kind, "the {kind} sample");
    }
}

#[test]
fn every_kind_has_a_sample() {
    let modelled: Vec<&str> = EventKind::ALL.iter().map(|kind| kind.as_str()).collect();
    assert_eq!(KINDS.as_slice(), modelled.as_slice());
}

#[test]
fn an_unknown_kind_has_no_sample() {
    assert!(sample("no_such_kind").is_none());
    assert!(sample("").is_none());
}
