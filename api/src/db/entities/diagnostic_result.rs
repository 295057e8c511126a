use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "diagnostic_results")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub campaign_id: Uuid,
    pub person_id: Uuid,
    pub competency_id: Uuid,
    pub level: String,
    pub score: Option<f64>,
    pub comment: Option<String>,
    pub source: String,
    pub region_id: Uuid,
    pub district_id: Option<Uuid>,
    pub municipality_id: Option<Uuid>,
    pub school_id: Option<Uuid>,
    pub entered_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
