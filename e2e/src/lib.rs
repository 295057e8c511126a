//! The test harness: starts the real server on a free port over a fresh database (SQLite in a
//! temporary directory, or a new PostgreSQL database when `IOM_TEST_PG_URL` is set) and drives
//! it over HTTP, as any client would.
//!
//! Every test gets its own server and database, so tests run in parallel with nothing shared.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test harness fails loudly"
)]

pub mod browser;
pub mod fixtures;
pub mod receiver;
pub mod smtp;

use std::sync::OnceLock;

use api::services::demo::{self, Demo};
use api::{Application, Settings};
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde::de::DeserializeOwned;
use shared::dto::{Problem, TokenResponse};

/// The backend the tests run on, for messages and for skipping backend-specific checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn backend() -> Backend {
    if pg_admin_url().is_some() {
        Backend::Postgres
    } else {
        Backend::Sqlite
    }
}

fn pg_admin_url() -> Option<String> {
    std::env::var("IOM_TEST_PG_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// A running server with its own database.
pub struct TestApp {
    pub base: String,
    pub db: DatabaseConnection,
    pub demo: Demo,
    pub client: Client,
    pub settings: Settings,
    /// The server's buffer of audited reads; [`TestApp::flush_reads`] writes it at once.
    pub reads: api::db::audit::Reads,
    /// SQL statements the server has run so far.
    pub statements: api::db::StatementCount,
    handle: actix_web::dev::ServerHandle,
    _dir: tempfile::TempDir,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Sending the stop command is synchronous; nothing needs to wait for it.
        drop(self.handle.stop(false));
        // The pool is shared with the server's background tasks, which live as long as the
        // test's runtime: closing it gives its connections back now, so a test that starts
        // server after server does not run PostgreSQL out of connections.
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            let db = self.db.clone();
            rt.spawn(async move {
                let _ = db.close().await;
            });
        }
    }
}

/// A change to the settings a test server starts with.
pub type Configure = Box<dyn FnOnce(&mut Settings)>;

/// Options for starting a test server.
#[derive(Default)]
pub struct Options {
    /// Serve this directory as the SPA.
    pub web_dir: Option<std::path::PathBuf>,
    /// Adjust settings further.
    pub configure: Option<Configure>,
}

impl TestApp {
    /// A server with the demo data seeded.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(Options::default()).await
    }

    /// A server that may deliver webhooks over plain http to this machine, where the tests'
    /// receivers listen: the development setting `IOM_WEBHOOKS_ALLOW_HTTP_LOOPBACK`, which a
    /// production server never has.
    pub async fn spawn_with_loopback_webhooks() -> TestApp {
        Self::spawn_with(Options {
            configure: Some(Box::new(|s| s.webhooks_allow_http_loopback = true)),
            ..Options::default()
        })
        .await
    }

    pub async fn spawn_with(options: Options) -> TestApp {
        init_process();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut settings = fresh_settings(dir.path()).await;
        settings.demo = true;
        if let Some(web) = options.web_dir {
            settings.web_dir = web;
        } else {
            settings.web_dir = dir.path().join("no-spa");
        }
        if let Some(f) = options.configure {
            f(&mut settings);
        }
        let app = Application::build(settings.clone())
            .await
            .expect("the server starts");
        let port = app.port();
        let demo = app.demo.clone().expect("demo data in a fresh database");
        let db = app.db.clone();
        let reads = app.reads.clone();
        let statements = app.statements.clone();
        let handle = app.handle();
        tokio::spawn(app.run_until_stopped());
        TestApp {
            base: format!("http://127.0.0.1:{port}"),
            db,
            demo,
            client: client(),
            settings,
            reads,
            statements,
            handle,
            _dir: dir,
        }
    }

    /// Writes the audited reads waiting in the server's buffer (it writes them every second on
    /// its own), so a test reads the audit log without waiting.
    pub async fn flush_reads(&self) {
        self.reads.flush().await.expect("writing the audited reads");
    }

    /// A second server on this one's database (another instance behind the same load
    /// balancer), with its settings adjusted by `configure`; stopped when the returned handle
    /// is dropped.
    pub async fn spawn_sibling(&self, configure: impl FnOnce(&mut Settings)) -> Sibling {
        let mut settings = self.settings.clone();
        settings.demo = false;
        settings.demo_completed_route = false;
        configure(&mut settings);
        let app = Application::build(settings)
            .await
            .expect("the second instance starts");
        let base = format!("http://127.0.0.1:{}", app.port());
        let handle = app.handle();
        tokio::spawn(app.run_until_stopped());
        Sibling {
            base,
            client: client(),
            handle,
        }
    }

    /// Runs every due background job (mail, housekeeping) to the end, as the worker would.
    pub async fn run_jobs(&self) -> usize {
        let registry = api::jobs::Registry::standard(&self.settings);
        let mut done = 0;
        while api::jobs::run_once(&self.db, &registry, "test-worker")
            .await
            .expect("the job queue")
        {
            done += 1;
        }
        done
    }

    /// Makes every retry that waits for its back-off due now (time passes, for the queue).
    pub async fn skip_backoff(&self) {
        use sea_orm::sea_query::Expr;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        api::db::entities::job::Entity::update_many()
            .col_expr(
                api::db::entities::job::Column::RunAt,
                Expr::value(api::db::now()),
            )
            .filter(api::db::entities::job::Column::State.eq("pending"))
            .exec(&self.db)
            .await
            .expect("the job queue");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.request(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.request(Method::POST, path)
    }

    /// Signs in with a password and returns the response.
    pub async fn login_response(&self, email: &str, password: &str) -> Response {
        self.post("/api/v1/auth/login")
            .json(&serde_json::json!({ "email": email, "password": password }))
            .send()
            .await
            .unwrap()
    }

    /// Signs in a demo person and returns an access token.
    pub async fn token(&self, email: &str) -> String {
        let res = self.login_response(email, demo::PASSWORD).await;
        assert_eq!(res.status(), StatusCode::OK, "signing in {email}");
        res.json::<TokenResponse>().await.unwrap().access_token
    }

    /// The server's signing keys (from the database, where the server keeps its secret).
    pub async fn jwt_keys(&self) -> api::auth::jwt::JwtKeys {
        let secret = api::db::settings::get(&self.db, "jwt_secret")
            .await
            .unwrap()
            .expect("a signing secret");
        api::auth::jwt::JwtKeys::new(&secrecy::SecretString::from(secret))
    }

    /// An access token minted directly for a person, with their current security stamp, issued
    /// at `issued` (seconds since the epoch): for probes where signing in a thousand times would
    /// only measure argon2.
    pub async fn mint_token_at(&self, id: uuid::Uuid, issued: u64) -> String {
        let user = api::db::users::find(&self.db, id)
            .await
            .unwrap()
            .expect("the person exists");
        self.jwt_keys()
            .await
            .issue(id, &user.security_stamp, issued, None)
            .unwrap()
    }

    /// [`TestApp::mint_token_at`] now.
    pub async fn mint_token(&self, id: uuid::Uuid) -> String {
        self.mint_token_at(id, api::auth::jwt::now_secs()).await
    }

    /// A client for one signed-in person.
    pub async fn as_user(&self, email: &str) -> User<'_> {
        User {
            app: self,
            token: self.token(email).await,
        }
    }
}

/// Another running instance on a [`TestApp`]'s database.
pub struct Sibling {
    pub base: String,
    pub client: Client,
    handle: actix_web::dev::ServerHandle,
}

impl Sibling {
    pub fn get(&self, path: &str) -> RequestBuilder {
        self.client.get(format!("{}{}", self.base, path))
    }
}

impl Drop for Sibling {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

/// A signed-in person's view of the API.
pub struct User<'a> {
    pub app: &'a TestApp,
    pub token: String,
}

impl User<'_> {
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.app.request(method, path).bearer_auth(&self.token)
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.request(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.request(Method::POST, path)
    }

    /// GET a path expecting 200 and a JSON body.
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str) -> T {
        let res = self.get(path).send().await.unwrap();
        ok_json(res).await
    }
}

/// Asserts 2xx and decodes the body, printing the problem otherwise.
pub async fn ok_json<T: DeserializeOwned>(res: Response) -> T {
    let status = res.status();
    let url = res.url().to_string();
    let text = res.text().await.unwrap();
    assert!(status.is_success(), "{url}: {status}: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{url}: decoding {e}: {text}"))
}

/// Asserts the status and that the body is a problem document; returns it.
pub async fn problem(res: Response, status: StatusCode) -> Problem {
    let got = res.status();
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = res.text().await.unwrap();
    assert_eq!(got, status, "body: {text}");
    assert_eq!(content_type, "application/problem+json", "body: {text}");
    let p: Problem = serde_json::from_str(&text).unwrap();
    assert_eq!(p.status, status.as_u16());
    assert!(
        p.request_id.is_some(),
        "problem without a request id: {text}"
    );
    p
}

pub fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Settings for a server of its own: a free port, one worker, a fresh database (SQLite in
/// `dir`, or a new PostgreSQL database), no demo data.
pub async fn fresh_settings(dir: &std::path::Path) -> Settings {
    let mut settings = Settings::with_data_dir(dir);
    settings.bind = "127.0.0.1:0".parse().unwrap();
    settings.workers = Some(1);
    if let Some(admin) = pg_admin_url() {
        settings.database_url = fresh_pg_database(&admin).await;
        settings.db_max_connections = Some(5);
    }
    settings
}

/// Creates an empty database on the PostgreSQL server and returns its URL.
async fn fresh_pg_database(admin_url: &str) -> String {
    let name = format!("iom_t_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(admin_url)
        .await
        .expect("PostgreSQL reachable");
    admin
        .execute_unprepared(&format!(
            "CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0"
        ))
        .await
        .expect("creating a test database");
    admin.close().await.ok();
    let (base, _) = admin_url
        .rsplit_once('/')
        .expect("a database URL with a database name");
    format!("{base}/{name}")
}

/// Once per test process: pick the TLS provider, and log when `IOM_TEST_LOG` is set.
pub fn init_process() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
        if std::env::var("IOM_TEST_LOG").is_ok() {
            api::telemetry::init();
        }
    });
}
