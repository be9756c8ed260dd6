//! Meta-faithful sample deliveries of every kind, shaped like the App
//! Dashboard's Test deliveries and live traffic (key order included: `value`
//! before `field`, `object` last), with current timestamps.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

/// Every kind [`sample`] knows, in the project's `snake_case` names.
pub const KINDS: [&str; 14] = [
    "comment",
    "live_comment",
    "mention",
    "story_mention",
    "message",
    "message_reaction",
    "messaging_postback",
    "messaging_seen",
    "story_insights",
    "message_edit",
    "messaging_referral",
    "messaging_optin",
    "messaging_handover",
    "unknown",
];

/// The business account the samples are addressed to.
const ACCOUNT: &str = "17841400000000001";
/// A customer's Instagram-scoped id.
const CUSTOMER: &str = "1234567890123456";

fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
        })
}

/// A `changes` delivery (entry time in seconds).
fn change(field: &str, value: Value) -> Value {
    json!({
        "entry": [{"id": ACCOUNT, "time": now_millis() / 1000, "changes": [{"value": value, "field": field}]}],
        "object": "instagram"
    })
}

/// A `messaging` delivery (times in milliseconds) with `event` merged into the item.
fn messaging(event: Value) -> Value {
    let now = now_millis();
    let mut item =
        json!({"sender": {"id": CUSTOMER}, "recipient": {"id": ACCOUNT}, "timestamp": now});
    if let (Some(item), Value::Object(event)) = (item.as_object_mut(), event) {
        item.extend(event);
    }
    json!({"object": "instagram", "entry": [{"time": now, "id": ACCOUNT, "messaging": [item]}]})
}

/// A unique-enough message id.
fn mid() -> String {
    format!("aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlE{}", now_millis())
}

/// A sample delivery of `kind`, or `None` for a kind it does not know.
pub fn sample(kind: &str) -> Option<Value> {
    let comment = || {
        json!({
            "from": {"id": CUSTOMER, "username": "zoë.test"},
            "media": {"id": "18060000000000001", "media_product_type": "FEED"},
            "id": format!("178{}", now_millis()),
            "text": "Très joli 😍 https://example.com/p/1"
        })
    };
    Some(match kind {
        "comment" => change("comments", comment()),
        "live_comment" => {
            let mut value = comment();
            value["media"]["media_product_type"] = json!("LIVE");
            change("live_comments", value)
        }
        "mention" => change(
            "mentions",
            json!({"media_id": "17887498072083520", "comment_id": format!("179{}", now_millis())}),
        ),
        "story_insights" => change(
            "story_insights",
            json!({"media_id": "17887498072083520", "impressions": 444, "reach": 44, "taps_forward": 4,
                   "taps_back": 3, "exits": 3, "replies": -1}),
        ),
        "message" => messaging(
            json!({"message": {"mid": mid(), "text": "Bonjour ! Vous livrez à Zürich ?"}}),
        ),
        "story_mention" => messaging(
            json!({"message": {"mid": mid(), "attachments": [{"type": "story_mention",
            "payload": {"url": "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=17890000000000000&signature=abc"}}]}}),
        ),
        "message_reaction" => messaging(
            json!({"reaction": {"mid": mid(), "action": "react", "reaction": "love", "emoji": "\u{2764}\u{fe0f}"}}),
        ),
        "messaging_postback" => messaging(
            json!({"postback": {"mid": mid(), "title": "Talk to a human", "payload": "TALK_TO_HUMAN"}}),
        ),
        "messaging_seen" => messaging(json!({"read": {"mid": mid()}})),
        "message_edit" => {
            messaging(json!({"message_edit": {"mid": mid(), "text": "edited text", "num_edit": 1}}))
        }
        "messaging_referral" => messaging(
            json!({"referral": {"ref": "summer-sale", "source": "IGME", "type": "OPEN_THREAD"}}),
        ),
        "messaging_optin" => messaging(
            json!({"optin": {"type": "notification_messages", "payload": "DEALS",
            "notification_messages_token": "123", "notification_messages_frequency": "DAILY",
            "token_expiry_timestamp": 2_592_000_000_u64, "user_token_status": "REFRESHED",
            "notification_messages_timezone": "UTC", "title": "Deals"}}),
        ),
        "messaging_handover" => messaging(
            json!({"pass_thread_control": {"previous_owner_app_id": "777292979687735",
            "new_owner_app_id": "777292979687736", "metadata": "handing over"}}),
        ),
        "unknown" => change(
            "brand_new_field",
            json!({"something": "Meta added", "count": 1}),
        ),
        _ => return None,
    })
}
