//! The router, the route guard and the session's birth.

use leptos::prelude::*;
use leptos_router::components::{Outlet, ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::{NavigateOptions, ParamSegment, StaticSegment};

use crate::components::{Loading, Shell};
use crate::pages::admin::{
    ConfirmEmailPage, ForgotPasswordPage, ImportPage, InvitePage, NewPersonPage, OutboxPage,
    PeoplePage, PersonPage, ResetPage, UnitsPage,
};
use crate::pages::integrations::{IntegrationPage, IntegrationsPage};
use crate::pages::{
    CabinetPage, ExpertisePage, LoginPage, MyRoutesPage, NewRoutePage, NotFoundPage, ProfilePage,
    QueuePage, RoutePage, RoutesPage, TuteesPage,
};
use crate::pages::{
    CalendarPage, CohortsPage, EditEventPage, EventPage, NewEventPage, RecommendedPage,
};
use crate::routes;
use crate::session::{AuthState, Session, SignedOutBecause, use_session};

#[component]
pub fn App() -> impl IntoView {
    Session::start();
    view! {
        <Router>
            <Routes fallback=NotFoundPage>
                <Route path=StaticSegment(routes::LOGIN) view=LoginPage />
                // Public: what a certificate's QR code opens.
                <Route
                    path=(StaticSegment(routes::VERIFY), ParamSegment(routes::VERIFY_CODE_PARAM))
                    view=crate::pages::VerifyPage
                />
                // One-time links from e-mails, and asking for one: no sign-in needed.
                <Route
                    path=(StaticSegment("invite"), ParamSegment(routes::TOKEN_PARAM))
                    view=InvitePage
                />
                <Route
                    path=(StaticSegment("reset"), ParamSegment(routes::TOKEN_PARAM))
                    view=ResetPage
                />
                <Route
                    path=(StaticSegment("confirm-email"), ParamSegment(routes::TOKEN_PARAM))
                    view=ConfirmEmailPage
                />
                <Route
                    path=(StaticSegment("unsubscribe"), ParamSegment(routes::TOKEN_PARAM))
                    view=crate::pages::unsubscribe::UnsubscribePage
                />
                <Route path=StaticSegment(routes::FORGOT_PASSWORD) view=ForgotPasswordPage />
                // Everything else needs a sign-in and sits in the shell.
                <ParentRoute path=StaticSegment("") view=RequireSignIn>
                    <Route path=StaticSegment(routes::CABINET) view=CabinetPage />
                    <Route path=StaticSegment(routes::PROFILE) view=ProfilePage />
                    <Route
                        path=StaticSegment(routes::ACCESS_LOG)
                        view=crate::pages::access_log::AccessLogPage
                    />
                    <Route
                        path=StaticSegment(routes::NOTIFICATIONS)
                        view=crate::pages::NotificationsPage
                    />
                    <Route path=StaticSegment(routes::MY_ROUTES) view=MyRoutesPage />
                    // A static segment stops at a slash: `/my-routes/new` is two of them.
                    <Route
                        path=(StaticSegment(routes::MY_ROUTES), StaticSegment("new"))
                        view=NewRoutePage
                    />
                    <Route path=StaticSegment(routes::ROUTES) view=RoutesPage />
                    <Route
                        path=(StaticSegment(routes::ROUTES), ParamSegment(routes::ROUTE_ID_PARAM))
                        view=RoutePage
                    />
                    <Route path=StaticSegment(routes::QUEUE) view=QueuePage />
                    <Route path=StaticSegment(routes::TUTEES) view=TuteesPage />
                    <Route path=StaticSegment(routes::EXPERTISE) view=ExpertisePage />
                    <Route path=StaticSegment(routes::CATALOGUE) view=CalendarPage />
                    <Route
                        path=(StaticSegment(routes::CATALOGUE), StaticSegment("new"))
                        view=NewEventPage
                    />
                    <Route
                        path=(StaticSegment(routes::CATALOGUE), ParamSegment(routes::EVENT_ID_PARAM))
                        view=EventPage
                    />
                    <Route
                        path=(
                            StaticSegment(routes::CATALOGUE),
                            ParamSegment(routes::EVENT_ID_PARAM),
                            StaticSegment("edit"),
                        )
                        view=EditEventPage
                    />
                    <Route path=StaticSegment(routes::RECOMMENDED) view=RecommendedPage />
                    <Route path=StaticSegment(routes::COHORTS) view=CohortsPage />
                    <Route path=StaticSegment(routes::BANK) view=crate::pages::bank::BankPage />
                    <Route
                        path=(StaticSegment(routes::BANK), ParamSegment(routes::ID_PARAM))
                        view=crate::pages::bank::BankProductPage
                    />
                    <Route path=StaticSegment(routes::MONITORING) view=crate::pages::monitoring::MonitoringPage />
                    <Route path=StaticSegment(routes::DIAGNOSTICS) view=crate::pages::CampaignsPage />
                    <Route
                        path=(StaticSegment(routes::DIAGNOSTICS), ParamSegment("id"))
                        view=crate::pages::CampaignPage
                    />
                    <Route
                        path=(StaticSegment(routes::DIAGNOSTICS), ParamSegment("id"), StaticSegment("analytics"))
                        view=crate::pages::AnalyticsPage
                    />
                    <Route path=StaticSegment(routes::MY_DIAGNOSTICS) view=crate::pages::MyDiagnosticsPage />
                    <Route path=StaticSegment(routes::FRAMEWORKS) view=crate::pages::FrameworksPage />
                    <Route
                        path=(StaticSegment(routes::FRAMEWORKS), ParamSegment("id"))
                        view=crate::pages::FrameworkPage
                    />
                    // Administration: units, people, staff import, the outbox.
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("units"))
                        view=UnitsPage
                    />
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("people"))
                        view=PeoplePage
                    />
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("people"), StaticSegment("new"))
                        view=NewPersonPage
                    />
                    <Route
                        path=(
                            StaticSegment("admin"),
                            StaticSegment("people"),
                            ParamSegment(routes::ID_PARAM),
                        )
                        view=PersonPage
                    />
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("import"))
                        view=ImportPage
                    />
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("outbox"))
                        view=OutboxPage
                    />
                    <Route path=StaticSegment(routes::INTEGRATIONS) view=IntegrationsPage />
                    <Route
                        path=(StaticSegment(routes::INTEGRATIONS), ParamSegment(routes::ID_PARAM))
                        view=IntegrationPage
                    />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// The route guard: a loading screen while the session is being restored (so a reload never
/// flashes the sign-in page), the shell for a signed-in person, and the sign-in page (asked to
/// come back here) for everyone else.
#[component]
fn RequireSignIn() -> impl IntoView {
    let session = use_session();
    let location = use_location();
    let state = Memo::new(move |_| session.state());
    move || match state.get() {
        AuthState::Restoring => view! { <Loading full_page=true /> }.into_any(),
        AuthState::SignedIn => view! {
            <crate::pages::consents::ConsentGate>
                <Shell>
                    <Outlet />
                </Shell>
            </crate::pages::consents::ConsentGate>
        }
        .into_any(),
        AuthState::SignedOut(because) => {
            let path = if because == SignedOutBecause::Deliberate {
                routes::LOGIN.to_owned()
            } else {
                let mut here = location.pathname.get_untracked();
                let search = location.search.get_untracked();
                if !search.is_empty() {
                    here.push('?');
                    here.push_str(search.trim_start_matches('?'));
                }
                routes::login_with_next(&here)
            };
            let options = NavigateOptions {
                replace: true,
                ..Default::default()
            };
            view! { <Redirect path=path options=options /> }.into_any()
        }
    }
}
