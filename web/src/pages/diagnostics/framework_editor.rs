//! The editor of a draft framework, in place on its page: the name, the deficit rule, the groups
//! and their competencies (add, rename, reorder, remove; code, name, description, labour
//! function, score ranges). Everything is edited locally and saved at once with the draft's
//! revision — the API replaces a draft whole. The checks are the server's own (`Validate` and
//! `FrameworkInput::tree_problems` from `shared`), and the server's messages land beside the
//! fields they name. A stale revision (412) reloads the draft and says so; «Опубликовать» asks
//! first, since a published version never changes.

use std::sync::atomic::{AtomicU64, Ordering};

use leptos::prelude::*;
use shared::CompetencyLevel;
use shared::diagnostics::DeficitRule;
use shared::dto::{CompetencyGroupInput, CompetencyInput, FrameworkDto, FrameworkInput};
use validator::Validate;

use super::frameworks::ranges_text;
use super::paths;
use crate::api::use_api;
use crate::components::{Checkbox, FormAlert, FormState, Input, TextArea};

/// What the page says after the draft was reloaded (saved, published, or changed by someone).
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub success: bool,
    pub text: String,
}

/// What a draft editor says when someone else saved the draft first (HTTP 412).
pub const STALE: &str = "Пока вы редактировали, черновик рамки сохранил кто-то другой: загружена свежая версия. \
Проверьте её и повторите свои изменения.";

/// Local keys of groups and competencies, so lists re-render only what moved.
fn next_key() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

fn number_text(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// A score typed by a person: blank is none, a comma is a decimal point.
fn parse_number(s: &str) -> Result<Option<f64>, ()> {
    let s = s.trim().replace(',', ".");
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<f64>().map(Some).map_err(|_| ())
}

#[derive(Clone, Copy)]
struct CompetencyDraft {
    key: u64,
    code: RwSignal<String>,
    name: RwSignal<String>,
    description: RwSignal<String>,
    labour_function: RwSignal<String>,
    low_max: RwSignal<String>,
    medium_max: RwSignal<String>,
    open: RwSignal<bool>,
}

impl CompetencyDraft {
    fn new(c: &CompetencyInput, open: bool) -> Self {
        CompetencyDraft {
            key: next_key(),
            code: RwSignal::new(c.code.clone()),
            name: RwSignal::new(c.name.clone()),
            description: RwSignal::new(c.description.clone().unwrap_or_default()),
            labour_function: RwSignal::new(c.labour_function.clone().unwrap_or_default()),
            low_max: RwSignal::new(number_text(c.low_max)),
            medium_max: RwSignal::new(number_text(c.medium_max)),
            open: RwSignal::new(open),
        }
    }

    fn blank() -> Self {
        Self::new(
            &CompetencyInput {
                code: String::new(),
                name: String::new(),
                description: None,
                labour_function: None,
                low_max: None,
                medium_max: None,
            },
            true,
        )
    }
}

#[derive(Clone, Copy)]
struct GroupDraft {
    key: u64,
    code: RwSignal<String>,
    name: RwSignal<String>,
    competencies: RwSignal<Vec<CompetencyDraft>>,
}

impl GroupDraft {
    fn new(g: &CompetencyGroupInput) -> Self {
        GroupDraft {
            key: next_key(),
            code: RwSignal::new(g.code.clone()),
            name: RwSignal::new(g.name.clone()),
            competencies: RwSignal::new(
                g.competencies
                    .iter()
                    .map(|c| CompetencyDraft::new(c, false))
                    .collect(),
            ),
        }
    }
}

/// The whole draft being edited.
#[derive(Clone, Copy)]
struct Draft {
    name: RwSignal<String>,
    rule_low: RwSignal<bool>,
    rule_medium: RwSignal<bool>,
    rule_below: RwSignal<String>,
    groups: RwSignal<Vec<GroupDraft>>,
}

fn opt_text(s: &RwSignal<String>) -> Option<String> {
    let v = s.get_untracked();
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_owned())
}

impl Draft {
    fn new(input: &FrameworkInput) -> Self {
        let rule = input.deficit_rule.clone().unwrap_or_default();
        Draft {
            name: RwSignal::new(input.name.clone()),
            rule_low: RwSignal::new(rule.levels.contains(&CompetencyLevel::Low)),
            rule_medium: RwSignal::new(rule.levels.contains(&CompetencyLevel::Medium)),
            rule_below: RwSignal::new(number_text(rule.score_below)),
            groups: RwSignal::new(input.groups.iter().map(GroupDraft::new).collect()),
        }
    }

    /// The request as typed, and the numbers that could not be read (by field).
    fn input(&self, revision: i32) -> (FrameworkInput, Vec<(String, String)>) {
        let mut bad = Vec::new();
        let mut number = |s: RwSignal<String>, field: String| {
            parse_number(&s.get_untracked()).unwrap_or_else(|()| {
                bad.push((field, "Введите число, например 49 или 49,5.".to_owned()));
                None
            })
        };
        let mut levels = Vec::new();
        if self.rule_low.get_untracked() {
            levels.push(CompetencyLevel::Low);
        }
        if self.rule_medium.get_untracked() {
            levels.push(CompetencyLevel::Medium);
        }
        let score_below = number(self.rule_below, "deficit_rule".into());
        let groups = self
            .groups
            .get_untracked()
            .iter()
            .enumerate()
            .map(|(gi, g)| CompetencyGroupInput {
                code: g.code.get_untracked().trim().to_owned(),
                name: g.name.get_untracked().trim().to_owned(),
                competencies: g
                    .competencies
                    .get_untracked()
                    .iter()
                    .enumerate()
                    .map(|(ci, c)| {
                        let at = format!("groups[{gi}].competencies[{ci}]");
                        CompetencyInput {
                            code: c.code.get_untracked().trim().to_owned(),
                            name: c.name.get_untracked().trim().to_owned(),
                            description: opt_text(&c.description),
                            labour_function: opt_text(&c.labour_function),
                            low_max: number(c.low_max, format!("{at}.low_max")),
                            medium_max: number(c.medium_max, format!("{at}.medium_max")),
                        }
                    })
                    .collect(),
            })
            .collect();
        let input = FrameworkInput {
            revision: Some(revision),
            region_id: None,
            name: self.name.get_untracked().trim().to_owned(),
            deficit_rule: Some(DeficitRule {
                levels,
                score_below,
            }),
            groups,
        };
        (input, bad)
    }
}

/// Moves the item with `key` one place up (`-1`) or down (`1`).
fn shift<T>(list: &mut [T], key: impl Fn(&T) -> bool, delta: isize) {
    if let Some(i) = list.iter().position(key) {
        let j = i as isize + delta;
        if j >= 0 && (j as usize) < list.len() {
            list.swap(i, j as usize);
        }
    }
}

#[component]
pub fn FrameworkEditor(
    f: FrameworkDto,
    notice: RwSignal<Option<Notice>>,
    on_reload: Callback<()>,
) -> impl IntoView {
    let api = use_api();
    let form = FormState::new();
    // What the server holds, and its revision: updated by each save.
    let original = StoredValue::new(f.to_input());
    let draft = Draft::new(&original.read_value());
    let id = f.id;
    let revision = RwSignal::new(f.revision);
    let after_stale = move || {
        notice.set(Some(Notice {
            success: false,
            text: STALE.to_owned(),
        }));
        on_reload.run(());
    };
    // Checks the draft as the server will; `Some(input)` when it may be sent.
    let checked = move || -> Option<FrameworkInput> {
        form.clear();
        let (input, bad) = draft.input(revision.get_untracked());
        let mut ok = form.check(input.validate());
        for (field, message) in bad.into_iter().chain(input.tree_problems()) {
            form.fail(&field, &message);
            ok = false;
        }
        if !ok {
            form.general.set(Some(
                "Исправьте отмеченные поля: черновик не сохранён.".to_owned(),
            ));
        }
        ok.then_some(input)
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        notice.set(None);
        let Some(input) = checked() else { return };
        if form.busy.get_untracked() {
            return;
        }
        form.busy.set(true);
        leptos::task::spawn_local(async move {
            let result = api
                .put::<_, FrameworkDto>(&paths::framework(id, None), &input)
                .await;
            form.busy.try_set(false);
            match result {
                Ok(saved) => {
                    // What is on the screen is what was saved: no reload needed.
                    original.set_value(saved.to_input());
                    revision.set(saved.revision);
                    notice.set(Some(Notice {
                        success: true,
                        text: "Черновик сохранён.".to_owned(),
                    }));
                }
                Err(e) if e.status() == Some(412) => after_stale(),
                Err(e) => {
                    form.show(e);
                    if form.general.get_untracked().is_none() {
                        form.general.set(Some(
                            "Исправьте отмеченные поля: черновик не сохранён.".to_owned(),
                        ));
                    }
                }
            }
        });
    };
    // «Опубликовать» first asks, in place: a published version never changes.
    let confirming = RwSignal::new(false);
    let ask_publish = move |_| {
        notice.set(None);
        let Some(input) = checked() else { return };
        let mut unchanged = input;
        let original = original.get_value();
        unchanged.region_id = original.region_id;
        unchanged.revision = original.revision;
        if unchanged != original {
            form.general.set(Some(
                "Есть несохранённые изменения: сначала сохраните черновик, затем опубликуйте."
                    .to_owned(),
            ));
            return;
        }
        confirming.set(true);
    };
    let publish = move |_| {
        form.run(
            async move {
                let _: FrameworkDto = api
                    .post_empty(&paths::framework(id, Some("publish")), &[])
                    .await?;
                Ok(())
            },
            move || {
                notice.set(Some(Notice {
                    success: true,
                    text: "Рамка опубликована: теперь эта версия не изменяется.".to_owned(),
                }));
                on_reload.run(());
            },
        );
    };
    let add_group = move |_| {
        draft.groups.update(|gs| {
            gs.push(GroupDraft::new(&CompetencyGroupInput {
                code: String::new(),
                name: String::new(),
                competencies: vec![],
            }));
        });
    };
    view! {
        <form class="form framework-editor" on:submit=save novalidate=true data-testid="framework-editor">
            <section class="card" aria-labelledby="framework-draft-title">
                <h2 class="card-title" id="framework-draft-title">"Черновик"</h2>
                <p class="small muted">
                    "Изменения сохраняются кнопкой «Сохранить черновик». Пока версия не опубликована, её можно менять; диагностики и маршруты используют только опубликованные версии."
                </p>
                <FormAlert form=form />
                <Input label="Название рамки" id="framework-name" value=draft.name required=true error=form.field("name") />
                <fieldset class="field fieldset" class:field-invalid=move || form.field("deficit_rule").with(Option::is_some)>
                    <legend class="label">"Правило дефицита"</legend>
                    <p class="hint">"Какие результаты диагностики становятся предлагаемыми дефицитами."</p>
                    {move || form.field("deficit_rule").get().map(|e| view! { <p class="field-error">{e}</p> })}
                    <div class="checks">
                        <Checkbox label="Низкий уровень" id="rule-low" checked=draft.rule_low />
                        <Checkbox label="Средний уровень" id="rule-medium" checked=draft.rule_medium />
                    </div>
                    <Input
                        label="…или балл ниже порога"
                        id="rule-below"
                        value=draft.rule_below
                        input_type="text"
                        hint="Необязательно; от 0 до 1000."
                    />
                </fieldset>
            </section>
            {move || form.field("groups").get().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
            <For each=move || draft.groups.get() key=|g| g.key let:group>
                <GroupEditor draft=draft group=group form=form />
            </For>
            <p>
                <button type="button" class="btn btn-secondary" on:click=add_group>"Добавить группу"</button>
            </p>
            <div class="form-buttons">
                <button
                    type="submit"
                    class="btn btn-primary"
                    data-testid="save-framework"
                    aria-disabled=move || form.busy.get().then_some("true")
                >
                    "Сохранить черновик"
                </button>
                <button
                    type="button"
                    class="btn btn-secondary"
                    data-testid="publish-framework"
                    aria-disabled=move || form.busy.get().then_some("true")
                    on:click=ask_publish
                >
                    "Опубликовать"
                </button>
            </div>
            <Show when=move || confirming.get()>
                <section class="card" role="alertdialog" aria-labelledby="publish-title" aria-describedby="publish-text">
                    <h2 class="card-title" id="publish-title">"Опубликовать рамку?"</h2>
                    <p id="publish-text">
                        "После публикации версия становится неизменяемой: её нельзя будет редактировать — только сделать новую копию. Новые маршруты и диагностики региона будут использовать эту версию."
                    </p>
                    <div class="form-buttons">
                        <button
                            type="button"
                            class="btn btn-primary"
                            data-testid="confirm-publish"
                            aria-disabled=move || form.busy.get().then_some("true")
                            on:click=publish
                        >
                            {move || if form.busy.get() { "Публикуем…" } else { "Опубликовать" }}
                        </button>
                        <button type="button" class="btn btn-secondary" on:click=move |_| confirming.set(false)>
                            "Отмена"
                        </button>
                    </div>
                </section>
            </Show>
        </form>
    }
}

/// «↑» and «↓» of an item, labelled with what they move; `on_move` gets -1 or 1.
#[component]
fn MoveButtons(
    label: Signal<String>,
    first: Signal<bool>,
    last: Signal<bool>,
    on_move: Callback<isize>,
) -> impl IntoView {
    view! {
        <div class="move-buttons">
            <button
                type="button"
                class="btn btn-ghost btn-small"
                aria-label=move || format!("Переместить выше: {}", label.get())
                aria-disabled=move || first.get().then_some("true")
                on:click=move |_| on_move.run(-1)
            >
                "↑"
            </button>
            <button
                type="button"
                class="btn btn-ghost btn-small"
                aria-label=move || format!("Переместить ниже: {}", label.get())
                aria-disabled=move || last.get().then_some("true")
                on:click=move |_| on_move.run(1)
            >
                "↓"
            </button>
        </div>
    }
}

/// Where a group and a competency sit now (they move), for the names of their fields.
fn group_index(draft: Draft, group: GroupDraft) -> usize {
    draft
        .groups
        .with(|gs| gs.iter().position(|g| g.key == group.key))
        .unwrap_or(0)
}

#[component]
fn GroupEditor(draft: Draft, group: GroupDraft, form: FormState) -> impl IntoView {
    let at = move || format!("groups[{}]", group_index(draft, group));
    let title_id = format!("group-edit-{}", group.key);
    let labelled_by = title_id.clone();
    let first = move || group_index(draft, group) == 0;
    let last = move || group_index(draft, group) + 1 == draft.groups.with(Vec::len);
    let name_for_label = move || {
        let n = group.name.get();
        if n.trim().is_empty() {
            "новая группа".to_owned()
        } else {
            n
        }
    };
    let remove = move |_| {
        let n = group.competencies.with(Vec::len);
        if n > 0
            && !window()
                .confirm_with_message(&format!(
                    "Удалить группу «{}» вместе с её компетенциями ({n})?",
                    group.name.get_untracked()
                ))
                .unwrap_or(false)
        {
            return;
        }
        draft.groups.update(|gs| gs.retain(|g| g.key != group.key));
    };
    let add = move |_| {
        group
            .competencies
            .update(|cs| cs.push(CompetencyDraft::blank()));
    };
    view! {
        <section class="card" aria-labelledby=labelled_by data-testid="group-editor">
            <div class="card-head">
                <h2 class="card-title" id=title_id>
                    {move || format!("Группа «{}»", name_for_label())}
                </h2>
                <div class="item-buttons">
                    <MoveButtons
                        label=Signal::derive(move || format!("группа «{}»", name_for_label()))
                        first=Signal::derive(first)
                        last=Signal::derive(last)
                        on_move=Callback::new(move |delta| draft.groups.update(|gs| shift(gs, |g| g.key == group.key, delta)))
                    />
                    <button
                        type="button"
                        class="btn btn-danger btn-small"
                        aria-label=move || format!("Удалить: группа «{}»", name_for_label())
                        on:click=remove
                    >
                        "Удалить группу"
                    </button>
                </div>
            </div>
            <div class="form-row">
                <Input
                    label="Код группы"
                    id=format!("fg-{}-code", group.key)
                    value=group.code
                    required=true
                    error=form.field_at(move || format!("{}.code", at()))
                />
                <Input
                    label="Название группы"
                    id=format!("fg-{}-name", group.key)
                    value=group.name
                    required=true
                    error=form.field_at(move || format!("{}.name", at()))
                />
            </div>
            {move || {
                group
                    .competencies
                    .with(Vec::is_empty)
                    .then(|| view! { <p class="muted">"В группе пока нет компетенций."</p> })
            }}
            <ol class="plain item-list">
                <For each=move || group.competencies.get() key=|c| c.key let:c>
                    <CompetencyEditor draft=draft group=group c=c form=form />
                </For>
            </ol>
            <p>
                <button type="button" class="btn btn-secondary btn-small" data-testid="add-competency" on:click=add>
                    "Добавить компетенцию"
                </button>
            </p>
        </section>
    }
}

#[component]
fn CompetencyEditor(
    draft: Draft,
    group: GroupDraft,
    c: CompetencyDraft,
    form: FormState,
) -> impl IntoView {
    let index = move || {
        group
            .competencies
            .with(|cs| cs.iter().position(|x| x.key == c.key))
            .unwrap_or(0)
    };
    let at = move || {
        format!(
            "groups[{}].competencies[{}]",
            group_index(draft, group),
            index()
        )
    };
    let has_error = move || {
        let prefix = format!("{}.", at());
        form.errors
            .with(|e| e.keys().any(|k| k.starts_with(&prefix)))
    };
    let open = move || c.open.get() || has_error();
    let first = move || index() == 0;
    let last = move || index() + 1 == group.competencies.with(Vec::len);
    let label = move || {
        let (code, name) = (c.code.get(), c.name.get());
        if code.trim().is_empty() && name.trim().is_empty() {
            "новая компетенция".to_owned()
        } else {
            format!("{code} {name}")
        }
    };
    let p = format!("fc-{}", c.key);
    let field = move |name: &'static str| form.field_at(move || format!("{}.{name}", at()));
    view! {
        <li class="item" data-testid="competency-editor" data-code=move || c.code.get()>
            <div class="item-head">
                <div>
                    <h3 class="item-title">
                        <span class="code">{move || c.code.get()}</span>
                        " "
                        <span class="competency-name">{move || c.name.get()}</span>
                    </h3>
                    <p class="small muted">
                        {move || {
                            let function = c.labour_function.get();
                            let function = if function.trim().is_empty() {
                                String::new()
                            } else {
                                format!("Трудовая функция {function} · ")
                            };
                            let ranges = ranges_text(
                                parse_number(&c.low_max.get()).ok().flatten(),
                                parse_number(&c.medium_max.get()).ok().flatten(),
                            );
                            format!("{function}границы баллов: {ranges}")
                        }}
                    </p>
                </div>
                <div class="item-buttons">
                    <MoveButtons
                        label=Signal::derive(label)
                        first=Signal::derive(first)
                        last=Signal::derive(last)
                        on_move=Callback::new(move |delta| group.competencies.update(|cs| shift(cs, |x| x.key == c.key, delta)))
                    />
                    <button
                        type="button"
                        class="btn btn-secondary btn-small"
                        data-testid="edit-competency"
                        aria-expanded=move || if open() { "true" } else { "false" }
                        aria-label=move || format!("Изменить: {}", label())
                        on:click=move |_| c.open.update(|o| *o = !*o)
                    >
                        {move || if open() { "Свернуть" } else { "Изменить" }}
                    </button>
                    <button
                        type="button"
                        class="btn btn-danger btn-small"
                        aria-label=move || format!("Удалить: {}", label())
                        on:click=move |_| group.competencies.update(|cs| cs.retain(|x| x.key != c.key))
                    >
                        "Удалить"
                    </button>
                </div>
            </div>
            <Show when=open>
                <div class="item-form">
                    <div class="form-row">
                        <Input label="Код" id=format!("{p}-code") value=c.code required=true error=field("code") hint="Например, П.1" />
                        <Input
                            label="Трудовая функция"
                            id=format!("{p}-labour-function")
                            value=c.labour_function
                            error=field("labour_function")
                            hint="Из профстандарта «Педагог», например A/01.6"
                        />
                    </div>
                    <Input label="Название" id=format!("{p}-name") value=c.name required=true error=field("name") />
                    <TextArea label="Описание" id=format!("{p}-description") value=c.description error=field("description") />
                    <div class="form-row">
                        <Input
                            label="Низкий уровень — до балла"
                            id=format!("{p}-low-max")
                            value=c.low_max
                            error=field("low_max")
                            hint="Необязательно; включительно"
                        />
                        <Input
                            label="Средний уровень — до балла"
                            id=format!("{p}-medium-max")
                            value=c.medium_max
                            error=field("medium_max")
                            hint="Больше границы низкого; выше — высокий уровень"
                        />
                    </div>
                </div>
            </Show>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_read_with_a_comma_or_a_point_and_blank_is_none() {
        assert_eq!(parse_number(" 49,5 "), Ok(Some(49.5)));
        assert_eq!(parse_number("79"), Ok(Some(79.0)));
        assert_eq!(parse_number("  "), Ok(None));
        assert_eq!(parse_number("сорок"), Err(()));
    }

    #[test]
    fn an_item_moves_one_place_and_never_off_the_list() {
        let mut list = vec![1, 2, 3];
        shift(&mut list, |x| *x == 3, -1);
        assert_eq!(list, [1, 3, 2]);
        shift(&mut list, |x| *x == 1, -1);
        assert_eq!(list, [1, 3, 2]);
        shift(&mut list, |x| *x == 2, 1);
        assert_eq!(list, [1, 3, 2]);
    }
}
