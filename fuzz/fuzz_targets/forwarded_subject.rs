//! Arbitrary forwarded client certificate subjects into the distinguished-name parser and
//! the forwarded-certificate policy, checked against properties written here:
//!
//! - nothing panics, and the policy accepts exactly when the subject is valid UTF-8, sent
//!   once, and its one common name is the expected one (ignoring ASCII case);
//! - a common name the parser returns, escaped again the RFC 4514 way (written here), parses
//!   back to itself, in any attribute position.
#![no_main]

use instagram_webhook_core::client_cert::{
    ClientCertError, ForwardedClientCert, META_CLIENT_CERT_NAME, common_name,
};
use libfuzzer_sys::fuzz_target;

/// RFC 4514 escaping of an attribute value: specials backslash-escaped, a leading `#` or
/// space and a trailing space escaped, control characters as `\XX`.
fn escape(value: &str) -> String {
    let mut out = String::new();
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        match c {
            ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=' => {
                out.push('\\');
                out.push(c);
            }
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || i == last => out.push_str("\\ "),
            c if c.is_ascii_control() => out.push_str(&format!("\\{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn policy() -> &'static ForwardedClientCert {
    static POLICY: std::sync::OnceLock<ForwardedClientCert> = std::sync::OnceLock::new();
    POLICY.get_or_init(|| {
        ForwardedClientCert::from_proxies(["127.0.0.0/8".parse().expect("a network")])
    })
}

fuzz_target!(|data: &[u8]| {
    let peer = "127.0.0.1".parse().ok();
    let checked = policy().check(peer, [data]);
    let Ok(text) = std::str::from_utf8(data) else {
        assert_eq!(checked, Err(ClientCertError::Malformed));
        return;
    };
    let parsed = common_name(text);
    if text.trim().is_empty() {
        assert_eq!(checked, Err(ClientCertError::Missing));
        return;
    }
    match &parsed {
        Ok(name) if name.eq_ignore_ascii_case(META_CLIENT_CERT_NAME) => assert_eq!(checked, Ok(())),
        Ok(_) => assert_eq!(checked, Err(ClientCertError::WrongName)),
        Err(error) => assert_eq!(checked, Err(*error)),
    }
    // Sent twice, it is refused whatever it says.
    assert_eq!(
        policy().check(peer, [data, data]),
        Err(ClientCertError::Repeated)
    );

    if let Ok(name) = parsed {
        let escaped = escape(&name);
        for dn in [
            format!("CN={escaped}"),
            format!("O=Meta\\, Inc.,CN={escaped},C=US"),
            format!("OU=a+CN={escaped};L=b"),
        ] {
            // Leading and trailing spaces of a value are not kept by the parser.
            if name.trim() == name {
                assert_eq!(common_name(&dn).as_deref(), Ok(name.as_str()), "{dn:?}");
            } else {
                let _ = common_name(&dn);
            }
        }
    }
});
