use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organiser_id: Uuid,
    pub region_id: Uuid,
    pub district_id: Option<Uuid>,
    pub municipality_id: Option<Uuid>,
    pub school_id: Option<Uuid>,
    pub title: String,
    pub sort_key: String,
    pub description: Option<String>,
    pub kind: String,
    pub level: String,
    pub format: String,
    pub place: Option<String>,
    pub link: Option<String>,
    pub starts_on: Date,
    pub ends_on: Date,
    pub schedule: Option<String>,
    pub hours: Option<f64>,
    pub capacity: Option<i32>,
    pub registration_deadline: Option<Date>,
    pub audience_subjects: String,
    pub audience_levels: String,
    pub status: String,
    pub version: i32,
    pub created_by: Uuid,
    pub published_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
    pub cancel_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
