//! The service layer's one error type and its single mapping to RFC 9457 problem+json.
//!
//! Services return [`AppError`]; handlers pass it through. Unexpected errors (database down, a
//! bug) are answered with an opaque 500 carrying only the request id, and logged in full.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use shared::dto::Problem;
use validator::ValidationErrors;

use crate::middleware::request_id;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the request is malformed (not JSON, a bad query string).
    #[error("{detail}")]
    BadRequest { code: &'static str, detail: String },
    /// 401: no valid credentials.
    #[error("{detail}")]
    Unauthorized { code: &'static str, detail: String },
    /// 403: the object is visible but this action on it is not allowed.
    #[error("{detail}")]
    Forbidden { detail: String },
    /// 404: no such object, or it is outside the caller's scope (the two look the same).
    #[error("not found")]
    NotFound,
    /// 409: the object's state does not allow this (a workflow rule, a duplicate).
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    /// 410: the object existed and is gone for good (an expired download).
    #[error("{detail}")]
    Gone { code: &'static str, detail: String },
    /// 412: the caller's copy is stale (optimistic concurrency).
    #[error("{detail}")]
    PreconditionFailed { detail: String },
    /// 413
    #[error("payload too large")]
    PayloadTooLarge { limit: usize },
    /// 415
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// 422: well-formed but invalid; messages per field, in Russian.
    #[error("validation failed")]
    Validation {
        detail: Option<String>,
        errors: BTreeMap<String, Vec<String>>,
    },
    /// 422: the body is JSON but does not fit the schema (a wrong type, an unknown enum value,
    /// a missing field).
    #[error("{detail}")]
    InvalidBody { detail: String },
    /// 429
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    /// 500: anything unexpected. Never shown to the client.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::BadRequest {
            code,
            detail: detail.into(),
        }
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::Conflict {
            code,
            detail: detail.into(),
        }
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        AppError::Forbidden {
            detail: detail.into(),
        }
    }

    /// A validation failure on one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let mut errors = BTreeMap::new();
        errors.insert(field.to_owned(), vec![message.into()]);
        AppError::Validation {
            detail: None,
            errors,
        }
    }

    /// 422 with several fields' messages at once.
    pub fn invalid_fields(problems: Vec<(String, String)>) -> Self {
        let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (field, message) in problems {
            errors.entry(field).or_default().push(message);
        }
        AppError::Validation {
            detail: None,
            errors,
        }
    }

    /// The stable machine code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest { code, .. }
            | AppError::Unauthorized { code, .. }
            | AppError::Conflict { code, .. }
            | AppError::Gone { code, .. } => code,
            AppError::Forbidden { .. } => "forbidden",
            AppError::NotFound => "not_found",
            AppError::PreconditionFailed { .. } => "stale_version",
            AppError::PayloadTooLarge { .. } => "payload_too_large",
            AppError::UnsupportedMediaType => "unsupported_media_type",
            AppError::Validation { .. } => "validation_failed",
            AppError::InvalidBody { .. } => "invalid_body",
            AppError::TooManyRequests { .. } => "too_many_requests",
            AppError::Unexpected(_) => "internal_error",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            AppError::BadRequest { .. } => "Некорректный запрос",
            AppError::Unauthorized { .. } => "Требуется вход в систему",
            AppError::Forbidden { .. } => "Недостаточно прав",
            AppError::NotFound => "Не найдено",
            AppError::Conflict { .. } => "Действие сейчас невозможно",
            AppError::Gone { .. } => "Больше недоступно",
            AppError::PreconditionFailed { .. } => "Данные изменились",
            AppError::PayloadTooLarge { .. } => "Слишком большой запрос",
            AppError::UnsupportedMediaType => "Неподдерживаемый формат",
            AppError::Validation { .. } => "Проверьте введённые данные",
            AppError::InvalidBody { .. } => "Данные запроса не соответствуют схеме",
            AppError::TooManyRequests { .. } => "Слишком много попыток",
            AppError::Unexpected(_) => "Внутренняя ошибка сервера",
        }
    }

    fn detail(&self) -> Option<String> {
        match self {
            AppError::BadRequest { detail, .. }
            | AppError::Unauthorized { detail, .. }
            | AppError::Forbidden { detail }
            | AppError::Conflict { detail, .. }
            | AppError::Gone { detail, .. }
            | AppError::PreconditionFailed { detail }
            | AppError::InvalidBody { detail } => Some(detail.clone()),
            AppError::NotFound => Some("Объект не найден или недоступен.".into()),
            AppError::PayloadTooLarge { limit } => Some(format!(
                "Размер запроса превышает допустимый ({} КБ).",
                limit / 1024
            )),
            AppError::UnsupportedMediaType => {
                Some("Ожидается тело запроса в формате application/json.".into())
            }
            AppError::Validation { detail, .. } => detail.clone(),
            AppError::TooManyRequests { retry_after_secs } => {
                Some(format!("Повторите попытку через {retry_after_secs} с."))
            }
            AppError::Unexpected(_) => Some(
                "Произошла непредвиденная ошибка. Сообщите администратору номер запроса.".into(),
            ),
        }
    }

    pub fn to_problem(&self) -> Problem {
        let status = self.status_code();
        Problem {
            kind: format!("/problems/{}", self.code()),
            title: self.title().to_owned(),
            status: status.as_u16(),
            detail: self.detail(),
            code: self.code().to_owned(),
            request_id: request_id::current(),
            errors: match self {
                AppError::Validation { errors, .. } => errors.clone(),
                _ => BTreeMap::new(),
            },
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            AppError::Forbidden { .. } => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::Gone { .. } => StatusCode::GONE,
            AppError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            AppError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Validation { .. } | AppError::InvalidBody { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Unexpected(e) = self {
            tracing::error!(error = ?e, request_id = request_id::current(), "unexpected error");
        }
        let mut res = HttpResponse::build(self.status_code());
        res.content_type("application/problem+json");
        match self {
            AppError::Unauthorized { .. } => {
                res.insert_header(("WWW-Authenticate", "Bearer"));
            }
            AppError::TooManyRequests { retry_after_secs } => {
                res.insert_header(("Retry-After", retry_after_secs.to_string()));
            }
            _ => {}
        }
        res.json(self.to_problem())
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(e: sea_orm::DbErr) -> Self {
        AppError::Unexpected(anyhow::Error::new(e))
    }
}

impl From<ValidationErrors> for AppError {
    fn from(e: ValidationErrors) -> Self {
        let errors = shared::dto::validation_messages(&e);
        AppError::Validation {
            detail: None,
            errors,
        }
    }
}

impl From<actix_web::error::JsonPayloadError> for AppError {
    fn from(e: actix_web::error::JsonPayloadError) -> Self {
        use actix_web::error::JsonPayloadError as J;
        match e {
            J::OverflowKnownLength { limit, .. } | J::Overflow { limit } => {
                AppError::PayloadTooLarge { limit }
            }
            J::ContentType => AppError::UnsupportedMediaType,
            J::Deserialize(e) if e.is_data() => AppError::InvalidBody {
                detail: format!("Недопустимое значение в теле запроса: {e}"),
            },
            J::Deserialize(e) => AppError::bad_request(
                "malformed_json",
                format!("Тело запроса не является корректным JSON: {e}"),
            ),
            other => AppError::bad_request(
                "malformed_body",
                format!("Не удалось прочитать тело запроса: {other}"),
            ),
        }
    }
}

/// Whether a database error is a unique-constraint violation (on either backend).
pub fn is_unique_violation(e: &sea_orm::DbErr) -> bool {
    matches!(
        e.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}
