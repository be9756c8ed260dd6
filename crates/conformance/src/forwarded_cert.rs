//! A proxy that terminates TLS and forwards the client certificate's
//! subject: the requests an adapter's test sends from 127.0.0.1, and what
//! each must get.

use instagram_webhook_core::client_cert::{
    CLIENT_CERT_SUBJECT_HEADER, ForwardedClientCert, META_CLIENT_CERT_NAME,
};
use instagram_webhook_core::receive::Receiver;

use crate::APP_SECRET;
use crate::harness::{Recorder, harness_builder, two_secrets};
use crate::requests::{comment_delivery, encoded_token, get, handshake_query, signed_post};
use crate::wire::TestRequest;

/// The subject nginx forwards for Meta's certificate (`$ssl_client_s_dn`).
pub const META_SUBJECT: &str =
    "CN=client.webhooks.fbclientcerts.com,O=Meta Platforms\\, Inc.,L=Menlo Park,ST=California,C=US";

/// One request of the suite: the proxies the receiver trusts, the request
/// (sent from 127.0.0.1), the status it must get and how many deliveries
/// must reach the handler.
#[derive(Debug)]
pub struct ForwardedCase {
    /// What the case shows.
    pub name: &'static str,
    /// The networks the receiver trusts, as `str::parse` reads them.
    pub proxies: &'static [&'static str],
    /// The request.
    pub request: TestRequest,
    /// The status and the number of deliveries handled.
    pub expected: (u16, usize),
}

impl ForwardedCase {
    /// A receiver like [`harness`](crate::harness)'s that trusts this case's
    /// proxies.
    ///
    /// # Panics
    /// When a proxy network does not parse (a suite bug).
    pub fn receiver(&self) -> (Receiver, Recorder) {
        let proxies = self
            .proxies
            .iter()
            .map(|net| net.parse().expect("a network"));
        let (builder, recorder) = harness_builder(two_secrets());
        let receiver = builder
            .forwarded_client_cert(ForwardedClientCert::from_proxies(proxies))
            .build();
        (receiver, recorder)
    }
}

fn delivery() -> TestRequest {
    signed_post(
        APP_SECRET,
        &comment_delivery("17841400000000001", "18000000000000001", "via proxy"),
    )
}

fn handshake() -> TestRequest {
    get(Some(&handshake_query("subscribe", &encoded_token(), "77")))
}

fn subject(request: TestRequest, value: &str) -> TestRequest {
    request.header(CLIENT_CERT_SUBJECT_HEADER, value)
}

const LOOPBACK: &[&str] = &["127.0.0.0/8", "::1/128"];

/// Every case, for a server on 127.0.0.1 that knows its peer address.
pub fn cases() -> Vec<ForwardedCase> {
    let case = |name, proxies, request, expected| ForwardedCase {
        name,
        proxies,
        request,
        expected,
    };
    let wrong = "CN=client.webhooks.example.com,O=Meta Platforms\\, Inc.";
    vec![
        case(
            "meta_subject_from_the_proxy",
            LOOPBACK,
            subject(delivery(), META_SUBJECT),
            (200, 1),
        ),
        case(
            "handshake_from_the_proxy",
            LOOPBACK,
            subject(handshake(), META_SUBJECT),
            (200, 0),
        ),
        case("no_subject", LOOPBACK, delivery(), (403, 0)),
        case("handshake_without_subject", LOOPBACK, handshake(), (403, 0)),
        case(
            "wrong_common_name",
            LOOPBACK,
            subject(delivery(), wrong),
            (403, 0),
        ),
        case(
            "name_only_outside_the_common_name",
            LOOPBACK,
            subject(delivery(), &format!("O={META_CLIENT_CERT_NAME}")),
            (403, 0),
        ),
        case(
            "subject_repeated",
            LOOPBACK,
            subject(subject(delivery(), META_SUBJECT), wrong),
            (403, 0),
        ),
        case(
            "meta_subject_from_an_untrusted_address",
            &["10.0.0.0/8"],
            subject(delivery(), META_SUBJECT),
            (403, 0),
        ),
        case(
            "no_proxy_trusted",
            &[],
            subject(delivery(), META_SUBJECT),
            (403, 0),
        ),
    ]
}
