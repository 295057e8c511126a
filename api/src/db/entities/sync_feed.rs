use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sync_feed")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub entity: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub entity_id: Uuid,
    pub seq: Option<i64>,
    pub region_id: Option<Uuid>,
    pub municipality_id: Option<Uuid>,
    pub school_id: Option<Uuid>,
    pub deleted: bool,
    pub changed_at: DateTimeUtc,
    /// For a pair item (a person's results in a campaign): the campaign.
    pub parent_id: Option<Uuid>,
    /// For a pair item: the person.
    pub person_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
