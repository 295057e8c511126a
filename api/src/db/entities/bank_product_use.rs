use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bank_product_uses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub bank_product_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub route_id: Uuid,
    pub activity_id: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
