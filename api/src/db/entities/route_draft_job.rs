use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "route_draft_jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub campaign_id: Uuid,
    pub region_id: Uuid,
    pub requested_by: Uuid,
    pub job_id: Uuid,
    pub status: String,
    pub selection: String,
    pub teachers: String,
    pub period_start: Date,
    pub period_end: Date,
    pub title: String,
    pub track: Option<String>,
    pub total: i32,
    pub done: i32,
    pub created: i32,
    pub skipped: i32,
    pub failed: i32,
    pub failures: String,
    pub finished_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
