//! Form fields with their labels, hints and errors wired for assistive technology.

use leptos::prelude::*;

/// A labelled `<input>` bound to a string signal. The error (when there is one) is shown under
/// the field, announced, and linked with `aria-describedby`.
#[component]
pub fn TextField(
    #[prop(into)] label: String,
    /// The input's `name`; its id is `field-{name}`.
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
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let has_hint = hint.is_some();
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if error.with(Option::is_some) {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:field-invalid=move || error.with(Option::is_some)>
            <label class="label" for=id.clone()>
                {label}
                {required.then(|| view! { <span class="required" aria-hidden="true">" *"</span> })}
            </label>
            {hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> })}
            {move || {
                error
                    .get()
                    .map(|e| view! { <p class="field-error" id=error_id.clone()>{e}</p> })
            }}
            <input
                class="input"
                id=id
                name=name
                type=input_type
                autocomplete=autocomplete
                required=required
                disabled=move || disabled.get()
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                aria-describedby=described_by
                bind:value=value
            />
        </div>
    }
}
