//! Signs a comment delivery the way Meta does and verifies it.
//!
//! `cargo run --example sign_and_verify` (uses `INSTAGRAM_APP_SECRET` when set,
//! a comma-separated list for rotation; otherwise a development secret).

use instagram_webhook_core::test_kit::{sign, to_meta_json};
use instagram_webhook_core::{AppSecret, Verifier};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secrets = std::env::var("INSTAGRAM_APP_SECRET").unwrap_or_else(|_| {
        eprintln!("INSTAGRAM_APP_SECRET is not set: using the development secret \"dev-secret\"");
        "dev-secret".to_owned()
    });
    let verifier = Verifier::from_comma_separated(&secrets)?;
    let signing_secret = AppSecret::new(secrets.split(',').next().unwrap_or_default().trim())?;

    let delivery = serde_json::json!({
        "entry": [{
            "id": "17841400000000000",
            "time": 1_756_217_841,
            "changes": [{
                "value": {
                    "from": {"id": "1234567890", "username": "zoë"},
                    "media": {"id": "18000000000000000", "media_product_type": "FEED"},
                    "id": "18100000000000000",
                    "text": "Très joli 😍 https://example.com/p/1"
                },
                "field": "comments"
            }]
        }],
        "object": "instagram"
    });

    let body = to_meta_json(&delivery)?;
    let header = sign(&signing_secret, &body);
    println!("body:      {}", String::from_utf8_lossy(&body));
    println!("verified:  {:?}", verifier.verify([&header], &body));

    let reserialized = serde_json::to_vec(&serde_json::from_slice::<serde_json::Value>(&body)?)?;
    println!(
        "re-serialized body: {}",
        String::from_utf8_lossy(&reserialized)
    );
    println!("verified:  {:?}", verifier.verify([&header], &reserialized));
    Ok(())
}
