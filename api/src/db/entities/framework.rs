use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "frameworks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub region_id: Option<Uuid>,
    pub code: String,
    pub name: String,
    pub version: i32,
    pub status: String,
    pub based_on_id: Option<Uuid>,
    pub published_at: Option<DateTimeUtc>,
    pub deficit_rule: String,
    /// Saves of the draft so far (optimistic concurrency).
    pub revision: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
