//! Staff import from CSV or XLSX: a preview with per-row errors in Russian (row and column),
//! then an all-or-nothing commit. People already registered (by e-mail) are updated, not
//! doubled; invitations are optionally sent.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
};
use shared::access::PersonFacts;
use shared::dto::{CellError, ImportAction, ImportPreview, ImportResult, ImportRowDto};
use shared::{Role, UnitKind};
use uuid::Uuid;

use crate::auth::Principal;
use crate::db::entities::{org_unit, people_import, role_grant, user};
use crate::db::{self, assignments, audit, grants, units, users};
use crate::error::{AppError, AppResult};
use crate::services::accounts;
use crate::state::AppState;
use crate::tabular::{self, Table};

/// A row as read from the file, before it is checked.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
struct RawRow {
    row: usize,
    email: String,
    surname: String,
    first_name: String,
    patronymic: Option<String>,
    phone: Option<String>,
    position: Option<String>,
    school: Option<String>,
    role: Option<String>,
    teaching_experience: Option<String>,
    position_experience: Option<String>,
    category: Option<String>,
    category_date: Option<String>,
    external_id: Option<String>,
}

/// What the file is expected to hold: (field, accepted headers).
const COLUMNS: &[(&str, &[&str])] = &[
    (
        "email",
        &[
            "email",
            "e-mail",
            "e mail",
            "эл почта",
            "электронная почта",
            "адрес электронной почты",
            "почта",
        ],
    ),
    ("fio", &["фио", "ф и о", "фамилия имя отчество"]),
    ("surname", &["фамилия"]),
    ("first_name", &["имя"]),
    ("patronymic", &["отчество"]),
    ("phone", &["телефон", "контактный телефон"]),
    ("position", &["должность"]),
    (
        "school",
        &[
            "оо",
            "школа",
            "образовательная организация",
            "организация",
            "место работы",
        ],
    ),
    ("role", &["роль"]),
    (
        "teaching_experience",
        &[
            "стаж педагогический",
            "педагогический стаж",
            "стаж работы педагогический",
        ],
    ),
    (
        "position_experience",
        &[
            "стаж в должности",
            "стаж работы в должности",
            "стаж работы в данной должности",
        ],
    ),
    ("category", &["квалификационная категория", "категория"]),
    (
        "category_date",
        &[
            "дата категории",
            "дата присвоения категории",
            "дата аттестации",
        ],
    ),
    (
        "external_id",
        &["внешний id", "внешний идентификатор", "идентификатор", "id"],
    ),
];

fn read_rows(table: &Table) -> Result<Vec<RawRow>, Vec<String>> {
    let col = |field: &str| {
        COLUMNS
            .iter()
            .find(|(f, _)| *f == field)
            .and_then(|(_, names)| table.column(names))
    };
    let mut problems = Vec::new();
    if col("email").is_none() {
        problems.push(
            "Нет столбца с адресом электронной почты («Email» или «Электронная почта»).".to_owned(),
        );
    }
    let fio = col("fio");
    if fio.is_none() && (col("surname").is_none() || col("first_name").is_none()) {
        problems.push("Нет столбцов «Фамилия» и «Имя» (или «ФИО»).".to_owned());
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let get = |cells: &[String], field: &str| -> Option<String> {
        col(field)
            .and_then(|i| cells.get(i))
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    Ok(table
        .rows
        .iter()
        .map(|(n, cells)| {
            let (mut surname, mut first, mut patronymic) = (
                get(cells, "surname").unwrap_or_default(),
                get(cells, "first_name").unwrap_or_default(),
                get(cells, "patronymic"),
            );
            if let Some(full) = fio
                .and_then(|i| cells.get(i))
                .filter(|_| surname.is_empty())
            {
                let mut parts = full.split_whitespace();
                surname = parts.next().unwrap_or_default().to_owned();
                first = parts.next().unwrap_or_default().to_owned();
                let rest: Vec<&str> = parts.collect();
                patronymic = (!rest.is_empty()).then(|| rest.join(" "));
            }
            RawRow {
                row: *n,
                email: get(cells, "email").unwrap_or_default(),
                surname,
                first_name: first,
                patronymic,
                phone: get(cells, "phone"),
                position: get(cells, "position"),
                school: get(cells, "school"),
                role: get(cells, "role"),
                teaching_experience: get(cells, "teaching_experience"),
                position_experience: get(cells, "position_experience"),
                category: get(cells, "category"),
                category_date: get(cells, "category_date"),
                external_id: get(cells, "external_id"),
            }
        })
        .collect())
}

/// Roles a staff import can give, from the words schools write.
fn parse_role(text: Option<&str>) -> Option<Role> {
    let Some(text) = text else {
        return Some(Role::Teacher);
    };
    let key = tabular::header_key(text);
    let role = match key.as_str() {
        "педагог" | "учитель" | "преподаватель" | "воспитатель" | "teacher" => {
            Role::Teacher
        }
        "тьютор" | "tutor" => Role::Tutor,
        "координатор" | "координатор оо" | "школьный координатор" => {
            Role::SchoolCoordinator
        }
        "заместитель директора" | "завуч" | "заместитель" => {
            Role::DeputyDirector
        }
        "директор" | "руководитель оо" => Role::Director,
        _ => return None,
    };
    Some(role)
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    ["%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y", "%d/%m/%Y"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(text.trim(), f).ok())
}

fn parse_years(text: Option<&str>) -> Result<Option<i32>, ()> {
    match text {
        None => Ok(None),
        Some(t) => t
            .trim()
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|y| (0.0..=70.0).contains(y))
            .map(|y| Some(y as i32))
            .ok_or(()),
    }
}

/// A checked row, ready to be written.
#[derive(Debug, Clone)]
struct Checked {
    raw: RawRow,
    role: Option<Role>,
    school: Option<org_unit::Model>,
    existing: Option<user::Model>,
    errors: Vec<CellError>,
}

fn err(column: &str, message: impl Into<String>) -> CellError {
    CellError {
        column: column.to_owned(),
        message: message.into(),
    }
}

/// Checks every row against the database and the principal's rights (in one pass with a few
/// batched queries, so thousands of rows take seconds).
async fn check_rows(
    db: &impl ConnectionTrait,
    principal: &Principal,
    default_unit: Option<&org_unit::Model>,
    rows: Vec<RawRow>,
) -> AppResult<Vec<Checked>> {
    // Schools the principal can see, by name, short name and code.
    let mut schools: HashMap<String, org_unit::Model> = HashMap::new();
    let mut regions: Vec<Uuid> = principal.actor.regions().collect();
    regions.sort();
    regions.dedup();
    let candidates = if principal.actor.is_admin() {
        units::all(db).await?
    } else {
        let mut all = Vec::new();
        for r in regions {
            all.extend(units::in_region(db, r).await?);
        }
        all
    };
    for u in candidates
        .into_iter()
        .filter(|u| u.kind == UnitKind::School.as_str() && u.archived_at.is_none())
    {
        for key in [Some(&u.name), u.short_name.as_ref(), u.external_id.as_ref()]
            .into_iter()
            .flatten()
        {
            schools.insert(shared::text::sort_key(&[key]), u.clone());
        }
    }
    let emails: Vec<String> = rows
        .iter()
        .map(|r| shared::text::normalize_email(&r.email))
        .collect();
    let mut existing: HashMap<String, user::Model> = HashMap::new();
    for chunk in emails.chunks(500) {
        for u in user::Entity::find()
            .filter(user::Column::Email.is_in(chunk.iter().cloned()))
            .all(db)
            .await?
        {
            existing.insert(u.email.clone(), u);
        }
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for raw in rows {
        let mut errors = Vec::new();
        let email = shared::text::normalize_email(&raw.email);
        if email.is_empty() {
            errors.push(err("Email", "Не указан адрес электронной почты."));
        } else if !validator::ValidateEmail::validate_email(&email) {
            errors.push(err("Email", format!("Некорректный адрес «{}».", raw.email)));
        } else if let Some(first) = seen.get(&email) {
            errors.push(err(
                "Email",
                format!("Адрес уже встречается в строке {first}."),
            ));
        } else {
            seen.insert(email.clone(), raw.row);
        }
        if raw.surname.is_empty() {
            errors.push(err("Фамилия", "Не указана фамилия."));
        }
        if raw.first_name.is_empty() {
            errors.push(err("Имя", "Не указано имя."));
        }
        let role = parse_role(raw.role.as_deref());
        if role.is_none() {
            errors.push(err(
                "Роль",
                format!("Неизвестная роль «{}»: педагог, тьютор, координатор ОО, заместитель директора или директор.", raw.role.as_deref().unwrap_or("")),
            ));
        }
        let school = match raw.school.as_deref() {
            Some(name) => {
                let found = schools.get(&shared::text::sort_key(&[name])).cloned();
                if found.is_none() {
                    errors.push(err(
                        "ОО",
                        format!("Образовательная организация «{name}» не найдена."),
                    ));
                }
                found
            }
            None => {
                let d = default_unit
                    .filter(|u| u.kind == UnitKind::School.as_str())
                    .cloned();
                if d.is_none() {
                    errors.push(err("ОО", "Не указана образовательная организация (столбец «ОО» или выбор при загрузке)."));
                }
                d
            }
        };
        if let Some(s) = &school {
            let path = units::path(s)?;
            if !principal.actor.can_assign_to(&path) {
                errors.push(err(
                    "ОО",
                    format!("У вас нет права добавлять сотрудников в «{}».", s.name),
                ));
            } else if let Some(r) = role
                && !principal.actor.can_grant(r, Some(&path))
            {
                errors.push(err(
                    "Роль",
                    format!(
                        "Вы не можете назначать роль «{}» в «{}».",
                        r.title_ru(),
                        s.name
                    ),
                ));
            }
        }
        if parse_years(raw.teaching_experience.as_deref()).is_err() {
            errors.push(err("Стаж педагогический", "Стаж — число лет от 0 до 70."));
        }
        if parse_years(raw.position_experience.as_deref()).is_err() {
            errors.push(err("Стаж в должности", "Стаж — число лет от 0 до 70."));
        }
        if let Some(d) = raw.category_date.as_deref()
            && parse_date(d).is_none()
        {
            errors.push(err(
                "Дата категории",
                format!("Дата «{d}» не распознана: укажите её как 14.04.2023."),
            ));
        }
        let existing = existing.get(&email).cloned();
        if let Some(u) = &existing {
            let workplace = match u.workplace_id {
                Some(w) => units::find(db, w)
                    .await?
                    .map(|w| units::path(&w))
                    .transpose()?,
                None => None,
            };
            let links = assignments::links(db, principal.id(), u.id).await?;
            let facts = PersonFacts {
                id: u.id,
                workplace,
                links,
            };
            // Updating someone from a file is managing them: the same rule as by hand.
            if !crate::services::people::manages(db, principal, &facts).await? {
                errors.push(err("Email", "Этот адрес уже зарегистрирован, и этой учётной записью вы не управляете (другая организация или роль выше вашей): обратитесь к её координатору."));
            }
        }
        out.push(Checked {
            raw,
            role,
            school,
            existing,
            errors,
        });
    }
    Ok(out)
}

fn preview_of(
    id: Uuid,
    file_name: &str,
    checked: &[Checked],
    file_errors: Vec<String>,
) -> ImportPreview {
    let rows: Vec<ImportRowDto> = checked
        .iter()
        .map(|c| ImportRowDto {
            row: c.raw.row,
            email: c.raw.email.clone(),
            full_name: shared::text::full_name(
                &c.raw.surname,
                &c.raw.first_name,
                c.raw.patronymic.as_deref(),
            ),
            school: c
                .school
                .as_ref()
                .map(|s| s.name.clone())
                .or(c.raw.school.clone()),
            position: c.raw.position.clone(),
            role: c.role,
            action: if !c.errors.is_empty() {
                ImportAction::Error
            } else if c.existing.is_some() {
                ImportAction::Update
            } else {
                ImportAction::Create
            },
            errors: c.errors.clone(),
        })
        .collect();
    let count = |a: ImportAction| rows.iter().filter(|r| r.action == a).count();
    ImportPreview {
        id,
        file_name: file_name.to_owned(),
        total: rows.len(),
        to_create: count(ImportAction::Create),
        to_update: count(ImportAction::Update),
        errors: count(ImportAction::Error),
        rows,
        file_errors,
    }
}

/// Who may import staff at all: the managers of units.
fn may_import(principal: &Principal) -> bool {
    principal.actor.is_admin()
        || principal.actor.grants.iter().any(|g| {
            matches!(
                g.role,
                Role::RegionalManager
                    | Role::MunicipalCoordinator
                    | Role::Director
                    | Role::SchoolCoordinator
            )
        })
}

/// Whether the caller may upload a staff file (and the school given for rows without one):
/// asked before the file is read, and again by [`preview`].
pub async fn authorize(
    state: &AppState,
    principal: &Principal,
    unit_id: Option<Uuid>,
) -> AppResult<Option<org_unit::Model>> {
    if !may_import(principal) {
        return Err(AppError::forbidden(
            "Загружать сотрудников могут координаторы и руководители.",
        ));
    }
    match unit_id {
        Some(id) => {
            let u = units::find(&state.db, id)
                .await?
                .ok_or_else(|| AppError::invalid("unit_id", "Организация не найдена."))?;
            if !principal.actor.can_read_unit(&units::path(&u)?) {
                return Err(AppError::invalid("unit_id", "Организация не найдена."));
            }
            Ok(Some(u))
        }
        None => Ok(None),
    }
}

/// Reads and checks a file; stores it for the commit; returns the preview.
pub async fn preview(
    state: &AppState,
    principal: &Principal,
    file_name: &str,
    bytes: &[u8],
    unit_id: Option<Uuid>,
    invite: bool,
) -> AppResult<ImportPreview> {
    let default_unit = authorize(state, principal, unit_id).await?;
    let table = tabular::read_off_thread(bytes).await?;
    let raw = match read_rows(&table) {
        Ok(rows) => rows,
        Err(problems) => {
            return Err(AppError::Validation {
                detail: Some("Файл не подходит для загрузки сотрудников.".into()),
                errors: [("file".to_owned(), problems)].into_iter().collect(),
            });
        }
    };
    if raw.is_empty() {
        return Err(AppError::invalid(
            "file",
            "В файле нет строк с сотрудниками.",
        ));
    }
    if raw.len() > 20_000 {
        return Err(AppError::invalid(
            "file",
            "Не более 20 000 строк за одну загрузку.",
        ));
    }
    let checked = check_rows(&state.db, principal, default_unit.as_ref(), raw.clone()).await?;
    let id = db::new_id();
    let t = db::now();
    people_import::ActiveModel {
        id: Set(id),
        created_by: Set(principal.id()),
        file_name: Set(file_name.chars().take(200).collect()),
        unit_id: Set(unit_id),
        invite: Set(invite),
        status: Set("preview".into()),
        rows: Set(serde_json::to_string(&raw).map_err(|e| AppError::Unexpected(e.into()))?),
        result: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(&state.db)
    .await?;
    Ok(preview_of(id, file_name, &checked, Vec::new()))
}

async fn load_import(
    db: &impl ConnectionTrait,
    principal: &Principal,
    id: Uuid,
) -> AppResult<people_import::Model> {
    people_import::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|i| i.created_by == principal.id())
        .ok_or(AppError::NotFound)
}

/// The preview again (checked anew: the database may have changed).
pub async fn get(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<ImportPreview> {
    let import = load_import(&state.db, principal, id).await?;
    let raw: Vec<RawRow> = serde_json::from_str(&import.rows).unwrap_or_default();
    let default_unit = match import.unit_id {
        Some(u) => units::find(&state.db, u).await?,
        None => None,
    };
    let checked = check_rows(&state.db, principal, default_unit.as_ref(), raw).await?;
    Ok(preview_of(id, &import.file_name, &checked, Vec::new()))
}

/// Writes every row, or nothing when any row has an error.
pub async fn commit(state: &AppState, principal: &Principal, id: Uuid) -> AppResult<ImportResult> {
    let txn = db::begin_write(&state.db).await?;
    let import = load_import(&txn, principal, id).await?;
    if import.status != "preview" {
        return Err(AppError::conflict(
            "import_committed",
            "Эта загрузка уже выполнена.",
        ));
    }
    let raw: Vec<RawRow> = serde_json::from_str(&import.rows).unwrap_or_default();
    let default_unit = match import.unit_id {
        Some(u) => units::find(&txn, u).await?,
        None => None,
    };
    let checked = check_rows(&txn, principal, default_unit.as_ref(), raw).await?;
    let bad: Vec<usize> = checked
        .iter()
        .filter(|c| !c.errors.is_empty())
        .map(|c| c.raw.row)
        .collect();
    if !bad.is_empty() {
        return Err(AppError::conflict(
            "import_has_errors",
            format!(
                "В файле есть ошибки (строки {}): исправьте их и загрузите файл снова. Ничего не изменено.",
                bad.iter()
                    .take(10)
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let (mut created, mut updated, mut invited) = (0, 0, 0);
    let ids: Vec<Uuid> = checked
        .iter()
        .filter_map(|c| c.existing.as_ref().map(|u| u.id))
        .collect();
    let mut held: HashSet<(Uuid, String, Option<Uuid>)> = HashSet::new();
    for chunk in ids.chunks(500) {
        for g in role_grant::Entity::find()
            .filter(role_grant::Column::UserId.is_in(chunk.iter().copied()))
            .all(&txn)
            .await?
        {
            held.insert((g.user_id, g.role, g.unit_id));
        }
    }
    for c in checked {
        let r = &c.raw;
        let school = c.school.as_ref().map(|s| s.id);
        let person = match c.existing {
            Some(u) => {
                updated += 1;
                u
            }
            None => {
                created += 1;
                users::insert(
                    &txn,
                    users::NewUser {
                        email: &r.email,
                        surname: &r.surname,
                        first_name: &r.first_name,
                        patronymic: r.patronymic.as_deref(),
                        password_hash: None,
                        workplace_id: school,
                        position: None,
                        phone: None,
                    },
                )
                .await?
            }
        };
        let mut am = person.clone().into_active_model();
        am.sort_key = Set(shared::text::sort_key(&[
            &r.surname,
            &r.first_name,
            r.patronymic.as_deref().unwrap_or(""),
        ]));
        am.surname = Set(r.surname.clone());
        am.first_name = Set(r.first_name.clone());
        am.patronymic = Set(r.patronymic.clone());
        am.workplace_id = Set(school.or(person.workplace_id));
        if r.phone.is_some() {
            am.phone = Set(r.phone.clone());
        }
        if r.position.is_some() {
            am.position = Set(r.position.clone());
        }
        if let Ok(Some(y)) = parse_years(r.teaching_experience.as_deref()) {
            am.teaching_experience_years = Set(Some(y));
        }
        if let Ok(Some(y)) = parse_years(r.position_experience.as_deref()) {
            am.position_experience_years = Set(Some(y));
        }
        if r.category.is_some() {
            am.qualification_category = Set(r.category.clone());
        }
        if let Some(d) = r.category_date.as_deref().and_then(parse_date) {
            am.qualification_date = Set(Some(d));
        }
        if r.external_id.is_some() {
            am.external_id = Set(r.external_id.clone());
        }
        am.updated_at = Set(db::now());
        let person = am.update(&txn).await?;
        if let Some(role) = c.role
            && !held.contains(&(person.id, role.as_str().to_owned(), school))
        {
            grants::insert(&txn, person.id, role, school, Some(principal.id())).await?;
            users::bump_stamp(&txn, person.id).await?;
        }
        crate::services::integration::sync::touch_person(&txn, person.id).await?;
        if import.invite && person.password_hash.is_none() && person.active {
            accounts::invite(&txn, &state.base_url, &person, Some(principal.id())).await?;
            invited += 1;
        }
    }
    let result = ImportResult {
        created,
        updated,
        invited,
    };
    let mut am = import.into_active_model();
    am.status = Set("committed".into());
    am.result = Set(serde_json::to_string(&result).ok());
    am.updated_at = Set(db::now());
    am.update(&txn).await?;
    audit::record(
        &txn,
        audit::Entry {
            subject_id: None,
            actor_id: Some(principal.id()),
            actor_kind: "user",
            action: "people.imported",
            entity_type: "people_import",
            entity_id: Some(id),
            details: serde_json::json!({ "created": created, "updated": updated, "invited": invited }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_read_from_the_words_schools_use() {
        assert_eq!(parse_role(None), Some(Role::Teacher));
        assert_eq!(parse_role(Some("Учитель")), Some(Role::Teacher));
        assert_eq!(parse_role(Some("ТЬЮТОР")), Some(Role::Tutor));
        assert_eq!(
            parse_role(Some("Заместитель директора")),
            Some(Role::DeputyDirector)
        );
        assert_eq!(
            parse_role(Some("Координатор ОО")),
            Some(Role::SchoolCoordinator)
        );
        assert_eq!(parse_role(Some("администратор")), None);
    }

    #[test]
    fn dates_and_years_are_read_leniently_but_checked() {
        assert_eq!(
            parse_date("14.04.2023"),
            NaiveDate::from_ymd_opt(2023, 4, 14)
        );
        assert_eq!(
            parse_date("2023-04-14"),
            NaiveDate::from_ymd_opt(2023, 4, 14)
        );
        assert_eq!(parse_date("14 апреля"), None);
        assert_eq!(parse_years(Some("12")), Ok(Some(12)));
        assert_eq!(parse_years(Some("7,5")), Ok(Some(7)));
        assert_eq!(parse_years(Some("-1")), Err(()));
        assert_eq!(parse_years(Some("много")), Err(()));
        assert_eq!(parse_years(None), Ok(None));
    }

    #[test]
    fn a_file_without_email_or_names_is_refused_with_reasons() {
        let t = Table {
            headers: vec!["Должность".into()],
            rows: vec![(2, vec!["Учитель".into()])],
        };
        assert_eq!(read_rows(&t).unwrap_err().len(), 2);
        let t = Table {
            headers: vec!["ФИО".into(), "E-mail".into()],
            rows: vec![(2, vec!["Петрова Анна Сергеевна".into(), "a@b.ru".into()])],
        };
        let rows = read_rows(&t).unwrap();
        assert_eq!(
            (rows[0].surname.as_str(), rows[0].first_name.as_str()),
            ("Петрова", "Анна")
        );
        assert_eq!(rows[0].patronymic.as_deref(), Some("Сергеевна"));
    }
}
