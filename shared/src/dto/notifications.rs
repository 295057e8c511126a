//! The notification centre and the «Что сделать» list.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::events::{EventKind, TodoKind};

/// One notice in the platform.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationDto {
    pub id: Uuid,
    /// The fact it tells of.
    pub kind: EventKind,
    /// Short, in Russian, naming the route and the person.
    pub text: String,
    /// Where in the web application the fact can be seen or acted on (`/routes/{id}`).
    pub link: Option<String>,
    pub route_id: Option<Uuid>,
    /// The notice asks the reader to act.
    pub needs_action: bool,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// A page of notices, newest first, with how many are unread in all.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationPage {
    pub items: Vec<NotificationDto>,
    pub total: u64,
    pub unread: u64,
    pub offset: u64,
    pub limit: u64,
}

/// How many notices were marked read.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MarkedRead {
    pub marked: u64,
    /// Unread notices left.
    pub unread: u64,
}

/// One piece of work waiting for the person.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TodoItem {
    pub kind: TodoKind,
    /// What to do, in Russian, naming the route and the person.
    pub title: String,
    /// Where in the web application it is done.
    pub link: String,
    /// Since when it has been waiting.
    pub since: DateTime<Utc>,
    pub route_id: Option<Uuid>,
}

/// The «Что сделать» list: oldest first.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TodoList {
    pub items: Vec<TodoItem>,
}
