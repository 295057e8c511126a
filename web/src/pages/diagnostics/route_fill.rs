//! «Заполнить из диагностики» in a route's diagnostic section: the teacher's campaigns with
//! results; one press brings the results and the proposed deficits into the route.

use leptos::prelude::*;
use shared::dto::{CampaignDto, FromCampaignInput, PersonResultsDto, RouteDto};

use super::paths;
use crate::components::AlertKind;
use crate::pages::route::use_route;

#[component]
pub fn FillFromDiagnostic() -> impl IntoView {
    let ctx = use_route();
    let open = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let teacher = Memo::new(move |_| ctx.route.with(|r| r.teacher.id));
    let me = crate::session::use_session().me();
    // The teacher reads their own list; a tutor or coordinator reads the teacher's results in
    // each campaign of the region.
    let mine = LocalResource::new(move || {
        let api = ctx.api;
        let teacher = teacher.get();
        let is_owner = me.with(|m| m.as_ref().is_some_and(|m| m.person.id == teacher));
        let wanted = open.get();
        async move {
            if !wanted {
                return Ok(Vec::new());
            }
            if is_owner {
                return api.get::<Vec<PersonResultsDto>>(paths::MINE).await;
            }
            let all: Vec<CampaignDto> = api.get(paths::CAMPAIGNS).await?;
            let mut out = Vec::new();
            for c in all {
                if let Ok(p) = api
                    .get::<PersonResultsDto>(&paths::person(c.id, teacher))
                    .await
                    && !p.results.is_empty()
                {
                    out.push(p);
                }
            }
            Ok(out)
        }
    });
    let fill = move |campaign: uuid::Uuid, name: String| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let version = ctx.route.with_untracked(|r| r.version);
        leptos::task::spawn_local(async move {
            let input = FromCampaignInput {
                version,
                campaign_id: campaign,
            };
            let result = ctx
                .api
                .post::<_, RouteDto>(&paths::route_fill(ctx.id), &input)
                .await;
            busy.try_set(false);
            match ctx.apply(result).await {
                Ok(()) => {
                    open.try_set(false);
                    ctx.say(
                        AlertKind::Success,
                        format!("Результаты диагностики «{name}» и предложенные дефициты добавлены: подтвердите дефициты."),
                    );
                }
                Err(e) if e.status() == Some(412) => {}
                Err(e) => ctx.say(AlertKind::Error, e.message()),
            }
        });
    };
    view! {
        <button type="button" class="btn btn-secondary btn-small" data-testid="fill-from-diagnostic"
            on:click=move |_| open.update(|o| *o = !*o)>
            "Заполнить из диагностики"
        </button>
        <Show when=move || open.get()>
            <div class="fill-from" role="group" aria-label="Диагностики с вашими результатами">
                {move || {
                    mine.get().map(|r| match r {
                        Err(e) => view! { <p class="small">{e.message()}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! {
                            <p class="small">"В платформе нет результатов диагностик педагога (их загружает организатор диагностики или педагог проходит самооценку)."</p>
                        }.into_any(),
                        Ok(list) => list
                            .into_iter()
                            .map(|p| {
                                let name = p.campaign.name.clone();
                                let shown = format!(
                                    "{} ({}; дефицитов: {})",
                                    p.campaign.name,
                                    p.campaign.kind.title_ru().to_lowercase(),
                                    p.proposed_deficits.len()
                                );
                                let id = p.campaign.id;
                                view! {
                                    <button type="button" class="btn btn-secondary btn-small" data-testid="fill-campaign"
                                        disabled=move || busy.get() on:click=move |_| fill(id, name.clone())>
                                        {shown}
                                    </button>
                                }
                            })
                            .collect_view()
                            .into_any(),
                    })
                }}
            </div>
        </Show>
    }
}
