//! Property test: `Notification::from_slice` (UTF-8 checked once, then
//! `serde_json::from_str`) accepts exactly the bodies `serde_json::from_slice`
//! accepts, with the same result, and fails where it fails, at the same
//! position: on every fixture, and on fixtures with one byte replaced (often
//! invalid UTF-8, a broken escape or broken JSON).

use std::path::Path;

use instagram_webhook_types::{Error, Notification};
use proptest::prelude::*;

fn fixtures() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut bodies: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .expect("fixtures directory")
        .map(|entry| std::fs::read(entry.expect("fixture").path()).expect("fixture bytes"))
        .collect();
    bodies.sort();
    assert!(bodies.len() > 10, "the fixtures are there");
    bodies
}

/// Both parsers on `body`: the same notification, or errors at the same place.
fn agree(body: &[u8]) -> Result<(), TestCaseError> {
    let ours = Notification::from_slice(body);
    let theirs = serde_json::from_slice::<Notification<'_>>(body);
    match (ours, theirs) {
        (Ok(ours), Ok(theirs)) => prop_assert_eq!(ours, theirs),
        (Err(Error::Envelope(ours)), Err(theirs)) => {
            prop_assert_eq!(
                (ours.line(), ours.column()),
                (theirs.line(), theirs.column())
            );
            prop_assert_eq!(ours.message(), theirs.to_string());
        }
        (ours, theirs) => prop_assert!(
            false,
            "from_slice gave {:?}, serde_json {:?}",
            ours.map(|_| ()),
            theirs.map(|_| ())
        ),
    }
    Ok(())
}

#[test]
fn every_fixture_parses_the_same() {
    for body in fixtures() {
        agree(&body).expect("same result");
    }
}

proptest! {
    #[test]
    fn one_byte_changed_parses_the_same(
        pick in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let bodies = fixtures();
        let mut body = pick.get(&bodies).clone();
        let at = at.index(body.len());
        body[at] = byte;
        agree(&body)?;
    }
}
