//! Documents: the route card (DOCX and PDF), completion certificates with public verification,
//! and streaming list exports.
//!
//! What a document says is built once as a [`model::Doc`] (pure, tested); [`docx`] and [`pdf`]
//! only lay it out. Rendering is CPU work and runs on the blocking pool.

pub mod attendance;
pub mod badges;
pub mod card;
pub mod certificates;
pub mod docx;
pub mod exports;
pub mod model;
pub mod pdf;
pub mod portfolio;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use shared::Role;
use shared::dto::documents::CardFormat;
use uuid::Uuid;

use crate::auth::Principal;
use crate::db::entities::{role_grant, user};
use crate::error::{AppError, AppResult};
use crate::services::route::{access, flow, read};
use crate::state::AppState;

/// A rendered file.
#[derive(Debug)]
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub filename: String,
    pub content_type: &'static str,
}

pub const DOCX_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const PDF_TYPE: &str = "application/pdf";

/// Renders `doc` on the blocking pool.
pub async fn render(doc: model::Doc, format: CardFormat) -> AppResult<Vec<u8>> {
    tokio::task::spawn_blocking(move || match format {
        CardFormat::Docx => docx::render(&doc).map_err(anyhow::Error::from),
        CardFormat::Pdf => pdf::render(&doc).map_err(anyhow::Error::from),
    })
    .await
    .map_err(|e| AppError::Unexpected(e.into()))?
    .map_err(AppError::Unexpected)
}

/// The person holding `role` at `school`, as a signer with their position.
async fn staff_signer(
    db: &impl ConnectionTrait,
    school: Uuid,
    role: Role,
) -> AppResult<Option<card::Signer>> {
    let Some(grant) = role_grant::Entity::find()
        .filter(role_grant::Column::UnitId.eq(school))
        .filter(role_grant::Column::Role.eq(role.as_str()))
        .order_by_asc(role_grant::Column::CreatedAt)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Some(u) = user::Entity::find_by_id(grant.user_id)
        .filter(user::Column::Active.eq(true))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(card::Signer {
        full_name: shared::text::full_name(&u.surname, &u.first_name, u.patronymic.as_deref()),
        title: u.position.unwrap_or_else(|| role.title_ru().to_owned()),
        date: None,
    }))
}

/// A file name without characters that upset browsers or file systems.
pub fn file_name(stem: &str, ext: &str) -> String {
    let clean: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == ' ' || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let clean = clean.split_whitespace().collect::<Vec<_>>().join("_");
    format!("{clean}.{ext}")
}

/// The route card of route `id`, for everyone who may read the route.
pub async fn route_card(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    format: CardFormat,
) -> AppResult<Rendered> {
    let ctx = access::load(&state.db, principal, id, false).await?;
    access::audit_read(
        state,
        principal,
        &ctx,
        match format {
            CardFormat::Docx => "route.card_docx_read",
            CardFormat::Pdf => "route.card_pdf_read",
        },
        "route",
        id,
    );
    let route = read::assemble(&state.db, principal, &ctx).await?;
    let history = flow::history_of(state, id, None).await?;
    let mut signers = card::Signers::from_approvals(&route);
    // Not signed yet: the form still names who will sign.
    if signers.director.is_none() {
        signers.director = staff_signer(&state.db, route.school.id, Role::Director).await?;
    }
    if signers.deputy.is_none() {
        signers.deputy = staff_signer(&state.db, route.school.id, Role::DeputyDirector).await?;
    }
    let doc = card::build(&route, &history, &signers);
    let (ext, content_type) = match format {
        CardFormat::Docx => ("docx", DOCX_TYPE),
        CardFormat::Pdf => ("pdf", PDF_TYPE),
    };
    let filename = file_name(
        &format!("Карта_ИОМ_{}", card::short_name(&route.teacher.full_name)),
        ext,
    );
    Ok(Rendered {
        bytes: render(doc, format).await?,
        filename,
        content_type,
    })
}
