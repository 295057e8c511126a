use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub email: String,
    pub password_hash: Option<String>,
    pub surname: String,
    pub first_name: String,
    pub patronymic: Option<String>,
    pub sort_key: String,
    pub phone: Option<String>,
    pub position: Option<String>,
    pub teaching_experience_years: Option<i32>,
    pub position_experience_years: Option<i32>,
    pub qualification_category: Option<String>,
    pub qualification_date: Option<Date>,
    pub workplace_id: Option<Uuid>,
    pub external_id: Option<String>,
    pub active: bool,
    /// Changes whenever sign-ins must end (sign-out, new password, e-mail, roles); every access
    /// token carries the value it was issued with.
    pub security_stamp: String,
    pub last_login_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
