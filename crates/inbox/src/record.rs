//! What a delivery becomes in the store: its row, and one row per item.
//! Pure: no database here, so it is tested (and fuzzed) on its own.

use std::borrow::Cow;

use bytes::Bytes;
use instagram_webhook_core::receive::{Delivery, Origin, RejectedPayload};
use instagram_webhook_core::types::{Event, EventPayload, EventResult, ItemError};
use sha2::{Digest, Sha256};

use crate::item;
use crate::retry::RetryPolicy;
use crate::time;

/// The kind stored for an item that could not be decoded (a dead letter
/// from the start, with its error).
pub const UNDECODABLE: &str = "undecodable";

/// A delivery ready to be written.
#[derive(Debug, Clone)]
pub(crate) struct NewDelivery {
    pub(crate) received_at: i64,
    pub(crate) path: String,
    pub(crate) app: Option<String>,
    pub(crate) secret_index: i64,
    pub(crate) body: Bytes,
    pub(crate) rejected_reason: Option<String>,
    pub(crate) items: Vec<NewItem>,
}

/// One item of a delivery, ready to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewItem {
    pub(crate) kind: Cow<'static, str>,
    pub(crate) account_id: String,
    pub(crate) dedup_key: String,
    pub(crate) order_key: Option<String>,
    pub(crate) container: &'static str,
    pub(crate) entry_index: i64,
    pub(crate) item_index: i64,
    /// The item document (see [`ItemDocument`]).
    pub(crate) item: String,
    pub(crate) max_attempts: i64,
    /// For an item that could not be decoded: why (stored as a dead letter).
    pub(crate) undecodable: Option<String>,
}

/// How items are turned into rows: which attempts they get, and whether
/// they are ordered.
#[derive(Debug, Clone)]
pub(crate) struct Recording<'p> {
    pub(crate) retry: &'p RetryPolicy,
    pub(crate) ordered: bool,
}

impl Recording<'_> {
    /// A verified envelope: its row and its items.
    pub(crate) fn delivery(&self, delivery: &Delivery) -> NewDelivery {
        let items = delivery
            .notification()
            .events()
            .map(|item| self.item(delivery.body(), item))
            .collect();
        new_delivery(delivery.origin(), delivery.body().clone(), None, items)
    }

    /// A verified body that is not an envelope: a row with its reason.
    pub(crate) fn rejected(&self, payload: &RejectedPayload) -> NewDelivery {
        new_delivery(
            payload.origin(),
            payload.body().clone(),
            Some(payload.reason().to_owned()),
            Vec::new(),
        )
    }

    fn item(&self, body: &[u8], item: EventResult<'_>) -> NewItem {
        match item {
            Ok(event) => self.event(&event),
            Err(error) => self.undecodable(body, &error),
        }
    }

    fn event(&self, event: &Event<'_>) -> NewItem {
        let context = event.context();
        let kind = event.kind().as_str();
        NewItem {
            kind: Cow::Borrowed(kind),
            account_id: context.account_id.as_str().to_owned(),
            dedup_key: event.dedup_key().into_string(),
            order_key: self.ordered.then(|| order_key(event)).flatten(),
            container: context.container.as_str(),
            entry_index: index(context.position.entry),
            item_index: index(context.position.item),
            item: item::encode(event),
            max_attempts: self.retry.max_attempts(kind),
            undecodable: None,
        }
    }

    fn undecodable(&self, body: &[u8], error: &ItemError<'_>) -> NewItem {
        // The item's own bytes identify it; an item without any (an empty
        // entry) is identified by the whole body and its position.
        let mut hash = Sha256::new();
        match error.raw.as_deref() {
            Some(raw) => hash.update(raw.get().as_bytes()),
            None => {
                hash.update(body);
                hash.update(format!("{}:{}", error.position.entry, error.position.item));
            }
        }
        let account = error.account_id.as_str();
        NewItem {
            kind: Cow::Borrowed(UNDECODABLE),
            account_id: account.to_owned(),
            dedup_key: format!(
                "{account}:{UNDECODABLE}:sha256:{}",
                hex::encode(hash.finalize())
            ),
            order_key: None,
            container: error.container.as_str(),
            entry_index: index(error.position.entry),
            item_index: index(error.position.item),
            item: item::encode_error(error),
            max_attempts: 1,
            undecodable: Some(error.to_string()),
        }
    }
}

fn new_delivery(
    origin: &Origin,
    body: Bytes,
    rejected_reason: Option<String>,
    items: Vec<NewItem>,
) -> NewDelivery {
    NewDelivery {
        received_at: time::millis(origin.received_at),
        path: origin.path.to_string(),
        app: origin.app.as_deref().map(str::to_owned),
        secret_index: index(origin.secret_index),
        body,
        rejected_reason,
        items,
    }
}

/// The key whose events go to handlers one at a time, in order: a
/// conversation (account and the other participant) for messaging events,
/// a media's comments (account and media) for comments.
pub(crate) fn order_key(event: &Event<'_>) -> Option<String> {
    let account = event.account_id().as_str();
    match event.payload() {
        EventPayload::Comment(comment) | EventPayload::LiveComment(comment) => {
            let media = comment.media.as_ref()?.id.as_ref()?;
            Some(format!("{account}:media:{}", media.as_str()))
        }
        _ => {
            let sender = event.sender().map(|p| p.id.as_str());
            let recipient = event.recipient().map(|p| p.id.as_str());
            let other = match (sender, recipient) {
                (Some(sender), _) if sender != account => sender,
                (_, Some(recipient)) => recipient,
                (Some(sender), None) => sender,
                (None, None) => return None,
            };
            Some(format!("{account}:conversation:{other}"))
        }
    }
}

fn index(position: usize) -> i64 {
    i64::try_from(position).unwrap_or(i64::MAX)
}
