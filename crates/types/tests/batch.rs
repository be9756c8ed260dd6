//! Large deliveries: every item yields exactly one result, and one bad item does not sink the
//! others.

use instagram_webhook_types::{Container, EventKind, ItemErrorKind, Notification};

fn item(i: usize) -> String {
    format!(
        r#"{{"sender":{{"id":"{}"}},"recipient":{{"id":"17841400000000000"}},"timestamp":{},"message":{{"mid":"mid-{i}","text":"message {i}"}}}}"#,
        1000 + i,
        1_700_000_000_000u64 + i as u64
    )
}

fn one_entry(items: &[String]) -> String {
    format!(
        r#"{{"object":"instagram","entry":[{{"id":"17841400000000000","time":1700000000000,"messaging":[{}]}}]}}"#,
        items.join(",")
    )
}

#[test]
fn a_thousand_items_yield_a_thousand_events_in_order() {
    let items: Vec<String> = (0..1000).map(item).collect();
    let body = one_entry(&items);
    let notification = Notification::from_slice(body.as_bytes()).unwrap();
    let events = notification.events();
    assert_eq!(events.len(), 1000);
    let mut count = 0;
    for (i, result) in events.enumerate() {
        let event = result.unwrap();
        assert_eq!(event.kind(), EventKind::Message);
        assert_eq!(event.position().item, i);
        assert_eq!(
            event.dedup_key().as_str(),
            format!("17841400000000000:message:mid-{i}")
        );
        count += 1;
    }
    assert_eq!(count, 1000);
}

#[test]
fn a_thousand_entries_of_mixed_containers() {
    let entries: Vec<String> = (0..1000)
        .map(|i| match i % 3 {
            0 => format!(r#"{{"id":"{i}","time":1700000000,"changes":[{{"value":{{"media_id":"{i}"}},"field":"mentions"}}]}}"#),
            1 => format!(r#"{{"id":"{i}","time":1700000000000,"messaging":[{}]}}"#, item(i)),
            _ => format!(r#"{{"id":"{i}","time":1700000000000,"standby":[{}]}}"#, item(i)),
        })
        .collect();
    let body = format!(
        r#"{{"entry":[{}],"object":"instagram"}}"#,
        entries.join(",")
    );
    let notification = Notification::from_slice(body.as_bytes()).unwrap();
    assert_eq!(notification.item_count(), 1000);
    let events: Vec<_> = notification.events().map(Result::unwrap).collect();
    assert_eq!(events.len(), 1000);
    for (i, event) in events.iter().enumerate() {
        assert_eq!(event.account_id().as_str(), i.to_string());
        assert_eq!(event.position().entry, i);
        let (container, kind) = match i % 3 {
            0 => (Container::Changes, EventKind::Mention),
            1 => (Container::Messaging, EventKind::Message),
            _ => (Container::Standby, EventKind::Message),
        };
        assert_eq!(
            (event.container(), event.kind()),
            (container, kind),
            "entry {i}"
        );
    }
}

#[test]
fn one_malformed_item_among_a_thousand() {
    let mut items: Vec<String> = (0..1000).map(item).collect();
    items[500] =
        r#"{"sender":{"id":"1"},"timestamp":1700000000500,"message":{"text":"no mid here"}}"#
            .to_owned();
    let body = one_entry(&items);
    let notification = Notification::from_slice(body.as_bytes()).unwrap();

    let (mut events, mut errors) = (0, Vec::new());
    let mut iter = notification.events();
    let mut remaining = iter.len();
    while let Some(result) = iter.next() {
        remaining -= 1;
        assert_eq!(iter.len(), remaining);
        match result {
            Ok(_) => events += 1,
            Err(error) => errors.push(error),
        }
    }
    assert_eq!(events, 999);
    assert_eq!(errors.len(), 1);
    let error = &errors[0];
    assert_eq!((error.position.entry, error.position.item), (0, 500));
    assert_eq!(error.container, Container::Messaging);
    assert!(
        matches!(&error.kind, ItemErrorKind::Invalid(json) if json.message().contains("missing field `mid`"))
    );
    assert!(error.raw.as_ref().unwrap().get().contains("no mid here"));
    assert!(
        error.to_string().starts_with("entry 0, messaging[500]: "),
        "{error}"
    );
}
