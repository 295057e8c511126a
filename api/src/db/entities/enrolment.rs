use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "enrolments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub event_id: Uuid,
    pub person_id: Uuid,
    pub status: String,
    pub position: i64,
    pub route_id: Option<Uuid>,
    pub activity_id: Option<Uuid>,
    pub certificate_name: Option<String>,
    pub certificate_type: Option<String>,
    pub certificate_size: Option<i64>,
    pub certificate_key: Option<String>,
    pub marked_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
