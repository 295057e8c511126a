//! A person's own view of what happens to their personal data: «Кто видел мои данные».

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use shared::dto::Page;
use shared::dto::people::AccessLogEntry;
use shared::text::full_name;
use uuid::Uuid;

use crate::auth::Principal;
use crate::db::entities::integration_client;
use crate::db::{audit, users};
use crate::error::AppResult;

/// The most entries one page returns.
pub const MAX_PAGE: u64 = 200;

/// Every access to the signed-in person's route, card, files, results and profile by someone
/// else (people by name and role; integration clients by their name), newest first.
pub async fn access_log(
    db: &impl ConnectionTrait,
    principal: &Principal,
    offset: u64,
    limit: u64,
) -> AppResult<Page<AccessLogEntry>> {
    let limit = limit.clamp(1, MAX_PAGE);
    let (rows, total) = audit::about_person(db, principal.id(), offset, limit).await?;

    let ids = |kind: &str| -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = rows
            .iter()
            .filter(|r| r.actor_kind == kind)
            .filter_map(|r| r.actor_id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let people: std::collections::HashMap<Uuid, String> = users::find_many(db, &ids("user"))
        .await?
        .into_iter()
        .map(|u| {
            let name = full_name(&u.surname, &u.first_name, u.patronymic.as_deref());
            (u.id, name)
        })
        .collect();
    let client_ids = ids("client");
    let clients: std::collections::HashMap<Uuid, String> = if client_ids.is_empty() {
        Default::default()
    } else {
        integration_client::Entity::find()
            .filter(integration_client::Column::Id.is_in(client_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect()
    };

    let items = rows
        .into_iter()
        .map(|r| {
            let names = if r.actor_kind == "client" {
                &clients
            } else {
                &people
            };
            let actor_name = r
                .actor_id
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or_else(|| match r.actor_kind.as_str() {
                    "client" => "Интеграция (удалена)".to_owned(),
                    "user" => "Пользователь (удалён)".to_owned(),
                    _ => "Платформа".to_owned(),
                });
            AccessLogEntry {
                at: r.occurred_at,
                actor_kind: r.actor_kind,
                actor_name,
                basis: basis(&r.details),
                action: r.action,
                entity_type: r.entity_type,
                entity_id: r.entity_id,
            }
        })
        .collect();
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

/// The roles a read was made by, as recorded in the entry's details (`{"as": ["tutor"]}`).
fn basis(details: &str) -> Vec<String> {
    serde_json::from_str::<serde_json::Value>(details)
        .ok()
        .and_then(|v| {
            v.get("as").and_then(|a| a.as_array()).map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::basis;

    #[test]
    fn the_basis_is_read_from_the_details_and_anything_else_is_no_basis() {
        assert_eq!(
            basis(r#"{"as":["tutor","director"]}"#),
            ["tutor", "director"]
        );
        assert!(basis(r#"{"kind":"tutor"}"#).is_empty());
        assert!(basis("not json").is_empty());
    }
}
