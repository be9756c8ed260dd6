//! Every payload of the shared corpus (`tests/fixtures/`, see its INDEX.md) parses and yields
//! the kind INDEX.md gives.
//!
//! Fragments (a bare change, an entry array, a top-level array printed by Meta's docs) are
//! wrapped into a full envelope here, in the test, not in the library.

use instagram_webhook_types::{
    Container, DedupKey, DedupParts, Event, EventKind, EventPayload, EventResult, ItemErrorKind,
    Notification, RawJson, TimeUnit,
};
use serde_json::Value;
use serde_json::value::RawValue;

#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Every item yields an event of this kind.
    Kind(EventKind),
    /// A docs bug (no `changes[]`): must give a clear error, not a panic; wrapped properly it
    /// yields this kind.
    DocsBug(EventKind),
}

use Expect::{DocsBug, Kind};

macro_rules! corpus {
    ($($file:literal => $expect:expr,)*) => {
        const CORPUS: &[(&str, &str, Expect)] = &[
            $(($file, include_str!(concat!("fixtures/", $file)), $expect),)*
        ];
    };
}

corpus! {
    "comments__capture-debug-sim__self-reply.json" => Kind(EventKind::Comment),
    "comments__capture-hmac-script__reels.json" => Kind(EventKind::Comment),
    "comments__capture-dashboard-test-2026__1.json" => Kind(EventKind::Comment),
    "comments__meta-test-sample__1.json" => Kind(EventKind::Comment),
    "comments__restfb__1.json" => Kind(EventKind::Comment),
    "comments__restfb__2.json" => Kind(EventKind::Comment),
    "comments__meta-examples__fb-login.json" => Kind(EventKind::Comment),
    "comments__meta-examples__ig-login.json" => Kind(EventKind::Comment),
    "comments__meta-postman__no-changes-wrapper.json" => DocsBug(EventKind::Comment),
    "comments__meta-postman__self.json" => Kind(EventKind::Comment),
    "live_comments__capture-bigquery-fn__dashboard-test.json" => Kind(EventKind::LiveComment),
    "live_comments__meta-test-sample-older__1.json" => Kind(EventKind::LiveComment),
    "live_comments__restfb__1.json" => Kind(EventKind::LiveComment),
    "live_comments__meta-examples__fb-login.json" => Kind(EventKind::LiveComment),
    "mentions__capture-bigquery-fn__dashboard-test.json" => Kind(EventKind::Mention),
    "mentions__capture-mentionsservice__dashboard-test.json" => Kind(EventKind::Mention),
    "mentions__restfb__1.json" => Kind(EventKind::Mention),
    "mentions__meta-docs-guide__comment.json" => Kind(EventKind::Mention),
    "story_insights__capture-bigquery-fn__dashboard-test.json" => Kind(EventKind::StoryInsights),
    "story_insights__restfb__1.json" => Kind(EventKind::StoryInsights),
    "story_insights__meta-docs-guide__1.json" => Kind(EventKind::StoryInsights),
    "messages__capture-mentionsservice__image.json" => Kind(EventKind::Message),
    "messages__capture-mentionsservice__share.json" => Kind(EventKind::Message),
    "messages__capture-mentionsservice__text.json" => Kind(EventKind::Message),
    "messages__capture-mentionsservice__text2.json" => Kind(EventKind::Message),
    "messages__capture-sigtest__echo-text.json" => Kind(EventKind::Message),
    "messages__capture-sigtest__text.json" => Kind(EventKind::Message),
    "messages__chatwoot-pr4100__unsupported.json" => Kind(EventKind::Message),
    "messages__restfb__unsupported-attachment.json" => Kind(EventKind::Message),
    "messages__capture-echodesk__dashboard-test.json" => Kind(EventKind::Message),
    "messages__capture-lambda-log__dashboard-test.json" => Kind(EventKind::Message),
    "messages__chatwoot__dashboard-test-changes.json" => Kind(EventKind::Message),
    "messages__chatwoot__dashboard-test-messaging.json" => Kind(EventKind::Message),
    "messages__chatwoot__legacy-test-event_type.json" => Kind(EventKind::Unknown),
    "messages__meta-docs-new__share-previous.json" => Kind(EventKind::Message),
    "messages__meta-igm-docs__attachments.json" => Kind(EventKind::Message),
    "messages__meta-igm-docs__quick-reply.json" => Kind(EventKind::Message),
    "messages__meta-igm-docs__referral-ctd-ad.json" => Kind(EventKind::Message),
    "messages__meta-igm-docs__referral-product.json" => Kind(EventKind::Message),
    "messages__meta-postman__self-echo.json" => Kind(EventKind::Message),
    "messages__meta-postman__story-reply-kitchen-sink.json" => Kind(EventKind::Message),
    "messages__meta-postman__text.json" => Kind(EventKind::Message),
    "messages__chatwoot__deleted.json" => Kind(EventKind::Message),
    "messages__chatwoot__ig-post.json" => Kind(EventKind::Message),
    "messages__chatwoot__ig-reel.json" => Kind(EventKind::Message),
    "messages__chatwoot__ig-story.json" => Kind(EventKind::Message),
    "messages__chatwoot__reply-to-mid.json" => Kind(EventKind::Message),
    "messages__chatwoot__share.json" => Kind(EventKind::Message),
    "messages__chatwoot__standby.json" => Kind(EventKind::Message),
    "messages__chatwoot__story-reply.json" => Kind(EventKind::Message),
    "messages__chatwoot__text.json" => Kind(EventKind::Message),
    "messages__chatwoot__unsupported.json" => Kind(EventKind::Message),
    "messages__office-api-fixture__audio.json" => Kind(EventKind::Message),
    "messages__office-api-fixture__file.json" => Kind(EventKind::Message),
    "messages__office-api-fixture__ig-reel-weburl.json" => Kind(EventKind::Message),
    "messages__office-api-fixture__video.json" => Kind(EventKind::Message),
    "story_mentions__meta-docs-story-mention__1.json" => Kind(EventKind::StoryMention),
    "story_mentions__chatwoot__1.json" => Kind(EventKind::StoryMention),
    "message_reactions__meta-test-sample__1.json" => Kind(EventKind::MessageReaction),
    "message_reactions__meta-igm-docs__react.json" => Kind(EventKind::MessageReaction),
    "message_reactions__meta-postman__1.json" => Kind(EventKind::MessageReaction),
    "message_reactions__office-api-fixture__unreact.json" => Kind(EventKind::MessageReaction),
    "messaging_postbacks__meta-test-sample__1.json" => Kind(EventKind::MessagingPostback),
    "messaging_postbacks__meta-igm-docs__1.json" => Kind(EventKind::MessagingPostback),
    "messaging_postbacks__meta-postman__1.json" => Kind(EventKind::MessagingPostback),
    "messaging_seen__capture-hmac-script__1.json" => Kind(EventKind::MessagingSeen),
    "messaging_seen__restfb__1.json" => Kind(EventKind::MessagingSeen),
    "messaging_seen__meta-test-sample__1.json" => Kind(EventKind::MessagingSeen),
    "messaging_seen__meta-igm-docs__1.json" => Kind(EventKind::MessagingSeen),
    "messaging_seen__meta-postman__1.json" => Kind(EventKind::MessagingSeen),
    "messaging_seen__chatwoot__1.json" => Kind(EventKind::MessagingSeen),
    "messaging_referral__meta-test-sample__1.json" => Kind(EventKind::MessagingReferral),
    "messaging_referral__meta-igm-docs__1.json" => Kind(EventKind::MessagingReferral),
    "messaging_referral__meta-postman__1.json" => Kind(EventKind::MessagingReferral),
    "message_edit__capture-ts-sigcheck__1.json" => Kind(EventKind::MessageEdit),
    "message_edit__meta-postman__1.json" => Kind(EventKind::MessageEdit),
    "messaging_optins__meta-test-sample__1.json" => Kind(EventKind::MessagingOptin),
    "messaging_handover__meta-test-sample__1.json" => Kind(EventKind::MessagingHandover),
}

/// Corpus files that the `strict` feature rejects, each a documented inconsistency between a
/// docs or third-party sample and real traffic. The strict test asserts they still fail, so
/// the list cannot go stale.
#[cfg(feature = "strict")]
const STRICT_EXCEPTIONS: &[(&str, &str)] = &[
    (
        "comments__meta-postman__no-changes-wrapper.json",
        "Meta's Postman collection prints `field`/`value` directly in the entry (no `changes[]`); \
         strict rejects the unknown entry keys, lenient yields an EmptyEntry item error",
    ),
    (
        "messages__chatwoot__legacy-test-event_type.json",
        "2021 Test-button schema (`event_type`, `event_timestamp`, `event_data`) that shares no \
         key with a messaging item; strict rejects the unknown keys, lenient yields `unknown`",
    ),
];

/// Turns a corpus file into one or more full envelopes, as the INDEX's shape column says.
fn envelopes(text: &str) -> Vec<String> {
    let value: Value = serde_json::from_str(text).expect("corpus files are valid JSON");
    match &value {
        // Printed by Meta's docs as `[ {envelope} ]`.
        Value::Array(items) if items.iter().all(|i| i.get("entry").is_some()) => {
            let raw: Vec<&RawValue> = serde_json::from_str(text).unwrap();
            raw.iter().map(|r| r.get().to_owned()).collect()
        }
        // An `entry` array only.
        Value::Array(_) => vec![format!(r#"{{"object":"instagram","entry":{text}}}"#)],
        // A bare `{field, value}` change.
        Value::Object(map) if map.contains_key("field") => vec![format!(
            r#"{{"object":"instagram","entry":[{{"id":"0","time":1785108996,"changes":[{text}]}}]}}"#
        )],
        _ => vec![text.to_owned()],
    }
}

/// The checks every event of the corpus must pass.
fn check_event(file: &str, event: &Event<'_>, expected: EventKind) {
    assert_eq!(event.kind(), expected, "{file}: kind");
    assert_eq!(event.payload().kind(), expected, "{file}: payload kind");
    let key = event.dedup_key();
    assert!(
        key.as_str()
            .starts_with(&format!("{}:{}:", event.account_id(), expected.as_str())),
        "{file}: dedup key {key}"
    );
    // The raw JSON is the item, as valid JSON.
    let raw: Value = serde_json::from_str(event.raw().get()).unwrap();
    assert!(raw.is_object(), "{file}: raw item is an object");
    // Round trip: queued and read back unchanged, also once owned.
    let json = serde_json::to_string(event).unwrap();
    let back: Event<'_> = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, event, "{file}: event round trip");
    assert_eq!(back.dedup_key(), key, "{file}: dedup key after round trip");
    assert_eq!(&event.clone().into_owned(), event, "{file}: into_owned");
    let payload = serde_json::to_string(event.payload()).unwrap();
    let payload_back: EventPayload<'_> = serde_json::from_str(&payload).unwrap();
    assert_eq!(&payload_back, event.payload(), "{file}: payload round trip");
    // The key from stored parts alone (the payload read back, not the event) is the same.
    let mut parts = DedupParts::new(event.account_id(), &payload_back, event.raw());
    parts.entry_time = event.entry_time();
    parts.sender = event.sender().map(|s| s.id.as_str());
    parts.timestamp = event.timestamp();
    assert_eq!(DedupKey::from_parts(&parts), key, "{file}: key from parts");
    // Entry time has the container's unit.
    if let Some(time) = event.entry_time() {
        let unit = if event.container() == Container::Changes {
            TimeUnit::Seconds
        } else {
            TimeUnit::Milliseconds
        };
        assert_eq!(time.unit(), unit, "{file}: entry time unit");
    }
}

#[test]
fn corpus_has_every_file_of_the_index() {
    let index = include_str!("fixtures/INDEX.md");
    let listed: Vec<&str> = index
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .collect();
    assert_eq!(listed.len(), 78);
    assert_eq!(CORPUS.len(), listed.len());
    for file in listed {
        assert!(
            CORPUS.iter().any(|(f, _, _)| *f == file),
            "{file} is missing from the test list"
        );
    }
}

#[test]
fn every_corpus_file_yields_its_kind() {
    let mut events = 0;
    for &(file, text, expect) in CORPUS {
        #[cfg(feature = "strict")]
        if STRICT_EXCEPTIONS.iter().any(|(f, _)| *f == file) {
            continue;
        }
        let Kind(expected) = expect else { continue };
        for body in envelopes(text) {
            let notification: Notification<'_> =
                serde_json::from_str(&body).unwrap_or_else(|e| panic!("{file}: envelope: {e}"));
            let results: Vec<_> = notification.events().collect();
            assert!(!results.is_empty(), "{file}: no events");
            assert_eq!(
                results.len(),
                notification.item_count(),
                "{file}: item count"
            );
            for result in results {
                let event = result.unwrap_or_else(|e| panic!("{file}: {e}"));
                check_event(file, &event, expected);
                events += 1;
            }
        }
    }
    assert!(events >= CORPUS.len() - 2, "only {events} events");
}

/// Every corpus body, parsed and then made owned, yields the same results as the borrowed
/// notification, once the body it was parsed from is gone.
#[test]
fn owned_notifications_yield_the_same_results_as_borrowed_ones() {
    let mut results = 0;
    for &(file, text, _) in CORPUS {
        for body in envelopes(text) {
            let Ok(borrowed) = Notification::from_slice(body.as_bytes()) else {
                // Only strict mode rejects envelopes of the corpus.
                if !cfg!(feature = "strict") {
                    panic!("{file}: envelope");
                }
                continue;
            };
            let copy = body.clone().into_bytes();
            let owned: Notification<'static> =
                Notification::from_slice(&copy).unwrap().into_owned();
            drop(copy);

            assert_eq!(owned, borrowed, "{file}: notification");
            assert_eq!(
                serde_json::to_string(&owned).unwrap(),
                serde_json::to_string(&borrowed).unwrap(),
                "{file}: serialized"
            );
            for entry in owned.entries() {
                let mut items = entry
                    .messaging()
                    .into_iter()
                    .chain(entry.standby())
                    .flatten();
                assert!(
                    items.all(|raw| matches!(raw, RawJson::Owned(_))),
                    "{file}: owned items"
                );
            }
            assert_eq!(owned.item_count(), borrowed.item_count(), "{file}: count");
            assert_eq!(
                owned.events().len(),
                borrowed.item_count(),
                "{file}: size hint"
            );

            let expected: Vec<EventResult<'_>> = borrowed.events().collect();
            let got: Vec<EventResult<'_>> = owned.events().collect();
            assert_eq!(got, expected, "{file}: events");
            for (got, expected) in got.iter().zip(&expected) {
                if let (Ok(got), Ok(expected)) = (got, expected) {
                    assert_eq!(got.dedup_key(), expected.dedup_key(), "{file}: key");
                    assert_eq!(got.raw().get(), expected.raw().get(), "{file}: raw");
                }
            }
            // Owning an owned notification again copies nothing new and changes nothing.
            let again: Vec<_> = owned
                .clone()
                .into_owned()
                .events()
                .map(|r| r.map(Event::into_owned).map_err(|e| e.into_owned()))
                .collect();
            assert_eq!(again, expected, "{file}: owned twice");
            results += expected.len();
        }
    }
    assert!(results >= CORPUS.len() - 2, "only {results} results");
}

#[cfg(feature = "strict")]
#[test]
fn strict_exceptions_still_fail_in_strict_mode() {
    for (file, reason) in STRICT_EXCEPTIONS {
        let (_, text, _) = CORPUS
            .iter()
            .find(|(f, _, _)| f == file)
            .expect("listed file exists");
        let failed = envelopes(text).iter().any(|body| {
            match serde_json::from_str::<Notification<'_>>(body) {
                Err(_) => true,
                Ok(n) => n.events().any(|r| r.is_err()),
            }
        });
        assert!(
            failed,
            "{file} passes strict mode now; drop it from STRICT_EXCEPTIONS ({reason})"
        );
    }
}

#[cfg(not(feature = "strict"))]
#[test]
fn legacy_test_schema_is_unknown_with_field_and_raw_kept() {
    let (_, text, _) = CORPUS
        .iter()
        .find(|(f, _, _)| f.contains("legacy-test-event_type"))
        .unwrap();
    let notification: Notification<'_> = serde_json::from_str(text).unwrap();
    let event = notification.events().next().unwrap().unwrap();
    let EventPayload::Unknown(unknown) = event.payload() else {
        panic!("not unknown")
    };
    assert_eq!(unknown.field, "messages");
    assert!(unknown.raw.get().contains("vcvacopiufqwehfawdnb"));
    assert!(
        event
            .dedup_key()
            .as_str()
            .starts_with("instagram-message-id-123:unknown:messages:sha256:")
    );
}

#[test]
fn docs_bug_without_changes_is_a_clear_error_and_wrapped_is_a_comment() {
    let (file, text, expect) = CORPUS
        .iter()
        .find(|(_, _, e)| matches!(e, DocsBug(_)))
        .unwrap();
    let DocsBug(expected) = *expect else {
        unreachable!()
    };
    let strict = cfg!(feature = "strict");
    match (serde_json::from_str::<Notification<'_>>(text), strict) {
        (Ok(notification), false) => {
            let results: Vec<_> = notification.events().collect();
            assert_eq!(results.len(), 1, "{file}");
            let error = results[0].as_ref().unwrap_err();
            assert_eq!(error.kind, ItemErrorKind::EmptyEntry);
            assert!(error.to_string().contains("no `changes`"), "{error}");
        }
        (Err(e), true) => assert!(e.to_string().contains("unknown field `field`"), "{e}"),
        (Ok(_), true) => panic!("strict mode must reject the entry's unknown keys"),
        (Err(e), false) => panic!("lenient mode must parse the envelope: {e}"),
    }

    // Wrapping `field`/`value` into `changes[]` gives the comment.
    let mut value: Value = serde_json::from_str(text).unwrap();
    let entry = value["entry"][0].as_object_mut().unwrap();
    let change = serde_json::json!({"field": entry.remove("field").unwrap(), "value": entry.remove("value").unwrap()});
    entry.insert("changes".into(), Value::Array(vec![change]));
    let body = value.to_string();
    let notification: Notification<'_> = serde_json::from_str(&body).unwrap();
    let event = notification.events().next().unwrap().unwrap();
    check_event(file, &event, expected);
}

#[test]
fn chatwoot_iso_times_are_kept_as_text() {
    let text = include_str!("fixtures/messages__chatwoot__text.json");
    let notification: Notification<'_> = serde_json::from_str(text).unwrap();
    assert_eq!(notification.object(), None);
    let event = notification.events().next().unwrap().unwrap();
    let entry_time = event.entry_time().unwrap();
    assert_eq!(entry_time.as_text(), Some("2021-09-08T06:34:04+0000"));
    assert_eq!(entry_time.as_system_time(), None);
    assert_eq!(event.timestamp().unwrap().as_millis(), None);
    assert_eq!(event.account_id(), "instagram-message-id-123");
}

#[test]
fn test_button_in_changes_and_messaging_give_the_same_event() {
    let changes = include_str!("fixtures/messages__capture-echodesk__dashboard-test.json");
    let messaging = include_str!("fixtures/messages__chatwoot__dashboard-test-messaging.json");
    let changes: Notification<'_> = serde_json::from_str(changes).unwrap();
    let messaging: Notification<'_> = serde_json::from_str(messaging).unwrap();
    let a = changes.events().next().unwrap().unwrap();
    let b = messaging.events().next().unwrap().unwrap();
    assert_eq!(a.container(), Container::Changes);
    assert_eq!(a.field(), Some("messages"));
    assert_eq!(b.container(), Container::Messaging);
    assert_eq!(b.field(), None);
    assert_eq!(a.payload(), b.payload());
    assert_eq!(a.messaging(), b.messaging());
    assert_eq!(a.dedup_key(), b.dedup_key());
    assert_eq!(a.dedup_key().as_str(), "0:message:random_mid");
    assert_eq!(a.sender().unwrap().id, "12334");
}
