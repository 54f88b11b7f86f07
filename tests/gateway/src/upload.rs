//! `alipay.offline.material.image.upload`: a multipart request whose text parameters were signed
//! and whose file part (`image_content`) was not. The image is stored and served back from
//! [`IMAGE_PATH`](crate::IMAGE_PATH).

use rusqlite::{params, OptionalExtension};
use serde_json::json;

use crate::business::Fields;
use crate::store::{date_digits, Failure, Store};
use crate::wire::Params;

pub(crate) const UPLOAD: &str = "alipay.offline.material.image.upload";

/// The formats the API page lists, each with the bytes its files start with.
const FORMATS: [(&str, &[u8]); 5] = [
    ("jpg", b"\xFF\xD8\xFF"),
    ("jpeg", b"\xFF\xD8\xFF"),
    ("png", b"\x89PNG\r\n\x1a\n"),
    ("gif", b"GIF8"),
    ("bmp", b"BM"),
];

/// Largest image the API page allows: 5 MB.
pub(crate) const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;

fn invalid(why: &str) -> Failure {
    Failure::business("INVALID_PARAMETER", format!("参数有误：{why}"))
}

/// Checks the text parameters and the one file, stores it, and answers `image_id` and `image_url`.
pub(crate) fn upload(store: &Store, params: &Params, now: alipay_openapi::Timestamp) -> Result<Fields, Failure> {
    let image_type = params.get("image_type").ok_or_else(|| invalid("缺少必选参数image_type"))?.to_ascii_lowercase();
    let magic = FORMATS
        .iter()
        .find(|(name, _)| *name == image_type)
        .map(|(_, magic)| *magic)
        .ok_or_else(|| invalid("image_type只能是bmp、jpg、jpeg、png或gif"))?;
    let image_name = params.get("image_name").ok_or_else(|| invalid("缺少必选参数image_name"))?;
    if image_name.encode_utf16().count() > 128 {
        return Err(invalid("image_name的长度不能超过128"));
    }
    let [file] = params.files.as_slice() else {
        return Err(invalid("必须上传且只能上传一个文件image_content"));
    };
    if file.name != "image_content" {
        return Err(invalid("文件参数名必须是image_content"));
    }
    if file.content.is_empty() || file.content.len() > MAX_IMAGE_BYTES {
        return Err(invalid("图片不能为空，也不能超过5M"));
    }
    if !file.content.starts_with(magic) {
        return Err(invalid("图片内容与image_type不符"));
    }
    let image_id = store.with_tx(|tx| {
        let sequence: i64 = tx.query_row("SELECT COALESCE(MAX(rowid), 0) + 1 FROM images", [], |row| row.get(0))?;
        let image_id = format!("IMG{}{sequence:012}", date_digits(now));
        tx.execute(
            "INSERT INTO images (image_id, image_type, image_name, content, gmt_create) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![image_id, image_type, image_name, file.content, now.unix_secs()],
        )?;
        Ok(image_id)
    })?;
    let host = params.host.as_deref().unwrap_or("127.0.0.1");
    let image_url = format!("http://{host}{}/{image_id}", crate::IMAGE_PATH);
    Ok(vec![("image_id", json!(image_id)), ("image_url", json!(image_url))])
}

/// A stored image and its content type.
pub(crate) fn image(store: &Store, image_id: &str) -> Result<Option<(String, Vec<u8>)>, Failure> {
    store.with_tx(|tx| {
        let found = tx
            .query_row("SELECT image_type, content FROM images WHERE image_id = ?1", params![image_id], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, Vec<u8>>(1)?))
            })
            .optional()?;
        Ok(found.map(|(image_type, content)| {
            let subtype = if image_type == "jpg" { "jpeg".to_owned() } else { image_type };
            (format!("image/{subtype}"), content)
        }))
    })
}
