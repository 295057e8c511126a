use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bank_product_competencies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub bank_product_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub competency_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
