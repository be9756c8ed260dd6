//! The forwarded client certificate policy and the distinguished-name parser
//! under it, on arbitrary input.

use std::net::IpAddr;

use instagram_webhook_core::client_cert::{
    ClientCertError, ForwardedClientCert, META_CLIENT_CERT_NAME, common_name,
};
use proptest::prelude::*;

/// Every byte of `value` as a `\XX` escape.
fn hex_escaped(value: &str) -> String {
    value.bytes().map(|byte| format!("\\{byte:02x}")).collect()
}

fn policy() -> ForwardedClientCert {
    ForwardedClientCert::from_proxies([
        "192.0.2.0/24".parse().unwrap(),
        "2001:db8::/32".parse().unwrap(),
    ])
}

proptest! {
    /// Any common name, fully hex-escaped, anywhere among other attributes,
    /// parses back to itself.
    #[test]
    fn hex_escaped_names_round_trip(
        name in "\\PC{1,40}",
        before in prop::collection::vec("[A-Z]{1,3}=[a-z ]{0,8}", 0..3),
        after in prop::collection::vec("[A-Z]{1,3}=[a-z]{0,8}", 0..3),
        separator in prop::sample::select(vec![",", ";", "+"]),
    ) {
        prop_assume!(![&before, &after].iter().any(|list| list.iter().any(|a| a.starts_with("CN="))));
        let mut attributes = before;
        attributes.push(format!("CN={}", hex_escaped(&name)));
        attributes.extend(after);
        let dn = attributes.join(separator);
        prop_assert_eq!(common_name(&dn), Ok(name));
    }

    /// The policy never panics, and admits exactly Meta's name, sent once,
    /// from a trusted address.
    #[test]
    fn admits_exactly_meta_from_a_proxy(
        subjects in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..80), 0..3),
        peer in prop::option::of(any::<IpAddr>()),
    ) {
        let values: Vec<&[u8]> = subjects.iter().map(Vec::as_slice).collect();
        let checked = policy().check(peer, values.iter().copied());
        // An IPv4 address mapped into IPv6 is that IPv4 address.
        let canonical = peer.map(|peer| match peer {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(peer, IpAddr::V4),
            IpAddr::V4(_) => peer,
        });
        let trusted = canonical.is_some_and(|peer| {
            ["192.0.2.0/24", "2001:db8::/32"].iter().any(|net| {
                net.parse::<instagram_webhook_core::client_cert::IpNet>().unwrap().contains(&peer)
            })
        });
        let meta = values.len() == 1
            && std::str::from_utf8(values[0]).is_ok_and(|dn| common_name(dn).is_ok_and(|name| name.eq_ignore_ascii_case(META_CLIENT_CERT_NAME)));
        prop_assert_eq!(checked.is_ok(), trusted && meta);
        if peer.is_none() {
            prop_assert_eq!(checked, Err(ClientCertError::UnknownPeer));
        }
    }
}

#[test]
fn meta_from_an_ipv4_mapped_proxy_address() {
    let dn = format!("CN={META_CLIENT_CERT_NAME},O=Meta Platforms\\, Inc.");
    let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
    assert_eq!(policy().check(Some(mapped), [dn.as_bytes()]), Ok(()));
    let other = policy().expected_name("hooks.example.com");
    assert_eq!(
        other.check(Some(mapped), [dn.as_bytes()]),
        Err(ClientCertError::WrongName)
    );
}
