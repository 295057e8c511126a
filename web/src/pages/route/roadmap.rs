//! Section 4, activity: the roadmap as an editable table (add, edit in place, move up and down,
//! delete), each activity's reflection and evidence, and progress records by month or half-year.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::dto::{
    ActivityDto, ActivityInput, ProgressDto, ProgressInput, ReorderActivities, RouteDto,
};
use shared::{ActivityStatus, EventLevel, PeriodKind};
use uuid::Uuid;
use validator::Validate;

use super::files::{Files, Owner};
use super::{
    CardHead, FormButtons, ItemButtons, SectionProblems, Tab, competency_choices, deficit_title,
    delete_item, use_route,
};
use crate::api::endpoints::{self, Items};
use crate::components::{
    AlertKind, Badge, BadgeKind, CheckList, Choice, FormAlert, FormState, Input, Select, TextArea,
    enum_choices, focus_element, opt, optional_enum_choices,
};
use crate::format;
use crate::route_text;
use crate::routes;

const FORMS_LIST: &str = "participation-forms";
const RESULTS_LIST: &str = "activity-results";

#[component]
pub fn ActivityTab() -> impl IntoView {
    view! {
        <SectionProblems section="activity" />
        <datalist id=FORMS_LIST>
            {["слушатель", "участник", "докладчик", "ведущий", "организатор", "наставляемый"]
                .map(|v| view! { <option value=v></option> })}
        </datalist>
        <datalist id=RESULTS_LIST>
            {[
                "удостоверение о повышении квалификации",
                "сертификат участника",
                "диплом",
                "выступление",
                "методическая разработка",
                "технологическая карта урока",
                "публикация",
            ]
                .map(|v| view! { <option value=v></option> })}
        </datalist>
        <div class="stack">
            <Roadmap />
            <ProgressRecords />
        </div>
    }
}

/// Moving an activity: `-1` up, `1` down.
fn move_activity(ctx: super::RouteCtx, id: Uuid, delta: i32) {
    let (version, mut ids) = ctx.route.with_untracked(|r| {
        (
            r.version,
            r.activity
                .activities
                .iter()
                .map(|a| a.id)
                .collect::<Vec<_>>(),
        )
    });
    let Some(i) = ids.iter().position(|x| *x == id) else {
        return;
    };
    let j = i as i32 + delta;
    if j < 0 || j as usize >= ids.len() {
        return;
    }
    ids.swap(i, j as usize);
    let request = ReorderActivities {
        version,
        activity_ids: ids,
    };
    spawn_local(async move {
        let result = ctx
            .api
            .put::<_, RouteDto>(&endpoints::route_part(ctx.id, "activities-order"), &request)
            .await;
        match ctx.apply(result).await {
            Ok(()) => {
                ctx.say(
                    AlertKind::Success,
                    format!("Мероприятие перемещено: теперь № {}.", j + 1),
                );
                // Keep the keyboard on the button that moved it (or the other one at an edge).
                let len = ctx.route.with_untracked(|r| r.activity.activities.len()) as i32;
                let dir = if (delta < 0 && j == 0) || (delta > 0 && j == len - 1) {
                    -delta
                } else {
                    delta
                };
                let target = format!("move-{}-{id}", if dir < 0 { "up" } else { "down" });
                request_animation_frame(move || focus_element(&target));
            }
            Err(e) if e.status() == Some(412) => {}
            Err(e) => ctx.say(AlertKind::Error, e.message()),
        }
    });
}

#[component]
fn Roadmap() -> impl IntoView {
    let ctx = use_route();
    let editable = Memo::new(move |_| ctx.plan_editable());
    let adding = RwSignal::new(false);
    // Which activities show their reflection and evidence (kept across re-renders of a row).
    let open = RwSignal::new(Vec::<Uuid>::new());
    let items = Memo::new(move |_| ctx.route.with(|r| r.activity.activities.clone()));
    let running = Memo::new(move |_| ctx.route.with(|r| route_text::is_running(r.status)));
    // The table is built once there is something in it, not again on every change of a row.
    let has_items = Memo::new(move |_| !items.with(Vec::is_empty));
    let today = format::today();
    let summary = move || {
        items.with(|list| {
            let total = list.len();
            let done = list.iter().filter(|a| a.status == ActivityStatus::Done).count();
            let overdue = list
                .iter()
                .filter(|a| {
                    running.get() && route_text::is_overdue(a.status, a.start_date, a.end_date, today)
                })
                .count();
            (total > 0).then(|| {
                view! {
                    <p class="small">
                        {format!("Выполнено {done} из {total}")}
                        {(overdue > 0)
                            .then(|| {
                                view! {
                                    " "
                                    <Badge kind=BadgeKind::Danger>{format!("просрочено: {overdue}")}</Badge>
                                }
                            })}
                    </p>
                }
            })
        })
    };
    view! {
        <section class="card" aria-labelledby="roadmap-title">
            <div class="card-head">
                <h2 class="card-title" id="roadmap-title">"Дорожная карта"</h2>
                {summary}
            </div>
            {move || {
                (items.with(Vec::is_empty) && !adding.get())
                    .then(|| {
                        view! {
                            <p>
                                "Мероприятий пока нет: курсы, семинары, наставничество, самообразование, открытые уроки — со сроками и результатами."
                            </p>
                        }
                    })
            }}
            {move || {
                has_items
                    .get()
                    .then(|| {
                        view! {
                            <div class="table-wrap">
                                <table class="table table-stack roadmap" data-testid="roadmap">
                                    <caption class="visually-hidden">"Мероприятия дорожной карты"</caption>
                                    <thead>
                                        <tr>
                                            <th scope="col">"№"</th>
                                            <th scope="col">"Мероприятие"</th>
                                            <th scope="col">"Дефициты и компетенции"</th>
                                            <th scope="col">"Сроки"</th>
                                            <th scope="col">"Уровень, участие, результат"</th>
                                            <th scope="col">"Статус"</th>
                                            {move || {
                                                editable
                                                    .get()
                                                    .then(|| {
                                                        view! {
                                                            <th scope="col">
                                                                <span class="visually-hidden">"Действия"</span>
                                                            </th>
                                                        }
                                                    })
                                            }}
                                        </tr>
                                    </thead>
                                    <tbody>
                                        <For each=move || items.get() key=|a| (a.id, a.version) let:a>
                                            <ActivityRow
                                                a=a
                                                editable=editable
                                                open=open
                                                items=items
                                                running=running
                                            />
                                        </For>
                                    </tbody>
                                </table>
                            </div>
                        }
                    })
            }}
            {move || {
                if adding.get() {
                    view! {
                        <ActivityForm existing=None on_close=Callback::new(move |_| adding.set(false)) />
                    }
                        .into_any()
                } else if editable.get() {
                    view! {
                        <div class="button-row">
                            <button
                                type="button"
                                class="btn btn-secondary"
                                data-testid="add-activity"
                                on:click=move |_| {
                                    adding.set(true);
                                    request_animation_frame(|| focus_element("activity-new-name"));
                                }
                            >
                                "Добавить мероприятие"
                            </button>
                        </div>
                    }
                        .into_any()
                } else {
                    ().into_any()
                }
            }}
        </section>
    }
}

#[component]
fn ActivityRow(
    a: ActivityDto,
    editable: Memo<bool>,
    open: RwSignal<Vec<Uuid>>,
    items: Memo<Vec<ActivityDto>>,
    running: Memo<bool>,
) -> impl IntoView {
    let ctx = use_route();
    let editing = RwSignal::new(false);
    let id = a.id;
    let today = format::today();
    let position = Memo::new(move |_| items.with(|l| l.iter().position(|x| x.id == id)));
    let count = Memo::new(move |_| items.with(Vec::len));
    let files = Memo::new(move |_| ctx.route.with(|r| Owner::Activity(id).files(r).len()));
    let is_open = Memo::new(move |_| open.with(|o| o.contains(&id)));
    let item = a.clone();
    move || {
        if editing.get() {
            return view! {
                <tr class="row-edit">
                    <td colspan="7">
                        <ActivityForm existing=Some(item.clone()) on_close=Callback::new(move |_| editing.set(false)) />
                    </td>
                </tr>
            }
            .into_any();
        }
        let a = item.clone();
        let overdue =
            running.get() && route_text::is_overdue(a.status, a.start_date, a.end_date, today);
        let deficits = a.deficit_ids.clone();
        let what = format!("мероприятие «{}»", a.name);
        let version = a.version;
        let details_id = format!("activity-details-{id}");
        let toggle = move |_| {
            open.update(|o| {
                if o.contains(&id) {
                    o.retain(|x| *x != id);
                } else {
                    o.push(id);
                }
            })
        };
        let name = a.name.clone();
        let meta = [
            a.level
                .map(|l| format!("Уровень: {}", l.title_ru().to_lowercase())),
            a.participation_form
                .clone()
                .map(|f| format!("Форма участия: {f}")),
            a.result.clone().map(|r| format!("Результат: {r}")),
        ];
        // Empty cells are left out when the table stacks on a phone.
        let no_links = a.deficit_ids.is_empty() && a.competencies.is_empty();
        let no_dates = a.start_date.is_none() && a.end_date.is_none();
        let no_meta = meta.iter().all(Option::is_none);
        view! {
            <tr class:row-overdue=overdue data-testid="activity-row">
                <td data-label="№" class="cell-num">{move || position.get().map(|i| i + 1)}</td>
                <td data-label="Мероприятие" class="cell-name">
                    <strong>{a.name.clone()}</strong>
                    {a.hours.map(|h| view! { <span class="small muted">{format!(" ({h} ч)")}</span> })}
                    <button
                        type="button"
                        class="btn-link details-toggle small"
                        aria-expanded=move || if is_open.get() { "true" } else { "false" }
                        aria-controls=details_id.clone()
                        on:click=toggle
                    >
                        {move || {
                            format!(
                                "{} Рефлексия и подтверждения ({})",
                                if is_open.get() { "▾" } else { "▸" },
                                files.get(),
                            )
                        }}
                    </button>
                </td>
                <td data-label="Дефициты и компетенции" class="small" class:cell-empty=no_links>
                    <ul class="plain cell-list">
                        {move || {
                            ctx.route
                                .with(|r| {
                                    deficits
                                        .iter()
                                        .map(|d| view! { <li>{deficit_title(r, *d)}</li> })
                                        .collect_view()
                                })
                        }}
                    </ul>
                    {a
                        .competencies
                        .iter()
                        .map(|c| view! { <span class="chip" title=c.name.clone()>{c.code.clone()}</span> })
                        .collect_view()}
                </td>
                <td data-label="Сроки" class="cell-dates" class:cell-empty=no_dates>{format::date_range(a.start_date, a.end_date)}</td>
                <td data-label="Уровень, участие, результат" class="small" class:cell-empty=no_meta>
                    <ul class="plain cell-list">
                        {meta.into_iter().flatten().map(|m| view! { <li>{m}</li> }).collect_view()}
                    </ul>
                </td>
                <td data-label="Статус">
                    <Badge kind=route_text::activity_badge(a.status, overdue)>
                        {if overdue { "Просрочено" } else { a.status.title_ru() }}
                    </Badge>
                </td>
                {move || {
                    editable
                        .get()
                        .then(|| {
                            let what = what.clone();
                            let name = name.clone();
                            let first = position.get() == Some(0);
                            let last = position.get().map(|p| p + 1) == Some(count.get());
                            view! {
                                <td class="row-actions">
                                    <div class="move-buttons">
                                        <button
                                            type="button"
                                            class="btn btn-ghost btn-small"
                                            id=format!("move-up-{id}")
                                            aria-label=format!("Переместить выше: {name}")
                                            aria-disabled=first.then_some("true")
                                            on:click=move |_| if !first { move_activity(ctx, id, -1) }
                                        >
                                            "↑"
                                        </button>
                                        <button
                                            type="button"
                                            class="btn btn-ghost btn-small"
                                            id=format!("move-down-{id}")
                                            aria-label=format!("Переместить ниже: {name}")
                                            aria-disabled=last.then_some("true")
                                            on:click=move |_| if !last { move_activity(ctx, id, 1) }
                                        >
                                            "↓"
                                        </button>
                                    </div>
                                    <ItemButtons
                                        what=what.clone()
                                        on_edit=Callback::new(move |_| editing.set(true))
                                        on_delete=Callback::new(move |_| {
                                            delete_item(ctx, Items::Activities, id, version, &format!("Удалить {what}?"))
                                        })
                                    />
                                </td>
                            }
                        })
                }}
            </tr>
            {move || {
                is_open
                    .get()
                    .then(|| {
                        view! {
                            <tr class="row-details" id=format!("activity-details-{id}")>
                                <td colspan="7">
                                    <ActivityDetails id=id />
                                </td>
                            </tr>
                        }
                    })
            }}
        }
        .into_any()
    }
}

/// The input that rewrites an activity as it is, for changing one part of it.
fn activity_input(a: &ActivityDto) -> ActivityInput {
    ActivityInput {
        version: Some(a.version),
        name: a.name.clone(),
        competency_ids: a.competencies.iter().map(|c| c.id).collect(),
        deficit_ids: a.deficit_ids.clone(),
        level: a.level,
        start_date: a.start_date,
        end_date: a.end_date,
        participation_form: a.participation_form.clone(),
        result: a.result.clone(),
        status: Some(a.status),
        reflection: a.reflection.clone(),
        hours: a.hours,
        event_id: a.event_id,
    }
}

/// The teacher's reflection after the activity, and its evidence.
#[component]
fn ActivityDetails(id: Uuid) -> impl IntoView {
    let ctx = use_route();
    let editable = Memo::new(move |_| ctx.plan_editable());
    let current = Memo::new(move |_| {
        ctx.route.with(|r| {
            r.activity
                .activities
                .iter()
                .find(|a| a.id == id)
                .map(|a| (a.reflection.clone(), a.status))
        })
    });
    let editing = RwSignal::new(false);
    view! {
        <div class="activity-details">
            <div class="activity-reflection">
                <h4 class="subhead">"Рефлексия"</h4>
                {move || {
                    let Some((reflection, status)) = current.get() else {
                        return ().into_any();
                    };
                    if editing.get() {
                        return view! {
                            <ReflectionForm id=id reflection=reflection status=status editing=editing />
                        }
                            .into_any();
                    }
                    view! {
                        {match reflection {
                            Some(t) => view! { <p class="pre-line">{t}</p> }.into_any(),
                            None => {
                                view! {
                                    <p class="small muted">
                                        "Что получилось, что применено на уроках, что осталось трудным."
                                    </p>
                                }
                                    .into_any()
                            }
                        }}
                        {move || {
                            editable
                                .get()
                                .then(|| {
                                    view! {
                                        <button type="button" class="btn btn-secondary btn-small" on:click=move |_| editing.set(true)>
                                            "Написать рефлексию"
                                        </button>
                                    }
                                })
                        }}
                    }
                        .into_any()
                }}
            </div>
            <div class="activity-files">
                <h4 class="subhead">"Подтверждения"</h4>
                <Files owner=Owner::Activity(id) editable=editable />
            </div>
        </div>
    }
}

#[component]
fn ReflectionForm(
    id: Uuid,
    reflection: Option<String>,
    status: ActivityStatus,
    editing: RwSignal<bool>,
) -> impl IntoView {
    let ctx = use_route();
    let form = FormState::new();
    let text = RwSignal::new(reflection.unwrap_or_default());
    let mark_done = RwSignal::new(false);
    let not_done = status != ActivityStatus::Done;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(current) = ctx
            .route
            .with_untracked(|r| r.activity.activities.iter().find(|x| x.id == id).cloned())
        else {
            return;
        };
        let mut request = activity_input(&current);
        request.reflection = opt(text);
        if mark_done.get_untracked() {
            request.status = Some(ActivityStatus::Done);
        }
        if !form.check(request.validate()) {
            return;
        }
        let api = ctx.api;
        form.run(
            async move {
                ctx.apply(
                    api.put(
                        &endpoints::route_item(ctx.id, Items::Activities, id),
                        &request,
                    )
                    .await,
                )
                .await
            },
            move || {
                editing.try_set(false);
                ctx.say(AlertKind::Success, "Рефлексия сохранена.");
            },
        );
    };
    view! {
        <form class="form" on:submit=submit novalidate=true>
            <FormAlert form=form />
            <TextArea
                label="Рефлексия после мероприятия"
                id=format!("reflection-{id}")
                value=text
                rows=4
                error=form.field("reflection")
            />
            {not_done
                .then(|| {
                    view! {
                        <crate::components::Checkbox
                            label="Отметить мероприятие выполненным"
                            id=format!("reflection-done-{id}")
                            checked=mark_done
                        />
                    }
                })}
            <FormButtons form=form on_cancel=Callback::new(move |_| editing.set(false)) />
        </form>
    }
}

/// The route's dates for an activity's dates: in order and inside the period.
fn date_problem(
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    period: (NaiveDate, NaiveDate),
) -> Option<(&'static str, String)> {
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        return Some(("end_date", "Дата окончания раньше даты начала.".to_owned()));
    }
    let outside = format!(
        "Сроки мероприятия должны быть в пределах срока маршрута ({} — {}).",
        format::date(period.0),
        format::date(period.1)
    );
    if start.is_some_and(|d| d < period.0 || d > period.1) {
        return Some(("start_date", outside));
    }
    if end.is_some_and(|d| d < period.0 || d > period.1) {
        return Some(("end_date", outside));
    }
    None
}

#[component]
fn ActivityForm(existing: Option<ActivityDto>, on_close: Callback<()>) -> impl IntoView {
    let ctx = use_route();
    let form = FormState::new();
    let p = existing.as_ref().map_or_else(
        || "activity-new".to_owned(),
        |a| format!("activity-{}", a.id),
    );
    let e = existing.clone();
    let text = move |f: fn(&ActivityDto) -> Option<String>| {
        RwSignal::new(e.as_ref().and_then(f).unwrap_or_default())
    };
    let name = text(|a| Some(a.name.clone()));
    let form_of = text(|a| a.participation_form.clone());
    let result = text(|a| a.result.clone());
    let start = text(|a| a.start_date.map(format::iso_date));
    let end = text(|a| a.end_date.map(format::iso_date));
    let hours = text(|a| a.hours.map(|h| h.to_string()));
    let level = text(|a| a.level.map(|l| l.as_str().to_owned()));
    let status = RwSignal::new(
        existing
            .as_ref()
            .map_or(ActivityStatus::Planned, |a| a.status)
            .as_str()
            .to_owned(),
    );
    let deficits = RwSignal::new(
        existing
            .as_ref()
            .map(|a| a.deficit_ids.clone())
            .unwrap_or_default(),
    );
    let competencies = RwSignal::new(
        existing
            .as_ref()
            .map(|a| {
                a.competencies
                    .iter()
                    .map(|c| (c.id, format!("{} {}", c.code, c.name)))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default(),
    );
    let (deficit_options, deficit_competency, period) = ctx.route.with_untracked(|r| {
        (
            r.diagnostic
                .deficits
                .iter()
                .map(|d| (d.id, d.title.clone()))
                .collect::<Vec<_>>(),
            r.diagnostic
                .deficits
                .iter()
                .filter_map(|d| {
                    d.competency
                        .as_ref()
                        .map(|c| (d.id, c.id, format!("{} {}", c.code, c.name)))
                })
                .collect::<Vec<_>>(),
            (r.period_start, r.period_end),
        )
    });
    // Choosing a deficit brings its competency along: what is known is not typed again.
    let on_toggle = Callback::new(move |(deficit, on): (Uuid, bool)| {
        if !on {
            return;
        }
        if let Some((_, cid, label)) = deficit_competency.iter().find(|(d, _, _)| *d == deficit) {
            competencies.update(|cs| {
                if !cs.iter().any(|(id, _)| id == cid) {
                    cs.push((*cid, label.clone()));
                }
            });
        }
    });
    let pick = RwSignal::new(String::new());
    let add_competency = move |value: String| {
        let Ok(id) = value.parse::<Uuid>() else {
            return;
        };
        let label = ctx.framework.with_untracked(|f| {
            f.as_ref().and_then(|f| {
                f.competencies()
                    .find(|c| c.id == id)
                    .map(|c| format!("{} {}", c.code, c.name))
            })
        });
        if let Some(label) = label {
            competencies.update(|cs| {
                if !cs.iter().any(|(x, _)| *x == id) {
                    cs.push((id, label));
                }
            });
        }
        pick.set(String::new());
    };
    let meta = existing.as_ref().map(|a| (a.id, a.version));
    let keep = existing.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let hours_text = hours.get_untracked().trim().replace(',', ".");
        let hours_value = if hours_text.is_empty() {
            None
        } else if let Ok(h) = hours_text.parse::<f64>() {
            Some(h)
        } else {
            form.fail("hours", "Часы — число.");
            return;
        };
        let start_date = format::parse_iso_date(&start.get_untracked());
        let end_date = format::parse_iso_date(&end.get_untracked());
        let request = ActivityInput {
            version: meta.map(|(_, v)| v),
            name: name.get_untracked().trim().to_owned(),
            competency_ids: competencies
                .get_untracked()
                .into_iter()
                .map(|(id, _)| id)
                .collect(),
            deficit_ids: deficits.get_untracked(),
            level: level.get_untracked().parse::<EventLevel>().ok(),
            start_date,
            end_date,
            participation_form: opt(form_of),
            result: opt(result),
            status: status.get_untracked().parse().ok(),
            reflection: keep.as_ref().and_then(|a| a.reflection.clone()),
            hours: hours_value,
            event_id: keep.as_ref().and_then(|a| a.event_id),
        };
        if !form.check(request.validate()) {
            return;
        }
        if let Some((field, message)) = date_problem(start_date, end_date, period) {
            form.fail(field, &message);
            return;
        }
        let api = ctx.api;
        form.run(
            async move {
                let result = match meta {
                    Some((id, _)) => {
                        api.put(
                            &endpoints::route_item(ctx.id, Items::Activities, id),
                            &request,
                        )
                        .await
                    }
                    None => {
                        api.post(&endpoints::route_items(ctx.id, Items::Activities), &request)
                            .await
                    }
                };
                ctx.apply(result).await
            },
            move || {
                ctx.say(AlertKind::Success, "Мероприятие сохранено.");
                on_close.run(());
            },
        );
    };
    let (min, max) = (format::iso_date(period.0), format::iso_date(period.1));
    let no_deficits = deficit_options.is_empty();
    view! {
        <form class="form item-form activity-form" on:submit=submit novalidate=true data-testid="activity-form">
            <h3 class="item-title">
                {if meta.is_some() { "Изменить мероприятие" } else { "Новое мероприятие" }}
            </h3>
            <FormAlert form=form />
            <Input
                label="Мероприятие"
                id=format!("{p}-name")
                value=name
                error=form.field("name")
                required=true
                hint="Курс, семинар, вебинар, стажировка, открытый урок, самообразование…"
            />
            {if no_deficits {
                view! {
                    <p class="hint">
                        "Дефициты не указаны; их можно добавить в "
                        <a href=routes::route_tab(ctx.id, Tab::Diagnostic.slug())>"диагностическом разделе"</a>
                        "."
                    </p>
                }
                    .into_any()
            } else {
                view! {
                    <CheckList
                        legend="На какие дефициты направлено"
                        id=format!("{p}-deficits")
                        options=deficit_options
                        selected=deficits
                        error=form.field("deficit_ids")
                        hint="Компетенции дефицита подставятся сами."
                        on_toggle=on_toggle
                    />
                }
                    .into_any()
            }}
            <fieldset class="fieldset" class:field-invalid=move || form.field("competency_ids").with(Option::is_some)>
                <legend class="label">"Формируемые компетенции"</legend>
                {move || form.field("competency_ids").get().map(|e| view! { <p class="field-error">{e}</p> })}
                <ul class="plain chips">
                    {move || {
                        competencies
                            .get()
                            .into_iter()
                            .map(|(id, label)| {
                                view! {
                                    <li class="chip chip-removable">
                                        {label.clone()}
                                        <button
                                            type="button"
                                            class="chip-remove"
                                            aria-label=format!("Убрать компетенцию {label}")
                                            on:click=move |_| competencies.update(|cs| cs.retain(|(x, _)| *x != id))
                                        >
                                            "×"
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
                {move || {
                    ctx.framework
                        .with(|f| f.as_ref().map(competency_choices))
                        .map(|choices| {
                            let mut list = vec![Choice::One(String::new(), "— добавить компетенцию —".to_owned())];
                            list.extend(choices);
                            let option = move |(v, t): (String, String)| view! { <option value=v>{t}</option> };
                            view! {
                                <select
                                    class="input select"
                                    aria-label="Добавить компетенцию"
                                    prop:value=move || pick.get()
                                    on:change=move |ev| add_competency(event_target_value(&ev))
                                >
                                    {list
                                        .into_iter()
                                        .map(|c| match c {
                                            Choice::One(v, t) => option((v, t)).into_any(),
                                            Choice::Group(name, l) => {
                                                view! {
                                                    <optgroup label=name>{l.into_iter().map(option).collect_view()}</optgroup>
                                                }
                                                    .into_any()
                                            }
                                        })
                                        .collect_view()}
                                </select>
                            }
                        })
                }}
            </fieldset>
            <div class="form-row">
                <Select
                    label="Уровень"
                    id=format!("{p}-level")
                    value=level
                    choices=optional_enum_choices(EventLevel::ALL, EventLevel::as_str, EventLevel::title_ru, "— не указан —")
                />
                <Input
                    label="Начало"
                    id=format!("{p}-start")
                    input_type="date"
                    value=start
                    min=min.clone()
                    max=max.clone()
                    error=form.field("start_date")
                />
                <Input
                    label="Окончание"
                    id=format!("{p}-end")
                    input_type="date"
                    value=end
                    min=min
                    max=max
                    error=form.field("end_date")
                />
            </div>
            <div class="form-row">
                <Input
                    label="Форма участия"
                    id=format!("{p}-form")
                    value=form_of
                    list=FORMS_LIST
                    error=form.field("participation_form")
                />
                <Input label="Результат" id=format!("{p}-result") value=result list=RESULTS_LIST error=form.field("result") />
            </div>
            <div class="form-row">
                <Select
                    label="Статус"
                    id=format!("{p}-status")
                    value=status
                    choices=enum_choices(ActivityStatus::ALL, ActivityStatus::as_str, ActivityStatus::title_ru)
                />
                <Input
                    label="Часы (для курсов)"
                    id=format!("{p}-hours")
                    value=hours
                    error=form.field("hours")
                />
            </div>
            <FormButtons form=form on_cancel=on_close />
        </form>
    }
}

// ---- Progress records ----

#[component]
fn ProgressRecords() -> impl IntoView {
    let ctx = use_route();
    let editable = Memo::new(move |_| ctx.plan_editable());
    let adding = RwSignal::new(false);
    let items = Memo::new(move |_| {
        ctx.route.with(|r| {
            let mut list = r.activity.progress.clone();
            list.sort_by(|a, b| {
                (a.period_kind, &a.period, a.created_at).cmp(&(
                    b.period_kind,
                    &b.period,
                    b.created_at,
                ))
            });
            list
        })
    });
    view! {
        <section class="card" aria-labelledby="progress-title">
            <CardHead
                title="Продвижение по маршруту"
                id="progress-title"
                add_label="Добавить запись"
                can_add=editable
                adding=adding
            />
            <p class="small muted">"Что фактически сделано за месяц или полугодие — по каждой задаче или по маршруту в целом."</p>
            {move || {
                (items.with(Vec::is_empty) && !adding.get())
                    .then(|| view! { <p>"Записей о продвижении пока нет."</p> })
            }}
            <ul class="plain item-list">
                <For each=move || items.get() key=|p| (p.id, p.version) let:p>
                    <ProgressItem p=p editable=editable />
                </For>
            </ul>
            {move || {
                adding
                    .get()
                    .then(|| view! { <ProgressForm existing=None on_close=Callback::new(move |_| adding.set(false)) /> })
            }}
        </section>
    }
}

#[component]
fn ProgressItem(p: ProgressDto, editable: Memo<bool>) -> impl IntoView {
    let ctx = use_route();
    let editing = RwSignal::new(false);
    let item = p.clone();
    move || {
        if editing.get() {
            return view! {
                <li>
                    <ProgressForm existing=Some(item.clone()) on_close=Callback::new(move |_| editing.set(false)) />
                </li>
            }
            .into_any();
        }
        let p = item.clone();
        let (id, version) = (p.id, p.version);
        let period = route_text::period_title(p.period_kind, &p.period);
        let what = format!("запись за {}", period.to_lowercase());
        let task = p.task_id;
        view! {
            <li class="item">
                <div class="item-head">
                    <div>
                        <h3 class="item-title">{period}</h3>
                        <p class="small muted">
                            {move || {
                                task.and_then(|t| {
                                    ctx.route.with(|r| {
                                        r.target.tasks.iter().find(|x| x.id == t).map(|x| format!("Задача: {} · ", x.title))
                                    })
                                })
                            }}
                            {format!("{}, {}", format::short_full_name(&p.author.full_name), format::date_time(p.created_at))}
                        </p>
                    </div>
                    {move || {
                        editable
                            .get()
                            .then(|| {
                                let what = what.clone();
                                view! {
                                    <ItemButtons
                                        what=what.clone()
                                        on_edit=Callback::new(move |_| editing.set(true))
                                        on_delete=Callback::new(move |_| {
                                            delete_item(ctx, Items::Progress, id, version, &format!("Удалить {what}?"))
                                        })
                                    />
                                }
                            })
                    }}
                </div>
                <p class="pre-line">{p.text.clone()}</p>
            </li>
        }
        .into_any()
    }
}

#[component]
fn ProgressForm(existing: Option<ProgressDto>, on_close: Callback<()>) -> impl IntoView {
    let ctx = use_route();
    let form = FormState::new();
    let p = existing.as_ref().map_or_else(
        || "progress-new".to_owned(),
        |x| format!("progress-{}", x.id),
    );
    let (start, end, tasks) = ctx.route.with_untracked(|r| {
        (
            r.period_start,
            r.period_end,
            r.target
                .tasks
                .iter()
                .map(|t| Choice::One(t.id.to_string(), t.title.clone()))
                .collect::<Vec<_>>(),
        )
    });
    let today = format::today();
    let kind = RwSignal::new(
        existing
            .as_ref()
            .map_or(PeriodKind::Month, |x| x.period_kind)
            .as_str()
            .to_owned(),
    );
    let period_kind = move || {
        kind.get()
            .parse::<PeriodKind>()
            .unwrap_or(PeriodKind::Month)
    };
    let options = move |k: PeriodKind| match k {
        PeriodKind::Month => route_text::months_of(start, end),
        PeriodKind::Semester => route_text::semesters_of(start, end),
    };
    let period = RwSignal::new(existing.as_ref().map_or_else(
        || route_text::current_period(&options(PeriodKind::Month), PeriodKind::Month, today),
        |x| x.period.clone(),
    ));
    // A new kind of period starts at the current one.
    Effect::new(move |previous: Option<PeriodKind>| {
        let k = period_kind();
        if previous.is_some_and(|p| p != k) {
            period.set(route_text::current_period(&options(k), k, today));
        }
        k
    });
    let task = RwSignal::new(
        existing
            .as_ref()
            .and_then(|x| x.task_id)
            .map(|t| t.to_string())
            .unwrap_or_default(),
    );
    let text = RwSignal::new(
        existing
            .as_ref()
            .map(|x| x.text.clone())
            .unwrap_or_default(),
    );
    let meta = existing.as_ref().map(|x| (x.id, x.version));
    let mut task_choices = vec![Choice::One(String::new(), "По маршруту в целом".to_owned())];
    task_choices.extend(tasks);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let request = ProgressInput {
            version: meta.map(|(_, v)| v),
            period_kind: kind.get_untracked().parse().unwrap_or(PeriodKind::Month),
            period: period.get_untracked(),
            task_id: task.get_untracked().parse().ok(),
            text: text.get_untracked().trim().to_owned(),
        };
        if !form.check(request.validate()) {
            return;
        }
        let api = ctx.api;
        form.run(
            async move {
                let result = match meta {
                    Some((id, _)) => {
                        api.put(
                            &endpoints::route_item(ctx.id, Items::Progress, id),
                            &request,
                        )
                        .await
                    }
                    None => {
                        api.post(&endpoints::route_items(ctx.id, Items::Progress), &request)
                            .await
                    }
                };
                ctx.apply(result).await
            },
            move || {
                ctx.say(AlertKind::Success, "Запись сохранена.");
                on_close.run(());
            },
        );
    };
    let p2 = p.clone();
    view! {
        <form class="form item-form" on:submit=submit novalidate=true>
            <h3 class="item-title">{if meta.is_some() { "Изменить запись" } else { "Новая запись о продвижении" }}</h3>
            <FormAlert form=form />
            <div class="form-row">
                <Select
                    label="Период"
                    id=format!("{p}-kind")
                    value=kind
                    choices=enum_choices(PeriodKind::ALL, PeriodKind::as_str, PeriodKind::title_ru)
                />
                {move || {
                    let k = period_kind();
                    let choices = options(k)
                        .into_iter()
                        .map(|v| {
                            let title = route_text::period_title(k, &v);
                            Choice::One(v, title)
                        })
                        .collect::<Vec<_>>();
                    view! {
                        <Select
                            label=if k == PeriodKind::Month { "Месяц" } else { "Полугодие" }
                            id=format!("{p2}-period")
                            value=period
                            choices=choices
                            error=form.field("period")
                        />
                    }
                }}
            </div>
            <Select label="Направление" id=format!("{p}-task") value=task choices=task_choices />
            <TextArea
                label="Что сделано"
                id=format!("{p}-text")
                value=text
                rows=3
                error=form.field("text")
                required=true
            />
            <FormButtons form=form on_cancel=on_close />
        </form>
    }
}
