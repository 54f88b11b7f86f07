//! File uploads (`alipay.offline.material.image.upload` and the other v2 upload methods): the
//! signed request as a `multipart/form-data` body. The text parameters are signed exactly as for
//! any call; file parts are neither signed nor encrypted. Sans-IO: the host passes the file bytes.

use std::collections::BTreeMap;
use std::fmt;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::request::{SignedRequest, QUERY_PARAMS};

/// One file of an upload. `Debug` shows its size, not its bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct FilePart<'a> {
    /// The parameter name, e.g. `image_content`.
    pub name: &'a str,
    /// The file name sent in `Content-Disposition`, e.g. `logo.jpg`.
    pub file_name: &'a str,
    /// The part's `Content-Type`, e.g. `image/jpeg`.
    pub content_type: &'a str,
    /// The file's bytes.
    pub bytes: &'a [u8],
}

impl fmt::Debug for FilePart<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilePart")
            .field("name", &self.name)
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// An upload ready to POST: [`url`](SignedRequest::url) (the system parameters and `sign` in the
/// query), this `content_type` header and body.
#[derive(Clone, PartialEq, Eq)]
pub struct MultipartBody {
    boundary: String,
    body: Vec<u8>,
}

impl fmt::Debug for MultipartBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MultipartBody").field("boundary", &self.boundary).field("body_len", &self.body.len()).finish()
    }
}

impl MultipartBody {
    /// The boundary between the parts.
    pub fn boundary(&self) -> &str {
        &self.boundary
    }

    /// `multipart/form-data; boundary=…`.
    pub fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }

    /// The body: a text part for `biz_content` and each other text parameter (in the request
    /// charset), then the file parts.
    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

/// The longest file part a [`Request`](crate::Request) upload takes unless the host sets
/// [`max_file_bytes`](crate::Request::max_file_bytes): 10 MiB, above what the upload methods accept.
pub const DEFAULT_MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// The files of a v2 upload as a [`Request`](crate::Request) carries them, with its boundary and limit.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Upload {
    pub(crate) files: Vec<UploadFile>,
    pub(crate) boundary: Option<String>,
    pub(crate) max_file_bytes: usize,
}

impl Default for Upload {
    fn default() -> Self {
        Upload { files: Vec::new(), boundary: None, max_file_bytes: DEFAULT_MAX_FILE_BYTES }
    }
}

/// A file of an upload, v2 or v3, as a request carries it and the `files` option gives it. `Debug` shows its size, not its bytes.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct UploadFile {
    /// `field`: the part's name, e.g. `image_content`.
    pub field: String,
    /// `file_name`: the name sent in `Content-Disposition`.
    pub file_name: String,
    /// `content_type`: the part's `Content-Type`, e.g. `image/jpeg`.
    pub content_type: String,
    /// `content`: the bytes.
    pub content: Vec<u8>,
}

impl UploadFile {
    /// A file part named `field`.
    pub fn new(
        field: impl Into<String>,
        file_name: impl Into<String>,
        content_type: impl Into<String>,
        content: impl Into<Vec<u8>>,
    ) -> Self {
        UploadFile {
            field: field.into(),
            file_name: file_name.into(),
            content_type: content_type.into(),
            content: content.into(),
        }
    }
}

impl fmt::Debug for UploadFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadFile")
            .field("field", &self.field)
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("content", &self.content.len())
            .finish()
    }
}

impl fmt::Debug for Upload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.parts()).finish()
    }
}

impl Upload {
    fn parts(&self) -> impl Iterator<Item = FilePart<'_>> {
        self.files.iter().map(|file| FilePart {
            name: &file.field,
            file_name: &file.file_name,
            content_type: &file.content_type,
            bytes: &file.content,
        })
    }

    /// Every check that needs no signature, so a bad upload fails before anything is signed.
    pub(crate) fn check(&self, params: &BTreeMap<String, String>) -> Result<()> {
        check_files(params, &self.parts().collect::<Vec<_>>(), self.boundary.as_deref(), self.max_file_bytes)
    }

    /// The body and content type of `signed` as this upload.
    pub(crate) fn body(&self, signed: &SignedRequest) -> Result<MultipartBody> {
        signed.multipart(&self.parts().collect::<Vec<_>>(), self.boundary.as_deref(), self.max_file_bytes)
    }
}

impl MultipartBody {
    pub(crate) fn into_body(self) -> Vec<u8> {
        self.body
    }
}

/// Characters RFC 2046 allows in a boundary (a space too, but not last; it is left out here).
fn boundary_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "'()+_,-./:=?".contains(c)
}

impl SignedRequest {
    /// The request as a `multipart/form-data` upload of `files`, each at most `max_file_bytes`.
    /// `boundary` is the host's (1 to 70 of RFC 2046's characters), or by default one derived from
    /// the signature and the files, so the same upload gives the same bytes. A file part named like
    /// a system parameter or a signed parameter, a name or content type that could end its header,
    /// or a boundary found inside a part, is [`Error::InvalidField`].
    pub fn multipart(
        &self,
        files: &[FilePart<'_>],
        boundary: Option<&str>,
        max_file_bytes: usize,
    ) -> Result<MultipartBody> {
        check_files(self.params(), files, boundary, max_file_bytes)?;
        let text: Vec<(&str, Vec<u8>)> = self
            .params()
            .iter()
            .filter(|(key, _)| !QUERY_PARAMS.contains(&key.as_str()))
            .map(|(key, value)| Ok((key.as_str(), self.charset().encode(key, value)?.into_owned())))
            .collect::<Result<_>>()?;
        let boundary = match boundary {
            Some(given) => given.to_owned(),
            None => derived_boundary(self.signature(), files),
        };
        let delimiter = format!("--{boundary}");
        let contents = text.iter().map(|(_, bytes)| bytes.as_slice()).chain(files.iter().map(|file| file.bytes));
        // The file's header values are written between delimiters too.
        let headers = files.iter().flat_map(|file| [file.file_name.as_bytes(), file.content_type.as_bytes()]);
        if contents
            .clone()
            .chain(headers)
            .any(|bytes| bytes.windows(delimiter.len()).any(|w| w == delimiter.as_bytes()))
        {
            return Err(Error::field("multipart_boundary", "occurs inside a part or its headers; pass another one"));
        }
        let mut body = Vec::with_capacity(contents.map(|bytes| bytes.len() + 200).sum());
        for (name, bytes) in &text {
            part(&mut body, &delimiter, &format!("form-data; name=\"{name}\""), None, bytes);
        }
        for file in files {
            let disposition = format!("form-data; name=\"{}\"; filename=\"{}\"", file.name, file.file_name);
            part(&mut body, &delimiter, &disposition, Some(file.content_type), file.bytes);
        }
        body.extend_from_slice(format!("{delimiter}--\r\n").as_bytes());
        Ok(MultipartBody { boundary, body })
    }
}

/// The parts' names, headers and sizes, and a host's boundary, against the signed `params`.
fn check_files(
    params: &BTreeMap<String, String>,
    files: &[FilePart<'_>],
    boundary: Option<&str>,
    max_file_bytes: usize,
) -> Result<()> {
    for (i, file) in files.iter().enumerate() {
        check_file(params, file, max_file_bytes)?;
        if files.iter().skip(i + 1).any(|other| other.name == file.name) {
            return Err(Error::field(file.name, "names two file parts"));
        }
    }
    if let Some(given) = boundary {
        if given.is_empty() || given.len() > 70 || !given.chars().all(boundary_char) {
            return Err(Error::field("multipart_boundary", "must be 1 to 70 letters, digits or '()+_,-./:=?"));
        }
    }
    Ok(())
}

fn check_file(params: &BTreeMap<String, String>, file: &FilePart<'_>, max_file_bytes: usize) -> Result<()> {
    let name_ok =
        !file.name.is_empty() && file.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !name_ok {
        return Err(Error::field(file.name, "a file part's name must be lowercase ASCII letters, digits and `_`"));
    }
    if QUERY_PARAMS.contains(&file.name) || params.contains_key(file.name) {
        return Err(Error::field(file.name, "is a signed or system parameter; a file part must not replace it"));
    }
    if file.file_name.is_empty() || file.file_name.chars().any(|c| c.is_control() || c == '"' || c == '\\') {
        return Err(Error::field("file_name", "must be a name without quotes, backslashes or control characters"));
    }
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$&-^_.+/;=*' ".contains(c);
    if file.content_type.is_empty() || !file.content_type.chars().all(token) {
        return Err(Error::field("content_type", "must be a media type such as `image/jpeg`"));
    }
    if file.bytes.len() > max_file_bytes {
        return Err(Error::field(file.name, format!("must be at most {max_file_bytes} bytes (the host's limit)")));
    }
    Ok(())
}

/// `alipay-` and 32 hex digits of SHA-256 over the signature and every file.
fn derived_boundary(signature: &str, files: &[FilePart<'_>]) -> String {
    let mut hash = Sha256::new();
    hash.update(signature.as_bytes());
    for file in files {
        hash.update((file.bytes.len() as u64).to_be_bytes());
        hash.update(file.bytes);
    }
    let digest = hash.finalize();
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("alipay-{hex}")
}

fn part(body: &mut Vec<u8>, delimiter: &str, disposition: &str, content_type: Option<&str>, bytes: &[u8]) {
    body.extend_from_slice(format!("{delimiter}\r\nContent-Disposition: {disposition}\r\n").as_bytes());
    if let Some(content_type) = content_type {
        body.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
    }
    body.extend_from_slice(b"\r\n");
    body.extend_from_slice(bytes);
    body.extend_from_slice(b"\r\n");
}
