//! Diagnostics in the SPA: the campaigns list and a campaign's page (results grid, hand entry,
//! the import wizard), a teacher's own diagnostics with the self-assessment form, the managers'
//! analytics, the button that fills a route's diagnostic section from a campaign, and the
//! competency frameworks (browser and the editor of a region's draft).

mod analytics;
mod campaign;
mod campaigns;
mod drafts;
mod framework_editor;
mod frameworks;
mod import;
mod mine;
mod route_fill;

pub use analytics::AnalyticsPage;
pub use campaign::CampaignPage;
pub use campaigns::CampaignsPage;
pub use frameworks::{FrameworkPage, FrameworksPage};
pub use mine::MyDiagnosticsPage;
pub use route_fill::FillFromDiagnostic;

use leptos::prelude::*;
use shared::CompetencyLevel;
use shared::dto::{LevelCounts, ResultDto};
use uuid::Uuid;

use crate::components::BadgeKind;

/// The API's diagnostics paths.
pub mod paths {
    use uuid::Uuid;

    pub const CAMPAIGNS: &str = "/api/v1/diagnostics/campaigns";
    pub const MINE: &str = "/api/v1/diagnostics/mine";
    pub const FRAMEWORKS: &str = "/api/v1/frameworks";

    /// A framework version (`GET`, `PUT` a draft) or its `copy` / `publish`.
    pub fn framework(id: Uuid, part: Option<&str>) -> String {
        match part {
            Some(part) => format!("{FRAMEWORKS}/{id}/{part}"),
            None => format!("{FRAMEWORKS}/{id}"),
        }
    }

    pub fn campaign(id: Uuid) -> String {
        format!("{CAMPAIGNS}/{id}")
    }

    /// `results`, `analytics`, `deficit-people`, `imports`, `self`.
    pub fn campaign_part(id: Uuid, part: &str) -> String {
        format!("{CAMPAIGNS}/{id}/{part}")
    }

    pub fn person(id: Uuid, person: Uuid) -> String {
        format!("{CAMPAIGNS}/{id}/people/{person}")
    }

    pub fn import(id: Uuid) -> String {
        format!("/api/v1/diagnostics/imports/{id}")
    }

    pub fn import_commit(id: Uuid) -> String {
        format!("/api/v1/diagnostics/imports/{id}/commit")
    }

    /// A drafting job's progress.
    pub fn route_drafts_job(id: Uuid) -> String {
        format!("/api/v1/diagnostics/route-drafts/{id}")
    }

    pub fn route_fill(route: Uuid) -> String {
        format!("/api/v1/routes/{route}/diagnostic-from-campaign")
    }
}

/// The SPA's diagnostics pages.
pub mod pages {
    use uuid::Uuid;

    pub const CAMPAIGNS: &str = "/diagnostics";
    pub const MINE: &str = "/my-diagnostics";

    pub fn campaign(id: Uuid) -> String {
        format!("{CAMPAIGNS}/{id}")
    }

    pub fn analytics(id: Uuid) -> String {
        format!("{CAMPAIGNS}/{id}/analytics")
    }
}

/// The diagnostics area's own navigation: the campaigns (for those who organise or read them),
/// a teacher's own results, and the competency frameworks (everyone).
#[component]
pub fn DiagnosticsNav(
    /// The path of the page shown.
    current: &'static str,
) -> impl IntoView {
    let me = crate::session::use_session().me();
    let items = move || {
        let roles: Vec<shared::Role> = me.with(|m| {
            m.as_ref()
                .map(|m| m.roles.iter().map(|g| g.role).collect())
                .unwrap_or_default()
        });
        [
            crate::routes::DIAGNOSTICS,
            crate::routes::MY_DIAGNOSTICS,
            crate::routes::FRAMEWORKS,
        ]
        .into_iter()
        .filter_map(|path| {
            let title = match crate::routes::NAVIGATION.iter().find(|i| i.path == path) {
                Some(item) if item.audience.admits(&roles) => item.title,
                Some(_) => return None,
                None => "Рамки компетенций",
            };
            let here = path == current;
            Some(view! {
                <li>
                    <a href=path class="tab" class:tab-current=here aria-current=here.then_some("page")>
                        {title}
                    </a>
                </li>
            })
        })
        .collect_view()
    };
    view! {
        <nav class="tabs" aria-label="Диагностики">
            <ul>{items}</ul>
        </nav>
    }
}

pub fn level_badge(level: CompetencyLevel) -> BadgeKind {
    match level {
        CompetencyLevel::Low => BadgeKind::Danger,
        CompetencyLevel::Medium => BadgeKind::Warning,
        CompetencyLevel::High => BadgeKind::Success,
    }
}

/// A horizontal bar of the three levels' shares, with the counts for screen readers.
#[component]
pub fn LevelBar(counts: LevelCounts) -> impl IntoView {
    let total = (counts.low + counts.medium + counts.high).max(1) as f64;
    // Set through the CSS object model (`style:`), which the Content-Security-Policy allows;
    // a `style` attribute would need 'unsafe-inline'.
    let pct = |n: u64| format!("{:.1}%", n as f64 * 100.0 / total);
    let label = format!(
        "низкий: {}, средний: {}, высокий: {}",
        counts.low, counts.medium, counts.high
    );
    view! {
        <div class="level-bar" role="img" aria-label=label.clone() title=label>
            <span class="level-low" style:width=pct(counts.low)></span>
            <span class="level-medium" style:width=pct(counts.medium)></span>
            <span class="level-high" style:width=pct(counts.high)></span>
        </div>
    }
}

/// A person's results as a chart per competency group: one bar per competency, its length the
/// level (or the score when there is one).
#[component]
pub fn ResultsChart(results: Vec<ResultDto>) -> impl IntoView {
    let mut groups: Vec<(String, Vec<ResultDto>)> = Vec::new();
    for r in results {
        match groups.iter_mut().find(|(g, _)| *g == r.group_code) {
            Some((_, list)) => list.push(r),
            None => groups.push((r.group_code.clone(), vec![r])),
        }
    }
    groups
        .into_iter()
        .map(|(group, list)| {
            view! {
                <div class="chart-group">
                    <h3 class="small">{format!("Группа «{group}»")}</h3>
                    <ul class="result-bars">
                        {list
                            .into_iter()
                            .map(|r| {
                                let share = r.score.map_or(
                                    (r.level.rank() as f64 + 1.0) / 3.0 * 100.0,
                                    |s| s.clamp(0.0, 100.0),
                                );
                                let class = format!("result-bar level-{}", r.level.as_str());
                                let value = match r.score {
                                    Some(s) => format!("{} ({s})", r.level.title_ru()),
                                    None => r.level.title_ru().to_owned(),
                                };
                                view! {
                                    <li data-testid="result-row">
                                        <span class="result-name">
                                            <span class="code">{r.competency.code.clone()}</span>
                                            " "
                                            {r.competency.name.clone()}
                                        </span>
                                        <span class="result-track">
                                            <span class=class style:width=format!("{share:.0}%")></span>
                                        </span>
                                        <span class="result-value small">
                                            {value}
                                            {r.deficit.then_some(" · дефицит")}
                                        </span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </div>
            }
        })
        .collect_view()
}

/// Parses an id from the router's params.
pub fn param_id(params: &leptos_router::params::ParamsMap, name: &str) -> Option<Uuid> {
    params.get(name).and_then(|s| s.parse().ok())
}
