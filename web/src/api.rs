//! The typed client of the REST API.
//!
//! Two doors, as in Leptos' `login_with_token_csr_only`: [`auth`] holds the calls made without
//! a token (sign-in, refresh, sign-out), and [`Api`] makes every other call on behalf of the
//! [`Session`]. `Api` adds the bearer token; on a 401 it refreshes the token once (one refresh
//! in flight for the whole app, since refresh tokens rotate) and retries once; when the refresh
//! fails the session ends and the route guard sends the person to the sign-in page.
//!
//! Errors are [`ApiError`]: the server's problem document (always in Russian) or a network
//! failure with a Russian message of our own.

use gloo_net::http::{Method, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::dto::Problem;

use crate::session::Session;

/// The API's paths, in one place. Builders for paths with ids keep URLs out of the pages.
pub mod endpoints {
    use uuid::Uuid;

    pub const LOGIN: &str = "/api/v1/auth/login";
    pub const REFRESH: &str = "/api/v1/auth/refresh";
    pub const LOGOUT: &str = "/api/v1/auth/logout";
    pub const ME: &str = "/api/v1/me";
    pub const UNITS: &str = "/api/v1/units";
    /// The route dashboard of a unit and its workbook.
    pub const ROUTE_DASHBOARD: &str = "/api/v1/analytics/routes";
    pub const ROUTE_DASHBOARD_XLSX: &str = "/api/v1/analytics/routes.xlsx";

    pub fn person(id: Uuid) -> String {
        format!("/api/v1/people/{id}")
    }

    /// My notices (`GET`, `?limit=&offset=`), with the unread count.
    pub const NOTIFICATIONS: &str = "/api/v1/me/notifications";
    /// Marking all my notices read (`POST`).
    pub const NOTIFICATIONS_READ_ALL: &str = "/api/v1/me/notifications/read-all";
    /// «Что сделать» (`GET`).
    pub const TASKS: &str = "/api/v1/me/tasks";
    /// How I receive each kind of notice (`GET`, `PUT`).
    pub const NOTIFICATION_SETTINGS: &str = "/api/v1/me/notification-settings";

    /// One-click unsubscription from a letter's link (`POST`, no sign-in).
    pub fn unsubscribe(token: &str) -> String {
        format!(
            "/api/v1/unsubscribe/{}",
            String::from(js_sys::encode_uri_component(token))
        )
    }

    /// Marking one notice read (`POST`).
    pub fn notification_read(id: Uuid) -> String {
        format!("{NOTIFICATIONS}/{id}/read")
    }

    /// My consents to the processing of personal data (`GET`).
    pub const MY_CONSENTS: &str = "/api/v1/me/consents";

    /// My answer on one purpose (`PUT`, body `ConsentAnswer`).
    pub fn my_consent_answer(purpose_id: Uuid) -> String {
        format!("{MY_CONSENTS}/{purpose_id}")
    }

    /// A person's consents (`GET`), and a paper consent registered for them (`POST`).
    pub fn person_consents(person: Uuid) -> String {
        format!("/api/v1/people/{person}/consents")
    }

    /// A region's purposes of processing (`GET`) and a new one (`POST`).
    pub fn unit_consent_purposes(region: Uuid) -> String {
        format!("/api/v1/units/{region}/consent-purposes")
    }

    /// One purpose (`PUT`).
    pub fn consent_purpose(id: Uuid) -> String {
        format!("/api/v1/consent-purposes/{id}")
    }

    /// My requests to erase my data (`GET`), and a new one (`POST`).
    pub const MY_ERASURE_REQUESTS: &str = "/api/v1/me/erasure-requests";
    /// My attestation clocks (`GET`).
    pub const MY_ATTESTATION: &str = "/api/v1/me/attestation";
    /// The region's requests to erase data (`GET`, its manager).
    pub const ERASURE_REQUESTS: &str = "/api/v1/erasure-requests";

    /// Carrying a request out, or refusing it (`POST`).
    pub fn erasure_decision(id: Uuid, execute: bool) -> String {
        let verb = if execute { "execute" } else { "reject" };
        format!("{ERASURE_REQUESTS}/{id}/{verb}")
    }

    /// A teacher's consent to their tutor (`PUT`, body `ConsentInput`).
    pub fn my_consent(assignment_id: Uuid) -> String {
        format!("/api/v1/me/assignments/{assignment_id}/consent")
    }

    /// Routes in my scope (`GET` with `RouteFilter` as the query), and creating one (`POST`).
    pub const ROUTES: &str = "/api/v1/routes";

    /// A whole route (`GET`), its own fields (`PUT`), a never-submitted draft (`DELETE`).
    pub fn route(id: Uuid) -> String {
        format!("{ROUTES}/{id}")
    }

    /// A part of a route under it: `transitions`, `history`, `comments`, `files`, `next`,
    /// `activities-order`, `final-event`, `conclusion`, `information/refresh`.
    pub fn route_part(id: Uuid, part: &str) -> String {
        format!("{ROUTES}/{id}/{part}")
    }

    /// The items of a route's sections.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Items {
        Diagnostics,
        Deficits,
        Tasks,
        Activities,
        Progress,
        Products,
    }

    impl Items {
        pub const fn as_str(self) -> &'static str {
            match self {
                Items::Diagnostics => "diagnostics",
                Items::Deficits => "deficits",
                Items::Tasks => "tasks",
                Items::Activities => "activities",
                Items::Progress => "progress",
                Items::Products => "products",
            }
        }
    }

    /// Adding an item (`POST`).
    pub fn route_items(id: Uuid, items: Items) -> String {
        format!("{ROUTES}/{id}/{}", items.as_str())
    }

    /// One item (`PUT` with its version in the body, `DELETE` with `?version=`).
    pub fn route_item(id: Uuid, items: Items, item: Uuid) -> String {
        format!("{ROUTES}/{id}/{}/{item}", items.as_str())
    }

    /// An uploaded file (`GET` downloads it, `DELETE` removes it).
    pub fn file(id: Uuid) -> String {
        format!("/api/v1/files/{id}")
    }

    /// A competency framework with its groups and competencies.
    pub fn framework(id: Uuid) -> String {
        format!("/api/v1/frameworks/{id}")
    }

    /// The bank of methodological products (`GET` with `BankFilter`).
    pub const PRODUCTS: &str = "/api/v1/products";

    /// A product of the bank.
    pub fn product(id: Uuid) -> String {
        format!("{PRODUCTS}/{id}")
    }

    /// A part of a bank product: `recommendations`, `adoption`, `withdrawal`.
    pub fn product_part(id: Uuid, part: &str) -> String {
        format!("{PRODUCTS}/{id}/{part}")
    }

    /// The calendar (`GET` with `EventFilter`), a new event (`POST`).
    pub const CATALOGUE_EVENTS: &str = "/api/v1/catalogue/events";
    /// Ranked and personal recommendations for a teacher.
    pub const CATALOGUE_RECOMMENDATIONS: &str = "/api/v1/catalogue/recommendations";
    /// Cohorts of a unit (`?unit_id=`).
    pub const CATALOGUE_COHORTS: &str = "/api/v1/catalogue/cohorts";

    /// One event (`GET`, `PUT`).
    pub fn catalogue_event(id: Uuid) -> String {
        format!("{CATALOGUE_EVENTS}/{id}")
    }

    /// A part of an event: `publish`, `cancel`, `enrolment`, `enrolments`, `recommendations`,
    /// `roadmap`.
    pub fn catalogue_part(id: Uuid, part: &str) -> String {
        format!("{CATALOGUE_EVENTS}/{id}/{part}")
    }

    /// A part of an enrolment: `attendance`, `certificate`.
    pub fn catalogue_enrolment(id: Uuid, part: &str) -> String {
        format!("/api/v1/catalogue/enrolments/{id}/{part}")
    }

    // Administration (units, people, roles, assignments, import, outbox) and integrations.
    pub const PEOPLE: &str = "/api/v1/people";
    pub const PEOPLE_IMPORTS: &str = "/api/v1/people/imports";
    pub const ASSIGNMENTS: &str = "/api/v1/assignments";
    pub const OUTBOX: &str = "/api/v1/admin/outbox";
    /// «Кто видел мои данные».
    pub const ACCESS_LOG: &str = "/api/v1/me/access-log";
    /// «Мои данные»: the export of everything about me (`POST` starts, `GET` the latest).
    pub const MY_EXPORT: &str = "/api/v1/me/export";

    pub fn my_export(id: Uuid, download: bool) -> String {
        let tail = if download { "/download" } else { "" };
        format!("{MY_EXPORT}/{id}{tail}")
    }
    pub const INTEGRATIONS: &str = "/api/v1/integrations";
    pub const PASSWORD_RESET: &str = "/api/v1/auth/password-reset";
    pub const SET_PASSWORD: &str = "/api/v1/auth/set-password";
    pub const CONFIRM_EMAIL: &str = "/api/v1/auth/confirm-email";

    /// A unit (`PUT` renames) or a part of it: `archive`, `restore`, `policy`.
    pub fn unit(id: Uuid) -> String {
        format!("{UNITS}/{id}")
    }

    pub fn unit_part(id: Uuid, part: &str) -> String {
        format!("{UNITS}/{id}/{part}")
    }

    /// A part of a person: `card`, `deactivate`, `activate`, `invitation`, `roles`.
    pub fn person_part(id: Uuid, part: &str) -> String {
        format!("{PEOPLE}/{id}/{part}")
    }

    pub fn role_grant(id: Uuid) -> String {
        format!("/api/v1/role-grants/{id}")
    }

    pub fn assignment(id: Uuid) -> String {
        format!("{ASSIGNMENTS}/{id}")
    }

    pub fn people_import(id: Uuid, part: Option<&str>) -> String {
        match part {
            Some(part) => format!("{PEOPLE_IMPORTS}/{id}/{part}"),
            None => format!("{PEOPLE_IMPORTS}/{id}"),
        }
    }

    /// Whom a one-time link is for.
    pub fn link_info(token: &str) -> String {
        format!(
            "/api/v1/auth/links/{}",
            String::from(js_sys::encode_uri_component(token))
        )
    }

    /// An integration client, or a part of it: `rotate`, `revoke`, `webhooks`.
    pub fn integration(id: Uuid, part: Option<&str>) -> String {
        match part {
            Some(part) => format!("{INTEGRATIONS}/{id}/{part}"),
            None => format!("{INTEGRATIONS}/{id}"),
        }
    }

    /// A webhook subscription (`DELETE`), or a part: `enable`, `deliveries`.
    pub fn webhook(id: Uuid, part: Option<&str>) -> String {
        match part {
            Some(part) => format!("/api/v1/webhooks/{id}/{part}"),
            None => format!("/api/v1/webhooks/{id}"),
        }
    }

    pub fn redeliver(id: Uuid) -> String {
        format!("/api/v1/webhook-deliveries/{id}/redeliver")
    }
}

/// Why a call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server answered with an error: its problem document (or one made up from the status
    /// when the body was not a problem document), and `Retry-After` seconds for a 429.
    Http {
        problem: Problem,
        retry_after: Option<u64>,
    },
    /// No answer: the server is down or the network is gone.
    Network,
    /// An answer we could not read (a successful status with an unexpected body).
    Decode(String),
}

impl ApiError {
    /// The text to show a person, in Russian.
    pub fn message(&self) -> String {
        match self {
            ApiError::Http { problem, .. } => problem.message().to_owned(),
            ApiError::Network => {
                "Не удалось связаться с сервером. Проверьте подключение к сети и повторите попытку."
                    .to_owned()
            }
            ApiError::Decode(_) => {
                "Сервер прислал ответ, который не удалось прочитать. Обновите страницу.".to_owned()
            }
        }
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Http { problem, .. } => Some(problem.status),
            _ => None,
        }
    }

    /// The problem's stable machine code (`invalid_credentials`, `not_found`, …).
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Http { problem, .. } => Some(&problem.code),
            _ => None,
        }
    }

    /// The request id to quote when reporting the problem.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            ApiError::Http { problem, .. } => problem.request_id.as_deref(),
            _ => None,
        }
    }

    /// Messages for one form field from a 422.
    pub fn field(&self, name: &str) -> Option<String> {
        match self {
            ApiError::Http { problem, .. } => problem.errors.get(name).map(|m| m.join(" ")),
            _ => None,
        }
    }

    /// What a page shows for a link that is not the kind it expects (as if it did not exist).
    pub fn not_found() -> Self {
        ApiError::Http {
            problem: fallback(404),
            retry_after: None,
        }
    }

    /// What a call gets when there is no sign-in to make it with.
    pub fn session_ended() -> Self {
        let mut problem = fallback(401);
        problem.code = "session_ended".to_owned();
        problem.detail = Some("Сеанс завершён. Войдите снова.".to_owned());
        ApiError::Http {
            problem,
            retry_after: None,
        }
    }

    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(401)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for ApiError {}

/// A request that can be sent again (after a token refresh).
#[derive(Debug, Clone)]
pub struct ApiRequest {
    method: Method,
    path: String,
    query: Vec<(&'static str, String)>,
    body: Option<String>,
}

impl ApiRequest {
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        ApiRequest {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
        }
    }

    /// Adds a query parameter (encoded by the browser).
    pub fn query(mut self, name: &'static str, value: impl ToString) -> Self {
        self.query.push((name, value.to_string()));
        self
    }

    /// Sets a JSON body.
    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Result<Self, ApiError> {
        let text = serde_json::to_string(body).map_err(|e| ApiError::Decode(e.to_string()))?;
        self.body = Some(text);
        Ok(self)
    }

    async fn send(&self, token: Option<&str>) -> Result<Response, ApiError> {
        let mut builder = RequestBuilder::new(&self.path)
            .method(self.method.clone())
            .header("Accept", "application/json, application/problem+json")
            .query(self.query.iter().map(|(k, v)| (*k, v.as_str())));
        if let Some(token) = token {
            builder = builder.header("Authorization", &format!("Bearer {token}"));
        }
        let request = match &self.body {
            Some(body) => builder
                .header("Content-Type", "application/json")
                .body(body.as_str()),
            None => builder.build(),
        }
        .map_err(|e| ApiError::Decode(e.to_string()))?;
        request.send().await.map_err(|_| ApiError::Network)
    }
}

/// Reads a response: the typed body on success (an empty body reads as JSON `null`, so `()`
/// and `Option<T>` work for 204), the problem document otherwise.
pub async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let response = check(response).await?;
    let text = response.text().await.map_err(|_| ApiError::Network)?;
    let text = if text.trim().is_empty() {
        "null"
    } else {
        &text
    };
    serde_json::from_str(text).map_err(|e| ApiError::Decode(e.to_string()))
}

/// Passes a successful response through; turns an error status into [`ApiError::Http`].
pub async fn check(response: Response) -> Result<Response, ApiError> {
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let retry_after = response
        .headers()
        .get("Retry-After")
        .and_then(|v| v.trim().parse().ok());
    let text = response.text().await.unwrap_or_default();
    let problem = serde_json::from_str::<Problem>(&text).unwrap_or_else(|_| fallback(status));
    Err(ApiError::Http {
        problem,
        retry_after,
    })
}

/// A problem document for an error answer that did not carry one (a proxy's error page).
fn fallback(status: u16) -> Problem {
    let title = match status {
        401 => "Требуется вход",
        403 => "Недостаточно прав",
        404 => "Не найдено",
        429 => "Слишком много попыток",
        502..=504 => "Сервер временно недоступен",
        500..=599 => "Ошибка сервера",
        _ => "Запрос не выполнен",
    };
    Problem {
        kind: "about:blank".to_owned(),
        title: title.to_owned(),
        status,
        detail: Some(format!(
            "{title} (код ответа {status}). Повторите попытку позже."
        )),
        code: format!("http_{status}"),
        request_id: None,
        errors: Default::default(),
    }
}

/// A lock shared by every tab of the origin (the Web Locks API), for work that must not run in
/// two tabs at once. Where the browser has no Web Locks, the work simply runs.
mod lock {
    use std::cell::RefCell;
    use std::future::Future;
    use std::rc::Rc;

    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;

    // Runs `task` (which returns a promise) once, under the lock `name`. Should the lock not be
    // granted within `wait_ms` (a browser that never grants it, or another tab stuck holding it),
    // the task runs without it rather than leaving the page loading for ever.
    #[wasm_bindgen(inline_js = "
        export function with_lock(name, task, wait_ms) {
            const locks = globalThis.navigator && navigator.locks;
            if (!locks || !locks.request) return task();
            let started = false;
            const once = () => { if (started) return undefined; started = true; return task(); };
            return new Promise((resolve, reject) => {
                const run = () => { const p = once(); if (p) p.then(resolve, reject); return p; };
                const timer = setTimeout(run, wait_ms);
                locks.request(name, { mode: 'exclusive' }, () => { clearTimeout(timer); return run(); })
                    .catch(() => { clearTimeout(timer); run(); });
            });
        }")]
    extern "C" {
        #[wasm_bindgen(catch)]
        fn with_lock(
            name: &str,
            task: &js_sys::Function,
            wait_ms: u32,
        ) -> Result<js_sys::Promise, JsValue>;
    }

    /// How long to wait for the lock before going ahead without it. A refresh takes well under a
    /// second, so a tab waiting on another tab's refresh gets the lock long before this.
    const LOCK_WAIT_MS: u32 = 5_000;

    /// Runs `work` while holding the lock `name`; its result comes back through Rust, never JS.
    /// Should the lock itself fail, `work` runs without it.
    pub async fn exclusive<T, F, Fut>(name: &str, work: F) -> T
    where
        T: 'static,
        F: Fn() -> Fut + Clone + 'static,
        Fut: Future<Output = T> + 'static,
    {
        let slot: Rc<RefCell<Option<T>>> = Rc::new(RefCell::new(None));
        let filled = Rc::clone(&slot);
        let locked_work = work.clone();
        let run = move || {
            wasm_bindgen_futures::future_to_promise(async move {
                let value = locked_work().await;
                *filled.borrow_mut() = Some(value);
                Ok(JsValue::UNDEFINED)
            })
        };
        let task = Closure::once_into_js(run);
        if let Ok(promise) = with_lock(name, task.unchecked_ref(), LOCK_WAIT_MS) {
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        }
        let done = slot.borrow_mut().take();
        match done {
            Some(value) => value,
            None => work().await,
        }
    }
}

/// Calls made without an access token: the refresh token travels in its HttpOnly cookie,
/// which the browser sends by itself (same origin).
pub mod auth {
    use gloo_net::http::Method;
    use shared::dto::{LoginRequest, TokenResponse};

    use super::{ApiError, ApiRequest, decode, endpoints, lock};

    pub async fn login(request: &LoginRequest) -> Result<TokenResponse, ApiError> {
        let response = ApiRequest::new(Method::POST, endpoints::LOGIN)
            .json(request)?
            .send(None)
            .await?;
        decode(response).await
    }

    /// Exchanges the refresh cookie for a new access token, one tab at a time.
    ///
    /// Refresh tokens rotate, and presenting a used one revokes the whole sign-in. Two tabs
    /// refreshing at once (say, both reloaded when the browser restarts) would present the same
    /// cookie, so the request runs under a Web Lock shared by every tab of this origin: the
    /// second tab waits, then sends the cookie the first one received.
    pub async fn refresh() -> Result<TokenResponse, ApiError> {
        lock::exclusive(REFRESH_LOCK, refresh_now).await
    }

    const REFRESH_LOCK: &str = "iom-auth-refresh";

    async fn refresh_now() -> Result<TokenResponse, ApiError> {
        let response = ApiRequest::new(Method::POST, endpoints::REFRESH)
            .send(None)
            .await?;
        decode(response).await
    }

    pub async fn logout() -> Result<(), ApiError> {
        let response = ApiRequest::new(Method::POST, endpoints::LOGOUT)
            .send(None)
            .await?;
        decode(response).await
    }

    /// Whom a one-time link (invitation, password reset, e-mail confirmation) is for.
    pub async fn link_info(token: &str) -> Result<shared::dto::TokenInfo, ApiError> {
        let response = ApiRequest::new(Method::GET, endpoints::link_info(token))
            .send(None)
            .await?;
        decode(response).await
    }

    /// Sets a password with a one-time link; the answer signs the person in.
    pub async fn set_password(
        request: &shared::dto::SetPasswordRequest,
    ) -> Result<TokenResponse, ApiError> {
        let response = ApiRequest::new(Method::POST, endpoints::SET_PASSWORD)
            .json(request)?
            .send(None)
            .await?;
        decode(response).await
    }

    /// Confirms a new e-mail address with the link sent to it; every sign-in of the person ends.
    pub async fn confirm_email(
        request: &shared::dto::ConfirmEmailRequest,
    ) -> Result<shared::dto::EmailConfirmed, ApiError> {
        let response = ApiRequest::new(Method::POST, endpoints::CONFIRM_EMAIL)
            .json(request)?
            .send(None)
            .await?;
        decode(response).await
    }

    /// Stops the letters of the kind a notice letter's link names.
    pub async fn unsubscribe(token: &str) -> Result<shared::dto::Unsubscribed, ApiError> {
        let response = ApiRequest::new(Method::POST, endpoints::unsubscribe(token))
            .send(None)
            .await?;
        decode(response).await
    }

    /// Asks for a password-reset link by e-mail (202 whether or not the address is known).
    pub async fn request_reset(
        request: &shared::dto::PasswordResetRequest,
    ) -> Result<(), ApiError> {
        let response = ApiRequest::new(Method::POST, endpoints::PASSWORD_RESET)
            .json(request)?
            .send(None)
            .await?;
        decode(response).await
    }
}

/// Authorised calls on behalf of the session. Cheap to copy; get one with
/// [`Session::api`](crate::session::Session::api) or [`use_api`].
#[derive(Clone, Copy)]
pub struct Api {
    session: Session,
}

impl Api {
    pub fn new(session: Session) -> Self {
        Api { session }
    }

    pub async fn get<T: DeserializeOwned>(self, path: &str) -> Result<T, ApiError> {
        self.call(ApiRequest::new(Method::GET, path)).await
    }

    pub async fn post<B, T>(self, path: &str, body: &B) -> Result<T, ApiError>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        self.call(ApiRequest::new(Method::POST, path).json(body)?)
            .await
    }

    pub async fn put<B, T>(self, path: &str, body: &B) -> Result<T, ApiError>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        self.call(ApiRequest::new(Method::PUT, path).json(body)?)
            .await
    }

    pub async fn patch<B, T>(self, path: &str, body: &B) -> Result<T, ApiError>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        self.call(ApiRequest::new(Method::PATCH, path).json(body)?)
            .await
    }

    /// `DELETE`; use `T = ()` for a 204.
    pub async fn delete<T: DeserializeOwned>(self, path: &str) -> Result<T, ApiError> {
        self.call(ApiRequest::new(Method::DELETE, path)).await
    }

    /// `DELETE` of a versioned thing: `?version=` says which version the person saw.
    pub async fn delete_version<T: DeserializeOwned>(
        self,
        path: &str,
        version: i32,
    ) -> Result<T, ApiError> {
        self.call(ApiRequest::new(Method::DELETE, path).query("version", version))
            .await
    }

    /// `POST` without a body (with a query, say).
    pub async fn post_empty<T: DeserializeOwned>(
        self,
        path: &str,
        query: &[(&'static str, String)],
    ) -> Result<T, ApiError> {
        let mut request = ApiRequest::new(Method::POST, path);
        for (k, v) in query {
            request = request.query(k, v);
        }
        self.call(request).await
    }

    /// Sends any request (with a query, say) and decodes the answer.
    pub async fn call<T: DeserializeOwned>(self, request: ApiRequest) -> Result<T, ApiError> {
        decode(self.fetch(request).await?).await
    }

    /// Sends a request with the bearer token and returns the successful raw response (for
    /// downloads and other bodies that are not JSON). Refreshes and retries once on a 401.
    pub async fn fetch(self, request: ApiRequest) -> Result<Response, ApiError> {
        let token = self
            .session
            .fresh_token()
            .await
            .map_err(|e| self.ended(e))?;
        let response = request.send(Some(&token)).await?;
        if response.status() != 401 {
            return check(response).await;
        }
        // The token was refused (expired, or the sign-in was revoked): one refresh, one retry.
        let refused = check(response).await;
        let token = match self.session.refresh().await {
            Ok(token) => token,
            Err(e) if e.is_unauthorized() => {
                self.session.expire();
                return refused;
            }
            // A network failure is not the end of the sign-in: report it and keep the session.
            Err(e) => return Err(e),
        };
        let response = request.send(Some(&token)).await?;
        if response.status() == 401 {
            self.session.expire();
        }
        check(response).await
    }

    /// Ends the session when `error` says the sign-in is gone (not on a network failure).
    pub(crate) fn ended(self, error: ApiError) -> ApiError {
        if error.is_unauthorized() {
            self.session.expire();
        }
        error
    }
}

/// Uploads and downloads: raw bytes rather than JSON.
///
/// An upload goes through `XMLHttpRequest`, the one browser API that reports upload progress;
/// a download is fetched with the bearer token (a plain link would not carry it) and handed to
/// the browser as a blob to save.
pub mod transfer {
    use js_sys::Promise;
    use leptos::prelude::document;
    use serde::de::DeserializeOwned;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{
        Blob, BlobPropertyBag, File, HtmlAnchorElement, ProgressEvent, ReadableStreamDefaultReader,
        Url, XmlHttpRequest,
    };

    use super::{Api, ApiError, ApiRequest, Method, Problem, fallback};

    /// What one attempt of an upload got back.
    struct Answer {
        status: u16,
        text: String,
        retry_after: Option<u64>,
    }

    fn js_failed(_: JsValue) -> ApiError {
        ApiError::Network
    }

    async fn send_once(
        url: &str,
        token: &str,
        file: &File,
        content_type: &str,
        progress: &Closure<dyn FnMut(ProgressEvent)>,
    ) -> Result<Answer, ApiError> {
        let xhr = XmlHttpRequest::new().map_err(js_failed)?;
        xhr.open_with_async("POST", url, true).map_err(js_failed)?;
        xhr.set_request_header("Authorization", &format!("Bearer {token}"))
            .map_err(js_failed)?;
        xhr.set_request_header("Content-Type", content_type)
            .map_err(js_failed)?;
        xhr.set_request_header("Accept", "application/json, application/problem+json")
            .map_err(js_failed)?;
        if let Ok(upload) = xhr.upload() {
            upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
        }
        let done = Promise::new(&mut |resolve, reject| {
            xhr.set_onload(Some(&resolve));
            xhr.set_onerror(Some(&reject));
            xhr.set_onabort(Some(&reject));
            xhr.set_ontimeout(Some(&reject));
        });
        xhr.send_with_opt_blob(Some(file)).map_err(js_failed)?;
        let finished = JsFuture::from(done).await;
        if let Ok(upload) = xhr.upload() {
            upload.set_onprogress(None);
        }
        finished.map_err(js_failed)?;
        Ok(Answer {
            status: xhr.status().map_err(js_failed)?,
            text: xhr.response_text().ok().flatten().unwrap_or_default(),
            retry_after: xhr
                .get_response_header("Retry-After")
                .ok()
                .flatten()
                .and_then(|v| v.trim().parse().ok()),
        })
    }

    /// Sends `file` as the raw body of a `POST` to `url` (path and query), reporting the share
    /// sent so far (0.0 to 1.0) to `on_progress`. Refreshes the token and retries once on a 401.
    pub async fn upload<T, F>(
        api: Api,
        url: &str,
        file: &File,
        content_type: &str,
        on_progress: F,
    ) -> Result<T, ApiError>
    where
        T: DeserializeOwned,
        F: Fn(f64) + 'static,
    {
        let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
            if e.length_computable() && e.total() > 0.0 {
                on_progress(e.loaded() / e.total());
            }
        });
        let session = api.session;
        let token = session.fresh_token().await.map_err(|e| api.ended(e))?;
        let mut answer = send_once(url, &token, file, content_type, &progress).await?;
        if answer.status == 401 {
            match session.refresh().await {
                Ok(token) => {
                    answer = send_once(url, &token, file, content_type, &progress).await?;
                    if answer.status == 401 {
                        session.expire();
                    }
                }
                Err(e) => return Err(api.ended(e)),
            }
        }
        if (200..300).contains(&answer.status) {
            return serde_json::from_str(&answer.text).map_err(|e| ApiError::Decode(e.to_string()));
        }
        let problem = serde_json::from_str::<Problem>(&answer.text)
            .unwrap_or_else(|_| fallback(answer.status));
        Err(ApiError::Http {
            problem,
            retry_after: answer.retry_after,
        })
    }

    /// Downloads `path` with the bearer token and has the browser save it as `name`.
    pub async fn download(api: Api, path: &str, name: &str) -> Result<(), ApiError> {
        let response = api.fetch(ApiRequest::new(Method::GET, path)).await?;
        let raw = web_sys::Response::from(response);
        let blob: Blob = JsFuture::from(raw.blob().map_err(js_failed)?)
            .await
            .map_err(js_failed)?
            .unchecked_into();
        save(&blob, name)
    }

    /// How far a download has come: bytes so far, lines so far (CSV rows end in a line
    /// break), and the totals the server announced (`Content-Length`, `X-Total-Rows`).
    #[derive(Debug, Clone, Copy, Default, PartialEq)]
    pub struct Progress {
        pub bytes: u64,
        pub lines: u64,
        pub total_bytes: Option<u64>,
        pub total_rows: Option<u64>,
        /// Whether to count progress by lines (a CSV, whose first line is the header).
        pub by_rows: bool,
    }

    impl Progress {
        /// Data rows received so far (the header line is not one).
        pub fn rows(&self) -> u64 {
            self.lines.saturating_sub(1)
        }

        /// The share done, 0.0 to 1.0, when a total is known: rows of a CSV against
        /// `X-Total-Rows`, else bytes against `Content-Length`.
        pub fn fraction(&self) -> Option<f64> {
            let by_rows = self.total_rows.filter(|_| self.by_rows).map(|t| {
                if t == 0 {
                    1.0
                } else {
                    self.rows() as f64 / t as f64
                }
            });
            let by_bytes = self
                .total_bytes
                .filter(|t| *t > 0)
                .map(|t| self.bytes as f64 / t as f64);
            by_rows.or(by_bytes).map(|f| f.clamp(0.0, 1.0))
        }
    }

    /// Downloads `path` with the bearer token, reading the body chunk by chunk through a
    /// `ReadableStream` reader and reporting progress after each chunk, then has the browser
    /// save it as `name`. The chunks stay browser-side buffers, joined into one blob at the end
    /// (the browser may keep a large blob on disk), so a region-size export does not pass
    /// through the application's own memory.
    pub async fn download_with_progress<F>(
        api: Api,
        path: &str,
        name: &str,
        by_rows: bool,
        on_progress: F,
    ) -> Result<(), ApiError>
    where
        F: Fn(Progress),
    {
        let response = api.fetch(ApiRequest::new(Method::GET, path)).await?;
        let header = |h: &str| {
            response
                .headers()
                .get(h)
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        let mut progress = Progress {
            total_bytes: header("content-length"),
            total_rows: header("x-total-rows"),
            by_rows,
            ..Progress::default()
        };
        let content_type = response
            .headers()
            .get("content-type")
            .unwrap_or_else(|| "application/octet-stream".into());
        on_progress(progress);
        let raw = web_sys::Response::from(response);
        let Some(body) = raw.body() else {
            return save(&Blob::new().map_err(js_failed)?, name);
        };
        let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
        let parts = js_sys::Array::new();
        loop {
            let step = JsFuture::from(reader.read()).await.map_err(js_failed)?;
            let done = js_sys::Reflect::get(&step, &JsValue::from_str("done"))
                .map_err(js_failed)?
                .is_truthy();
            if done {
                break;
            }
            let chunk: js_sys::Uint8Array =
                js_sys::Reflect::get(&step, &JsValue::from_str("value"))
                    .map_err(js_failed)?
                    .unchecked_into();
            progress.bytes += u64::from(chunk.length());
            if by_rows {
                // One chunk at a time is copied to count its line breaks, then dropped.
                progress.lines += chunk.to_vec().iter().filter(|b| **b == b'\n').count() as u64;
            }
            parts.push(&chunk);
            on_progress(progress);
        }
        let options = BlobPropertyBag::new();
        options.set_type(&content_type);
        let blob =
            Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(js_failed)?;
        save(&blob, name)
    }

    /// Has the browser save `blob` as `name`.
    fn save(blob: &Blob, name: &str) -> Result<(), ApiError> {
        let href = Url::create_object_url_with_blob(blob).map_err(js_failed)?;
        let link: HtmlAnchorElement = document()
            .create_element("a")
            .map_err(js_failed)?
            .unchecked_into();
        link.set_href(&href);
        link.set_download(name);
        link.set_hidden(true);
        if let Some(body) = document().body() {
            let _ = body.append_child(&link);
        }
        link.click();
        link.remove();
        // The browser reads the blob asynchronously after the click: let it go a little later.
        leptos::prelude::set_timeout(
            move || {
                let _ = Url::revoke_object_url(&href);
            },
            std::time::Duration::from_secs(30),
        );
        Ok(())
    }
}

/// The API client of the current session (from context).
pub fn use_api() -> Api {
    crate::session::use_session().api()
}
