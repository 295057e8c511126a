//! Signing in and tokens.

use validator::Validate;

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"email": "teacher@iom.test", "password": "demo12345"})))]
pub struct LoginRequest {
    #[validate(length(min = 3, max = 254, message = "Укажите адрес электронной почты"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 3, max_length = 254))]
    pub email: String,
    #[validate(length(min = 1, max = 1024, message = "Укажите пароль"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1024))]
    pub password: String,
}

/// An access token for the `Authorization: Bearer` header. The refresh token travels only in
/// an HttpOnly cookie, out of reach of page scripts.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}
