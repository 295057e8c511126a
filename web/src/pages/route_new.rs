//! «Новый маршрут»: a title, an optional track and a period. Everything else (the profile,
//! the framework, what diagnostics found) is filled in by the server.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use shared::dto::{CreateRoute, RouteDto};
use validator::Validate;

use crate::api::{endpoints, use_api};
use crate::components::{FormAlert, FormState, Input, PageHeader, focus_element, opt};
use crate::format;
use crate::route_text;
use crate::routes;

#[component]
pub fn NewRoutePage() -> impl IntoView {
    let api = use_api();
    let navigate = use_navigate();
    let form = FormState::new();
    let (default_start, default_end) = route_text::default_period(format::today());
    let title = RwSignal::new(String::new());
    let track = RwSignal::new(String::new());
    let start = RwSignal::new(format::iso_date(default_start));
    let end = RwSignal::new(format::iso_date(default_end));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let (Some(period_start), Some(period_end)) = (
            format::parse_iso_date(&start.get_untracked()),
            format::parse_iso_date(&end.get_untracked()),
        ) else {
            form.fail("period_end", "Укажите даты начала и окончания.");
            return;
        };
        let request = CreateRoute {
            title: title.get_untracked().trim().to_owned(),
            track: opt(track),
            period_start,
            period_end,
            teacher_id: None,
        };
        if !form.check(request.validate()) {
            focus_element("new-route-title");
            return;
        }
        if period_end < period_start {
            form.fail("period_end", "Дата окончания раньше даты начала.");
            return;
        }
        let navigate = navigate.clone();
        form.run(
            async move {
                let created: RouteDto = api.post(endpoints::ROUTES, &request).await?;
                navigate(
                    &routes::route_tab(created.id, "diagnostic"),
                    Default::default(),
                );
                Ok(())
            },
            || {},
        );
    };
    view! {
        <PageHeader
            title="Новый маршрут"
            lead="Нужны только название и срок. Сведения о вас, рамка компетенций и результаты диагностик подставятся сами."
        />
        <section class="card narrow">
            <form class="form" on:submit=submit novalidate=true>
                <FormAlert form=form />
                <Input
                    label="Название маршрута"
                    id="new-route-title"
                    value=title
                    error=form.field("title")
                    required=true
                    hint="Например: «Формирование функциональной грамотности на уроках математики»."
                />
                <Input
                    label="Тематический трек"
                    id="new-route-track"
                    value=track
                    error=form.field("track")
                    hint="Необязательно. Помогает различать маршруты, если их несколько."
                />
                <div class="form-row">
                    <Input
                        label="Начало"
                        id="new-route-start"
                        input_type="date"
                        value=start
                        error=form.field("period_start")
                        required=true
                    />
                    <Input
                        label="Окончание"
                        id="new-route-end"
                        input_type="date"
                        value=end
                        error=form.field("period_end")
                        required=true
                    />
                </div>
                <p class="hint">
                    "По умолчанию — следующий учебный год. Маршрут рассчитан не более чем на год, если регион не установил иное."
                </p>
                <div class="form-buttons">
                    <button
                        type="submit"
                        class="btn btn-primary"
                        data-testid="create-route"
                        aria-disabled=move || form.busy.get().then_some("true")
                    >
                        {move || if form.busy.get() { "Создаём…" } else { "Создать маршрут" }}
                    </button>
                    <a class="btn btn-secondary" href=routes::MY_ROUTES>"Отмена"</a>
                </div>
            </form>
        </section>
    }
}
