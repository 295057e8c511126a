use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bank_products")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub region_id: Uuid,
    pub route_id: Uuid,
    pub product_id: Uuid,
    pub author_id: Uuid,
    pub school_id: Option<Uuid>,
    pub title: String,
    pub kind: Option<String>,
    pub description: Option<String>,
    pub link: Option<String>,
    pub subject: Option<String>,
    pub education_level: Option<String>,
    pub deficits: String,
    pub verdict: String,
    pub status: String,
    pub published_by: Uuid,
    pub published_at: DateTimeUtc,
    pub withdrawn_by: Option<Uuid>,
    pub withdrawn_at: Option<DateTimeUtc>,
    pub withdrawn_reason: Option<String>,
    pub views: i64,
    pub uses: i64,
    pub sort_key: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
