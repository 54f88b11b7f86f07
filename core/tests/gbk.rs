//! GBK as Java maps it: the codec against the committed table (every BMP code point, every byte
//! pair), the table against a fresh run of Java, and what `€` and `gb2312` do to notifications
//! and requests (docs/GBK.md).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    clippy::disallowed_types,
    clippy::print_stderr
)] // test code: reads fixtures, fails loudly, says when it skips

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use alipay_openapi::keys::role::Alipay;
use alipay_openapi::{
    AlipayPublicKey, AppPrivateKey, Charset, Client, ClientOptions, Config, NotifyOptions, NotifyParams, NotifyVersion,
    PrivateKey, Request, SignType, Signer, Timestamp,
};
use base64::Engine as _;

/// `DECODE` of the committed core/src/charset/gbk_table.rs: the running sum of its `DECODE_DELTAS`,
/// read from its text.
fn committed_table() -> &'static [u16] {
    static TABLE: OnceLock<Vec<u16>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/charset/gbk_table.rs");
        let text = std::fs::read_to_string(path).unwrap();
        let body = text.split_once("] = [").unwrap().1.split_once("];").unwrap().0;
        let table: Vec<u16> = body
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .flat_map(|line| line.split(','))
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| u16::from_str_radix(item.strip_prefix("0x").unwrap(), 16).unwrap())
            .scan(0u16, |unit, delta| {
                *unit = unit.wrapping_add(delta);
                Some(*unit)
            })
            .collect();
        assert_eq!(table.len(), 126 * 190);
        table
    })
}

const APP_ID: &str = "2021000000000001";

/// What Java gives for `bytes`: the committed table, read the plain way.
fn table_decode(bytes: &[u8]) -> Option<char> {
    match *bytes {
        [b] if b < 0x80 => Some(char::from(b)),
        [lead @ 0x81..=0xfe, trail @ (0x40..=0x7e | 0x80..=0xfe)] => {
            let column = usize::from(trail) - 0x40 - usize::from(trail > 0x7f);
            let unit = committed_table()[usize::from(lead - 0x81) * 190 + column];
            char::from_u32(u32::from(unit)).filter(|_| unit != 0)
        }
        _ => None,
    }
}

fn bmp() -> impl Iterator<Item = char> {
    (0..=0xffff_u32).filter_map(char::from_u32)
}

fn every_sequence() -> impl Iterator<Item = Vec<u8>> {
    (0..=0xff_u8).map(|b| vec![b]).chain((0x80..=0xff_u8).flat_map(|l| (0..=0xff_u8).map(move |t| vec![l, t])))
}

#[test]
fn gbk_codec_matches_the_committed_table() {
    let mut pairs: HashMap<char, Vec<u8>> = HashMap::new();
    for bytes in every_sequence() {
        let got = Charset::Gbk.decode("t", &bytes);
        match table_decode(&bytes) {
            Some(c) => {
                assert_eq!(got.unwrap(), c.to_string(), "{bytes:02X?}");
                if bytes.len() == 2 {
                    assert!(pairs.insert(c, bytes.clone()).is_none(), "U+{:04X} has two pairs", u32::from(c));
                }
            }
            None => assert_eq!(got.unwrap_err().code(), "undecodable_bytes", "{bytes:02X?}"),
        }
    }
    let mut encodable = 0;
    for c in bmp() {
        let text = c.to_string();
        match Charset::Gbk.encode("memo", &text) {
            Ok(bytes) => {
                let expected = if c.is_ascii() { vec![c as u8] } else { pairs[&c].clone() };
                assert_eq!(bytes.as_ref(), expected.as_slice(), "U+{:04X}", u32::from(c));
                encodable += 1;
            }
            Err(e) => {
                assert!(!c.is_ascii() && !pairs.contains_key(&c), "U+{:04X} refused: {e}", u32::from(c));
                assert_eq!(e.code(), "unencodable_text");
                assert!(e.to_string().contains("`memo`"), "{e}");
            }
        }
    }
    assert_eq!(encodable, 128 + 23_940, "Java 17's GBK: ASCII and every pair of the 81..FE x 40..FE grid");
}

#[test]
fn gbk_decodes_sequences_as_java_does() {
    // Text mixes ASCII and pairs; a trail byte is never read as ASCII, a lone lead byte is an error.
    assert_eq!(Charset::Gbk.decode("b", b"a\xa2\xe3b\x81\x40").unwrap(), "a€b丂");
    for bad in [&b"\xa2"[..], b"a\xa2", b"\xa2\x39", b"\x80", b"\xff", b"\xa2\x7f", b"\xa2\xff", b"\xa2\xe3\xa2"] {
        assert_eq!(Charset::Gbk.decode("b", bad).unwrap_err().code(), "undecodable_bytes", "{bad:02X?}");
    }
    assert_eq!(Charset::Gbk.encode("memo", "a€b丂").unwrap().as_ref(), b"a\xa2\xe3b\x81\x40");
}

#[test]
fn gbk_differs_from_whatwg_where_java_does() {
    // The euro sign: A2E3 in Java, 0x80 in the WHATWG table; 0x80 is not a character in Java.
    assert_eq!(Charset::Gbk.encode("m", "€").unwrap().as_ref(), b"\xa2\xe3");
    assert_eq!(Charset::Gbk.decode("m", b"\xa2\xe3").unwrap(), "€");
    assert_eq!(Charset::Gbk.decode("m", b"\x80").unwrap_err().code(), "undecodable_bytes");
    // Private-use code points Java keeps where the WHATWG table moved them to other characters.
    assert_eq!(Charset::Gbk.encode("m", "\u{e78d}\u{e816}").unwrap().as_ref(), b"\xa6\xd9\xfe\x51");
    assert_eq!(Charset::Gbk.decode("m", b"\xa6\xd9\xfe\x51").unwrap(), "\u{e78d}\u{e816}");
    // What the WHATWG table encodes and Java cannot.
    for c in ['\u{01f9}', '\u{1e3f}', '\u{2e81}', '\u{fe10}'] {
        assert_eq!(Charset::Gbk.encode("m", &c.to_string()).unwrap_err().code(), "unencodable_text", "{c}");
    }
    assert_eq!(Charset::Gbk.encode("m", "券😀").unwrap_err().code(), "unencodable_text");
}

fn java_available() -> bool {
    ["java", "javac"].iter().all(|tool| Command::new(tool).arg("-version").output().is_ok_and(|o| o.status.success()))
}

/// Re-runs Java through scripts/gen-gbk-table.sh: the table it writes must be the committed one,
/// and every answer of Java's codec (every BMP code point, every 1- and 2-byte sequence) must be
/// the Rust codec's. Without Java the test is skipped, except under CI=true.
#[test]
fn gbk_table_is_what_java_gives() {
    if !java_available() {
        let ci = std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
        assert!(!ci, "CI=true but `java`/`javac` are missing: the GBK table cannot be checked against Java");
        eprintln!("SKIPPED gbk_table_is_what_java_gives: `java`/`javac` not found (install a JDK 17+ to run it)");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("gbk-java-{}", std::process::id()));
    let status = Command::new("bash").arg(root.join("scripts/gen-gbk-table.sh")).arg(&out).status().unwrap();
    assert!(status.success(), "scripts/gen-gbk-table.sh failed: {status}");
    let regenerated = std::fs::read_to_string(out.join("gbk_table.rs")).unwrap();
    let committed = std::fs::read_to_string(root.join("core/src/charset/gbk_table.rs")).unwrap();
    assert!(
        regenerated == committed,
        "core/src/charset/gbk_table.rs is not what Java gives: run scripts/gen-gbk-table.sh"
    );

    let dump = std::fs::read_to_string(out.join("gbk_dump.txt")).unwrap();
    let hex = |s: &str| -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    };
    let (mut encodes, mut decodes) = (0, 0);
    for line in dump.lines() {
        let [kind, input, answer] = line.split(' ').collect::<Vec<_>>()[..] else { panic!("bad dump line {line}") };
        if kind == "E" {
            let c = char::from_u32(u32::from_str_radix(input, 16).unwrap()).unwrap();
            let got = Charset::Gbk.encode("t", &c.to_string()).ok().map(|b| b.into_owned());
            assert_eq!(got, (answer != "-").then(|| hex(answer)), "encoding U+{input}");
            encodes += 1;
        } else {
            let bytes = hex(input);
            let got = Charset::Gbk.decode("t", &bytes).ok().map(|s| s.into_owned());
            let expected =
                (answer != "-").then(|| char::from_u32(u32::from_str_radix(answer, 16).unwrap()).unwrap().to_string());
            assert_eq!(got, expected, "decoding {input}");
            decodes += 1;
        }
    }
    assert_eq!((encodes, decodes), (0x10000 - 0x800, 256 + 128 * 256), "the dump is incomplete");
    std::fs::remove_dir_all(&out).unwrap();
}

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/../tests/vectors/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn client() -> Client {
    let mut config = Config::new(APP_ID);
    config.charset = Charset::Utf8; // a notification's own `charset` decides
    Client::new(
        config,
        AppPrivateKey::parse(&read("keys/app_2048.private.pkcs1.pem")).unwrap(),
        AlipayPublicKey::parse(&read("keys/alipay_2048.public.spki.pem")).unwrap(),
    )
}

/// A notification form body signed by "Alipay" over `signed` (the V1 sign content's bytes as the
/// gateway encodes them), each field value sent as the given bytes.
fn notification(fields: &[(&str, &[u8])], signed: &[u8]) -> Vec<u8> {
    let alipay = PrivateKey::<Alipay>::parse(&read("keys/alipay_2048.private.pkcs8.pem")).unwrap();
    let sign = base64::engine::general_purpose::STANDARD.encode(alipay.sign(SignType::Rsa2, signed).unwrap());
    let mut body = Vec::new();
    for (key, value) in fields.iter().copied().chain([("sign", sign.as_bytes()), ("sign_type", b"RSA2".as_slice())]) {
        if !body.is_empty() {
            body.push(b'&');
        }
        body.extend_from_slice(key.as_bytes());
        body.push(b'=');
        for b in value {
            body.extend_from_slice(format!("%{b:02X}").as_bytes());
        }
    }
    body
}

#[test]
fn a_gbk_notification_with_the_euro_sign_as_java_encodes_it_verifies() {
    let fields: &[(&str, &[u8])] =
        &[("app_id", APP_ID.as_bytes()), ("charset", b"GBK"), ("notify_id", b"n1"), ("subject", b"price 5\xa2\xe3")];
    let signed = b"app_id=2021000000000001&charset=GBK&notify_id=n1&subject=price 5\xa2\xe3";
    let params = NotifyParams::from_form(&notification(fields, signed), Charset::Utf8).unwrap();
    assert_eq!(params.charset(), Charset::Gbk);
    let verified = client().verify_notification(params, NotifyVersion::V1).unwrap();
    assert_eq!(verified.get("subject"), Some("price 5€"));

    // The WHATWG bytes of `€` (0x80) are not GBK to Java: refused before any signature check.
    let fields: &[(&str, &[u8])] =
        &[("app_id", APP_ID.as_bytes()), ("charset", b"GBK"), ("notify_id", b"n1"), ("subject", b"price 5\x80")];
    let signed = b"app_id=2021000000000001&charset=GBK&notify_id=n1&subject=price 5\x80";
    let err = NotifyParams::from_form(&notification(fields, signed), Charset::Utf8).unwrap_err();
    assert_eq!(err.code(), "undecodable_bytes");
}

#[test]
fn a_notification_declaring_gb2312_is_read_as_gbk_and_verifies() {
    for declared in ["gb2312", "GB2312", "Gb2312"] {
        let fields: &[(&str, &[u8])] = &[
            ("app_id", APP_ID.as_bytes()),
            ("charset", declared.as_bytes()),
            ("notify_id", b"n2"),
            ("subject", b"\xb2\xe2\xca\xd4 \xa2\xe3"),
        ];
        let signed = [
            format!("app_id={APP_ID}&charset={declared}&notify_id=n2&subject=").as_bytes(),
            b"\xb2\xe2\xca\xd4 \xa2\xe3",
        ]
        .concat();
        let body = notification(fields, &signed);
        let params = NotifyParams::from_form(&body, Charset::Utf8).unwrap();
        assert_eq!(params.charset(), Charset::Gbk);
        let verified = client().verify_notification(params.clone(), NotifyVersion::V1).unwrap();
        assert_eq!(verified.get("subject"), Some("测试 €"));
        assert_eq!(verified.get("charset"), Some(declared));

        // The same fields as a web framework decoded them (a return query, or `request.POST`).
        let pairs = params.fields().iter().map(|(k, v)| (k.clone(), v.clone()));
        let from_pairs = NotifyParams::from_pairs(pairs).unwrap();
        assert_eq!(from_pairs.charset(), Charset::Gbk);
        client().verify_notification(from_pairs, NotifyVersion::V1).unwrap();
    }
    assert_eq!(Charset::of_message(" GB2312 ").unwrap(), Charset::Gbk);
    assert_eq!(Charset::of_message("utf-8").unwrap(), Charset::Utf8);
    assert_eq!(Charset::of_message("GBK").unwrap(), Charset::Gbk);
    assert_eq!(Charset::of_message("gb18030").unwrap_err().code(), "unsupported_charset");
    let options = NotifyOptions::from_value(&serde_json::json!({"charset": "GB2312"})).unwrap();
    assert_eq!(options.charset, Some(Charset::Gbk));
}

#[test]
fn a_gbk_notification_verifies_when_only_a_historical_variant_cannot_be_encoded() {
    // Found by the notify_pairs fuzz target: the V1 content leaves `alipay_cert_sn` out, the
    // historical variant that includes it could not be encoded in GBK, and that failure used to
    // refuse the whole notification as unencodable_text.
    let alipay = PrivateKey::<Alipay>::parse(&read("keys/alipay_2048.private.pkcs8.pem")).unwrap();
    let pairs = [
        ("app_id", APP_ID),
        ("charset", "GBK"),
        ("notify_id", "n3"),
        ("subject", "测试"),
        ("alipay_cert_sn", "sn\u{FFFD}"),
    ];
    let unsigned = NotifyParams::from_pairs(pairs).unwrap();
    let text = unsigned.sign_content_v1();
    let content = Charset::Gbk.encode("notification", &text).unwrap();
    let sign = base64::engine::general_purpose::STANDARD.encode(alipay.sign(SignType::Rsa2, &content).unwrap());
    let signed = NotifyParams::from_pairs(pairs.into_iter().chain([("sign", sign.as_str())])).unwrap();
    let verified = client().verify_notification(signed, NotifyVersion::V1).unwrap();
    assert_eq!(verified.get("subject"), Some("测试"));

    // When the rule's own content cannot be encoded, that is still the error.
    let unencodable = [("app_id", APP_ID), ("charset", "GBK"), ("subject", "\u{FFFD}"), ("sign", sign.as_str())];
    let err =
        client().verify_notification(NotifyParams::from_pairs(unencodable).unwrap(), NotifyVersion::V1).unwrap_err();
    assert_eq!(err.code(), "unencodable_text", "{err}");
}

#[test]
fn a_request_in_gb2312_is_refused_with_the_reason() {
    for name in ["gb2312", "GB2312"] {
        let err = name.parse::<Charset>().unwrap_err();
        assert_eq!(err.code(), "unsupported_charset");
        let text = err.to_string();
        assert!(text.contains("only utf-8 and GBK") && text.contains("every GB2312 character"), "{text}");

        let options = serde_json::json!({"app_id": APP_ID, "charset": name});
        let err = ClientOptions::from_value(&options).unwrap().build().unwrap_err();
        assert_eq!(err.code(), "unsupported_charset", "{err}");
        assert!(err.to_string().contains("every GB2312 character"), "{err}");
    }
    assert_eq!(
        "latin1".parse::<Charset>().unwrap_err().to_string(),
        "unsupported charset `latin1` (supported: utf-8, GBK)"
    );
}

#[test]
fn a_gbk_request_with_the_euro_sign_is_signed_over_java_bytes() {
    let mut config = Config::new(APP_ID);
    config.charset = Charset::Gbk;
    let app = AppPrivateKey::parse(&read("keys/app_2048.private.pkcs1.pem")).unwrap();
    let alipay = PrivateKey::<Alipay>::parse(&read("keys/alipay_2048.private.pkcs8.pem")).unwrap();
    let client = Client::new(config, app, alipay.public_key());
    let request = Request::new("alipay.marketing.voucher.query").biz_content(r#"{"memo":"5€"}"#);
    let prepared = client.prepare(&request, Timestamp::from_unix_secs(1_715_593_760)).unwrap();
    let bytes = prepared.sign_content_bytes();
    assert!(bytes.windows(4).any(|w| w == b"5\xa2\xe3\""), "{bytes:02X?}");
    assert!(!bytes.contains(&0x80));
    let signed = client.sign(&request, Timestamp::from_unix_secs(1_715_593_760)).unwrap();
    let wire = format!("{}{}", signed.url(), String::from_utf8_lossy(signed.body()));
    assert!(wire.contains("5%A2%E3"), "{wire}");
}
