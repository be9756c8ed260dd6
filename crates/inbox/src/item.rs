//! The stored form of an item, from which the event is decoded again for
//! each attempt.
//!
//! An event is stored as its serialization ([`Event`]'s self-describing
//! object: context, kind, dedup key, payload and the raw item as Meta sent
//! it); an item that could not be decoded, as its [`ItemError`]. Both carry
//! what an [`Event`] deserializes from (account, entry time, container,
//! field, position, raw item), so the event is always decoded again from
//! Meta's bytes: a newer version of the types can decode an item an older
//! one could not, and a replayed dead letter gets that chance.
//!
//! ```
//! use instagram_webhook_core::types::Notification;
//! use instagram_webhook_inbox::item;
//!
//! let body = br#"{"object":"instagram","entry":[{"id":"1784","time":1569262486134,"messaging":[
//!   {"sender":{"id":"42"},"recipient":{"id":"1784"},"timestamp":1569262485349,"message":{"mid":"m1","text":"hi"}}]}]}"#;
//! let notification = Notification::from_slice(body)?;
//! let event = notification.events().next().unwrap().map_err(|e| e.to_string())?;
//!
//! let stored = item::encode(&event);
//! assert_eq!(item::decode(&stored)?, event.into_owned());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`ItemError`]: instagram_webhook_core::types::ItemError

use instagram_webhook_core::types::{Event, ItemError};

/// The stored form of `event`.
pub fn encode(event: &Event<'_>) -> String {
    serialize(event)
}

/// The stored form of an item that could not be decoded.
pub(crate) fn encode_error(error: &ItemError<'_>) -> String {
    serialize(error)
}

fn serialize(value: &impl serde::Serialize) -> String {
    // Ids, numbers, strings and raw JSON that was already valid: serializing
    // them cannot fail.
    serde_json::to_string(value).unwrap_or_else(|_| String::from("null"))
}

/// The event of a stored item ([`EventRecord::item`](crate::EventRecord::item)).
///
/// # Errors
/// When the text is not a stored item, or its item does not decode as its
/// kind (an item stored as `undecodable`, unless a newer version of the
/// types can read it).
pub fn decode(item: &str) -> Result<Event<'static>, serde_json::Error> {
    serde_json::from_str::<Event<'_>>(item).map(Event::into_owned)
}

#[cfg(test)]
mod tests {
    use instagram_webhook_core::types::Notification;

    /// The stored forms are the types' own serializations, which the
    /// `stored_item` fuzz target covers.
    #[test]
    fn the_stored_forms_are_the_types_serializations() {
        let body = br#"{"object":"instagram","entry":[{"id":"1784","time":1700000000,"changes":[
          {"field":"comments","value":{"id":"c1","text":"hi"}},{"value":{"id":"c2"}}]}]}"#;
        let notification = Notification::from_slice(body).unwrap();
        let mut items = notification.events();
        let event = items.next().unwrap().unwrap();
        assert_eq!(
            super::encode(&event),
            serde_json::to_string(&event).unwrap()
        );
        let error = items.next().unwrap().unwrap_err();
        let stored = super::encode_error(&error);
        assert_eq!(stored, serde_json::to_string(&error).unwrap());
        assert!(
            super::decode(&stored).is_err(),
            "an undecodable item stays so"
        );
    }
}
