//! Reading what the user points at: files (or `-` for stdin) and keys, parsed by the core so the
//! CLI accepts exactly what the library accepts.

use std::io::Read as _;
use std::path::Path;

use alipay_openapi::keys::role::Role;
use alipay_openapi::{PrivateKey, PublicKey};
use zeroize::Zeroizing;

use crate::output::Failure;

/// Reads a file, or stdin for `-`.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    let result = if path == Path::new("-") {
        std::io::stdin().lock().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::read(path).map(|b| bytes = b)
    };
    result.map_err(|e| {
        Failure::bad_input(
            "unreadable_input",
            format!("cannot read `{}`: {e}", path.display()),
            "check the path (use `-` to read standard input)",
        )
    })?;
    Ok(bytes)
}

/// Reads a text file (or stdin) that must be UTF-8.
pub fn read_text(path: &Path, what: &str) -> Result<String, Failure> {
    String::from_utf8(read_bytes(path)?).map_err(|_| {
        Failure::bad_input(
            "undecodable_bytes",
            format!("{what} `{}` is not UTF-8 text", path.display()),
            "save the file as UTF-8",
        )
    })
}

/// A key file's content: text (PEM or bare base64) or binary DER.
pub enum KeyBytes {
    Text(Zeroizing<String>),
    Der(Zeroizing<Vec<u8>>),
}

pub fn read_key(path: &Path) -> Result<KeyBytes, Failure> {
    let bytes = Zeroizing::new(read_bytes(path)?);
    match std::str::from_utf8(&bytes) {
        Ok(text) => Ok(KeyBytes::Text(Zeroizing::new(text.to_owned()))),
        Err(_) => Ok(KeyBytes::Der(bytes)),
    }
}

/// What the key at `path` is meant to be, for error messages.
fn key_context(path: &Path, what: &str) -> String {
    format!("{what} `{}`", path.display())
}

pub fn private_key<R: Role>(path: &Path, what: &str) -> Result<PrivateKey<R>, Failure> {
    let parsed = match read_key(path)? {
        KeyBytes::Text(text) => PrivateKey::parse(&text),
        KeyBytes::Der(der) => PrivateKey::from_der(&der),
    };
    parsed.map_err(|e| Failure::from_core(&e, &key_context(path, what)))
}

pub fn public_key<R: Role>(path: &Path, what: &str) -> Result<PublicKey<R>, Failure> {
    let parsed = match read_key(path)? {
        KeyBytes::Text(text) => PublicKey::parse(&text),
        KeyBytes::Der(der) => PublicKey::from_der(&der),
    };
    parsed.map_err(|e| Failure::from_core(&e, &key_context(path, what)))
}
