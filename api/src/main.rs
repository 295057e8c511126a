//! `iom`: runs the API and serves the SPA on one port.

use api::services::demo;
use api::{Application, Settings};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    api::telemetry::init();
    let settings = Settings::from_env()?;
    let demo_enabled = settings.demo;
    let app = Application::build(settings.clone()).await?;
    let url = format!("http://{}:{}", settings.bind.ip(), app.port());
    let jobs = api::jobs::Worker::spawn(app.db.clone(), &settings);
    tracing::info!(%url, database = %redact(&settings.database_url), "ИОМ is listening");
    if app.demo.is_some() {
        tracing::info!("demo data seeded into the empty database");
    }
    if demo_enabled {
        print_demo_logins(&url);
    }
    let result = app.run_until_stopped().await;
    jobs.stop().await;
    Ok(result?)
}

fn print_demo_logins(url: &str) {
    println!();
    println!("  ИОМ работает: {url}");
    println!("  API: {url}/api/docs/");
    println!();
    println!(
        "  Демонстрационные входы (пароль у всех: {}; только для демонстрации):",
        demo::PASSWORD
    );
    for (email, role, name) in demo::LOGINS {
        println!("    {email:<24} {:<28} {name}", role.title_ru());
    }
    println!();
}

/// The database URL without its password, for the log.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{}@{}", &url[..scheme + 3], user, &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}
