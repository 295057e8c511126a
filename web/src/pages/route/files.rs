//! Evidence and product files: the list (download, delete) and the upload with a progress bar.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::dto::{FileDto, RouteDto};
use uuid::Uuid;
use wasm_bindgen::JsCast;

use super::{RouteCtx, use_route};
use crate::api::{endpoints, transfer};
use crate::components::{AlertKind, FormAlert, FormState};
use crate::format;
use crate::route_text::{self, FILE_ACCEPT, MAX_FILE_BYTES};

/// What a file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Activity(Uuid),
    Product(Uuid),
}

impl Owner {
    fn query(self) -> (&'static str, Uuid) {
        match self {
            Owner::Activity(id) => ("activity_id", id),
            Owner::Product(id) => ("product_id", id),
        }
    }

    /// The files attached to it now, from the route.
    pub fn files(self, route: &RouteDto) -> Vec<FileDto> {
        match self {
            Owner::Activity(id) => route
                .activity
                .activities
                .iter()
                .find(|a| a.id == id)
                .map(|a| a.files.clone()),
            Owner::Product(id) => route
                .reflective
                .products
                .iter()
                .find(|p| p.id == id)
                .map(|p| p.files.clone()),
        }
        .unwrap_or_default()
    }
}

/// The files of an activity or product, with an upload when `editable`.
#[component]
pub fn Files(owner: Owner, #[prop(into)] editable: Signal<bool>) -> impl IntoView {
    let ctx = use_route();
    let files = Memo::new(move |_| ctx.route.with(|r| owner.files(r)));
    view! {
        <div class="files">
            {move || {
                let list = files.get();
                if list.is_empty() {
                    view! { <p class="small muted">"Файлов нет."</p> }.into_any()
                } else {
                    view! {
                        <ul class="plain file-list">
                            {list
                                .into_iter()
                                .map(|f| view! { <FileItem file=f editable=editable /> })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }}
            {move || editable.get().then(|| view! { <Uploader owner=owner /> })}
        </div>
    }
}

#[component]
fn FileItem(file: FileDto, editable: Signal<bool>) -> impl IntoView {
    let ctx = use_route();
    let (url, name, id) = (file.url.clone(), file.name.clone(), file.id);
    let busy = RwSignal::new(false);
    let download = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let (url, name) = (url.clone(), name.clone());
        spawn_local(async move {
            let result = transfer::download(ctx.api, &url, &name).await;
            busy.try_set(false);
            if let Err(e) = result {
                ctx.say(AlertKind::Error, e.message());
            }
        });
    };
    let file_name = file.name.clone();
    let remove = move |_| {
        if !RouteCtx::confirm(&format!("Удалить файл «{file_name}»?")) {
            return;
        }
        spawn_local(async move {
            let result = ctx.api.delete::<RouteDto>(&endpoints::file(id)).await;
            match ctx.apply(result).await {
                Ok(()) => ctx.say(AlertKind::Success, "Файл удалён."),
                Err(e) if e.status() == Some(412) => {}
                Err(e) => ctx.say(AlertKind::Error, e.message()),
            }
        });
    };
    let meta = format!(
        "{} · {} · {}",
        route_text::file_size(file.size),
        format::short_full_name(&file.uploaded_by.full_name),
        format::date(file.uploaded_at.date_naive())
    );
    view! {
        <li class="file">
            <button
                type="button"
                class="btn-link file-name"
                aria-label=format!("Скачать файл {}", file.name)
                aria-busy=move || busy.get().then_some("true")
                on:click=download
            >
                {file.name.clone()}
            </button>
            <span class="small muted">{meta}</span>
            {move || {
                editable
                    .get()
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="btn btn-ghost btn-small"
                                aria-label=format!("Удалить файл {}", file.name)
                                on:click=remove.clone()
                            >
                                "Удалить"
                            </button>
                        }
                    })
            }}
        </li>
    }
}

#[component]
fn Uploader(owner: Owner) -> impl IntoView {
    let ctx = use_route();
    let form = FormState::new();
    let progress = RwSignal::new(None::<(String, f64)>);
    let (param, id) = owner.query();
    let input_id = format!("upload-{id}");
    let hint_id = format!("{input_id}-hint");
    let on_change = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|list| list.get(0)) else {
            return;
        };
        input.set_value("");
        form.clear();
        let name = file.name();
        let Some(content_type) = route_text::content_type_for(&name) else {
            form.general.set(Some(format!(
                "Файл «{name}» не подходит: допустимы PDF, JPEG, PNG, DOC/DOCX, XLSX, PPTX, ODT/ODS/ODP и TXT."
            )));
            return;
        };
        if file.size() > MAX_FILE_BYTES {
            form.general.set(Some(format!(
                "Файл «{name}» больше 20 МБ: уменьшите его или разделите на части."
            )));
            return;
        }
        if file.size() == 0.0 {
            form.general.set(Some(format!("Файл «{name}» пуст.")));
            return;
        }
        let url = format!(
            "{}?{param}={id}&name={}",
            endpoints::route_part(ctx.id, "files"),
            String::from(js_sys::encode_uri_component(&name))
        );
        progress.set(Some((name.clone(), 0.0)));
        let api = ctx.api;
        let shown = name.clone();
        form.run(
            async move {
                let result =
                    transfer::upload::<RouteDto, _>(api, &url, &file, content_type, move |p| {
                        progress.try_set(Some((shown.clone(), p)));
                    })
                    .await;
                progress.try_set(None);
                ctx.apply(result).await
            },
            move || ctx.say(AlertKind::Success, format!("Файл «{name}» загружен.")),
        );
    };
    view! {
        <div class="uploader">
            <label class="label" for=input_id.clone()>"Прикрепить файл"</label>
            <p class="hint" id=hint_id.clone()>
                "Удостоверение, сертификат, фото, документ: PDF, JPEG, PNG, DOC/DOCX, XLSX, PPTX, ODT, TXT — до 20 МБ."
            </p>
            <input
                type="file"
                class="file-input"
                id=input_id
                accept=FILE_ACCEPT
                aria-describedby=hint_id
                disabled=move || form.busy.get()
                on:change=on_change
            />
            {move || {
                progress
                    .get()
                    .map(|(name, p)| {
                        let pct = (p * 100.0).round().clamp(0.0, 100.0) as u32;
                        view! {
                            <div class="upload-progress" role="status">
                                <progress max="100" value=pct aria-label=format!("Загрузка файла {name}")></progress>
                                <span class="small">{format!("{name}: {pct} %")}</span>
                            </div>
                        }
                    })
            }}
            <FormAlert form=form />
        </div>
    }
}
