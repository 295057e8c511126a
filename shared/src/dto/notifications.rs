//! The notification centre and the «Что сделать» list.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::events::{EventKind, NoticeChannel, NoticeKind, TodoKind};

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

/// How a person receives notices of one kind.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationSetting {
    pub kind: NoticeKind,
    /// The kind's Russian title (in answers; ignored when sent).
    #[serde(default)]
    pub title: String,
    pub channel: NoticeChannel,
}

/// A person's choice for every kind of notice, in the domain's order.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationSettings {
    /// At most [`MAX_NOTIFICATION_SETTINGS`] choices in one request.
    #[cfg_attr(feature = "openapi", schema(max_items = 32))]
    pub items: Vec<NotificationSetting>,
    /// Hours without letters (they wait until the hours end). Absent in a request: unchanged;
    /// an empty window (`from_hour` = `to_hour`) turns them off.
    #[serde(default)]
    pub quiet_hours: Option<QuietHours>,
}

/// Hours of the person's day without letters, e.g. 22 to 8; across midnight when `from_hour`
/// is later than `to_hour` ([`crate::events::quiet_until`]).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, validator::Validate,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuietHours {
    #[validate(range(min = 0, max = 23, message = "От 0 до 23"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 23))]
    pub from_hour: i32,
    #[validate(range(min = 0, max = 23, message = "От 0 до 23"))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 23))]
    pub to_hour: i32,
    /// The person's offset from UTC, in minutes (Moscow: 180).
    #[validate(range(min = -720, max = 840, message = "От −720 до 840 минут"))]
    #[cfg_attr(feature = "openapi", schema(minimum = -720, maximum = 840))]
    pub utc_offset_minutes: i32,
}

impl QuietHours {
    /// When a letter due at `now` may go (`None`: at once).
    pub fn until(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        crate::events::quiet_until(
            u32::try_from(self.from_hour).ok()?,
            u32::try_from(self.to_hour).ok()?,
            self.utc_offset_minutes,
            now,
        )
    }
}

/// The most choices one request may carry (the document states the same number).
pub const MAX_NOTIFICATION_SETTINGS: usize = 32;

/// What a one-click unsubscription did.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unsubscribed {
    /// The kind whose letters stopped (none for the daily digest).
    pub kind: Option<NoticeKind>,
    /// The kind's Russian title (or the digest's), for «Вы отписались от писем: …».
    pub title: String,
    /// Every kind now sent to the platform only.
    #[serde(default)]
    pub kinds: Vec<NoticeKind>,
}
