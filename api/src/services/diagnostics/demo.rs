//! Demo diagnostics: the region's entry diagnostic with results for the demo school's staff,
//! and an open self-assessment for the demo teacher to fill in.

use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use shared::dto::ResultSource;
use shared::{CompetencyLevel, DiagnosticKind, EventLevel, UnitPath};
use uuid::Uuid;

use super::load_framework;
use super::results::{CleanResult, write_person};
use super::rollup::Touched;
use crate::db::entities::{diagnostic_campaign, org_unit, user};
use crate::db::{self, units};
use crate::services::frameworks::default_id;

async fn campaign(
    db: &impl ConnectionTrait,
    region: &org_unit::Model,
    manager: Uuid,
    name: &str,
    kind: DiagnosticKind,
    date: Option<chrono::NaiveDate>,
    description: &str,
) -> anyhow::Result<Uuid> {
    let t = db::now();
    let id = db::new_id();
    diagnostic_campaign::ActiveModel {
        id: Set(id),
        region_id: Set(region.id),
        name: Set(name.into()),
        level: Set(EventLevel::Regional.as_str().into()),
        kind: Set(kind.as_str().into()),
        framework_id: Set(default_id()),
        date: Set(date),
        organiser_id: Set(region.id),
        unit_id: Set(region.id),
        description: Set(Some(description.into())),
        created_by: Set(manager),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(db)
    .await?;
    Ok(id)
}

/// Seeds the demo's diagnostics; `staff` are the school's people who took the entry
/// diagnostic, the first being the demo teacher.
pub async fn seed(
    db: &impl ConnectionTrait,
    region: &org_unit::Model,
    manager: Uuid,
    staff: &[user::Model],
) -> anyhow::Result<()> {
    let entry = campaign(
        db,
        region,
        manager,
        "Региональная диагностика профессиональных дефицитов педагогов — 2026",
        DiagnosticKind::Entry,
        chrono::NaiveDate::from_ymd_opt(2026, 9, 15),
        "Входная диагностика по профстандарту «Педагог»: тест и кейсы на платформе ЦНППМ.",
    )
    .await?;
    campaign(
        db,
        region,
        manager,
        "Самооценка профессиональных компетенций — 2026/27 учебный год",
        DiagnosticKind::SelfAssessment,
        chrono::NaiveDate::from_ymd_opt(2026, 9, 1),
        "Короткая анкета: оцените, насколько вы владеете каждой компетенцией.",
    )
    .await?;
    let fw = load_framework(db, default_id())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    // Scores as a testing platform exports them, varied per person.
    let scores: [&[f64]; 3] = [
        &[
            72.0, 41.0, 66.0, 58.0, 81.0, 38.0, 63.0, 55.0, 70.0, 84.0, 47.0, 60.0, 77.0, 69.0,
            52.0, 44.0, 90.0,
        ],
        &[
            85.0, 62.0, 74.0, 49.0, 88.0, 71.0, 68.0, 59.0, 80.0, 66.0, 73.0, 55.0, 91.0, 82.0,
            64.0, 58.0, 76.0,
        ],
        &[
            55.0, 35.0, 61.0, 45.0, 70.0, 52.0, 48.0, 66.0, 59.0, 75.0, 42.0, 68.0, 63.0, 57.0,
            71.0, 39.0, 80.0,
        ],
    ];
    let mut touched = Touched::default();
    for (person, scores) in staff.iter().zip(scores) {
        let place: Option<UnitPath> = match person.workplace_id {
            Some(w) => units::find(db, w)
                .await?
                .map(|u| units::path(&u))
                .transpose()?,
            None => None,
        };
        let results: Vec<CleanResult> = fw
            .competencies
            .iter()
            .zip(scores.iter())
            .map(|((c, _), s)| CleanResult {
                competency_id: c.id,
                level: super::ranges(c)
                    .level_of(*s)
                    .unwrap_or(CompetencyLevel::Medium),
                score: Some(*s),
                comment: None,
            })
            .collect();
        let t = write_person(
            db,
            entry,
            person.id,
            place.as_ref(),
            &results,
            ResultSource::Import,
            manager,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        touched.extend(t);
    }
    super::rollup::recompute(db, entry, &fw.rule, touched)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}
