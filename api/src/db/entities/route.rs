use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "routes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub teacher_id: Uuid,
    pub school_id: Uuid,
    pub region_id: Uuid,
    pub municipality_id: Option<Uuid>,
    pub title: String,
    pub sort_key: String,
    pub track: Option<String>,
    pub period_start: Date,
    pub period_end: Date,
    pub original_end: Option<Date>,
    pub extension_reason: Option<String>,
    pub status: String,
    pub stage: String,
    pub version: i32,
    pub approved_version: Option<i32>,
    pub material_version: Option<i32>,
    pub started_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    pub framework_id: Option<Uuid>,
    pub profile_snapshot: String,
    pub profile_taken_at: DateTimeUtc,
    pub educational_request: Option<String>,
    pub final_event: String,
    pub conclusion: String,
    pub outcome: Option<String>,
    pub conclusion_by: Option<Uuid>,
    pub conclusion_at: Option<DateTimeUtc>,
    pub evaluation: Option<String>,
    pub previous_route_id: Option<Uuid>,
    pub frozen: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
