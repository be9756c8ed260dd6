//! `--forward-to URL`: each event sent as a JSON `POST` to your application,
//! signed the Standard Webhooks way.
//!
//! The answer decides: 2xx is done; 429 and 503 are retried after their
//! `Retry-After` (else by the inbox's policy); 4xx other than 408, 409, 425
//! and 429 give up at once (a dead letter: your application refused the
//! event itself); every other answer, a timeout and a refused connection
//! are retried by the inbox's policy.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use instagram_webhook_inbox::{Failure, Job};
use reqwest::StatusCode;
use sha2::Sha256;

use super::event_json;
use crate::error::{Error, Result};

/// A Standard Webhooks secret: `whsec_` and the key in base64.
#[derive(Clone)]
pub(crate) struct ForwardSecret {
    key: Vec<u8>,
}

impl std::fmt::Debug for ForwardSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ForwardSecret(..)")
    }
}

impl ForwardSecret {
    /// Reads `whsec_<base64>`.
    pub(crate) fn parse(text: &str) -> Result<Self> {
        let encoded = text.strip_prefix("whsec_").unwrap_or(text);
        let key = STANDARD.decode(encoded.trim()).map_err(|_| {
            Error::new(
                "bad forwarding secret: expected whsec_ and base64 (as Standard Webhooks libraries print)",
            )
        })?;
        if key.len() < 24 {
            return Err(Error::new(
                "bad forwarding secret: the key needs at least 24 bytes",
            ));
        }
        Ok(Self { key })
    }

    /// A new random secret.
    pub(crate) fn generate() -> Result<Self> {
        let mut key = vec![0u8; 32];
        getrandom::fill(&mut key).map_err(|error| {
            Error::new(format!("no random source for a forwarding secret: {error}"))
        })?;
        Ok(Self { key })
    }

    /// As Standard Webhooks libraries take it.
    pub(crate) fn to_text(&self) -> String {
        format!("whsec_{}", STANDARD.encode(&self.key))
    }

    /// The `webhook-signature` value of a message.
    pub(crate) fn sign(&self, id: &str, timestamp: u64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key size");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

/// POSTs each event to one URL.
#[derive(Debug)]
pub(crate) struct Forward {
    client: reqwest::Client,
    url: reqwest::Url,
    secret: ForwardSecret,
}

impl Forward {
    pub(crate) fn new(url: &str, secret: ForwardSecret, timeout: Duration) -> Result<Self> {
        let url = crate::http::url(url, "--forward-to")?;
        let client = crate::http::client(timeout)?;
        Ok(Self {
            client,
            url,
            secret,
        })
    }

    pub(crate) async fn handle(&self, job: Job) -> Result<(), Failure> {
        let body = serde_json::to_vec(&event_json(&job)).map_err(Failure::give_up)?;
        let id = format!("evt_{}", job.id.0);
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        let signature = self.secret.sign(&id, timestamp, &body);
        let response = self
            .client
            .post(self.url.clone())
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await
            .map_err(|error| Failure::retry(format!("forward to {}: {error}", self.url)))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let message = format!("{} answered {status}", self.url);
        Err(match status {
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => match retry_after {
                Some(delay) => Failure::retry_after(delay, message),
                None => Failure::retry(message),
            },
            StatusCode::REQUEST_TIMEOUT | StatusCode::CONFLICT | StatusCode::TOO_EARLY => {
                Failure::retry(message)
            }
            status if status.is_client_error() => Failure::give_up(message),
            _ => Failure::retry(message),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_like_the_standard_webhooks_reference() {
        // The Standard Webhooks specification's example.
        let secret = ForwardSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            secret.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        assert!(ForwardSecret::parse("not base64!").is_err());
        assert_eq!(
            ForwardSecret::parse(&secret.to_text()).unwrap().key,
            secret.key
        );
    }
}
