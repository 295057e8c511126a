//! People.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, Set,
};
use uuid::Uuid;

use super::entities::user::{ActiveModel, Column, Entity, Model};
use super::{new_id, now};

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

pub async fn find_by_email(db: &impl ConnectionTrait, email: &str) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::Email.eq(shared::text::normalize_email(email)))
        .one(db)
        .await
}

pub async fn find_many(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}

/// Full names by id, of those of `ids` who exist.
pub async fn full_names(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, String>, DbErr> {
    Ok(find_many(db, ids)
        .await?
        .into_iter()
        .map(|u| {
            let n = shared::text::full_name(&u.surname, &u.first_name, u.patronymic.as_deref());
            (u.id, n)
        })
        .collect())
}

/// What is needed to create a person; the rest of the profile is filled later.
#[derive(Debug, Clone, Default)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub surname: &'a str,
    pub first_name: &'a str,
    pub patronymic: Option<&'a str>,
    pub password_hash: Option<String>,
    pub workplace_id: Option<Uuid>,
    pub position: Option<&'a str>,
    pub phone: Option<&'a str>,
}

pub async fn insert(db: &impl ConnectionTrait, new: NewUser<'_>) -> Result<Model, DbErr> {
    let t = now();
    let patronymic = new.patronymic.map(str::trim).filter(|p| !p.is_empty());
    ActiveModel {
        id: Set(new_id()),
        email: Set(shared::text::normalize_email(new.email)),
        password_hash: Set(new.password_hash),
        surname: Set(new.surname.trim().to_owned()),
        first_name: Set(new.first_name.trim().to_owned()),
        patronymic: Set(patronymic.map(str::to_owned)),
        sort_key: Set(shared::text::sort_key(&[
            new.surname,
            new.first_name,
            patronymic.unwrap_or(""),
        ])),
        phone: Set(new.phone.map(str::to_owned)),
        position: Set(new.position.map(str::to_owned)),
        teaching_experience_years: Set(None),
        position_experience_years: Set(None),
        qualification_category: Set(None),
        qualification_date: Set(None),
        workplace_id: Set(new.workplace_id),
        external_id: Set(None),
        active: Set(true),
        security_stamp: Set(new_stamp()),
        last_login_at: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(db)
    .await
}

/// A fresh security stamp.
/// What decides whether a person's cached principal still holds: read on every request.
#[derive(Debug, sea_orm::FromQueryResult)]
pub struct SessionState {
    pub active: bool,
    pub security_stamp: String,
    pub updated_at: sea_orm::prelude::DateTimeUtc,
}

/// The person's [`SessionState`], by primary key.
pub async fn session_state(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<SessionState>, DbErr> {
    use sea_orm::QuerySelect;
    Entity::find_by_id(id)
        .select_only()
        .column(Column::Active)
        .column(Column::SecurityStamp)
        .column(Column::UpdatedAt)
        .into_model::<SessionState>()
        .one(db)
        .await
}

pub fn new_stamp() -> String {
    Uuid::new_v4().simple().to_string()
}

/// Gives the person a new security stamp, so every access token issued before stops working
/// (sign-out, a new password, a confirmed e-mail, changed roles, deactivation). Returns it, for
/// the session that continues.
pub async fn bump_stamp(db: &impl ConnectionTrait, id: Uuid) -> Result<String, DbErr> {
    use sea_orm::sea_query::Expr;
    let stamp = new_stamp();
    Entity::update_many()
        .col_expr(Column::SecurityStamp, Expr::value(stamp.clone()))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(stamp)
}

pub async fn touch_login(db: &impl ConnectionTrait, user: Model) -> Result<Model, DbErr> {
    let mut am = user.into_active_model();
    am.last_login_at = Set(Some(now()));
    am.update(db).await
}

pub async fn count(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    Entity::find().count(db).await
}
