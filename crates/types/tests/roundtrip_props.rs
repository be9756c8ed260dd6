//! Property tests: events generated from arbitrary (well-formed) items survive
//! serialize -> deserialize unchanged, and parsing is deterministic.

use instagram_webhook_types::{Event, EventKind, EventPayload, Id, Notification, Timestamp};
use proptest::prelude::*;
use serde_json::{Value, json};

fn id() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<u64>().prop_map(Value::from),
        any::<u64>().prop_map(|n| Value::from(n.to_string())),
        "[A-Za-z0-9_-]{1,40}".prop_map(Value::from),
    ]
}

fn time() -> impl Strategy<Value = Value> {
    prop_oneof![
        (0u64..4_000_000_000_000).prop_map(Value::from),
        (0u64..4_000_000_000).prop_map(|n| Value::from(n.to_string())),
        Just(Value::from("2021-09-08T06:34:04+0000")),
    ]
}

fn text() -> impl Strategy<Value = Value> {
    any::<String>().prop_map(Value::from)
}

fn opt<T: Strategy<Value = Value>>(s: T) -> impl Strategy<Value = Option<Value>> {
    proptest::option::of(s)
}

/// Inserts the present values of `fields` into an object.
fn object(fields: Vec<(&str, Option<Value>)>) -> Value {
    Value::Object(
        fields
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
            .collect(),
    )
}

fn attachment() -> impl Strategy<Value = Value> {
    let type_name = prop_oneof![
        Just("image"),
        Just("video"),
        Just("audio"),
        Just("file"),
        Just("share"),
        Just("ig_post"),
        Just("ig_reel"),
        Just("reel"),
        Just("ig_story"),
        Just("story_mention"),
        Just("ephemeral"),
        Just("like_heart"),
        Just("unsupported_type"),
        Just("brand_new_type"),
    ];
    let payload = opt(
        (opt(text()), opt(text()), opt(id())).prop_map(|(url, title, media)| {
            object(vec![
                ("url", url),
                ("title", title),
                ("ig_post_media_id", media),
            ])
        }),
    );
    (type_name, payload)
        .prop_map(|(t, p)| object(vec![("type", Some(Value::from(t))), ("payload", p)]))
}

fn message() -> impl Strategy<Value = Value> {
    (
        id(),
        opt(text()),
        opt(proptest::collection::vec(attachment(), 0..4).prop_map(Value::from)),
        any::<[bool; 4]>(),
        opt(id()),
    )
        .prop_map(|(mid, text, attachments, flags, reply_mid)| {
            let flag = |b: bool| b.then(|| Value::from(true));
            object(vec![
                ("mid", Some(mid)),
                ("text", text),
                ("attachments", attachments),
                ("is_echo", flag(flags[0])),
                ("is_self", flag(flags[1])),
                ("is_deleted", flag(flags[2])),
                ("is_unsupported", flag(flags[3])),
                ("reply_to", reply_mid.map(|m| json!({"mid": m}))),
            ])
        })
}

/// `(event key, event object)` of a messaging item.
fn messaging_event() -> impl Strategy<Value = (&'static str, Value)> {
    prop_oneof![
        message().prop_map(|m| ("message", m)),
        (id(), any::<bool>(), opt(text())).prop_map(|(mid, react, emoji)| {
            let action = if react { "react" } else { "unreact" };
            let reaction = if react {
                Some(Value::from("love"))
            } else {
                None
            };
            (
                "reaction",
                object(vec![
                    ("mid", Some(mid)),
                    ("action", Some(action.into())),
                    ("reaction", reaction),
                    ("emoji", emoji),
                ]),
            )
        }),
        (opt(id()), opt(text()), opt(text())).prop_map(|(mid, title, payload)| (
            "postback",
            object(vec![("mid", mid), ("title", title), ("payload", payload)])
        )),
        opt(id()).prop_map(|mid| ("read", object(vec![("mid", mid)]))),
        (
            id(),
            opt(text()),
            prop_oneof![
                (0u64..100).prop_map(Value::from),
                (0u64..100).prop_map(|n| Value::from(n.to_string()))
            ]
        )
            .prop_map(|(mid, text, n)| (
                "message_edit",
                object(vec![
                    ("mid", Some(mid)),
                    ("text", text),
                    ("num_edit", Some(n))
                ])
            )),
        (opt(text()), opt(text())).prop_map(|(r, s)| (
            "referral",
            object(vec![
                ("ref", r),
                ("source", s),
                ("type", Some("OPEN_THREAD".into()))
            ])
        )),
        (opt(text()), opt(time())).prop_map(|(p, t)| (
            "optin",
            object(vec![
                ("type", Some("notification_messages".into())),
                ("payload", p),
                ("token_expiry_timestamp", t)
            ])
        )),
        (opt(id()), opt(text())).prop_map(|(app, meta)| (
            "pass_thread_control",
            object(vec![("new_owner_app_id", app), ("metadata", meta)])
        )),
        // An event key this version does not know (the strict feature rejects it by design).
        text().prop_map(|t| if cfg!(feature = "strict") {
            ("read", json!({"mid": t}))
        } else {
            ("brand_new_event", json!({"x": t}))
        }),
    ]
}

fn messaging_item() -> impl Strategy<Value = Value> {
    (opt(id()), opt(id()), opt(time()), messaging_event()).prop_map(
        |(sender, recipient, timestamp, (key, event))| {
            let mut item = object(vec![
                ("sender", sender.map(|id| json!({"id": id}))),
                ("recipient", recipient.map(|id| json!({"id": id}))),
                ("timestamp", timestamp),
            ]);
            item.as_object_mut().unwrap().insert(key.to_owned(), event);
            item
        },
    )
}

/// `{field, value}` changes of every changes kind, and messaging items the Test button way.
fn change() -> impl Strategy<Value = Value> {
    let metric = || opt(any::<i64>().prop_map(Value::from));
    prop_oneof![
        (id(), opt(text()), opt(id()), opt(text()), any::<bool>()).prop_map(|(id, text, from, product, live)| {
            let value = object(vec![
                ("id", Some(id)),
                ("text", text),
                ("from", from.map(|f| json!({"id": f, "username": "u"}))),
                ("media", product.map(|p| json!({"id": "1", "media_product_type": p}))),
            ]);
            json!({"field": if live { "live_comments" } else { "comments" }, "value": value})
        }),
        (id(), opt(id())).prop_map(|(media, comment)| {
            json!({"field": "mentions", "value": object(vec![("media_id", Some(media)), ("comment_id", comment)])})
        }),
        (id(), metric(), metric(), metric(), metric(), metric(), metric()).prop_map(|(media, a, b, c, d, e, f)| {
            let value = object(vec![
                ("media_id", Some(media)),
                ("impressions", a),
                ("reach", b),
                ("taps_forward", c),
                ("taps_back", d),
                ("exits", e),
                ("replies", f),
            ]);
            json!({"field": "story_insights", "value": value})
        }),
        messaging_item().prop_map(|item| json!({"field": "messages", "value": item})),
        text().prop_map(|t| json!({"field": "some_new_field", "value": {"t": t}})),
    ]
}

fn entry() -> impl Strategy<Value = Value> {
    (
        id(),
        opt(time()),
        prop_oneof![Just("changes"), Just("messaging"), Just("standby")],
        proptest::collection::vec(change(), 1..4),
        proptest::collection::vec(messaging_item(), 1..4),
    )
        .prop_map(|(id, time, container, changes, items)| {
            let items = if container == "changes" {
                changes
            } else {
                items
            };
            object(vec![
                ("id", Some(id)),
                ("time", time),
                (container, Some(Value::from(items))),
            ])
        })
}

fn body() -> impl Strategy<Value = String> {
    proptest::collection::vec(entry(), 1..4)
        .prop_map(|entries| json!({"object": "instagram", "entry": entries}).to_string())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn events_round_trip_through_serde(body in body()) {
        let notification = Notification::from_slice(body.as_bytes()).unwrap();
        let mut count = 0;
        for result in notification.events() {
            let event = result.unwrap();
            count += 1;

            let json = serde_json::to_string(&event).unwrap();
            let back: Event<'_> = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(&back, &event);
            prop_assert_eq!(back.dedup_key(), event.dedup_key());
            prop_assert_eq!(back.kind(), event.kind());

            let owned = event.clone().into_owned();
            let json_owned = serde_json::to_string(&owned).unwrap();
            prop_assert_eq!(&json_owned, &json);

            let payload = serde_json::to_string(event.payload()).unwrap();
            let payload_back: EventPayload<'_> = serde_json::from_str(&payload).unwrap();
            prop_assert_eq!(&payload_back, event.payload());
            prop_assert!(EventKind::from_name(event.kind().as_str()) == Some(event.kind()));
        }
        prop_assert_eq!(count, notification.item_count());

        // The envelope itself round trips too: the same events come out of its serialization.
        let again = serde_json::to_string(&notification).unwrap();
        let reparsed = Notification::from_slice(again.as_bytes()).unwrap();
        let a: Vec<_> = notification.events().map(|r| r.unwrap().into_payload()).collect();
        let b: Vec<_> = reparsed.events().map(|r| r.unwrap().into_payload()).collect();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn ids_round_trip_and_never_lose_digits(n in any::<u64>(), s in "[0-9A-Za-z]{0,30}") {
        let number = n.to_string();
        let from_number: Id<'_> = serde_json::from_str(&number).unwrap();
        prop_assert_eq!(from_number.as_str(), n.to_string());
        let json = serde_json::to_string(&Id::from(s.as_str())).unwrap();
        let back: Id<'_> = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back.as_str(), s.as_str());
    }

    #[test]
    fn timestamps_round_trip_as_sent(n in any::<u64>(), as_string in any::<bool>()) {
        let json = if as_string { format!("\"{n}\"") } else { n.to_string() };
        let t: Timestamp = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(t.value(), Some(n));
        prop_assert_eq!(serde_json::to_string(&t).unwrap(), json);
    }
}
