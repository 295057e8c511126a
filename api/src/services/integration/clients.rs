//! Integration clients and their credentials: created by an administrator or a regional
//! manager for a region or a municipality; secrets stored hashed, shown once, rotatable with
//! an overlap, revocable at once.

use chrono::Duration;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use shared::access::ClientScope;
use shared::dto::{ClientDto, CreateClient, CredentialDto, IssuedCredentials, RotateCredentials};
use shared::{Role, UnitKind};
use uuid::Uuid;
use validator::Validate;

use crate::auth::{Principal, tokens};
use crate::db::entities::{client_credential, integration_client};
use crate::db::{self, audit, units};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// API keys look like `iomk_<key id>_<secret>`; the key id finds the credential.
pub const KEY_PREFIX: &str = "iomk_";

/// Who may manage clients of a unit: the administrator, a regional manager of its region.
fn may_manage(principal: &Principal, path: &shared::UnitPath) -> bool {
    principal.actor.is_admin() || principal.actor.covers(Role::RegionalManager, path)
}

pub fn parse_list<T: serde::de::DeserializeOwned>(text: &str) -> Vec<T> {
    serde_json::from_str(text).unwrap_or_default()
}

pub async fn to_dto(
    db: &impl ConnectionTrait,
    c: &integration_client::Model,
) -> AppResult<ClientDto> {
    let unit = units::find(db, c.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let creds = client_credential::Entity::find()
        .filter(client_credential::Column::ClientId.eq(c.id))
        .order_by_asc(client_credential::Column::CreatedAt)
        .all(db)
        .await?;
    Ok(ClientDto {
        id: c.id,
        name: c.name.clone(),
        unit: units::to_ref(&unit)?,
        scopes: parse_list(&c.scopes),
        ip_allowlist: parse_list(&c.ip_allowlist),
        rate_limit_per_minute: c.rate_limit_per_minute,
        revoked: c.revoked_at.is_some(),
        created_at: c.created_at,
        credentials: creds
            .iter()
            .map(|k| CredentialDto {
                id: k.id,
                key_prefix: format!("{KEY_PREFIX}{}", k.key_id),
                created_at: k.created_at,
                expires_at: k.expires_at,
                revoked: k.revoked_at.is_some(),
                last_used_at: k.last_used_at,
            })
            .collect(),
    })
}

/// A new secret for a client; returns (client secret, API key).
async fn issue(db: &impl ConnectionTrait, client_id: Uuid) -> AppResult<(String, String)> {
    let key_id: String = Uuid::new_v4().simple().to_string()[..12].to_owned();
    let secret = tokens::generate();
    let t = db::now();
    client_credential::ActiveModel {
        id: Set(db::new_id()),
        client_id: Set(client_id),
        key_id: Set(key_id.clone()),
        secret_hash: Set(tokens::hash(&secret)),
        expires_at: Set(None),
        revoked_at: Set(None),
        last_used_at: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(db)
    .await?;
    Ok((
        format!("{key_id}.{secret}"),
        format!("{KEY_PREFIX}{key_id}_{secret}"),
    ))
}

fn check_allowlist(list: &[String]) -> AppResult<()> {
    for entry in list {
        let ok = entry.parse::<ipnet::IpNet>().is_ok() || entry.parse::<std::net::IpAddr>().is_ok();
        if !ok {
            return Err(AppError::invalid(
                "ip_allowlist",
                format!("«{entry}» — не адрес и не сеть (например, 10.0.0.0/8)."),
            ));
        }
    }
    Ok(())
}

pub async fn create(
    state: &AppState,
    principal: &Principal,
    req: CreateClient,
) -> AppResult<IssuedCredentials> {
    req.validate()?;
    check_allowlist(&req.ip_allowlist)?;
    let txn = db::begin_write(&state.db).await?;
    let unit = units::find(&txn, req.unit_id)
        .await?
        .ok_or_else(|| AppError::invalid("unit_id", "Подразделение не найдено."))?;
    let path = units::path(&unit)?;
    if !principal.actor.can_read_unit(&path) {
        return Err(AppError::invalid("unit_id", "Подразделение не найдено."));
    }
    if !matches!(
        units::kind(&unit)?,
        UnitKind::Region | UnitKind::Municipality
    ) {
        return Err(AppError::invalid(
            "unit_id",
            "Клиента подключают к региону или муниципалитету.",
        ));
    }
    if !may_manage(principal, &path) {
        return Err(AppError::forbidden(
            "Подключать внешние системы может менеджер ЦНППМ или администратор.",
        ));
    }
    let mut scopes = req.scopes.clone();
    scopes.sort();
    scopes.dedup();
    let t = db::now();
    let client = integration_client::ActiveModel {
        id: Set(db::new_id()),
        name: Set(req.name.trim().to_owned()),
        unit_id: Set(unit.id),
        region_id: Set(path.region),
        scopes: Set(serde_json::to_string(&scopes).unwrap_or_else(|_| "[]".into())),
        ip_allowlist: Set(serde_json::to_string(&req.ip_allowlist).unwrap_or_else(|_| "[]".into())),
        rate_limit_per_minute: Set(req.rate_limit_per_minute.unwrap_or(600)),
        created_by: Set(principal.id()),
        revoked_at: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(&txn)
    .await?;
    let (secret, key) = issue(&txn, client.id).await?;
    audit::record(
        &txn,
        audit::Entry {
            subject_id: None,
            actor_id: Some(principal.id()),
            actor_kind: "user",
            action: "integration.created",
            entity_type: "integration_client",
            entity_id: Some(client.id),
            details: serde_json::json!({ "name": client.name, "scopes": scopes, "unit": unit.id }),
        },
    )
    .await?;
    let dto = to_dto(&txn, &client).await?;
    txn.commit().await?;
    Ok(IssuedCredentials {
        client_id: client.id,
        client_secret: secret,
        api_key: key,
        client: dto,
    })
}

/// Loads a client the principal manages (404 when out of scope).
pub async fn load_managed(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> AppResult<integration_client::Model> {
    let client = integration_client::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let unit = units::find(db, client.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !may_manage(principal, &units::path(&unit)?) {
        return Err(AppError::NotFound);
    }
    Ok(client)
}

pub async fn list(state: &AppState, principal: &Principal) -> AppResult<Vec<ClientDto>> {
    let rows = integration_client::Entity::find()
        .order_by_asc(integration_client::Column::CreatedAt)
        .all(&state.db)
        .await?;
    let mut out = Vec::new();
    for c in rows {
        let Some(unit) = units::find(&state.db, c.unit_id).await? else {
            continue;
        };
        if may_manage(principal, &units::path(&unit)?) {
            out.push(to_dto(&state.db, &c).await?);
        }
    }
    Ok(out)
}

pub async fn get(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<ClientDto> {
    let c = load_managed(&state.db, principal, id).await?;
    to_dto(&state.db, &c).await
}

/// New credentials; the old ones keep working for `overlap_hours` (default 24), then stop.
pub async fn rotate(
    state: &AppState,
    principal: &Principal,
    id: Uuid,
    req: RotateCredentials,
) -> AppResult<IssuedCredentials> {
    req.validate()?;
    let txn = db::begin_write(&state.db).await?;
    let client = load_managed(&txn, principal, id).await?;
    if client.revoked_at.is_some() {
        return Err(AppError::conflict("client_revoked", "Клиент отключён."));
    }
    let overlap = Duration::hours(req.overlap_hours.unwrap_or(24));
    let until = db::now() + overlap;
    client_credential::Entity::update_many()
        .col_expr(
            client_credential::Column::ExpiresAt,
            Expr::value(Some(until)),
        )
        .col_expr(client_credential::Column::UpdatedAt, Expr::value(db::now()))
        .filter(client_credential::Column::ClientId.eq(id))
        .filter(client_credential::Column::RevokedAt.is_null())
        .filter(client_credential::Column::ExpiresAt.is_null())
        .exec(&txn)
        .await?;
    let (secret, key) = issue(&txn, id).await?;
    audit::record(
        &txn,
        audit::Entry {
            subject_id: None,
            actor_id: Some(principal.id()),
            actor_kind: "user",
            action: "integration.rotated",
            entity_type: "integration_client",
            entity_id: Some(id),
            details: serde_json::json!({ "old_until": until }),
        },
    )
    .await?;
    let dto = to_dto(&txn, &client).await?;
    txn.commit().await?;
    Ok(IssuedCredentials {
        client_id: id,
        client_secret: secret,
        api_key: key,
        client: dto,
    })
}

/// Disconnects a client at once: every credential and token stops working.
pub async fn revoke(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<ClientDto> {
    let txn = db::begin_write(&state.db).await?;
    let client = load_managed(&txn, principal, id).await?;
    let t = db::now();
    client_credential::Entity::update_many()
        .col_expr(client_credential::Column::RevokedAt, Expr::value(Some(t)))
        .filter(client_credential::Column::ClientId.eq(id))
        .filter(client_credential::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    let mut am = client.into_active_model();
    am.revoked_at = Set(Some(t));
    am.updated_at = Set(t);
    let client = am.update(&txn).await?;
    audit::record(
        &txn,
        audit::Entry {
            subject_id: None,
            actor_id: Some(principal.id()),
            actor_kind: "user",
            action: "integration.revoked",
            entity_type: "integration_client",
            entity_id: Some(id),
            details: serde_json::json!({}),
        },
    )
    .await?;
    let dto = to_dto(&txn, &client).await?;
    txn.commit().await?;
    Ok(dto)
}

/// The scopes a client was granted.
pub fn scopes_of(client: &integration_client::Model) -> Vec<ClientScope> {
    parse_list(&client.scopes)
}
