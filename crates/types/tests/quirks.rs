//! One test per quirk of Meta's webhooks as they really behave (not as documented), plus the edges of ids, errors
//! and dedup keys.

use std::time::{Duration, UNIX_EPOCH};

use instagram_webhook_types::{
    Attachment, Container, Error, Event, EventKind, EventPayload, EventResult, ItemError,
    ItemErrorKind, JsonError, Notification, ReactionAction, TimeUnit,
};

/// Every result of a body, detached from it (events borrow from the notification).
fn results(body: &str) -> Vec<EventResult<'static>> {
    let notification =
        Notification::from_slice(body.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{body}"));
    notification
        .events()
        .map(|r| r.map(Event::into_owned).map_err(ItemError::into_owned))
        .collect()
}

/// The only event of a body, detached from it.
fn one(body: &str) -> Event<'static> {
    let mut all = results(body);
    assert_eq!(all.len(), 1, "{body}");
    all.pop()
        .unwrap()
        .unwrap_or_else(|e| panic!("{e}"))
        .into_owned()
}

/// A `messaging` envelope around one item.
fn messaging(item: &str) -> String {
    format!(
        r#"{{"object":"instagram","entry":[{{"id":"17841400000000000","time":1569262486134,"messaging":[{item}]}}]}}"#
    )
}

/// A `changes` envelope around one change.
fn change(field: &str, value: &str) -> String {
    format!(
        r#"{{"object":"instagram","entry":[{{"id":"17841400000000000","time":1519399307,"changes":[{{"field":"{field}","value":{value}}}]}}]}}"#
    )
}

fn message_with(attachments: &str) -> String {
    messaging(&format!(
        r#"{{"sender":{{"id":"1"}},"recipient":{{"id":"2"}},"timestamp":1569262485349,"message":{{"mid":"m1","attachments":{attachments}}}}}"#
    ))
}

#[test]
fn entry_time_is_seconds_in_changes_and_milliseconds_in_messaging() {
    let comment = one(&change("comments", r#"{"id":"1","text":"x"}"#));
    let time = comment.entry_time().unwrap();
    assert_eq!(time.unit(), TimeUnit::Seconds);
    assert_eq!(
        time.as_system_time(),
        Some(UNIX_EPOCH + Duration::from_secs(1_519_399_307))
    );
    assert_eq!(time.as_millis(), Some(1_519_399_307_000));

    let body = messaging(
        r#"{"sender":{"id":"1"},"recipient":{"id":"2"},"timestamp":1569262485349,"read":{"mid":"m"}}"#,
    );
    let seen = one(&body);
    let time = seen.entry_time().unwrap();
    assert_eq!(time.unit(), TimeUnit::Milliseconds);
    assert_eq!(
        time.as_system_time(),
        Some(UNIX_EPOCH + Duration::from_millis(1_569_262_486_134))
    );
    assert_eq!(time.as_secs(), Some(1_569_262_486));

    // The container decides the unit of entry.time, even for a value that looks like seconds.
    let body = r#"{"entry":[{"id":"1","time":233445667,"messaging":[{"read":{"mid":"m"}}]}]}"#;
    assert_eq!(
        one(body).entry_time().unwrap().as_millis(),
        Some(233_445_667)
    );
}

#[test]
fn item_timestamp_unit_is_inferred_live_millis_vs_test_seconds() {
    let live =
        messaging(r#"{"sender":{"id":"1"},"timestamp":1762031146380,"message":{"mid":"m"}}"#);
    let ts = one(&live).timestamp().unwrap().clone();
    assert_eq!(ts.unit(), TimeUnit::Milliseconds);
    assert_eq!(
        ts.as_system_time(),
        Some(UNIX_EPOCH + Duration::from_millis(1_762_031_146_380))
    );

    let test = messaging(r#"{"sender":{"id":"1"},"timestamp":1527459824,"message":{"mid":"m"}}"#);
    let ts = one(&test).timestamp().unwrap().clone();
    assert_eq!(ts.unit(), TimeUnit::Seconds);
    assert_eq!(ts.as_millis(), Some(1_527_459_824_000));
}

#[test]
fn string_timestamps_are_numbers_and_serialize_back_as_strings() {
    let body = change(
        "messages",
        r#"{"sender":{"id":"12334"},"recipient":{"id":"23245"},"timestamp":"1527459824","message":{"mid":"random_mid","text":"random_text"}}"#,
    );
    let event = one(&body);
    let ts = event.timestamp().unwrap();
    assert!(ts.was_string());
    assert_eq!(ts.value(), Some(1_527_459_824));
    assert_eq!(
        ts.as_system_time(),
        Some(UNIX_EPOCH + Duration::from_secs(1_527_459_824))
    );
    assert_eq!(serde_json::to_string(ts).unwrap(), r#""1527459824""#);

    let entry_time = r#"{"entry":[{"id":"0","time":"1519399307","changes":[{"field":"mentions","value":{"media_id":"1"}}]}]}"#;
    let time = one(entry_time).entry_time().unwrap().clone();
    assert_eq!(time.as_secs(), Some(1_519_399_307));

    // Non-numeric text is kept, not an error.
    let iso = messaging(r#"{"timestamp":"2021-09-08T06:34:04+0000","read":{"mid":"m"}}"#);
    let event = one(&iso);
    assert_eq!(
        event.timestamp().unwrap().as_text(),
        Some("2021-09-08T06:34:04+0000")
    );
    assert_eq!(event.timestamp().unwrap().as_system_time(), None);
}

#[test]
fn test_delivery_entry_id_zero() {
    let body = r#"{"entry":[{"id":"0","time":1695061948,"changes":[{"field":"mentions","value":{"media_id":"17887498072083520","comment_id":"17887498072083520"}}]}],"object":"instagram"}"#;
    let event = one(body);
    assert!(event.account_id().is_test());
    assert_eq!(
        event.dedup_key().as_str(),
        "0:mention:17887498072083520:17887498072083520"
    );
}

#[test]
fn seen_without_sender_or_recipient() {
    let body = messaging(r#"{"timestamp":1784200184302,"read":{"mid":"aWdfZAG1f"}}"#);
    let event = one(&body);
    assert_eq!(event.kind(), EventKind::MessagingSeen);
    assert!(event.sender().is_none());
    assert!(event.recipient().is_none());
    assert_eq!(
        event.dedup_key().as_str(),
        "17841400000000000:messaging_seen:aWdfZAG1f"
    );
}

#[test]
fn edit_without_sender_and_without_text() {
    let body = messaging(
        r#"{"recipient":{"id":"2"},"timestamp":1780397106244,"message_edit":{"mid":"m9","num_edit":0}}"#,
    );
    let event = one(&body);
    assert_eq!(event.kind(), EventKind::MessageEdit);
    assert!(event.sender().is_none());
    let EventPayload::MessageEdit(edit) = event.payload() else {
        panic!()
    };
    assert_eq!(edit.text, None);
    assert_eq!(edit.num_edit.as_ref().and_then(|n| n.value()), Some(0));
}

#[test]
fn num_edit_as_number_and_as_string() {
    let number =
        messaging(r#"{"sender":{"id":"1"},"message_edit":{"mid":"m9","text":"b","num_edit":2}}"#);
    let string =
        messaging(r#"{"sender":{"id":"1"},"message_edit":{"mid":"m9","text":"b","num_edit":"2"}}"#);
    let (a, b) = (one(&number), one(&string));
    for event in [&a, &b] {
        let EventPayload::MessageEdit(edit) = event.payload() else {
            panic!()
        };
        assert_eq!(edit.num_edit.as_ref().and_then(|n| n.value()), Some(2));
    }
    assert_eq!(a.dedup_key(), b.dedup_key());
    assert_eq!(
        a.dedup_key().as_str(),
        "17841400000000000:message_edit:m9:2"
    );
    // A further edit of the same message is a different event.
    let third =
        messaging(r#"{"sender":{"id":"1"},"message_edit":{"mid":"m9","text":"c","num_edit":3}}"#);
    assert_ne!(one(&third).dedup_key(), a.dedup_key());
}

#[test]
fn unreact_without_reaction_or_emoji() {
    let react = messaging(
        r#"{"sender":{"id":"1254"},"recipient":{"id":"1784"},"timestamp":1569262486200,"reaction":{"mid":"m1","action":"react","reaction":"love","emoji":"\u2764\ufe0f"}}"#,
    );
    let unreact = messaging(
        r#"{"sender":{"id":"1254"},"recipient":{"id":"1784"},"timestamp":1569262486200,"reaction":{"mid":"m1","action":"unreact"}}"#,
    );
    let (r, u) = (one(&react), one(&unreact));
    let EventPayload::MessageReaction(reaction) = r.payload() else {
        panic!()
    };
    assert_eq!(reaction.action, ReactionAction::React);
    assert_eq!(reaction.emoji.as_deref(), Some("\u{2764}\u{fe0f}"));
    let EventPayload::MessageReaction(reaction) = u.payload() else {
        panic!()
    };
    assert_eq!(reaction.action, ReactionAction::Unreact);
    assert_eq!(
        (reaction.reaction.as_deref(), reaction.emoji.as_deref()),
        (None, None)
    );
    assert_ne!(r.dedup_key(), u.dedup_key());
    assert_eq!(
        u.dedup_key().as_str(),
        "17841400000000000:message_reaction:m1:unreact:1254:1569262486200"
    );
}

#[test]
fn ephemeral_without_payload() {
    let event = one(&message_with(r#"[{"type":"ephemeral"}]"#));
    let EventPayload::Message(message) = event.payload() else {
        panic!()
    };
    assert_eq!(message.attachments(), [Attachment::Ephemeral(None)]);
    // Serializes back without a payload key.
    let json = serde_json::to_string(&message.attachments()[0]).unwrap();
    assert_eq!(json, r#"{"type":"ephemeral"}"#);
}

#[test]
fn like_heart_with_empty_payload() {
    let event = one(&message_with(r#"[{"type":"like_heart","payload":{}}]"#));
    let EventPayload::Message(message) = event.payload() else {
        panic!()
    };
    let [Attachment::LikeHeart(Some(payload))] = message.attachments() else {
        panic!("{message:?}")
    };
    assert_eq!(payload.url, None);
    let json = serde_json::to_string(&message.attachments()[0]).unwrap();
    assert_eq!(json, r#"{"type":"like_heart","payload":{}}"#);
}

#[test]
fn share_and_ig_post_pair_keeps_both_in_order() {
    let attachments = r#"[
        {"type":"share","payload":{"url":"https:\/\/lookaside.fbsbx.com\/ig_messaging_cdn\/?asset_id=18139494541428835"}},
        {"type":"ig_post","payload":{"ig_post_media_id":"18139494541428835","title":"Build a workspace","url":"https:\/\/lookaside.fbsbx.com\/ig_messaging_cdn\/?asset_id=18139494541428835"}}
    ]"#;
    let event = one(&message_with(attachments));
    let EventPayload::Message(message) = event.payload() else {
        panic!()
    };
    let [
        Attachment::Share(Some(share)),
        Attachment::IgPost(Some(post)),
    ] = message.attachments()
    else {
        panic!("{message:?}")
    };
    assert_eq!(
        share.url.as_deref(),
        Some("https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=18139494541428835")
    );
    assert_eq!(post.ig_post_media_id.as_deref(), Some("18139494541428835"));
    assert_eq!(post.title.as_deref(), Some("Build a workspace"));
    assert_eq!(share.url, post.url);
    assert_eq!(event.kind(), EventKind::Message);
}

#[test]
fn insights_minus_one_and_missing_metrics() {
    let event = one(&change(
        "story_insights",
        r#"{"media_id":"18023345989012587","exits":-1,"replies":-1,"reach":17,"impressions":28}"#,
    ));
    let EventPayload::StoryInsights(insights) = event.payload() else {
        panic!()
    };
    assert_eq!(insights.exits, Some(-1));
    assert_eq!(insights.replies, Some(-1));
    assert_eq!(insights.reach, Some(17));
    assert_eq!(insights.taps_forward, None);
    assert_eq!(
        event.dedup_key().as_str(),
        "17841400000000000:story_insights:18023345989012587:1519399307"
    );
}

#[test]
fn unknown_key_is_ignored_leniently_and_rejected_strictly() {
    let body = messaging(
        r#"{"sender":{"id":"1","is_verified_user":true},"timestamp":1569262485349,"message":{"mid":"m1","text":"hi","brand_new":1}}"#,
    );
    let results = results(&body);
    if cfg!(feature = "strict") {
        let error = results[0].as_ref().unwrap_err();
        assert!(error.to_string().contains("unknown field"), "{error}");
        assert!(error.raw.as_ref().unwrap().get().contains("brand_new"));
    } else {
        let event = results[0].as_ref().unwrap();
        assert_eq!(event.kind(), EventKind::Message);
        // Nothing is lost: the raw item still has the new keys.
        assert!(event.raw().get().contains("brand_new"));
    }
}

#[test]
fn unknown_changes_field_and_unknown_messaging_key_are_unknown_events() {
    let event = one(&change("story_replies", r#"{"new":"thing"}"#));
    let EventPayload::Unknown(unknown) = event.payload() else {
        panic!()
    };
    assert_eq!(unknown.field, "story_replies");
    assert_eq!(unknown.raw.get(), r#"{"new":"thing"}"#);
    assert!(
        event
            .dedup_key()
            .as_str()
            .starts_with("17841400000000000:unknown:story_replies:sha256:")
    );
    assert_eq!(
        event.dedup_key().as_str().len(),
        "17841400000000000:unknown:story_replies:sha256:".len() + 64
    );

    if !cfg!(feature = "strict") {
        let body = messaging(
            r#"{"sender":{"id":"1"},"timestamp":1,"policy_enforcement":{"action":"block"}}"#,
        );
        let event = one(&body);
        let EventPayload::Unknown(unknown) = event.payload() else {
            panic!()
        };
        assert_eq!(unknown.field, "policy_enforcement");
        assert_eq!(event.sender().unwrap().id, "1");
    }
}

#[test]
fn unknown_attachment_type_keeps_name_and_payload() {
    let event = one(&message_with(
        r#"[{"payload":{"hologram_id":7,"depth":[1,2]},"type":"hologram"}]"#,
    ));
    let EventPayload::Message(message) = event.payload() else {
        panic!()
    };
    let [Attachment::Other { type_name, payload }] = message.attachments() else {
        panic!()
    };
    assert_eq!(type_name, "hologram");
    assert_eq!(
        payload.as_ref().unwrap().get(),
        r#"{"hologram_id":7,"depth":[1,2]}"#
    );
    let json = serde_json::to_string(&message.attachments()[0]).unwrap();
    assert_eq!(
        json,
        r#"{"type":"hologram","payload":{"hologram_id":7,"depth":[1,2]}}"#
    );
}

#[test]
fn key_order_shuffled_gives_the_same_events() {
    let ordered = r#"{"object":"instagram","entry":[{"id":"1784","time":1756217841,"changes":[{"field":"comments","value":{"id":"18054","text":"Great","from":{"id":"1784","username":"me","self_ig_scoped_id":"7466"},"media":{"id":"1803","media_product_type":"FEED"},"parent_id":"1792"}}]}]}"#;
    let shuffled = r#"{"entry":[{"changes":[{"value":{"parent_id":"1792","media":{"media_product_type":"FEED","id":"1803"},"from":{"self_ig_scoped_id":"7466","username":"me","id":"1784"},"text":"Great","id":"18054"},"field":"comments"}],"time":1756217841,"id":"1784"}],"object":"instagram"}"#;
    let (a, b) = (one(ordered), one(shuffled));
    assert_eq!(a.payload(), b.payload());
    assert_eq!(a.entry_time(), b.entry_time());
    assert_eq!(a.dedup_key(), b.dedup_key());
    assert_eq!(a.dedup_key().as_str(), "1784:comment:18054");
    let EventPayload::Comment(comment) = a.payload() else {
        panic!()
    };
    assert!(comment.is_self());
    assert!(comment.is_reply());
}

#[test]
fn fb_login_comment_id_is_the_dedup_id() {
    let event = one(&change(
        "live_comments",
        r#"{"comment_id":"17894","text":"hey","media":{"id":"1","ad_id":"9"}}"#,
    ));
    assert_eq!(event.kind(), EventKind::LiveComment);
    assert_eq!(
        event.dedup_key().as_str(),
        "17841400000000000:live_comment:17894"
    );
}

#[test]
fn story_mention_is_its_own_kind_even_as_echo() {
    let body = messaging(
        r#"{"sender":{"id":"1784"},"recipient":{"id":"1"},"timestamp":1569262485349,"message":{"mid":"m5","is_echo":true,"attachments":[{"type":"story_mention","payload":{"url":"https:\/\/cdn"}}]}}"#,
    );
    let event = one(&body);
    assert_eq!(event.kind(), EventKind::StoryMention);
    assert_eq!(event.kind().as_str(), "story_mention");
    let EventPayload::StoryMention(message) = event.payload() else {
        panic!()
    };
    assert!(message.is_echo);
    assert_eq!(message.attachments()[0].url(), Some("https://cdn"));
    assert_eq!(
        event.dedup_key().as_str(),
        "17841400000000000:story_mention:m5"
    );
}

#[test]
fn standby_items_say_so() {
    let body = r#"{"object":"instagram","entry":[{"id":"1784","time":1569262486134,"standby":[{"sender":{"id":"1"},"recipient":{"id":"1784"},"timestamp":1569262485349,"message":{"mid":"m1","text":"x"}}]}]}"#;
    let event = one(body);
    assert_eq!(event.container(), Container::Standby);
    assert!(event.is_standby());
    assert_eq!(event.kind(), EventKind::Message);
}

#[test]
fn ids_accept_numbers_keep_every_digit_and_refuse_floats() {
    // 2^53 + 1 and a 19-digit id: beyond f64 precision, within u64.
    let body = r#"{"entry":[{"id":17841405726653026,"time":1,"changes":[{"field":"mentions","value":{"media_id":9007199254740993,"comment_id":"17894227972186120"}}]}]}"#;
    let event = one(body);
    assert_eq!(event.account_id(), "17841405726653026");
    let EventPayload::Mention(mention) = event.payload() else {
        panic!()
    };
    assert_eq!(mention.media_id, "9007199254740993");
    let u64_max = r#"{"entry":[{"id":"1","changes":[{"field":"mentions","value":{"media_id":18446744073709551615}}]}]}"#;
    let EventPayload::Mention(mention) = one(u64_max).into_payload() else {
        panic!()
    };
    assert_eq!(mention.media_id, "18446744073709551615");

    // Beyond 2^64 or fractional: an error for that item only, never a rounded id.
    let body = r#"{"entry":[{"id":"1","changes":[
        {"field":"mentions","value":{"media_id":18446744073709551616}},
        {"field":"mentions","value":{"media_id":1.5}},
        {"field":"mentions","value":{"media_id":"3"}}]}]}"#;
    let all = results(body);
    assert_eq!(all.len(), 3);
    for error in [&all[0], &all[1]] {
        let error = error.as_ref().unwrap_err();
        assert!(matches!(error.kind, ItemErrorKind::Invalid(_)));
        assert!(
            error
                .to_string()
                .contains("an id must be a string or an integer"),
            "{error}"
        );
    }
    assert!(all[2].is_ok());
}

#[test]
fn escaped_strings_are_decoded() {
    let body = messaging(
        r#"{"sender":{"id":"1"},"message":{"mid":"m","text":"Ol\u00e1, testando amor \ud83e\udd70 a\/b"}}"#,
    );
    let event = one(&body);
    let EventPayload::Message(message) = event.payload() else {
        panic!()
    };
    assert_eq!(message.text.as_deref(), Some("Olá, testando amor 🥰 a/b"));
    // The raw JSON is byte for byte what Meta sent.
    assert!(event.raw().get().contains(r"\ud83e\udd70 a\/b"));
}

#[test]
fn handover_referral_and_optin() {
    let pass = change(
        "messaging_handover",
        r#"{"sender":{"id":"2494"},"recipient":{"id":"2494"},"timestamp":233445667,"pass_thread_control":{"previous_owner_app_id":"7772","new_owner_app_id":"7773","metadata":"testing"}}"#,
    );
    let event = one(&pass);
    let EventPayload::MessagingHandover(handover) = event.payload() else {
        panic!()
    };
    assert_eq!(handover.action(), "pass_thread_control");
    assert_eq!(handover.control().new_owner_app_id.as_deref(), Some("7773"));
    assert!(
        event
            .dedup_key()
            .as_str()
            .starts_with("17841400000000000:messaging_handover:sha256:")
    );

    let referral = messaging(
        r#"{"sender":{"id":"1"},"referral":{"ref":"r","source":"IGME_SOURCE_LINK","type":"OPEN_THREAD"}}"#,
    );
    let EventPayload::MessagingReferral(referral) = one(&referral).into_payload() else {
        panic!()
    };
    assert_eq!(referral.ref_.as_deref(), Some("r"));
    assert_eq!(referral.referral_type.as_deref(), Some("OPEN_THREAD"));

    let optin = messaging(
        r#"{"sender":{"id":"1"},"optin":{"type":"notification_messages","token_expiry_timestamp":2592000000}}"#,
    );
    let EventPayload::MessagingOptin(optin) = one(&optin).into_payload() else {
        panic!()
    };
    assert_eq!(optin.optin_type.as_deref(), Some("notification_messages"));
    assert_eq!(
        optin.token_expiry_timestamp.and_then(|t| t.value()),
        Some(2_592_000_000)
    );
}

#[test]
fn redelivery_gives_the_same_key_and_other_events_differ() {
    let body = messaging(
        r#"{"sender":{"id":"1"},"timestamp":5,"postback":{"mid":"p1","title":"t","payload":"x"}}"#,
    );
    let again = body.replace(r#""timestamp":5,"#, r#""timestamp":5, "#);
    assert_eq!(one(&body).dedup_key(), one(&again).dedup_key());
    let other = body.replace("p1", "p2");
    assert_ne!(one(&body).dedup_key(), one(&other).dedup_key());
    // Without mid, the key is a hash of the raw item.
    let no_mid = messaging(r#"{"sender":{"id":"1"},"postback":{"title":"t"}}"#);
    let key = one(&no_mid).dedup_key();
    assert!(
        key.as_str()
            .starts_with("17841400000000000:messaging_postback:sha256:"),
        "{key}"
    );
}

#[test]
fn malformed_changes_and_items_are_item_errors() {
    let body = r#"{"entry":[
        {"id":"1","changes":[{"value":{"media_id":"1"}},{"field":"mentions"},{"field":"mentions","value":{"media_id":"2"}}]},
        {"id":"2","messaging":[{"sender":{"id":"1"},"timestamp":1},{"message":{"mid":"m"}}]},
        {"id":"3"}
    ]}"#;
    let all = results(body);
    let kinds: Vec<_> = all
        .iter()
        .map(|r| r.as_ref().err().map(|e| e.kind.clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            Some(ItemErrorKind::MissingField),
            Some(ItemErrorKind::MissingValue),
            None,
            Some(ItemErrorKind::NoEvent),
            None,
            Some(ItemErrorKind::EmptyEntry),
        ]
    );
    let error = all[0].as_ref().unwrap_err();
    assert_eq!(
        (error.position.entry, error.position.item, error.container),
        (0, 0, Container::Changes)
    );
    assert_eq!(error.account_id, "1");
    let error = all[3].as_ref().unwrap_err();
    assert_eq!(
        (error.position.entry, error.position.item, error.container),
        (1, 0, Container::Messaging)
    );
    assert_eq!(
        error.to_string(),
        "entry 1, messaging[0]: messaging item carries no event"
    );
    assert_eq!(all[4].as_ref().unwrap().position().item, 1);
}

#[test]
fn item_errors_and_envelope_errors_read_back_after_serializing() {
    let body = r#"{"entry":[
        {"id":"1","changes":[{"value":{"media_id":"1"}},{"field":"mentions"},{"field":"mentions","value":{"media_id":2.5}}]},
        {"id":"2","messaging":[{"sender":{"id":"1"},"timestamp":1},{"message":{"text":"no mid"}}]},
        {"id":"3"},
        {"id":"4","changes":[{"field":"caf\u00e9"}],"standby":[{"reaction":{}}]}
    ]}"#;
    let errors: Vec<ItemError<'static>> =
        results(body).into_iter().filter_map(Result::err).collect();
    let kinds: Vec<_> = errors.iter().map(|e| e.kind.clone()).collect();
    assert!(
        matches!(
            kinds.as_slice(),
            [
                ItemErrorKind::MissingField,
                ItemErrorKind::MissingValue,
                ItemErrorKind::Invalid(_),
                ItemErrorKind::NoEvent,
                ItemErrorKind::Invalid(_),
                ItemErrorKind::EmptyEntry,
                ItemErrorKind::MissingValue,
                ItemErrorKind::Invalid(_),
            ]
        ),
        "{kinds:?}"
    );
    for error in &errors {
        let stored = serde_json::to_string(error).unwrap();
        let back: ItemError<'_> = serde_json::from_str(&stored).unwrap();
        assert_eq!(&back, error, "{stored}");
        assert_eq!(back.to_string(), error.to_string());
        assert_eq!(back.into_owned(), *error);
        let kind: ItemErrorKind =
            serde_json::from_str(&serde_json::to_string(&error.kind).unwrap()).unwrap();
        assert_eq!(kind, error.kind);
        if let ItemErrorKind::Invalid(json) = &error.kind {
            let back: JsonError =
                serde_json::from_str(&serde_json::to_string(json).unwrap()).unwrap();
            assert_eq!(&back, json);
            assert_eq!((back.line(), back.column()), (json.line(), json.column()));
        }
    }
    // An escaped `field` is kept through the round trip.
    assert_eq!(errors[6].field.as_deref(), Some("café"));

    let envelope = Notification::from_slice(b"[]").unwrap_err();
    let back: Error = serde_json::from_str(&serde_json::to_string(&envelope).unwrap()).unwrap();
    assert_eq!(back, envelope);
}

#[test]
fn only_a_non_envelope_fails_the_whole_body() {
    for body in [
        "",
        "not json",
        "[]",
        "42",
        r#"{"object":"instagram"}"#,
        r#"{"entry":{}}"#,
        r#"{"entry":[1]}"#,
    ] {
        let error = Notification::from_slice(body.as_bytes()).unwrap_err();
        let Error::Envelope(json) = &error else {
            panic!()
        };
        assert!(!json.message().is_empty());
        assert!(
            error
                .to_string()
                .starts_with("body is not an Instagram webhook envelope"),
            "{error}"
        );
    }
    let empty = Notification::from_slice(br#"{"entry":[]}"#).unwrap();
    assert_eq!(empty.events().count(), 0);
}

/// JSON does not say which of two equal keys wins; a messaging item with a repeated key is an
/// item error (its neighbours still decode), never a silent choice.
#[test]
fn duplicate_keys_in_a_messaging_item_are_an_item_error() {
    let good = r#"{"sender":{"id":"1"},"recipient":{"id":"2"},"timestamp":1569262485349,"message":{"mid":"m0","text":"ok"}}"#;
    for duplicated in [
        r#"{"sender":{"id":"1"},"timestamp":1569262485349,"message":{"mid":"m1","text":"a"},"message":{"mid":"m2","text":"b"}}"#,
        r#"{"sender":{"id":"1"},"sender":{"id":"3"},"timestamp":1569262485349,"message":{"mid":"m1"}}"#,
    ] {
        let body = messaging(&format!("{good},{duplicated}"));
        let all = results(&body);
        assert_eq!(all.len(), 2);
        assert!(all[0].is_ok());
        let error = all[1].as_ref().unwrap_err();
        assert!(error.to_string().contains("duplicate field"), "{error}");
        assert!(error.raw.is_some());
    }
}

/// An item that does not decode from a notification does not decode from
/// its stored (serialized) form either: a change without `field` is not
/// read as a messaging item.
#[test]
fn a_stored_item_error_does_not_decode_as_an_event() {
    let body = br#"{"object":"instagram","entry":[{"id":"1784","time":1700000000,"changes":[
      {"value":{"sender":{"id":"42"},"recipient":{"id":"1784"},"timestamp":1700000000000,
       "message":{"mid":"m1","text":"hi"}}}]}]}"#;
    let notification = Notification::from_slice(body).unwrap();
    let error = notification.events().next().unwrap().unwrap_err();
    assert_eq!(error.kind, ItemErrorKind::MissingField);
    let stored = serde_json::to_string(&error).unwrap();
    let decoded = serde_json::from_str::<Event<'_>>(&stored);
    assert!(decoded.is_err(), "decoded {decoded:?}");
}

/// The same for a change of an unknown field without a value (found by the
/// `stored_item` fuzz target).
#[test]
fn a_stored_change_without_value_does_not_decode_as_an_unknown_event() {
    let body = br#"{"object":"instagram","entry":[{"id":"0","changes":[{"field":"stOry_insights","value":null}]}]}"#;
    let notification = Notification::from_slice(body).unwrap();
    let error = notification.events().next().unwrap().unwrap_err();
    assert_eq!(error.kind, ItemErrorKind::MissingValue);
    let stored = serde_json::to_string(&error).unwrap();
    let decoded = serde_json::from_str::<Event<'_>>(&stored);
    assert!(decoded.is_err(), "decoded {decoded:?}");
}
