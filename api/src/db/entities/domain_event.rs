use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "domain_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The position in the stream, numbered after commit; `None` until then.
    pub seq: Option<i64>,
    pub kind: String,
    pub occurred_at: DateTimeUtc,
    pub actor_id: Option<Uuid>,
    pub route_id: Option<Uuid>,
    pub person_id: Option<Uuid>,
    pub unit_id: Option<Uuid>,
    pub payload: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
