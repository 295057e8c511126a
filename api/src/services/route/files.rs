//! Evidence and product files: checked, stored on disk under an opaque key, downloadable by
//! those who may read the route.

use std::path::PathBuf;

use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use sha2::{Digest, Sha256};
use shared::dto::RouteDto;
use shared::workflow::Part;
use uuid::Uuid;

use super::access;
use super::edit::Editor;
use crate::auth::Principal;
use crate::db;
use crate::db::entities::{route_activity, route_file, route_product};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// What a file is attached to.
#[derive(Debug, Clone, Copy, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadTarget {
    /// The roadmap activity the file is evidence of.
    pub activity_id: Option<Uuid>,
    /// The product the file belongs to.
    pub product_id: Option<Uuid>,
}

/// The types people upload as evidence: documents, spreadsheets, presentations, images.
const ALLOWED: &[(&str, &[&str])] = &[
    ("application/pdf", &["pdf"]),
    ("image/jpeg", &["jpg", "jpeg"]),
    ("image/png", &["png"]),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &["docx"],
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &["xlsx"],
    ),
    (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        &["pptx"],
    ),
    ("application/vnd.oasis.opendocument.text", &["odt"]),
    ("application/vnd.oasis.opendocument.spreadsheet", &["ods"]),
    ("application/vnd.oasis.opendocument.presentation", &["odp"]),
    ("application/msword", &["doc"]),
    ("text/plain", &["txt"]),
];

/// Whether the bytes look like what the type says (so a script cannot pass as a picture).
fn sniff(content_type: &str, bytes: &[u8]) -> bool {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    match content_type {
        "application/pdf" => starts(b"%PDF"),
        "image/jpeg" => starts(&[0xFF, 0xD8, 0xFF]),
        "image/png" => starts(&[0x89, b'P', b'N', b'G']),
        "application/msword" => starts(&[0xD0, 0xCF, 0x11, 0xE0]),
        "text/plain" => std::str::from_utf8(bytes).is_ok(),
        // Office Open XML and OpenDocument are zip archives.
        _ => starts(b"PK\x03\x04"),
    }
}

/// The file's name without any path, control characters or surrounding spaces.
fn clean_name(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base.chars().filter(|c| !c.is_control()).collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    (!cleaned.is_empty() && cleaned.chars().count() <= 200).then_some(cleaned)
}

/// Checks a file and returns its content type as stored.
pub fn check(name: &str, content_type: &str, bytes: &[u8]) -> AppResult<(String, String)> {
    let name = clean_name(name)
        .ok_or_else(|| AppError::invalid("name", "Укажите имя файла (до 200 символов)."))?;
    if bytes.is_empty() {
        return Err(AppError::invalid("file", "Файл пуст."));
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    let declared = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_lowercase();
    let allowed = ALLOWED
        .iter()
        .find(|(ct, exts)| *ct == declared && exts.contains(&ext.as_str()));
    let Some((ct, _)) = allowed else {
        return Err(AppError::invalid(
            "file",
            "Допустимы файлы PDF, JPEG, PNG, DOC/DOCX, XLSX, PPTX, ODT/ODS/ODP и TXT.",
        ));
    };
    if !sniff(ct, bytes) {
        return Err(AppError::invalid(
            "file",
            "Содержимое файла не соответствует его типу.",
        ));
    }
    Ok((name, (*ct).to_owned()))
}

fn blob_path(state: &AppState, key: &str) -> PathBuf {
    state.settings.files_dir.join(key)
}

/// Best-effort removal of a stored file's bytes (after its row is gone).
pub fn remove_blob(state: &AppState, key: &str) {
    if let Err(e) = std::fs::remove_file(blob_path(state, key)) {
        tracing::warn!(key, error = %e, "removing a stored file");
    }
}

/// Whether the caller may attach files to the route now (asked before the body is read).
pub async fn may_upload(state: &AppState, principal: &Principal, route_id: Uuid) -> AppResult<()> {
    Editor::check(state, principal, route_id, Part::Progress).await
}

pub async fn upload(
    state: &AppState,
    principal: &Principal,
    route_id: Uuid,
    target: UploadTarget,
    name: &str,
    content_type: &str,
    bytes: &[u8],
) -> AppResult<RouteDto> {
    let (name, content_type) = check(name, content_type, bytes)?;
    let mut ed = Editor::begin(state, principal, route_id, Part::Progress).await?;
    let subject = match (target.activity_id, target.product_id) {
        (Some(a), None) => {
            let act = route_activity::Entity::find_by_id(a)
                .one(&ed.txn)
                .await?
                .filter(|x| x.route_id == route_id)
                .ok_or_else(|| {
                    AppError::invalid("activity_id", "Мероприятие не найдено в этом маршруте.")
                })?;
            format!("Мероприятие «{}»", act.name)
        }
        (None, Some(p)) => {
            let product = route_product::Entity::find_by_id(p)
                .one(&ed.txn)
                .await?
                .filter(|x| x.route_id == route_id)
                .ok_or_else(|| {
                    AppError::invalid("product_id", "Продукт не найден в этом маршруте.")
                })?;
            format!("Продукт «{}»", product.title)
        }
        _ => {
            return Err(AppError::invalid(
                "activity_id",
                "Укажите мероприятие (activity_id) или продукт (product_id), к которому относится файл.",
            ));
        }
    };
    store(
        &mut ed,
        state,
        target,
        &subject,
        &name,
        &content_type,
        bytes,
    )
    .await?;
    ed.finish(state).await
}

/// Writes a checked file's bytes and its row, attached to `target`, within the editor's write.
pub async fn store(
    ed: &mut Editor<'_>,
    state: &AppState,
    target: UploadTarget,
    subject: &str,
    name: &str,
    content_type: &str,
    bytes: &[u8],
) -> AppResult<()> {
    let key = Uuid::new_v4().simple().to_string();
    let dir = state.settings.files_dir.clone();
    let path = blob_path(state, &key);
    let data = bytes.to_vec();
    // Written before the row commits; a failed commit leaves an orphan the housekeeping removes.
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        std::fs::create_dir_all(&dir)?;
        let tmp = path.with_extension("part");
        std::fs::write(&tmp, &data)?;
        std::fs::rename(&tmp, &path)
    })
    .await
    .map_err(|e| AppError::Unexpected(e.into()))?
    .map_err(|e| AppError::Unexpected(e.into()))?;
    let t = db::now();
    let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    route_file::ActiveModel {
        id: Set(db::new_id()),
        route_id: Set(ed.route().id),
        activity_id: Set(target.activity_id),
        product_id: Set(target.product_id),
        name: Set(name.to_owned()),
        content_type: Set(content_type.to_owned()),
        size: Set(size),
        sha256: Set(format!("{:x}", Sha256::digest(bytes))),
        storage_key: Set(key),
        uploaded_by: Set(ed.actor_id()),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(&ed.txn)
    .await?;
    ed.record_added("file", subject, name);
    Ok(())
}

/// A file's row and where its bytes are, if the principal may read its route (or, for a
/// product's file, the bank it is published in).
pub async fn download(
    state: &AppState,
    principal: &Principal,
    file_id: Uuid,
) -> AppResult<(route_file::Model, PathBuf)> {
    let file = route_file::Entity::find_by_id(file_id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    match access::load(&state.db, principal, file.route_id, false).await {
        Ok(ctx) => {
            access::audit_read(state, principal, &ctx, "file.read", "route_file", file.id);
        }
        // A product's file is also public to the bank's readers once published.
        Err(AppError::NotFound)
            if crate::services::bank::file_readable(&state.db, principal, &file).await? => {}
        Err(e) => return Err(e),
    }
    let path = blob_path(state, &file.storage_key);
    Ok((file, path))
}

pub async fn delete(state: &AppState, principal: &Principal, file_id: Uuid) -> AppResult<RouteDto> {
    let file = route_file::Entity::find_by_id(file_id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut ed = Editor::begin(state, principal, file.route_id, Part::Progress).await?;
    route_file::Entity::delete_by_id(file_id)
        .exec(&ed.txn)
        .await?;
    ed.record_removed("file", "Файл", &file.name);
    let dto = ed.finish(state).await?;
    remove_blob(state, &file.storage_key);
    Ok(dto)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_paths_and_control_characters() {
        assert_eq!(clean_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(
            clean_name("C:\\Users\\a\\Удостоверение.pdf").as_deref(),
            Some("Удостоверение.pdf")
        );
        assert_eq!(clean_name("a\u{0000}b.pdf").as_deref(), Some("ab.pdf"));
        assert_eq!(clean_name(".hidden").as_deref(), Some("hidden"));
        assert_eq!(clean_name("   "), None);
    }

    #[test]
    fn allowed_types_must_match_their_extension_and_their_bytes() {
        assert!(check("сертификат.pdf", "application/pdf", b"%PDF-1.7 ...").is_ok());
        assert!(check("сертификат.pdf", "application/pdf", b"<script>").is_err());
        assert!(check("фото.png", "image/jpeg", &[0xFF, 0xD8, 0xFF, 0]).is_err());
        assert!(check("фото.jpg", "image/jpeg", &[0xFF, 0xD8, 0xFF, 0]).is_ok());
        assert!(check("run.exe", "application/octet-stream", b"MZ").is_err());
        assert!(
            check(
                "отчёт.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                b"PK\x03\x04rest"
            )
            .is_ok()
        );
        assert!(check("пусто.txt", "text/plain", b"").is_err());
        assert!(check("note.txt", "text/plain; charset=utf-8", "Привет".as_bytes()).is_ok());
    }
}
