//! Short-lived access tokens (HS256).

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

/// Access tokens live 15 minutes; a refresh gets a new one.
pub const ACCESS_TTL_SECS: u64 = 15 * 60;
const ISSUER: &str = "iom";

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Claims {
    /// The person's id.
    pub sub: Uuid,
    pub iat: u64,
    pub exp: u64,
    pub iss: String,
    /// The person's security stamp when the token was issued; a token whose stamp is no
    /// longer the person's is refused (see [`crate::auth::principal::session_is_current`]).
    pub sst: String,
}

/// The signing keys, made once from the secret.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl JwtKeys {
    pub fn new(secret: &SecretString) -> Self {
        let bytes = secret.expose_secret().as_bytes();
        JwtKeys {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
        }
    }

    /// An access token for 15 minutes, never past `not_after` (the end of the sign-in's
    /// absolute lifetime, in seconds since the epoch).
    pub fn issue(
        &self,
        user_id: Uuid,
        stamp: &str,
        now_secs: u64,
        not_after: Option<u64>,
    ) -> anyhow::Result<String> {
        let exp = (now_secs + ACCESS_TTL_SECS).min(not_after.unwrap_or(u64::MAX));
        let claims = Claims {
            sub: user_id,
            iat: now_secs,
            exp,
            iss: ISSUER.to_owned(),
            sst: stamp.to_owned(),
        };
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    /// The claims of a valid, unexpired token of ours; `None` for anything else.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.leeway = 5;
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .ok()
            .map(|d| d.claims)
    }
}

/// Claims of an integration client's token (OAuth 2.0 client credentials).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ClientClaims {
    /// The client's id.
    pub sub: Uuid,
    pub iat: u64,
    pub exp: u64,
    pub iss: String,
    /// Granted scopes, space-separated.
    pub scope: String,
}

/// A client's token lives ten minutes; it asks for a new one with its credentials.
pub const CLIENT_TTL_SECS: u64 = 10 * 60;
/// A distinct issuer, so a client's token is never taken for a person's and back.
const CLIENT_ISSUER: &str = "iom-client";

impl JwtKeys {
    pub fn issue_client(
        &self,
        client_id: Uuid,
        scope: String,
        now_secs: u64,
    ) -> anyhow::Result<String> {
        let claims = ClientClaims {
            sub: client_id,
            iat: now_secs,
            exp: now_secs + CLIENT_TTL_SECS,
            iss: CLIENT_ISSUER.to_owned(),
            scope,
        };
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    pub fn verify_client(&self, token: &str) -> Option<ClientClaims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[CLIENT_ISSUER]);
        validation.leeway = 5;
        jsonwebtoken::decode::<ClientClaims>(token, &self.decoding, &validation)
            .ok()
            .map(|d| d.claims)
    }
}

pub fn now_secs() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &str) -> JwtKeys {
        JwtKeys::new(&SecretString::from(secret))
    }

    #[test]
    fn an_issued_token_verifies_with_the_same_secret_only() {
        let id = Uuid::from_u128(7);
        let token = keys("s1").issue(id, "st", now_secs(), None).unwrap();
        assert_eq!(keys("s1").verify(&token).map(|c| c.sub), Some(id));
        assert!(keys("s2").verify(&token).is_none());
        assert!(keys("s1").verify("not-a-token").is_none());
    }

    #[test]
    fn client_and_person_tokens_are_never_mistaken_for_each_other() {
        let k = keys("s");
        let id = Uuid::from_u128(5);
        let client = k
            .issue_client(id, "read_routes".into(), now_secs())
            .unwrap();
        let person = k.issue(id, "st", now_secs(), None).unwrap();
        assert!(k.verify(&client).is_none());
        assert!(k.verify_client(&person).is_none());
        assert_eq!(
            k.verify_client(&client).map(|c| c.scope),
            Some("read_routes".into())
        );
    }

    #[test]
    fn an_expired_token_is_refused() {
        let old = now_secs() - ACCESS_TTL_SECS - 60;
        let token = keys("s")
            .issue(Uuid::from_u128(1), "st", old, None)
            .unwrap();
        assert!(keys("s").verify(&token).is_none());
    }

    #[test]
    fn a_token_never_outlives_its_sign_in() {
        let now = now_secs();
        let token = keys("s")
            .issue(Uuid::from_u128(1), "st", now, Some(now + 60))
            .unwrap();
        let claims = keys("s").verify(&token).unwrap();
        assert_eq!(claims.exp, now + 60);
        assert_eq!(claims.sst, "st");
    }
}
