//! The comment thread of a route (tutor ↔ teacher ↔ methodist ↔ school).

use std::collections::HashMap;

use sea_orm::{ActiveModelTrait, Set};
use shared::dto::{CommentDto, CommentInput, PersonRef};
use uuid::Uuid;
use validator::Validate;

use super::access;
use crate::auth::Principal;
use crate::db::entities::{route_comment, user};
use crate::db::{self, routes, users};
use crate::error::{AppError, AppResult};
use crate::services::people::to_ref;
use crate::state::AppState;

pub async fn list(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<Vec<CommentDto>> {
    let ctx = access::load(&state.db, principal, id, false).await?;
    access::audit_read(state, principal, &ctx, "route.comments_read", "route", id);
    let rows = routes::comments(&state.db, id).await?;
    let ids: Vec<Uuid> = rows.iter().map(|c| c.author_id).collect();
    let people: HashMap<Uuid, user::Model> = users::find_many(&state.db, &ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    rows.iter()
        .map(|c| {
            Ok(CommentDto {
                id: c.id,
                author: people.get(&c.author_id).map(to_ref).unwrap_or(PersonRef {
                    id: c.author_id,
                    full_name: "—".into(),
                    email: String::new(),
                }),
                section: c.section.as_deref().map(db::parse_code).transpose()?,
                text: c.text.clone(),
                created_at: c.created_at,
            })
        })
        .collect()
}

pub async fn add(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: CommentInput,
) -> AppResult<CommentDto> {
    req.validate()?;
    let ctx = access::load(&state.db, principal, id, false).await?;
    if !principal.actor.can_comment_route(&ctx.facts) {
        return Err(AppError::forbidden(
            "Вы не можете комментировать этот маршрут.",
        ));
    }
    let t = db::now();
    let txn = db::begin_write(&state.db).await?;
    let row = route_comment::ActiveModel {
        id: Set(db::new_id()),
        route_id: Set(id),
        author_id: Set(principal.id()),
        section: Set(req.section.map(|s| s.as_str().to_owned())),
        text: Set(req.text.trim().to_owned()),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(&txn)
    .await?;
    crate::services::events::record(
        &txn,
        crate::services::events::Event::route(
            shared::events::EventKind::CommentAdded,
            principal.id(),
            &ctx.route,
            serde_json::json!({ "comment_id": row.id, "section": req.section }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(CommentDto {
        id: row.id,
        author: to_ref(&principal.user),
        section: req.section,
        text: row.text,
        created_at: row.created_at,
    })
}
