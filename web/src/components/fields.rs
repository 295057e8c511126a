//! Fields of the editing forms, each with its own id (several forms share a page), and the
//! state of a form: its errors by field, a general error and whether it is being sent.

use std::collections::BTreeMap;
use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiError;

/// What a form knows while it is being filled and sent.
#[derive(Clone, Copy)]
pub struct FormState {
    /// Messages by field name (the names of the request body, as the server reports them).
    pub errors: RwSignal<BTreeMap<String, String>>,
    /// A message that belongs to no field.
    pub general: RwSignal<Option<String>>,
    pub busy: RwSignal<bool>,
}

/// What a form says when the route changed under it (HTTP 412).
pub const STALE: &str = "Пока вы редактировали, маршрут изменился: загружена свежая версия. \
Проверьте данные и повторите изменение.";

impl Default for FormState {
    fn default() -> Self {
        Self::new()
    }
}

impl FormState {
    pub fn new() -> Self {
        FormState {
            errors: RwSignal::new(BTreeMap::new()),
            general: RwSignal::new(None),
            busy: RwSignal::new(false),
        }
    }

    /// The message of one field, tracked.
    pub fn field(self, name: &'static str) -> Signal<Option<String>> {
        let errors = self.errors;
        Signal::derive(move || errors.with(|e| e.get(name).cloned()))
    }

    pub fn clear(self) {
        self.errors.try_set(BTreeMap::new());
        self.general.try_set(None);
    }

    /// Problems found before sending (the same `validator` rules as the server's).
    /// Returns `false` when there were any.
    /// Nested fields are named as the server names them (`groups[0].competencies[1].name`).
    pub fn check(self, result: Result<(), validator::ValidationErrors>) -> bool {
        let Err(errors) = result else { return true };
        let map = shared::dto::validation_messages(&errors)
            .into_iter()
            .map(|(field, list)| (field, list.join(" ")))
            .collect();
        self.errors.set(map);
        false
    }

    /// The message of a field named at run time (an item of a list), tracked.
    pub fn field_at(
        self,
        name: impl Fn() -> String + Send + Sync + 'static,
    ) -> Signal<Option<String>> {
        let errors = self.errors;
        Signal::derive(move || {
            let name = name();
            errors.with(|e| e.get(&name).cloned())
        })
    }

    /// Marks one field as wrong (a check of our own, before sending).
    pub fn fail(self, field: &str, message: &str) {
        self.errors.update(|e| {
            e.insert(field.to_owned(), message.to_owned());
        });
    }

    /// Shows what the server said: field messages next to their fields, the rest on top.
    pub fn show(self, error: ApiError) {
        let fields: BTreeMap<String, String> = match &error {
            ApiError::Http { problem, .. } => problem
                .errors
                .iter()
                .map(|(k, v)| (k.clone(), v.join(" ")))
                .collect(),
            _ => BTreeMap::new(),
        };
        let general = if error.status() == Some(412) {
            Some(STALE.to_owned())
        } else if fields.is_empty() {
            Some(error.message())
        } else {
            None
        };
        self.errors.try_set(fields);
        self.general.try_set(general);
    }

    /// Sends: one request at a time; errors are shown; `done` runs after a success.
    pub fn run<F, D>(self, work: F, done: D)
    where
        F: Future<Output = Result<(), ApiError>> + 'static,
        D: FnOnce() + 'static,
    {
        if self.busy.get_untracked() {
            return;
        }
        self.busy.set(true);
        self.clear();
        spawn_local(async move {
            let result = work.await;
            self.busy.try_set(false);
            match result {
                Ok(()) => done(),
                Err(e) => self.show(e),
            }
        });
    }
}

/// The general error of a form, when there is one.
#[component]
pub fn FormAlert(form: FormState) -> impl IntoView {
    move || {
        form.general.get().map(|message| {
            view! {
                <div class="alert alert-error" role="alert">
                    <div class="alert-body">
                        <p>{message}</p>
                    </div>
                </div>
            }
        })
    }
}

fn described_by(
    id: &str,
    hint: bool,
    error: Signal<Option<String>>,
) -> impl Fn() -> Option<String> + use<> {
    let (hint_id, error_id) = (format!("{id}-hint"), format!("{id}-error"));
    move || {
        let mut ids = Vec::new();
        if hint {
            ids.push(hint_id.clone());
        }
        if error.with(Option::is_some) {
            ids.push(error_id.clone());
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

/// A label, an optional hint and the field's error, around the control.
#[component]
fn FieldFrame(
    label: String,
    id: String,
    hint: Option<String>,
    error: Signal<Option<String>>,
    required: bool,
    children: Children,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    view! {
        <div class="field" class:field-invalid=move || error.with(Option::is_some)>
            <label class="label" for=id.clone()>
                {label}
                {required.then(|| view! { <span class="required" aria-hidden="true">" *"</span> })}
            </label>
            {hint.map(|h| view! { <p class="hint" id=format!("{id}-hint")>{h}</p> })}
            {move || {
                error.get().map(|e| view! { <p class="field-error" id=error_id.clone()>{e}</p> })
            }}
            {children()}
        </div>
    }
}

/// A labelled `<input>` of the sign-in and password pages, with its `name` (its id is
/// `field-{name}`), autocomplete and a disabled state.
#[component]
pub fn TextField(
    #[prop(into)] label: String,
    name: &'static str,
    value: RwSignal<String>,
    /// `text`, `email`, `password`, `tel`, …
    #[prop(default = "text")]
    input_type: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional, into)] error: Signal<Option<String>>,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] disabled: Signal<bool>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let describe = described_by(&id, hint.is_some(), error);
    view! {
        <FieldFrame label=label id=id.clone() hint=hint error=error required=required>
            <input
                class="input"
                id=id
                name=name
                type=input_type
                autocomplete=autocomplete
                required=required
                disabled=move || disabled.get()
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                aria-describedby=describe
                bind:value=value
            />
        </FieldFrame>
    }
}

/// A one-line input: `text`, `date`, `number`, `url`…
#[component]
pub fn Input(
    #[prop(into)] label: String,
    #[prop(into)] id: String,
    value: RwSignal<String>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional, into)] error: Signal<Option<String>>,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] min: Option<String>,
    #[prop(optional, into)] max: Option<String>,
    #[prop(optional)] step: Option<&'static str>,
    /// The id of a `<datalist>` of suggestions.
    #[prop(optional)]
    list: Option<&'static str>,
) -> impl IntoView {
    let describe = described_by(&id, hint.is_some(), error);
    view! {
        <FieldFrame label=label id=id.clone() hint=hint error=error required=required>
            <input
                class="input"
                id=id
                type=input_type
                list=list
                required=required
                min=min
                max=max
                step=step
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                aria-describedby=describe
                bind:value=value
            />
        </FieldFrame>
    }
}

/// A multi-line text.
#[component]
pub fn TextArea(
    #[prop(into)] label: String,
    #[prop(into)] id: String,
    value: RwSignal<String>,
    #[prop(default = 3)] rows: u32,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional, into)] error: Signal<Option<String>>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let describe = described_by(&id, hint.is_some(), error);
    view! {
        <FieldFrame label=label id=id.clone() hint=hint error=error required=required>
            <textarea
                class="input textarea"
                id=id
                rows=rows
                required=required
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                aria-describedby=describe
                bind:value=value
            ></textarea>
        </FieldFrame>
    }
}

/// An option of a [`Select`]: its value and what it reads; options may be grouped.
#[derive(Debug, Clone, PartialEq)]
pub enum Choice {
    One(String, String),
    Group(String, Vec<(String, String)>),
}

/// A drop-down list.
#[component]
pub fn Select(
    #[prop(into)] label: String,
    #[prop(into)] id: String,
    value: RwSignal<String>,
    choices: Vec<Choice>,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional, into)] error: Signal<Option<String>>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let describe = described_by(&id, hint.is_some(), error);
    let option = move |(v, text): (String, String)| {
        let selected = v.clone();
        view! {
            <option value=v selected=move || value.with(|cur| *cur == selected)>
                {text}
            </option>
        }
    };
    let options = choices
        .into_iter()
        .map(|c| match c {
            Choice::One(v, t) => option((v, t)).into_any(),
            Choice::Group(name, list) => view! {
                <optgroup label=name>{list.into_iter().map(option).collect_view()}</optgroup>
            }
            .into_any(),
        })
        .collect_view();
    view! {
        <FieldFrame label=label id=id.clone() hint=hint error=error required=required>
            <select
                class="input select"
                id=id
                required=required
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                aria-describedby=describe
                on:change=move |ev| value.set(event_target_value(&ev))
                prop:value=move || value.get()
            >
                {options}
            </select>
        </FieldFrame>
    }
}

/// A group of checkboxes over ids (a `<fieldset>` with its legend).
#[component]
pub fn CheckList(
    #[prop(into)] legend: String,
    #[prop(into)] id: String,
    options: Vec<(uuid::Uuid, String)>,
    selected: RwSignal<Vec<uuid::Uuid>>,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional, into)] error: Signal<Option<String>>,
    #[prop(optional)] required: bool,
    /// Called with an id and whether it was just checked.
    #[prop(optional)]
    on_toggle: Option<Callback<(uuid::Uuid, bool)>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let boxes = options
        .into_iter()
        .enumerate()
        .map(|(i, (value, text))| {
            let box_id = format!("{id}-{i}");
            let for_id = box_id.clone();
            view! {
                <label class="check" for=for_id>
                    <input
                        type="checkbox"
                        id=box_id
                        prop:checked=move || selected.with(|s| s.contains(&value))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            selected
                                .update(|s| {
                                    s.retain(|x| *x != value);
                                    if on {
                                        s.push(value);
                                    }
                                });
                            if let Some(cb) = on_toggle {
                                cb.run((value, on));
                            }
                        }
                    />
                    <span>{text}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset
            class="field fieldset"
            class:field-invalid=move || error.with(Option::is_some)
            aria-describedby=move || error.with(Option::is_some).then(|| format!("{id}-error"))
        >
            <legend class="label">
                {legend}
                {required.then(|| view! { <span class="required" aria-hidden="true">" *"</span> })}
            </legend>
            {hint.map(|h| view! { <p class="hint">{h}</p> })}
            {move || {
                error.get().map(|e| view! { <p class="field-error" id=error_id.clone()>{e}</p> })
            }}
            <div class="checks">{boxes}</div>
        </fieldset>
    }
}

/// A single checkbox with its label.
#[component]
pub fn Checkbox(
    #[prop(into)] label: String,
    #[prop(into)] id: String,
    checked: RwSignal<bool>,
) -> impl IntoView {
    let for_id = id.clone();
    view! {
        <label class="check" for=for_id>
            <input type="checkbox" id=id bind:checked=checked />
            <span>{label}</span>
        </label>
    }
}

/// Text from a form field: trimmed, `None` when blank.
pub fn opt(value: RwSignal<String>) -> Option<String> {
    let v = value.get_untracked();
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_owned())
}

/// The choices of a domain enumeration: `(code, Russian title)`.
pub fn enum_choices<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    title: fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice::One(code(*v).to_owned(), title(*v).to_owned()))
        .collect()
}

/// `enum_choices` with a first, empty choice («не указан»).
pub fn optional_enum_choices<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    title: fn(T) -> &'static str,
    empty: &str,
) -> Vec<Choice> {
    let mut choices = vec![Choice::One(String::new(), empty.to_owned())];
    choices.extend(enum_choices(all, code, title));
    choices
}
