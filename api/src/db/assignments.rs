//! Personal links between teachers and the staff who support them.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};
use shared::access::Links;
use shared::dto::AssignmentKind;
use uuid::Uuid;

use super::entities::assignment::{ActiveModel, Column, Entity, Model};
use super::{new_id, now};

pub async fn for_teacher(db: &impl ConnectionTrait, teacher: Uuid) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::TeacherId.eq(teacher))
        .order_by_asc(Column::CreatedAt)
        .all(db)
        .await
}

pub async fn for_staff(db: &impl ConnectionTrait, staff: Uuid) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::StaffId.eq(staff))
        .order_by_asc(Column::CreatedAt)
        .all(db)
        .await
}

/// How `staff` is linked to `teacher`, for the access policy.
pub async fn links(db: &impl ConnectionTrait, staff: Uuid, teacher: Uuid) -> Result<Links, DbErr> {
    let rows = Entity::find()
        .filter(Column::StaffId.eq(staff))
        .filter(Column::TeacherId.eq(teacher))
        .all(db)
        .await?;
    Ok(links_from(&rows))
}

/// Folds assignment rows between one staff member and one teacher into links.
pub fn links_from(rows: &[Model]) -> Links {
    let mut links = Links::default();
    for row in rows {
        match row.kind.parse::<AssignmentKind>() {
            Ok(AssignmentKind::Tutor) => {
                links.tutor = true;
                links.tutor_consent |= row.consent_at.is_some();
            }
            Ok(AssignmentKind::Mentor) => links.mentor = true,
            Ok(AssignmentKind::Expert) => links.expert = true,
            Err(_) => {}
        }
    }
    links
}

pub async fn insert(
    db: &impl ConnectionTrait,
    kind: AssignmentKind,
    staff: Uuid,
    teacher: Uuid,
    consent: bool,
    created_by: Option<Uuid>,
) -> Result<Model, DbErr> {
    let t = now();
    ActiveModel {
        id: Set(new_id()),
        kind: Set(kind.as_str().to_owned()),
        staff_id: Set(staff),
        teacher_id: Set(teacher),
        consent_at: Set(consent.then_some(t)),
        created_by: Set(created_by),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(db)
    .await
}
