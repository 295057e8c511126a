use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "route_activities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub route_id: Uuid,
    pub version: i32,
    pub position: i32,
    pub name: String,
    pub level: Option<String>,
    pub start_date: Option<Date>,
    pub end_date: Option<Date>,
    pub participation_form: Option<String>,
    pub result: Option<String>,
    pub status: String,
    pub reflection: Option<String>,
    pub hours: Option<f64>,
    pub event_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
