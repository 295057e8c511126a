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

    pub fn issue(&self, user_id: Uuid, now_secs: u64) -> anyhow::Result<String> {
        let claims = Claims {
            sub: user_id,
            iat: now_secs,
            exp: now_secs + ACCESS_TTL_SECS,
            iss: ISSUER.to_owned(),
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
        let token = keys("s1").issue(id, now_secs()).unwrap();
        assert_eq!(keys("s1").verify(&token).map(|c| c.sub), Some(id));
        assert!(keys("s2").verify(&token).is_none());
        assert!(keys("s1").verify("not-a-token").is_none());
    }

    #[test]
    fn an_expired_token_is_refused() {
        let old = now_secs() - ACCESS_TTL_SECS - 60;
        let token = keys("s").issue(Uuid::from_u128(1), old).unwrap();
        assert!(keys("s").verify(&token).is_none());
    }
}
