//! Property tests: signing and verifying agree, any change breaks the
//! signature, and every parser gives, for any input, the answer an oracle
//! written from the documented rules (not from the code) predicts.

use instagram_webhook_core::test_kit::{sign, to_meta_json};
use instagram_webhook_core::{
    AppSecret, HandshakeError, InvalidChallenge, Malformed, Signature, SignatureError, Verifier,
    VerifyToken, verify_handshake,
};
use proptest::prelude::*;

fn key() -> impl Strategy<Value = Vec<u8>> {
    // Non-blank keys: at least one byte that is not ASCII whitespace.
    (proptest::collection::vec(any::<u8>(), 0..80), 33_u8..=126).prop_map(|(mut bytes, tail)| {
        bytes.push(tail);
        bytes
    })
}

// ---------------------------------------------------------------------------
// Oracles, written from Meta's public documentation of the webhook, not from
// the code under test.

/// The whitespace HTTP allows around a header value (ASCII: space, tab,
/// line feed, form feed, carriage return).
const HEADER_WHITESPACE: &[u8] = b" \t\n\x0c\r";

fn trim_header_whitespace(mut value: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = value
        && HEADER_WHITESPACE.contains(first)
    {
        value = rest;
    }
    while let [rest @ .., last] = value
        && HEADER_WHITESPACE.contains(last)
    {
        value = rest;
    }
    value
}

/// What [`Signature::parse`] must say of one value, by its documented
/// grammar: surrounding whitespace is ignored; blank is `Missing`;
/// `sha256=` then exactly 64 hex digits (either case) is valid, another
/// length is `Length`, 64 non-hex characters `NotHex`; another
/// `algorithm=` prefix (lowercase letters and digits, then `=`) is
/// `UnsupportedAlgorithm`; anything else `Prefix`.
fn expected_parse(value: &[u8]) -> Result<(), SignatureError> {
    let value = trim_header_whitespace(value);
    if value.is_empty() {
        return Err(SignatureError::Missing);
    }
    if let Some(digits) = value.strip_prefix(b"sha256=") {
        return if digits.len() != 64 {
            Err(SignatureError::Malformed(Malformed::Length))
        } else if !digits.iter().all(u8::is_ascii_hexdigit) {
            Err(SignatureError::Malformed(Malformed::NotHex))
        } else {
            Ok(())
        };
    }
    let algorithm = value.split(|&byte| byte == b'=').next().unwrap_or_default();
    let names_algorithm = algorithm.len() < value.len()
        && !algorithm.is_empty()
        && algorithm
            .iter()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit());
    Err(if names_algorithm {
        SignatureError::UnsupportedAlgorithm
    } else {
        SignatureError::Malformed(Malformed::Prefix)
    })
}

/// How informative a failure is, as [`Verifier::verify`] documents:
/// `Mismatch`, then `UnsupportedAlgorithm`, `Malformed`, `Missing`.
fn informativeness(error: SignatureError) -> u8 {
    match error {
        SignatureError::Missing => 0,
        SignatureError::Malformed(_) => 1,
        SignatureError::UnsupportedAlgorithm => 2,
        _ => 3,
    }
}

/// What [`Verifier::verify`] must answer for these header values and a
/// body whose genuine MAC is `mac`: each value splits at commas into
/// candidates (blank ones skipped); a well-formed candidate equal to the
/// MAC (any case) verifies; else any well-formed one makes it `Mismatch`;
/// else the most informative failure, `Missing` when there was no
/// candidate at all. Returns every error the docs allow (ties between
/// `Malformed` details are not specified).
fn expected_verify(values: &[Vec<u8>], mac: &[u8]) -> Result<(), Vec<SignatureError>> {
    let candidates: Vec<&[u8]> = values
        .iter()
        .flat_map(|value| value.split(|&byte| byte == b','))
        .filter(|piece| !trim_header_whitespace(piece).is_empty())
        .collect();
    let mut well_formed = false;
    let mut errors = Vec::new();
    for candidate in &candidates {
        match expected_parse(candidate) {
            Ok(()) => {
                well_formed = true;
                let digits = &trim_header_whitespace(candidate)[b"sha256=".len()..];
                if hex::decode(digits).unwrap() == mac {
                    return Ok(());
                }
            }
            Err(error) => errors.push(error),
        }
    }
    if well_formed {
        return Err(vec![SignatureError::Mismatch]);
    }
    let best = errors.iter().copied().map(informativeness).max();
    match best {
        None => Err(vec![SignatureError::Missing]),
        Some(rank) => Err(errors
            .into_iter()
            .filter(|error| informativeness(*error) == rank)
            .collect()),
    }
}

/// Unicode's control characters (general category Cc).
fn is_control_character(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

/// What the handshake must do with a `hub.challenge` whose percent-decoded
/// bytes are `decoded`: refuse it exactly when it is empty, over 1 KiB, has
/// a control character or is not UTF-8, else send it back byte for byte.
///
/// `Ok` is the text to echo; `Err` lists the refusals that apply (the docs
/// do not rank them when several do).
fn expected_challenge(decoded: &[u8]) -> Result<&str, Vec<InvalidChallenge>> {
    let Ok(text) = std::str::from_utf8(decoded) else {
        // The decoder's lossy text may also be over the limit or hold a
        // control character, and those checks may come first.
        return Err(vec![
            InvalidChallenge::NotUtf8,
            InvalidChallenge::TooLong,
            InvalidChallenge::ControlCharacter,
        ]);
    };
    let mut refusals = Vec::new();
    if text.is_empty() {
        refusals.push(InvalidChallenge::Empty);
    }
    if text.len() > 1024 {
        refusals.push(InvalidChallenge::TooLong);
    }
    if text.chars().any(is_control_character) {
        refusals.push(InvalidChallenge::ControlCharacter);
    }
    // The documented rule for `NotUtf8`: the form decoder writes U+FFFD for
    // invalid bytes, so a challenge holding U+FFFD is refused whether it
    // came from invalid bytes or from a literal `%EF%BF%BD`. The strategies
    // below keep generating both.
    if text.contains('\u{fffd}') {
        refusals.push(InvalidChallenge::NotUtf8);
    }
    if refusals.is_empty() {
        Ok(text)
    } else {
        Err(refusals)
    }
}

/// The `hub.*` parameters of the handshake, in the order the docs check
/// them for presence.
const HUB_NAMES: [&str; 3] = ["hub.mode", "hub.verify_token", "hub.challenge"];

/// The verify token the handshake properties configure.
const TOKEN: &str = "t";

/// One query parameter, before encoding.
#[derive(Clone, Debug)]
struct Param {
    name: String,
    value: Vec<u8>,
    /// Percent-encode every byte (`%68%75...`), not just the reserved ones.
    fully_encoded: bool,
}

/// A generated handshake query: its parameters, with empty `&&` pieces
/// and a leading `?` that decoding must ignore.
#[derive(Clone, Debug)]
struct Query {
    params: Vec<Param>,
    empty_pieces: usize,
    question_mark: bool,
}

impl Query {
    fn encode(&self) -> String {
        let mut pieces: Vec<String> = self
            .params
            .iter()
            .map(|param| {
                let encode = |bytes: &[u8]| {
                    if param.fully_encoded {
                        fully_percent_encoded(bytes)
                    } else {
                        form_urlencoded::byte_serialize(bytes).collect()
                    }
                };
                format!("{}={}", encode(param.name.as_bytes()), encode(&param.value))
            })
            .collect();
        pieces.extend(std::iter::repeat_n(String::new(), self.empty_pieces));
        let query = pieces.join("&");
        if self.question_mark {
            format!("?{query}")
        } else {
            query
        }
    }
}

fn fully_percent_encoded(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("%{byte:02X}")).collect()
}

/// What [`verify_handshake`] must answer, by Meta's documentation and its own:
/// every `hub.*` parameter once (the first repeat, else the first missing
/// of mode, token, challenge, is named), mode `subscribe`, the token, then
/// the challenge rule of [`expected_challenge`]; other parameters ignored.
fn expected_handshake(query: &Query) -> Result<Vec<u8>, Vec<HandshakeError>> {
    let mut values: [Option<&[u8]>; 3] = [None; 3];
    for param in &query.params {
        if let Some(index) = HUB_NAMES.iter().position(|name| *name == param.name)
            && values[index].replace(param.value.as_slice()).is_some()
        {
            return Err(vec![HandshakeError::DuplicateParameter(HUB_NAMES[index])]);
        }
    }
    let [Some(mode), Some(token), Some(challenge)] = values else {
        let missing = values.iter().position(Option::is_none).unwrap();
        return Err(vec![HandshakeError::MissingParameter(HUB_NAMES[missing])]);
    };
    if mode != b"subscribe" {
        return Err(vec![HandshakeError::WrongMode]);
    }
    if token != TOKEN.as_bytes() {
        return Err(vec![HandshakeError::WrongToken]);
    }
    expected_challenge(challenge)
        .map(|text| text.as_bytes().to_vec())
        .map_err(|refusals| {
            refusals
                .into_iter()
                .map(HandshakeError::InvalidChallenge)
                .collect()
        })
}

/// The status of a refused handshake: 403 for a wrong mode or token, 400 for
/// anything that is not a well-formed handshake.
fn expected_status(error: &HandshakeError) -> u16 {
    match error {
        HandshakeError::WrongMode | HandshakeError::WrongToken => 403,
        _ => 400,
    }
}

// ---------------------------------------------------------------------------
// Strategies.

/// Header values of every shape: arbitrary bytes and text, and near misses
/// of `sha256=<64 hex>` (other prefixes, lengths around 64, non-hex digits,
/// whitespace HTTP trims and a vertical tab, which it does not).
fn header_value() -> impl Strategy<Value = Vec<u8>> {
    let space = || {
        prop_oneof![
            4 => Just(String::new()),
            2 => "[ \t\r\n\x0c]{1,2}",
            1 => Just("\x0b".to_owned()),
        ]
    };
    let prefix = prop_oneof![
        8 => Just("sha256=".to_owned()),
        1 => Just("sha1=".to_owned()),
        1 => Just("SHA256=".to_owned()),
        1 => Just("sha256".to_owned()),
        1 => Just(String::new()),
        1 => Just("=".to_owned()),
        1 => "[a-z0-9]{1,8}=",
        1 => "[A-Za-z0-9_-]{1,8}=",
    ];
    let digest = prop_oneof![
        4 => "[0-9a-fA-F]{64}",
        2 => "[0-9a-fA-F]{60,68}",
        2 => "[0-9a-f]{63}[g-zG-Z ,=]",
        1 => "[0-9a-fA-Fg-z \t,=]{0,80}",
    ];
    prop_oneof![
        1 => proptest::collection::vec(any::<u8>(), 0..100),
        1 => ".{0,100}".prop_map(String::into_bytes),
        4 => (space(), prefix, digest, space())
            .prop_map(|(a, prefix, digest, b)| format!("{a}{prefix}{digest}{b}").into_bytes()),
    ]
}

/// A challenge's decoded bytes, from every class the rule tells apart:
/// Meta's integers, any text, text with a control character or a literal
/// U+FFFD, lengths around 1 KiB in 1-, 2- and 4-byte characters, empty,
/// and raw bytes (mostly not UTF-8).
fn challenge() -> impl Strategy<Value = Vec<u8>> {
    let control = prop_oneof![0_u32..0x20, 0x7f_u32..0xa0].prop_map(|c| char::from_u32(c).unwrap());
    let with = |inserted: BoxedStrategy<char>| {
        (
            "[a-z0-9 +&=%]{0,20}",
            inserted,
            any::<prop::sample::Index>(),
        )
            .prop_map(|(text, c, at)| {
                let mut chars: Vec<char> = text.chars().collect();
                chars.insert(at.index(chars.len() + 1), c);
                chars.into_iter().collect::<String>().into_bytes()
            })
    };
    prop_oneof![
        3 => "[0-9]{1,20}".prop_map(String::into_bytes),
        3 => any::<String>().prop_map(String::into_bytes),
        2 => with(control.boxed()),
        1 => with(Just('\u{fffd}').boxed()),
        1 => "[0-9a-zA-Z+/=&% ]{1015,1035}".prop_map(String::into_bytes),
        1 => "é{505,520}".prop_map(String::into_bytes),
        1 => "🍕{250,260}".prop_map(String::into_bytes),
        1 => Just(Vec::new()),
        2 => proptest::collection::vec(any::<u8>(), 1..40),
    ]
}

/// Handshake queries: each `hub.*` parameter zero, one or two times (mostly
/// once), with right and wrong values, among unrelated parameters, in any
/// order and either encoding.
fn query() -> impl Strategy<Value = Query> {
    let count = || prop_oneof![16 => Just(1_usize), 1 => Just(0), 1 => Just(2)];
    let mode = prop_oneof![
        12 => Just(b"subscribe".to_vec()),
        1 => Just(b"Subscribe".to_vec()),
        1 => Just(b"subscribe ".to_vec()),
        1 => Just(Vec::new()),
        1 => ".{0,12}".prop_map(String::into_bytes),
    ];
    let token = prop_oneof![
        12 => Just(TOKEN.as_bytes().to_vec()),
        1 => Just(b"T".to_vec()),
        1 => Just(b"t ".to_vec()),
        1 => ".{0,12}".prop_map(String::into_bytes),
    ];
    let other = (
        "[a-z_.]{1,12}".prop_filter("not a hub parameter", |name| {
            !HUB_NAMES.contains(&name.as_str())
        }),
        ".{0,20}".prop_map(String::into_bytes),
    );
    (
        (count(), proptest::collection::vec(mode, 2)),
        (count(), proptest::collection::vec(token, 2)),
        (count(), proptest::collection::vec(challenge(), 2)),
        proptest::collection::vec(other, 0..3),
        proptest::collection::vec(any::<bool>(), 9),
        0_usize..3,
        any::<bool>(),
    )
        .prop_flat_map(
            |(modes, tokens, challenges, others, encodings, empty_pieces, question_mark)| {
                let mut params = Vec::new();
                for (name, (count, values)) in HUB_NAMES.iter().zip([modes, tokens, challenges]) {
                    for value in values.into_iter().take(count) {
                        params.push(((*name).to_owned(), value));
                    }
                }
                params.extend(others);
                let params: Vec<Param> = params
                    .into_iter()
                    .zip(encodings.into_iter().cycle())
                    .map(|((name, value), fully_encoded)| Param {
                        name,
                        value,
                        fully_encoded,
                    })
                    .collect();
                Just(params).prop_shuffle().prop_map(move |params| Query {
                    params,
                    empty_pieces,
                    question_mark,
                })
            },
        )
}

// ---------------------------------------------------------------------------
// Properties.

proptest! {
    #[test]
    fn sign_then_verify(key in key(), body in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let secret = AppSecret::from_bytes(key).unwrap();
        let header = sign(&secret, &body);
        prop_assert!(Verifier::new(secret).verify([header], &body).is_ok());
    }

    #[test]
    fn flipping_any_body_bit_fails(
        key in key(),
        body in proptest::collection::vec(any::<u8>(), 1..512),
        bit in any::<prop::sample::Index>(),
    ) {
        let secret = AppSecret::from_bytes(key).unwrap();
        let header = sign(&secret, &body);
        let mut tampered = body;
        let bit = bit.index(tampered.len() * 8);
        tampered[bit / 8] ^= 1 << (bit % 8);
        prop_assert_eq!(Verifier::new(secret).verify([header], &tampered).unwrap_err(), SignatureError::Mismatch);
    }

    #[test]
    fn flipping_any_signature_bit_fails(
        key in key(),
        body in proptest::collection::vec(any::<u8>(), 0..512),
        bit in 0_usize..256,
    ) {
        let secret = AppSecret::from_bytes(key).unwrap();
        let header = sign(&secret, &body);
        let mut digest = hex::decode(&header["sha256=".len()..]).unwrap();
        digest[bit / 8] ^= 1 << (bit % 8);
        let tampered = format!("sha256={}", hex::encode(digest));
        prop_assert_eq!(Verifier::new(secret).verify([tampered], &body).unwrap_err(), SignatureError::Mismatch);
    }

    /// Any header value, bytes or text, parses exactly as the documented
    /// grammar says (and never panics).
    #[test]
    fn signature_parse_follows_the_documented_grammar(value in header_value()) {
        let parsed = Signature::parse(&value).map(|_| ());
        prop_assert_eq!(parsed, expected_parse(&value), "{:?}", String::from_utf8_lossy(&value));
    }

    /// Any mix of header values, garbage, near misses and the genuine
    /// signature (any case, any surrounding whitespace), on separate lines
    /// or folded into one with commas, verifies exactly when the oracle
    /// says, with the error it predicts otherwise.
    #[test]
    fn verify_answers_as_the_oracle_predicts(
        body in proptest::collection::vec(any::<u8>(), 0..64),
        values in proptest::collection::vec(
            prop_oneof![
                3 => header_value().prop_map(Some),
                1 => Just(None),
            ],
            0..4,
        ),
        uppercase in any::<bool>(),
        padding in "[ \t]{0,2}",
        folded in any::<bool>(),
    ) {
        let secret = AppSecret::new("k").unwrap();
        let genuine = sign(&secret, &body);
        let genuine = if uppercase {
            format!("sha256={}", genuine[7..].to_ascii_uppercase())
        } else {
            genuine
        };
        let mut values: Vec<Vec<u8>> = values
            .into_iter()
            .map(|value| value.unwrap_or_else(|| format!("{padding}{genuine}{padding}").into_bytes()))
            .collect();
        if folded {
            values = vec![values.join(&b","[..])];
        }
        let mac = hex::decode(&genuine[7..]).unwrap();
        let expected = expected_verify(&values, &mac);
        let outcome = Verifier::new(secret).verify(&values, &body).map(|verified| {
            assert_eq!(verified.secret_index(), 0);
        });
        let shown: Vec<_> = values.iter().map(|value| String::from_utf8_lossy(value)).collect();
        match (outcome, expected) {
            (Ok(()), Ok(())) => {}
            (Err(error), Err(allowed)) => {
                prop_assert!(allowed.contains(&error), "{:?} not in {:?} for {:?}", error, allowed, shown);
                prop_assert_eq!(error.status(), 401);
            }
            (outcome, expected) => {
                prop_assert!(false, "{:?}, expected {:?}, for {:?}", outcome, expected, shown);
            }
        }
    }

    /// A valid handshake echoes any acceptable challenge byte for byte, and
    /// refuses exactly the challenges the rule refuses, with a 400.
    #[test]
    fn a_challenge_comes_back_verbatim_exactly_when_acceptable(
        challenge in challenge(),
        fully_encoded in any::<bool>(),
    ) {
        let token = VerifyToken::new(TOKEN).unwrap();
        let encoded = if fully_encoded {
            fully_percent_encoded(&challenge)
        } else {
            form_urlencoded::byte_serialize(&challenge).collect()
        };
        let query = format!("hub.mode=subscribe&hub.verify_token={TOKEN}&hub.challenge={encoded}");
        match (verify_handshake(&query, &token), expected_challenge(&challenge)) {
            (Ok(answer), Ok(text)) => prop_assert_eq!(answer.as_str().as_bytes(), text.as_bytes()),
            (Err(HandshakeError::InvalidChallenge(refusal)), Err(refusals)) => {
                prop_assert!(refusals.contains(&refusal), "{:?} not in {:?}", refusal, refusals);
                prop_assert_eq!(HandshakeError::InvalidChallenge(refusal).status(), 400);
            }
            (outcome, expected) => {
                prop_assert!(false, "{:?}, expected {:?}, for {:?}", outcome, expected, challenge);
            }
        }
    }

    /// Any handshake query, in any order and encoding, with repeated,
    /// missing, wrong and unrelated parameters, gets the answer the oracle
    /// predicts, and its status.
    #[test]
    fn a_handshake_query_gets_the_answer_the_rules_predict(query in query()) {
        let token = VerifyToken::new(TOKEN).unwrap();
        let encoded = query.encode();
        match (verify_handshake(&encoded, &token), expected_handshake(&query)) {
            (Ok(answer), Ok(challenge)) => prop_assert_eq!(answer.as_str().as_bytes(), &challenge[..]),
            (Err(error), Err(allowed)) => {
                prop_assert!(allowed.contains(&error), "{:?} not in {:?} for {:?}", error, allowed, encoded);
                prop_assert_eq!(error.status().as_u16(), expected_status(&error));
            }
            (outcome, expected) => {
                prop_assert!(false, "{:?}, expected {:?}, for {:?}", outcome, expected, encoded);
            }
        }
    }

    /// Text with no `h` and no `%` can hold no `hub.*` key in any encoding:
    /// whatever else it holds, the handshake says `hub.mode` is missing.
    #[test]
    fn a_query_without_hub_keys_misses_hub_mode(query in "[^h%]{0,300}") {
        let token = VerifyToken::new(TOKEN).unwrap();
        let error = verify_handshake(&query, &token).unwrap_err();
        prop_assert_eq!(error, HandshakeError::MissingParameter("hub.mode"));
        prop_assert_eq!(error.status(), 400);
    }

    #[test]
    fn meta_json_is_ascii_and_parses_back(text in any::<String>()) {
        let body = to_meta_json(&text).unwrap();
        prop_assert!(body.is_ascii());
        let unescaped_slashes = String::from_utf8(body.clone()).unwrap().replace("\\/", "");
        prop_assert!(!unescaped_slashes.contains('/'));
        prop_assert_eq!(serde_json::from_slice::<String>(&body).unwrap(), text);
    }
}

/// A request body arriving in the given chunks.
struct Chunks(std::vec::IntoIter<Vec<u8>>);

impl instagram_webhook_core::receive::BodyStream for Chunks {
    async fn next_chunk(
        &mut self,
    ) -> Option<Result<bytes::Bytes, instagram_webhook_core::receive::BodyReadError>> {
        self.0.next().map(|chunk| Ok(bytes::Bytes::from(chunk)))
    }
}

proptest! {
    /// However a signed body is split into chunks, the receiver hands
    /// exactly its bytes on when they fit the limit (here to the
    /// rejected-payload hook: they are not an envelope), and refuses it with
    /// 413 when they do not, handing nothing on.
    #[test]
    fn a_chunked_body_is_kept_exactly_or_refused(
        chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..12),
        limit in 0_usize..400,
    ) {
        use std::sync::{Arc, Mutex};

        use instagram_webhook_core::receive::{Outcome, Receiver, RejectedPayload, RequestHead};

        let sent: Vec<u8> = std::iter::once(b'#').chain(chunks.concat()).collect();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let hook = seen.clone();
        let secret = AppSecret::new("property-secret").unwrap();
        let receiver = Receiver::builder(Verifier::new(secret.clone()), VerifyToken::new("t").unwrap())
            .on_rejected(move |payload: RejectedPayload| {
                let hook = hook.clone();
                async move { hook.lock().unwrap().push(payload.body().clone()) }
            })
            .body_limit(limit)
            .without_observers()
            .build();
        let signature = sign(&secret, &sent);
        let mut head = RequestHead::new("POST", "/webhook", None);
        head.header("x-hub-signature-256", signature.as_bytes());
        let mut pieces = vec![b"#".to_vec()];
        pieces.extend(chunks);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
        let answer = runtime.block_on(receiver.serve(&head, Chunks(pieces.into_iter())));
        let seen = seen.lock().unwrap();
        if sent.len() <= limit {
            prop_assert_eq!(answer.outcome(), Outcome::Rejected);
            prop_assert_eq!(seen.len(), 1);
            prop_assert_eq!(seen[0].as_ref(), sent.as_slice());
        } else {
            prop_assert_eq!(answer.outcome(), Outcome::TooLarge);
            prop_assert_eq!(answer.status(), 413);
            prop_assert!(seen.is_empty());
        }
    }
}

/// The oracles themselves, on cases worked out by hand: an oracle that
/// accepts or refuses everything would make the properties above vacuous.
#[test]
fn the_oracles_agree_with_worked_examples() {
    let digest = "0123456789abcdefABCDEF0123456789abcdef0123456789abcdef0123456789";
    assert_eq!(
        expected_parse(format!(" sha256={digest}\t").as_bytes()),
        Ok(())
    );
    assert_eq!(expected_parse(b" \r\n"), Err(SignatureError::Missing));
    assert_eq!(
        expected_parse(b"sha1=abc"),
        Err(SignatureError::UnsupportedAlgorithm)
    );
    assert_eq!(
        expected_parse(format!("SHA256={digest}").as_bytes()),
        Err(SignatureError::Malformed(Malformed::Prefix))
    );
    assert_eq!(
        expected_parse(format!("\x0bsha256={digest}").as_bytes()),
        Err(SignatureError::Malformed(Malformed::Prefix))
    );
    assert_eq!(
        expected_parse(b"sha256=abc"),
        Err(SignatureError::Malformed(Malformed::Length))
    );
    assert_eq!(
        expected_parse(format!("sha256={}g", &digest[1..]).as_bytes()),
        Err(SignatureError::Malformed(Malformed::NotHex))
    );

    assert_eq!(expected_challenge(b"1158201444"), Ok("1158201444"));
    assert_eq!(expected_challenge("é /&".as_bytes()), Ok("é /&"));
    assert_eq!(expected_challenge(&[b'7'; 1024]), Ok(&"7".repeat(1024)[..]));
    assert!(expected_challenge(&[b'7'; 1025]).is_err());
    assert!(expected_challenge(b"").is_err());
    assert!(expected_challenge(b"12\x0034").is_err());
    assert!(expected_challenge("12\u{85}34".as_bytes()).is_err());
    assert!(expected_challenge(b"12\xff34").is_err());

    let query = |params: &[(&str, &str)]| Query {
        params: params
            .iter()
            .map(|(name, value)| Param {
                name: (*name).to_owned(),
                value: value.as_bytes().to_vec(),
                fully_encoded: false,
            })
            .collect(),
        empty_pieces: 0,
        question_mark: false,
    };
    let valid = [
        ("hub.mode", "subscribe"),
        ("hub.verify_token", TOKEN),
        ("hub.challenge", "42"),
    ];
    assert_eq!(expected_handshake(&query(&valid)), Ok(b"42".to_vec()));
    assert_eq!(
        expected_handshake(&query(&valid[1..])),
        Err(vec![HandshakeError::MissingParameter("hub.mode")])
    );
    assert_eq!(
        expected_handshake(&query(&[valid[0], valid[1], ("hub.verify_token", "x")])),
        Err(vec![HandshakeError::DuplicateParameter("hub.verify_token")])
    );
    assert_eq!(
        expected_handshake(&query(&[valid[0], ("hub.verify_token", "T"), valid[2]])),
        Err(vec![HandshakeError::WrongToken])
    );
}
