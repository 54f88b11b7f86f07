//! `keygen` and `key`: generate an app key pair, inspect keys, convert between the forms Alipay's
//! console and the SDKs ask for.
//!
//! Parsing and validation go through the core (so a key the CLI accepts is a key the library
//! accepts); the `rsa` crate only encodes, and generates with the OS RNG.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use alipay_openapi::keys::role::App;
use alipay_openapi::{KeyEncoding, KeyForm, KeyInfo, PrivateKey, PublicKey};
use base64::Engine as _;
use clap::ValueEnum;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey, EncodeRsaPublicKey, LineEnding};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use serde_json::{json, Value};
use zeroize::Zeroizing;

use crate::input::{read_key, KeyBytes};
use crate::output::{Failure, Report};

/// The forms a key can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Form {
    /// Private key, PKCS#1 PEM (`BEGIN RSA PRIVATE KEY`): PHP, Python official SDK, Node default.
    Pkcs1Pem,
    /// Private key, PKCS#8 PEM (`BEGIN PRIVATE KEY`).
    Pkcs8Pem,
    /// Private key, PKCS#1 DER as bare base64.
    Pkcs1Base64,
    /// Private key, PKCS#8 DER as bare base64: what the Java SDK takes.
    Pkcs8Base64,
    /// Public key, SubjectPublicKeyInfo PEM (`BEGIN PUBLIC KEY`).
    SpkiPem,
    /// Public key, SubjectPublicKeyInfo DER as bare base64: what the console takes.
    SpkiBase64,
    /// Public key, PKCS#1 PEM (`BEGIN RSA PUBLIC KEY`).
    Pkcs1PublicPem,
}

impl Form {
    fn is_private(self) -> bool {
        matches!(self, Form::Pkcs1Pem | Form::Pkcs8Pem | Form::Pkcs1Base64 | Form::Pkcs8Base64)
    }

    fn name(self) -> &'static str {
        match self {
            Form::Pkcs1Pem => "pkcs1-pem",
            Form::Pkcs8Pem => "pkcs8-pem",
            Form::Pkcs1Base64 => "pkcs1-base64",
            Form::Pkcs8Base64 => "pkcs8-base64",
            Form::SpkiPem => "spki-pem",
            Form::SpkiBase64 => "spki-base64",
            Form::Pkcs1PublicPem => "pkcs1-public-pem",
        }
    }
}

fn form_name(form: KeyForm) -> &'static str {
    match form {
        KeyForm::Pkcs1 => "PKCS#1",
        KeyForm::Pkcs8 => "PKCS#8",
        KeyForm::Spki => "SubjectPublicKeyInfo",
    }
}

fn encoding_name(encoding: KeyEncoding) -> &'static str {
    match encoding {
        KeyEncoding::Pem => "PEM",
        KeyEncoding::Base64 => "bare base64",
        KeyEncoding::Der => "DER",
    }
}

fn encoding_failure(e: impl std::fmt::Display) -> Failure {
    Failure::bad_input(
        "invalid_key",
        format!("the key could not be encoded: {e}"),
        "check the key with `alipay key inspect`",
    )
}

/// A parsed key file: the core's view of it, plus the `rsa` crate's (for re-encoding).
enum Parsed {
    Private { core: PrivateKey<App>, rsa: Box<rsa::RsaPrivateKey> },
    Public { core: PublicKey<App>, rsa: rsa::RsaPublicKey },
}

impl Parsed {
    fn load(path: &Path) -> Result<Self, Failure> {
        let context = format!("key `{}`", path.display());
        let bytes = read_key(path)?;
        let (private, public) = match &bytes {
            KeyBytes::Text(text) => (PrivateKey::<App>::parse(text), PublicKey::<App>::parse(text)),
            KeyBytes::Der(der) => (PrivateKey::<App>::from_der(der), PublicKey::<App>::from_der(der)),
        };
        match (private, public) {
            (Ok(core), _) => {
                let der = der_of(&bytes, core.info().encoding)?;
                let rsa = Box::new(match core.info().form {
                    KeyForm::Pkcs8 => rsa::RsaPrivateKey::from_pkcs8_der(&der).map_err(encoding_failure)?,
                    _ => rsa::RsaPrivateKey::from_pkcs1_der(&der).map_err(encoding_failure)?,
                });
                Ok(Parsed::Private { core, rsa })
            }
            (Err(_), Ok(core)) => {
                let rsa = rsa::RsaPublicKey::from_public_key_der(core.spki_der()).map_err(encoding_failure)?;
                Ok(Parsed::Public { core, rsa })
            }
            (Err(e), Err(_)) => Err(Failure::from_core(&e, &context)),
        }
    }

    fn public(&self) -> (PublicKey<App>, rsa::RsaPublicKey) {
        match self {
            Parsed::Private { core, rsa } => (core.public_key(), rsa.to_public_key()),
            Parsed::Public { core, rsa } => (core.clone(), rsa.clone()),
        }
    }

    fn info(&self) -> KeyInfo {
        match self {
            Parsed::Private { core, .. } => core.info(),
            Parsed::Public { core, .. } => core.info(),
        }
    }
}

/// The DER inside a key file the core has already accepted in `encoding`.
fn der_of(bytes: &KeyBytes, encoding: KeyEncoding) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let text = match bytes {
        KeyBytes::Der(der) => return Ok(der.clone()),
        KeyBytes::Text(text) => text,
    };
    let body: Zeroizing<String> = Zeroizing::new(match encoding {
        KeyEncoding::Pem => text
            .lines()
            .filter(|line| !line.trim_start().starts_with("-----"))
            .flat_map(|line| line.chars().filter(|c| !c.is_ascii_whitespace()))
            .collect(),
        _ => text.chars().filter(|c| !c.is_ascii_whitespace()).collect(),
    });
    base64::engine::general_purpose::STANDARD.decode(body.as_bytes()).map(Zeroizing::new).map_err(encoding_failure)
}

/// The key text in `form`. Private forms need a private key.
fn encode(parsed: &Parsed, form: Form) -> Result<Zeroizing<String>, Failure> {
    let b64 = |der: &[u8]| Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(der));
    if form.is_private() {
        let Parsed::Private { rsa, .. } = parsed else {
            return Err(Failure::bad_input(
                "invalid_key",
                format!("`{}` is a private-key form, but the input is a public key", form.name()),
                "a private key cannot be derived from a public key; convert the private key file instead",
            ));
        };
        return match form {
            Form::Pkcs1Pem => rsa.to_pkcs1_pem(LineEnding::LF).map_err(encoding_failure),
            Form::Pkcs8Pem => rsa.to_pkcs8_pem(LineEnding::LF).map_err(encoding_failure),
            Form::Pkcs1Base64 => Ok(b64(rsa.to_pkcs1_der().map_err(encoding_failure)?.as_bytes())),
            _ => Ok(b64(rsa.to_pkcs8_der().map_err(encoding_failure)?.as_bytes())),
        };
    }
    let (core, rsa) = parsed.public();
    match form {
        Form::SpkiPem => rsa.to_public_key_pem(LineEnding::LF).map(Zeroizing::new).map_err(encoding_failure),
        Form::Pkcs1PublicPem => rsa.to_pkcs1_pem(LineEnding::LF).map(Zeroizing::new).map_err(encoding_failure),
        _ => Ok(b64(core.spki_der())),
    }
}

/// Checks that the core accepts what was written, and returns what it sees in it.
fn reparse(text: &str, form: Form) -> Result<KeyInfo, Failure> {
    let checked = if form.is_private() {
        PrivateKey::<App>::parse(text).map(|k| k.info())
    } else {
        PublicKey::<App>::parse(text).map(|k| k.info())
    };
    checked.map_err(|e| Failure::from_core(&e, "the converted key"))
}

fn info_json(info: KeyInfo, private: bool, fingerprint: &str) -> Value {
    json!({
        "kind": if private { "private" } else { "public" },
        "form": form_name(info.form),
        "encoding": encoding_name(info.encoding),
        "bits": info.bits,
        "fingerprint": fingerprint,
    })
}

pub fn inspect(files: &[PathBuf]) -> Result<Report, Failure> {
    let mut text = String::new();
    let mut keys = Vec::new();
    for path in files {
        let parsed = Parsed::load(path)?;
        let (public, _) = parsed.public();
        let fingerprint = public.fingerprint();
        let info = parsed.info();
        let private = matches!(parsed, Parsed::Private { .. });
        let role = if private {
            "private key: signs requests as the app private key (应用私钥)"
        } else {
            "public key: the app public key to upload (应用公钥), or the Alipay public key (支付宝公钥) that verifies \
             responses; the text cannot tell which, compare fingerprints"
        };
        let _ = writeln!(text, "{}", path.display());
        let _ = writeln!(text, "  role         {role}");
        let _ = writeln!(text, "  form         {} ({})", form_name(info.form), encoding_name(info.encoding));
        let _ = writeln!(text, "  bits         {}", info.bits);
        let _ = writeln!(text, "  fingerprint  {fingerprint}  (SHA-256 of the public key)");
        let mut entry = info_json(info, private, &fingerprint);
        if let Value::Object(map) = &mut entry {
            map.insert("file".to_owned(), Value::from(path.display().to_string()));
        }
        keys.push(entry);
    }
    let fingerprints: Vec<&str> = keys.iter().filter_map(|k| k["fingerprint"].as_str()).collect();
    let same_pair = files.len() > 1 && fingerprints.windows(2).all(|w| w.first() == w.get(1));
    if files.len() > 1 {
        let verdict = if same_pair {
            "all keys belong to the same key pair"
        } else {
            "the keys do NOT all belong to one key pair (their public-key fingerprints differ)"
        };
        let _ = writeln!(text, "{verdict}");
    }
    Ok(Report::ok(text, json!({"keys": keys, "same_key_pair": same_pair})))
}

pub fn convert(file: &Path, to: Form, out: Option<&Path>) -> Result<Report, Failure> {
    let parsed = Parsed::load(file)?;
    let converted = encode(&parsed, to)?;
    let info = reparse(&converted, to)?;
    let fingerprint = parsed.public().0.fingerprint();
    let mut summary = info_json(info, to.is_private(), &fingerprint);
    let text = match out {
        Some(path) => {
            write_file(path, &converted, to.is_private(), true)?;
            if let Value::Object(map) = &mut summary {
                map.insert("written_to".to_owned(), Value::from(path.display().to_string()));
            }
            format!("wrote {} ({}, {} bits) to {}\n", to.name(), form_name(info.form), info.bits, path.display())
        }
        None => {
            if let Value::Object(map) = &mut summary {
                map.insert("key".to_owned(), Value::from(converted.as_str()));
            }
            let mut text = converted.to_string();
            if !text.ends_with('\n') {
                text.push('\n');
            }
            text
        }
    };
    Ok(Report::ok(text, summary))
}

pub fn public(file: &Path, pem: bool) -> Result<Report, Failure> {
    convert(file, if pem { Form::SpkiPem } else { Form::SpkiBase64 }, None)
}

/// Writes a key file; private keys are readable by the owner only.
fn write_file(path: &Path, text: &str, private: bool, overwrite: bool) -> Result<(), Failure> {
    let failure = |e: std::io::Error| {
        Failure::bad_input(
            "unwritable_output",
            format!("cannot write `{}`: {e}", path.display()),
            "choose a writable path, or pass --force to replace an existing file",
        )
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if overwrite {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    if private {
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(path).map_err(failure)?;
    let mut content = text.to_owned();
    if !content.ends_with('\n') {
        content.push('\n');
    }
    std::io::Write::write_all(&mut file, content.as_bytes()).map_err(failure)
}

const KEYGEN_FILES: &[(Form, &str, &str)] = &[
    (Form::Pkcs1Pem, "private.pkcs1.pem", "PKCS#1 PEM: PHP, Python (alipay-sdk-python), Node (keyType PKCS1)"),
    (Form::Pkcs8Pem, "private.pkcs8.pem", "PKCS#8 PEM: Node (keyType PKCS8), Go, this library"),
    (Form::Pkcs1Base64, "private.pkcs1.b64", "PKCS#1 bare base64: Alipay's key tool 'PKCS1' output"),
    (Form::Pkcs8Base64, "private.pkcs8.b64", "PKCS#8 bare base64: the Java SDK (AlipayConfig.privateKey)"),
    (Form::SpkiPem, "public.spki.pem", "public key, PEM"),
    (Form::SpkiBase64, "public.spki.b64", "public key, bare base64: upload this on the console (应用公钥)"),
];

pub fn keygen(out_dir: &Path, name: &str, bits: usize, force: bool) -> Result<Report, Failure> {
    if !(2048..=4096).contains(&bits) || bits % 8 != 0 {
        return Err(Failure::bad_input(
            "unsupported_key_size",
            format!("--bits {bits} is not supported"),
            "use 2048 (what Alipay issues for RSA2) or another multiple of 8 up to 4096",
        ));
    }
    if name.is_empty() || name.contains(['/', '\\']) {
        return Err(Failure::bad_input("invalid_field", "--name must be a plain file-name prefix", "e.g. --name app"));
    }
    std::fs::create_dir_all(out_dir).map_err(|e| {
        Failure::bad_input(
            "unwritable_output",
            format!("cannot create `{}`: {e}", out_dir.display()),
            "choose a writable --out-dir",
        )
    })?;
    let paths: Vec<PathBuf> =
        KEYGEN_FILES.iter().map(|(_, suffix, _)| out_dir.join(format!("{name}.{suffix}"))).collect();
    if !force {
        if let Some(existing) = paths.iter().find(|p| p.exists()) {
            return Err(Failure::bad_input(
                "output_exists",
                format!("`{}` already exists; keygen does not overwrite keys", existing.display()),
                "choose another --out-dir or --name, or pass --force to replace the files",
            ));
        }
    }
    let rsa = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, bits)
        .map_err(|e| Failure::bad_input("signing_failed", format!("key generation failed: {e}"), "run keygen again"))?;
    let pkcs1 = rsa.to_pkcs1_der().map_err(encoding_failure)?;
    let core =
        PrivateKey::<App>::from_der(pkcs1.as_bytes()).map_err(|e| Failure::from_core(&e, "the generated key"))?;
    let parsed = Parsed::Private { core, rsa: Box::new(rsa) };
    let fingerprint = parsed.public().0.fingerprint();
    let mut text = format!("generated an RSA-{bits} app key pair (fingerprint {fingerprint})\n");
    let mut files = Vec::new();
    let mut upload = Zeroizing::new(String::new());
    for ((form, _, purpose), path) in KEYGEN_FILES.iter().zip(&paths) {
        let encoded = encode(&parsed, *form)?;
        reparse(&encoded, *form)?;
        write_file(path, &encoded, form.is_private(), force)?;
        if *form == Form::SpkiBase64 {
            upload = encoded;
        }
        let _ = writeln!(text, "  {:<28} {purpose}", path.display().to_string());
        files.push(json!({"form": form.name(), "path": path.display().to_string(), "private": form.is_private()}));
    }
    let _ =
        writeln!(text, "\npublic key to upload on the console (开放平台 > 接口加签方式 > 公钥):\n{}", upload.as_str());
    let _ = writeln!(text, "keep the private key files secret; never send them to Alipay or commit them");
    Ok(Report::ok(
        text,
        json!({"bits": bits, "fingerprint": fingerprint, "files": files, "public_key": upload.as_str()}),
    ))
}
