//! Building and running the server: testable, with the real port known after binding.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::{App, HttpResponse, HttpServer, middleware, web};
use secrecy::SecretString;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::jwt::JwtKeys;
use crate::config::Settings;
use crate::error::AppError;
use crate::fallback::{RouteTable, fallback};
use crate::middleware::metrics::Metrics;
use crate::middleware::request_id;
use crate::middleware::security_headers::{self, SecurityHeaders};
use crate::services::demo::{self, Demo};
use crate::state::AppState;

/// A bound, ready-to-run server.
pub struct Application {
    port: u16,
    server: Server,
    /// What demo data was seeded on this start, if any.
    pub demo: Option<Demo>,
    pub db: sea_orm::DatabaseConnection,
    /// The audit of reads, flushed once more when the server stops.
    pub reads: crate::db::audit::Reads,
    /// SQL statements run on the pool so far.
    pub statements: crate::db::StatementCount,
}

impl Application {
    /// Connects and migrates the database, seeds demo data if asked, and binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        // Two TLS back-ends end up linked (through sqlx and reqwest); choose one for the process.
        let _ = rustls::crypto::ring::default_provider().install_default();
        settings.check()?;
        let statements = crate::db::StatementCount::default();
        let db = crate::db::connect(&settings, &statements).await?;
        crate::services::frameworks::ensure_default(&db).await?;
        crate::services::diagnostics::rollup::rebuild_missing(&db)
            .await
            .map_err(|e| anyhow::anyhow!("counting diagnostic results: {e:?}"))?;
        let demo = if settings.demo {
            demo::seed_if_empty(&db).await?
        } else {
            None
        };
        crate::services::consents::ensure_every_region(&db)
            .await
            .map_err(|e| anyhow::anyhow!("the regions' consent purposes: {e:?}"))?;
        let secret = match &settings.jwt_secret {
            Some(s) => s.clone(),
            None => SecretString::from(
                crate::db::settings::get_or_insert(
                    &db,
                    "jwt_secret",
                    &crate::auth::tokens::generate(),
                )
                .await?,
            ),
        };
        let listener = TcpListener::bind(settings.bind)?;
        let port = listener.local_addr()?.port();
        let base_url = settings
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}:{port}", settings.bind.ip()));
        let reads = crate::db::audit::Reads::new(db.clone());
        reads.spawn_flusher();
        let state = web::Data::new(AppState {
            db: db.clone(),
            jwt: JwtKeys::new(&secret),
            principals: crate::auth::principal::PrincipalCache::new(settings.principal_cache_ttl),
            settings,
            secure_cookies: crate::config::secure_cookies(&base_url),
            base_url,
            reads: reads.clone(),
        });
        if demo.is_some() && state.settings.demo_completed_route {
            crate::services::route::demo::seed_completed(&state).await?;
        }
        let server = run(listener, state)?;
        Ok(Application {
            port,
            server,
            demo,
            db,
            reads,
            statements,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped, then writes the reads still waiting for the audit log.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        if let Err(e) = self.reads.flush().await {
            tracing::error!(error = %e, "audit of reads: the last batch was not written");
        }
        result
    }
}

fn run(listener: TcpListener, state: web::Data<AppState>) -> anyhow::Result<Server> {
    let spec = crate::openapi::spec();
    let routes = web::Data::new(RouteTable::from_spec(&spec));
    let served = crate::openapi::spec_value()?;
    let metrics = web::Data::new(Metrics::new()?);
    let web_dir = state.settings.web_dir.clone();
    let index = web_dir.join("index.html");
    let index_html = std::fs::read_to_string(&index).ok();
    let security = web::Data::new(SecurityHeaders::new(
        index_html.as_deref(),
        state.settings.public_url_is_https(),
    ));
    let assets = web::Data::new(crate::assets::Assets::load(&web_dir)?);
    let max_body = state.settings.max_body_bytes;
    let workers = state.settings.workers;

    let mut server = HttpServer::new(move || {
        let json = web::JsonConfig::default()
            .limit(max_body)
            .error_handler(|e, _| AppError::from(e).into());
        // A path parameter that does not parse is an unknown object (404) — unless the path is
        // another, literal one of the API that this method is not for (405).
        let path = web::PathConfig::default().error_handler(|e, req| {
            if let Some(table) = req.app_data::<web::Data<RouteTable>>()
                && let Some(allowed) = table.allowed(req.path())
                && !allowed.contains(&req.method().as_str())
            {
                return actix_web::error::InternalError::from_response(
                    e,
                    crate::fallback::method_not_allowed(&allowed),
                )
                .into();
            }
            AppError::NotFound.into()
        });
        let query = web::QueryConfig::default().error_handler(|e, _| {
            AppError::bad_request(
                "invalid_query",
                format!("Некорректные параметры запроса: {e}"),
            )
            .into()
        });
        let app = App::new()
            .into_utoipa_app()
            .app_data(state.clone())
            .app_data(metrics.clone())
            .app_data(routes.clone())
            .app_data(assets.clone())
            .app_data(security.clone())
            .app_data(json)
            .app_data(path)
            .app_data(query)
            .configure(crate::routes::configure)
            .into_app()
            .wrap(middleware::Compress::default())
            .wrap(middleware::from_fn(request_id::observe))
            .service(
                SwaggerUi::new("/api/docs/{_:.*}")
                    .external_url_unchecked("/api/openapi.json", served.clone()),
            )
            .route(
                "/api/docs",
                web::get().to(|| async {
                    HttpResponse::PermanentRedirect()
                        .insert_header(("Location", "/api/docs/"))
                        .finish()
                }),
            );
        app.default_service(web::to(fallback))
            .wrap(middleware::from_fn(security_headers::add))
    })
    .listen(listener)?;
    if let Some(n) = workers {
        server = server.workers(n);
    }
    Ok(server.run())
}
