//! Administration of the hierarchy and of the people in it: the unit tree and the region's
//! rules (`units`), people (`people`, `person`), the staff import wizard (`import`), the mail
//! outbox (`outbox`), and the public pages of one-time links (`password`).
//!
//! What a page offers follows the same policy the server enforces: the person's grants and the
//! units they sit in make a [`shared::access::Actor`], asked before a button is shown.

pub mod import;
pub mod outbox;
pub mod password;
pub mod people;
pub mod person;
pub mod units;

pub use import::ImportPage;
pub use outbox::OutboxPage;
pub use password::{ConfirmEmailPage, ForgotPasswordPage, InvitePage, ResetPage};
pub use people::{NewPersonPage, PeoplePage};
pub use person::PendingEmail;
pub use person::PersonPage;
pub use units::UnitsPage;

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;
use shared::access::{Actor, Grant};
use shared::dto::{MeResponse, UnitDto};
use shared::{Role, UnitKind, UnitPath};
use uuid::Uuid;

use crate::api::{ApiError, endpoints, use_api};
use crate::components::Choice;
use crate::session::use_session;

/// The person acting, as the access policy sees them, with the units they can see.
#[derive(Debug, Clone)]
pub struct Scope {
    pub actor: Actor,
    /// Every unit the person can see (their regions), alphabetically, archived ones included.
    pub units: Vec<UnitDto>,
    by_id: HashMap<Uuid, usize>,
}

impl Scope {
    pub fn new(me: &MeResponse, units: Vec<UnitDto>) -> Self {
        let by_id: HashMap<Uuid, usize> =
            units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
        let grants = me
            .roles
            .iter()
            .map(|g| Grant {
                role: g.role,
                unit: g
                    .unit
                    .as_ref()
                    .and_then(|u| by_id.get(&u.id))
                    .map(|i| units[*i].path),
            })
            .collect();
        Scope {
            actor: Actor {
                user_id: me.person.id,
                grants,
            },
            units,
            by_id,
        }
    }

    pub fn unit(&self, id: Uuid) -> Option<&UnitDto> {
        self.by_id.get(&id).map(|i| &self.units[*i])
    }

    pub fn path(&self, id: Uuid) -> Option<UnitPath> {
        self.unit(id).map(|u| u.path)
    }

    /// Units the person administers or works within (the administrator: everything).
    pub fn sees(&self, unit: &UnitDto) -> bool {
        self.actor.is_admin() || self.actor.manages(&unit.path)
    }

    /// The tops of the part of the tree the person administers: their regions for the
    /// administrator, else the units of their managing grants (minus those inside others).
    pub fn roots(&self) -> Vec<&UnitDto> {
        if self.actor.is_admin() {
            return self
                .units
                .iter()
                .filter(|u| u.kind == UnitKind::Region)
                .collect();
        }
        let tops: Vec<&UnitDto> = self
            .units
            .iter()
            .filter(|u| {
                self.actor
                    .grants
                    .iter()
                    .any(|g| g.role.manages_unit() && g.unit.is_some_and(|p| p == u.path))
            })
            .collect();
        tops.iter()
            .filter(|u| {
                !tops
                    .iter()
                    .any(|o| o.id != u.id && o.path.contains(&u.path))
            })
            .copied()
            .collect()
    }

    /// Live units of a kind inside the person's part of the tree.
    pub fn managed(&self, kinds: &[UnitKind]) -> Vec<&UnitDto> {
        self.units
            .iter()
            .filter(|u| !u.archived && kinds.contains(&u.kind) && self.sees(u))
            .collect()
    }

    /// Live units on whose behalf this person publishes events (the event editor's organisers).
    pub fn event_organisers(&self) -> Vec<&UnitDto> {
        self.units
            .iter()
            .filter(|u| !u.archived && self.actor.can_manage_event(&u.path))
            .collect()
    }

    /// The person's own unit, where they manage: the organiser of their events unless they
    /// choose another.
    pub fn own_unit(&self) -> Option<Uuid> {
        self.actor
            .grants
            .iter()
            .filter(|g| g.role.manages_unit())
            .find_map(|g| g.unit.map(|u| u.leaf()))
    }

    /// Where a role may be granted by this person: live units of the role's kinds.
    pub fn grant_units(&self, role: Role) -> Vec<&UnitDto> {
        self.units
            .iter()
            .filter(|u| {
                !u.archived
                    && role.scope_kinds().contains(&u.kind)
                    && self.actor.can_grant(role, Some(&u.path))
            })
            .collect()
    }

    /// Roles this person may grant somewhere (the administrator's own only by the administrator).
    pub fn grantable_roles(&self) -> Vec<Role> {
        Role::ALL
            .iter()
            .copied()
            .filter(|r| {
                if *r == Role::Admin {
                    self.actor.is_admin()
                } else {
                    !self.grant_units(*r).is_empty()
                }
            })
            .collect()
    }

    /// Where people may work, for this person: the live schools (and, for the region's
    /// managers, the other units) they administer.
    pub fn workplaces(&self) -> Vec<&UnitDto> {
        self.units
            .iter()
            .filter(|u| !u.archived && self.sees(u))
            .collect()
    }

    /// Units as a list of choices, indented by their depth, optionally with a first empty one.
    pub fn choices(&self, units: &[&UnitDto], empty: Option<&str>) -> Vec<Choice> {
        let mut list: Vec<&UnitDto> = units.to_vec();
        list.sort_by_key(|u| self.sort_key(u));
        let mut out = Vec::new();
        if let Some(empty) = empty {
            out.push(Choice::One(String::new(), empty.to_owned()));
        }
        out.extend(list.into_iter().map(|u| {
            let depth = depth(u.kind);
            let indent = "\u{a0}\u{a0}\u{a0}".repeat(depth);
            Choice::One(u.id.to_string(), format!("{indent}{}", label(u)))
        }));
        out
    }

    /// Orders a unit after its ancestors (depth first, alphabetically within a level).
    fn sort_key(&self, u: &UnitDto) -> Vec<String> {
        [
            UnitKind::Region,
            UnitKind::District,
            UnitKind::Municipality,
            UnitKind::School,
        ]
        .into_iter()
        .filter_map(|k| u.path.at(k))
        .map(|id| {
            self.unit(id)
                .map(|a| a.name.to_lowercase())
                .unwrap_or_default()
        })
        .collect()
    }
}

/// How deep a kind of unit sits, for indentation.
pub fn depth(kind: UnitKind) -> usize {
    match kind {
        UnitKind::Region => 0,
        UnitKind::District => 1,
        UnitKind::Municipality => 2,
        UnitKind::School => 3,
    }
}

/// A unit's name for a list: the short name when there is one.
pub fn label(u: &UnitDto) -> String {
    u.short_name
        .clone()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| u.name.clone())
}

/// The scope of the signed-in person, loaded once per page.
pub fn scope_resource() -> LocalResource<Result<Arc<Scope>, ApiError>> {
    let api = use_api();
    // Read the session in the component's reactive scope, not inside the future; tracked,
    // because `/me` may answer just after a restored session's first page is drawn.
    let me = use_session().me();
    LocalResource::new(move || {
        let me = me.get();
        async move {
            let units: Vec<UnitDto> = api.get(endpoints::UNITS).await?;
            match me {
                Some(me) => Ok(Arc::new(Scope::new(&me, units))),
                None => Err(ApiError::session_ended()),
            }
        }
    })
}

/// A group of checkboxes over codes (scopes, event types, roles).
#[component]
pub fn CodeChecks(
    #[prop(into)] legend: String,
    #[prop(into)] id: String,
    options: Vec<(String, String)>,
    selected: RwSignal<Vec<String>>,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional, into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let boxes = options
        .into_iter()
        .enumerate()
        .map(|(i, (code, text))| {
            let box_id = format!("{id}-{i}");
            let for_id = box_id.clone();
            let checked_code = code.clone();
            view! {
                <label class="check" for=for_id>
                    <input
                        type="checkbox"
                        id=box_id
                        value=code.clone()
                        prop:checked=move || selected.with(|s| s.contains(&checked_code))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            let code = code.clone();
                            selected
                                .update(|s| {
                                    s.retain(|x| *x != code);
                                    if on {
                                        s.push(code);
                                    }
                                });
                        }
                    />
                    <span>{text}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="fieldset" class:field-invalid=move || error.with(Option::is_some)>
            <legend>{legend}</legend>
            {hint.map(|h| view! { <p class="hint">{h}</p> })}
            {move || error.get().map(|e| view! { <p class="field-error" id=error_id.clone()>{e}</p> })}
            <div class="checks">{boxes}</div>
        </fieldset>
    }
}

/// Asks the browser to confirm a destructive step.
pub fn confirm(question: &str) -> bool {
    window().confirm_with_message(question).unwrap_or(false)
}

/// Copies text to the clipboard; `false` when the browser refused.
pub async fn copy_text(text: &str) -> bool {
    let Some(clipboard) = js_sys::Reflect::get(&window(), &"navigator".into())
        .and_then(|n| js_sys::Reflect::get(&n, &"clipboard".into()))
        .ok()
        .filter(|c| !c.is_undefined())
    else {
        return false;
    };
    let Ok(write) = js_sys::Reflect::get(&clipboard, &"writeText".into()) else {
        return false;
    };
    let Ok(write) = wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(write) else {
        return false;
    };
    let Ok(promise) = write.call1(&clipboard, &text.into()) else {
        return false;
    };
    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(promise))
        .await
        .is_ok()
}

/// A secret shown once, with a button that copies it.
#[component]
pub fn SecretValue(
    #[prop(into)] label: String,
    #[prop(into)] value: String,
    #[prop(into)] testid: String,
) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let text = StoredValue::new(value.clone());
    let copy = move |_| {
        let text = text.get_value();
        leptos::task::spawn_local(async move {
            let ok = copy_text(&text).await;
            copied.try_set(Some(ok));
        });
    };
    view! {
        <div class="secret">
            <p class="label">{label.clone()}</p>
            <div class="secret-row">
                <code class="secret-value" data-testid=testid>{value}</code>
                <button
                    type="button"
                    class="btn btn-secondary btn-small"
                    aria-label=format!("Скопировать: {label}")
                    on:click=copy
                >
                    "Скопировать"
                </button>
            </div>
            {move || {
                copied
                    .get()
                    .map(|ok| {
                        view! {
                            <p class="small muted" role="status">
                                {if ok {
                                    "Скопировано в буфер обмена."
                                } else {
                                    "Браузер не дал скопировать: выделите текст и скопируйте вручную."
                                }}
                            </p>
                        }
                    })
            }}
        </div>
    }
}

/// A pager under a list: «1–50 из 120» and the two buttons.
#[component]
pub fn Pager(
    offset: u64,
    shown: usize,
    total: u64,
    page_size: u64,
    /// Russian plural forms of what is counted: «сотрудника», «сотрудников».
    words: (&'static str, &'static str, &'static str),
    go: Callback<u64>,
) -> impl IntoView {
    let shown_to = (offset + shown as u64).min(total);
    view! {
        <div class="pager">
            <p class="small muted">
                {if total == 0 {
                    "Ничего не найдено.".to_owned()
                } else {
                    format!(
                        "{}–{} из {total} {}",
                        offset + 1,
                        shown_to,
                        crate::format::plural(total as i64, words.0, words.1, words.2),
                    )
                }}
            </p>
            {(offset > 0)
                .then(|| {
                    view! {
                        <button
                            type="button"
                            class="btn btn-secondary btn-small"
                            on:click=move |_| go.run(offset.saturating_sub(page_size))
                        >
                            "← Предыдущие"
                        </button>
                    }
                })}
            {(shown_to < total)
                .then(|| {
                    view! {
                        <button
                            type="button"
                            class="btn btn-secondary btn-small"
                            on:click=move |_| go.run(shown_to)
                        >
                            "Следующие →"
                        </button>
                    }
                })}
        </div>
    }
}
