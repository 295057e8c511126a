//! The integration client as a request's principal: from an OAuth access token or an API key;
//! checked against revocation, its address allow-list and its rate limit; every call audited.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, HttpResponse, dev::Payload, web};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use shared::access::{ClientActor, ClientScope};
use shared::dto::{OAuthTokenRequest, OAuthTokenResponse};

use super::clients::{KEY_PREFIX, parse_list, scopes_of};
use super::rate::{self, RateInfo};
use crate::auth::{jwt, tokens};
use crate::db::entities::{client_credential, integration_client};
use crate::db::{self, audit, units};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// A calling integration client.
#[derive(Debug, Clone)]
pub struct ClientPrincipal {
    pub client: integration_client::Model,
    pub actor: ClientActor,
    pub rate: RateInfo,
}

impl ClientPrincipal {
    /// 403 unless the client holds `scope`.
    pub fn require(&self, scope: ClientScope) -> AppResult<()> {
        if self.actor.scopes.contains(&scope) {
            Ok(())
        } else {
            Err(AppError::forbidden(format!(
                "У клиента нет права «{}».",
                scope.title_ru()
            )))
        }
    }

    /// Records, for the audit log, that the client read people's data: `(object, person)` pairs
    /// served under `scope`, each an entry with the client's id (batched like every read).
    pub fn record_reads(
        &self,
        reads: &crate::db::audit::Reads,
        scope: ClientScope,
        action: &'static str,
        entity_type: &'static str,
        items: impl IntoIterator<Item = (uuid::Uuid, uuid::Uuid)>,
    ) {
        for (entity_id, subject_id) in items {
            reads.record(crate::db::audit::Read {
                actor_id: self.client.id,
                actor_kind: "client",
                basis: vec![scope.as_str().to_owned()],
                action,
                entity_type,
                entity_id,
                subject_id,
            });
        }
    }

    /// Adds the `RateLimit-*` headers to a response.
    pub fn decorate(&self, mut res: HttpResponse) -> HttpResponse {
        let h = res.headers_mut();
        for (name, value) in [
            ("ratelimit-limit", self.rate.limit.to_string()),
            ("ratelimit-remaining", self.rate.remaining.to_string()),
            ("ratelimit-reset", self.rate.reset.to_string()),
        ] {
            if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&value) {
                h.insert(actix_web::http::header::HeaderName::from_static(name), v);
            }
        }
        res
    }
}

fn invalid_client() -> AppError {
    AppError::Unauthorized {
        code: "invalid_client",
        detail: "Ключ или токен внешней системы недействителен.".into(),
    }
}

/// Finds the client a secret (`<key id>.<secret>` or an API key's tail) belongs to.
async fn by_secret(
    db: &impl ConnectionTrait,
    key_id: &str,
    secret: &str,
) -> AppResult<integration_client::Model> {
    let cred = client_credential::Entity::find()
        .filter(client_credential::Column::KeyId.eq(key_id))
        .one(db)
        .await?
        .ok_or_else(invalid_client)?;
    let now = db::now();
    let valid = cred.secret_hash == tokens::hash(secret)
        && cred.revoked_at.is_none()
        && cred.expires_at.is_none_or(|e| e > now);
    if !valid {
        return Err(invalid_client());
    }
    // Noting the use once a minute is enough and keeps reads from writing every time.
    if cred
        .last_used_at
        .is_none_or(|t| now - t > chrono::Duration::minutes(1))
    {
        client_credential::Entity::update_many()
            .col_expr(
                client_credential::Column::LastUsedAt,
                Expr::value(Some(now)),
            )
            .filter(client_credential::Column::Id.eq(cred.id))
            .exec(db)
            .await?;
    }
    integration_client::Entity::find_by_id(cred.client_id)
        .one(db)
        .await?
        .filter(|c| c.revoked_at.is_none())
        .ok_or_else(invalid_client)
}

fn allowed_address(list: &[String], addr: Option<std::net::IpAddr>) -> bool {
    if list.is_empty() {
        return true;
    }
    let Some(addr) = addr else { return false };
    list.iter().any(|entry| {
        entry
            .parse::<ipnet::IpNet>()
            .is_ok_and(|net| net.contains(&addr))
            || entry.parse::<std::net::IpAddr>().is_ok_and(|a| a == addr)
    })
}

async fn authenticate(
    state: &AppState,
    token: &str,
    addr: Option<std::net::IpAddr>,
    method: &str,
    path: &str,
) -> AppResult<ClientPrincipal> {
    let client = if let Some(rest) = token.strip_prefix(KEY_PREFIX) {
        let (key_id, secret) = rest.split_once('_').ok_or_else(invalid_client)?;
        by_secret(&state.db, key_id, secret).await?
    } else {
        let claims = state.jwt.verify_client(token).ok_or_else(invalid_client)?;
        integration_client::Entity::find_by_id(claims.sub)
            .one(&state.db)
            .await?
            .filter(|c| c.revoked_at.is_none())
            .ok_or_else(invalid_client)?
    };
    if !allowed_address(&parse_list(&client.ip_allowlist), addr) {
        return Err(AppError::forbidden(
            "Запрос пришёл с адреса, не разрешённого для этой внешней системы.",
        ));
    }
    let rate = rate::hit(
        &state.db,
        &format!("client:{}", client.id),
        client.rate_limit_per_minute,
        db::now(),
    )
    .await?;
    if !rate.allowed {
        return Err(AppError::TooManyRequests {
            retry_after_secs: u64::try_from(rate.reset).unwrap_or(60),
        });
    }
    let unit = units::find(&state.db, client.unit_id)
        .await?
        .ok_or_else(invalid_client)?;
    let actor = ClientActor {
        client_id: client.id,
        unit: units::path(&unit)?,
        scopes: scopes_of(&client),
    };
    audit::record(
        &state.db,
        audit::Entry {
            subject_id: None,
            actor_id: Some(client.id),
            actor_kind: "client",
            action: "api.call",
            entity_type: "integration_client",
            entity_id: Some(client.id),
            details: serde_json::json!({ "method": method, "path": path }),
        },
    )
    .await?;
    Ok(ClientPrincipal {
        client,
        actor,
        rate,
    })
}

impl FromRequest for ClientPrincipal {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim().to_owned());
        let addr = crate::middleware::client_address::of(req);
        let method = req.method().to_string();
        let path = req.path().to_owned();
        Box::pin(async move {
            let state =
                state.ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("no app state")))?;
            let token = token.ok_or_else(|| AppError::Unauthorized {
                code: "unauthenticated",
                detail: "Нужен токен внешней системы (POST /api/v1/oauth/token) или ключ API."
                    .into(),
            })?;
            authenticate(&state, &token, addr, &method, &path).await
        })
    }
}

/// OAuth 2.0 client credentials grant: the client's id and secret (in the body or as HTTP
/// Basic) for a ten-minute access token.
pub async fn token(
    state: &AppState,
    req: OAuthTokenRequest,
    basic: Option<(String, String)>,
) -> AppResult<OAuthTokenResponse> {
    if req.grant_type != "client_credentials" {
        return Err(AppError::bad_request(
            "unsupported_grant_type",
            "Поддерживается только grant_type=client_credentials.",
        ));
    }
    let (id, secret) = match (basic, req.client_id, req.client_secret) {
        (Some(pair), _, _) => pair,
        (None, Some(id), Some(secret)) => (id, secret),
        _ => return Err(invalid_client()),
    };
    let client_id: uuid::Uuid = id.trim().parse().map_err(|_| invalid_client())?;
    let (key_id, secret) = secret.trim().split_once('.').ok_or_else(invalid_client)?;
    let client = by_secret(&state.db, key_id, secret).await?;
    if client.id != client_id {
        return Err(invalid_client());
    }
    let scope = scopes_of(&client)
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let access_token = state
        .jwt
        .issue_client(client.id, scope.clone(), jwt::now_secs())?;
    audit::record(
        &state.db,
        audit::Entry {
            subject_id: None,
            actor_id: Some(client.id),
            actor_kind: "client",
            action: "oauth.token",
            entity_type: "integration_client",
            entity_id: Some(client.id),
            details: serde_json::json!({}),
        },
    )
    .await?;
    Ok(OAuthTokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: jwt::CLIENT_TTL_SECS,
        scope,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_lists_accept_addresses_and_networks() {
        let list = vec!["10.0.0.0/8".to_owned(), "192.168.1.5".to_owned()];
        assert!(allowed_address(&list, "10.1.2.3".parse().ok()));
        assert!(allowed_address(&list, "192.168.1.5".parse().ok()));
        assert!(!allowed_address(&list, "192.168.1.6".parse().ok()));
        assert!(!allowed_address(&list, None));
        assert!(allowed_address(&[], None));
    }
}
