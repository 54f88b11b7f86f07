//! AES content encryption (`encrypt_type=AES`, 接口内容加密): AES-CBC with a zero IV and PKCS#7
//! padding, base64 on the wire, as the official SDKs do.
//!
//! A client with a key ([`Client::with_aes_key`](crate::Client::with_aes_key)) encrypts
//! `biz_content` and then signs (the signature covers the ciphertext and `encrypt_type=AES`); on
//! responses it verifies the signature over the quoted ciphertext first and decrypts after.

use std::fmt;
use std::sync::Arc;

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockCipher, BlockDecryptMut, BlockEncryptMut, KeyInit, KeyIvInit};
use base64::Engine as _;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// The IV of Alipay's content encryption: sixteen zero bytes.
const ZERO_IV: [u8; 16] = [0; 16];
const BLOCK: usize = 16;

/// An AES content-encryption key (the console's "接口内容加密方式" key). 16 bytes select AES-128
/// (what the console issues); 24 and 32 bytes select AES-192 and AES-256, as in the official SDKs.
/// Debug output never shows the key, and the bytes are zeroized when the last clone is dropped.
#[derive(Clone)]
pub struct AesKey {
    bytes: Arc<Zeroizing<Vec<u8>>>,
}

impl fmt::Debug for AesKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AesKey").field("bits", &self.bits()).field("material", &"<redacted>").finish()
    }
}

impl AesKey {
    /// Reads the key as the console shows it: standard base64 (surrounding whitespace ignored).
    pub fn from_base64(text: &str) -> Result<Self> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map(Zeroizing::new)
            .map_err(|_| Error::Aes("the key is not standard base64 (copy it from the console as shown)".to_owned()))?;
        Self::from_bytes(&bytes)
    }

    /// Takes the raw key bytes: 16, 24 or 32 of them.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if ![16, 24, 32].contains(&bytes.len()) {
            return Err(Error::Aes(format!(
                "the key is {} bytes; an AES key is 16 bytes (AES-128, what the console issues), 24 or 32",
                bytes.len()
            )));
        }
        Ok(AesKey { bytes: Arc::new(Zeroizing::new(bytes.to_vec())) })
    }

    /// The key size in bits: 128, 192 or 256.
    pub fn bits(&self) -> usize {
        self.bytes.len() * 8
    }

    /// Encrypts `plaintext` (text already encoded in the message charset) and returns the
    /// standard base64 ciphertext.
    pub fn encrypt(&self, plaintext: &[u8]) -> Result<String> {
        let ciphertext = match self.bytes.len() {
            16 => encrypt_with::<aes::Aes128>(&self.bytes, plaintext),
            24 => encrypt_with::<aes::Aes192>(&self.bytes, plaintext),
            _ => encrypt_with::<aes::Aes256>(&self.bytes, plaintext),
        }?;
        Ok(base64::engine::general_purpose::STANDARD.encode(ciphertext))
    }

    /// Decrypts standard base64 `ciphertext` and removes the padding. Bad padding means a wrong key
    /// (or corrupted ciphertext) and is an error: garbage is never returned as plaintext.
    pub fn decrypt(&self, ciphertext: &str) -> Result<Vec<u8>> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(ciphertext.as_bytes())
            .map_err(|_| Error::Aes("the ciphertext is not standard base64".to_owned()))?;
        if bytes.is_empty() || bytes.len() % BLOCK != 0 {
            return Err(Error::Aes(format!(
                "the ciphertext is {} bytes, not a positive multiple of the {BLOCK}-byte AES block",
                bytes.len()
            )));
        }
        match self.bytes.len() {
            16 => decrypt_with::<aes::Aes128>(&self.bytes, &bytes),
            24 => decrypt_with::<aes::Aes192>(&self.bytes, &bytes),
            _ => decrypt_with::<aes::Aes256>(&self.bytes, &bytes),
        }
    }
}

fn key_error() -> Error {
    Error::Aes("the key does not fit the cipher".to_owned())
}

fn encrypt_with<C>(key: &[u8], plaintext: &[u8]) -> Result<Vec<u8>>
where
    C: BlockEncryptMut + BlockCipher + KeyInit,
{
    let cipher = cbc::Encryptor::<C>::new_from_slices(key, &ZERO_IV).map_err(|_| key_error())?;
    Ok(cipher.encrypt_padded_vec_mut::<Pkcs7>(plaintext))
}

fn decrypt_with<C>(key: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>>
where
    C: BlockDecryptMut + BlockCipher + KeyInit,
{
    let cipher = cbc::Decryptor::<C>::new_from_slices(key, &ZERO_IV).map_err(|_| key_error())?;
    cipher.decrypt_padded_vec_mut::<Pkcs7>(ciphertext).map_err(|_| {
        Error::Aes(
            "the padding is wrong after decryption: the AES key is wrong or the ciphertext is damaged".to_owned(),
        )
    })
}
