use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "certificates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub route_id: Uuid,
    pub teacher_id: Uuid,
    pub region_id: Uuid,
    pub school_id: Uuid,
    pub municipality_id: Option<Uuid>,
    pub number: String,
    pub code: String,
    pub person_name: String,
    pub route_title: String,
    pub period_start: Date,
    pub period_end: Date,
    pub issuer: String,
    pub hours: Option<f64>,
    pub content: String,
    pub issued_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    pub revoked_by: Option<Uuid>,
    pub revoke_reason: Option<String>,
    /// The certificate's bit in its region's revocation list (Bitstring Status List).
    pub status_index: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
