//! Settings, read from environment variables with defaults so the product runs with no setup.

use std::net::SocketAddr;
use std::path::PathBuf;

use secrecy::SecretString;

/// Everything the server needs to start. Built from the environment by [`Settings::from_env`]
/// or directly by tests; never global.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `IOM_BIND`, default `127.0.0.1:8080`. Port 0 picks a free port (tests).
    pub bind: SocketAddr,
    /// `IOM_DATA_DIR`, default `./data`: the SQLite file and uploaded evidence live here.
    pub data_dir: PathBuf,
    /// `IOM_DATABASE_URL`; default a SQLite file in the data directory. `postgres://…` selects
    /// PostgreSQL.
    pub database_url: String,
    /// `IOM_DEMO=1`: seed demo data (accounts with a published password) into an empty
    /// database. Off unless asked for, on any database; refused when the public URL is https.
    pub demo: bool,
    /// With the demo data, also the demo teacher's completed route and its certificate (made
    /// through the real services on the first start; on with `demo`, off in tests, which
    /// build their own routes).
    pub demo_completed_route: bool,
    /// `IOM_JWT_SECRET`; when absent a secret is generated once and kept in the database, so
    /// every instance sharing the database signs alike.
    pub jwt_secret: Option<SecretString>,
    /// `IOM_WEB_DIR`, default `./dist`: the built SPA.
    pub web_dir: PathBuf,
    /// `IOM_PUBLIC_URL`: the address people reach the product at (links in mail, secure cookies).
    pub public_url: Option<String>,
    /// `IOM_WORKERS`: HTTP worker threads; default one per core.
    pub workers: Option<usize>,
    /// `IOM_MAX_BODY_BYTES`, default 1 MiB: the largest JSON body accepted.
    pub max_body_bytes: usize,
    /// `IOM_DB_MAX_CONNECTIONS`: the pool size (default 10 for PostgreSQL, 4 for SQLite).
    pub db_max_connections: Option<u32>,
    /// `IOM_FILES_DIR`, default `<data dir>/files`: uploaded evidence. Several instances must
    /// share it (a network volume).
    pub files_dir: PathBuf,
    /// `IOM_MAX_UPLOAD_BYTES`, default 20 MiB: the largest uploaded file.
    pub max_upload_bytes: usize,
    /// `IOM_SMTP_URL` (`smtp://user:pass@host:587?tls=required`, `smtps://…`): where mail goes.
    /// Without it, mail is kept in the outbox that administrators read.
    pub smtp_url: Option<SecretString>,
    /// `IOM_MAIL_FROM`, default `ИОМ <noreply@iom.local>`.
    pub mail_from: String,
    /// `IOM_TRUSTED_PROXIES`: comma-separated addresses or CIDRs of the reverse proxies in
    /// front of the server. Only from these is `X-Forwarded-For` believed; default none.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `IOM_WEBHOOKS_ALLOW_HTTP_LOOPBACK=1` (development only): webhooks may use plain `http`
    /// to a loopback address, e.g. a receiver on the developer's machine.
    pub webhooks_allow_http_loopback: bool,
    /// How failed sign-ins slow an account and an address down (not from the environment;
    /// tests shorten it).
    pub login_throttle: crate::auth::throttle::Policy,
    /// `IOM_SESSION_MAX_DAYS`, default 30: a sign-in ends this long after it began, however
    /// often it is refreshed.
    pub session_max_days: u32,
    /// How long a signed-in person's loaded grants are reused before they are read again
    /// (default 5 s; 0 turns the cache off). Deactivation, role changes and sign-outs do not
    /// wait for it: every request checks the person's security stamp. What it bounds is how
    /// long a change to a unit (archiving it) takes to reach the grants on every instance.
    pub principal_cache_ttl: std::time::Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{name}: {message}")]
    Invalid { name: &'static str, message: String },
}

impl Settings {
    /// Settings for a data directory, everything else at its default.
    pub fn with_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        let data_dir = data_dir.into();
        Settings {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: default_database_url(&data_dir),
            files_dir: data_dir.join("files"),
            data_dir,
            demo: false,
            demo_completed_route: false,
            jwt_secret: None,
            web_dir: PathBuf::from("dist"),
            public_url: None,
            workers: None,
            max_body_bytes: 1024 * 1024,
            db_max_connections: None,
            max_upload_bytes: 20 * 1024 * 1024,
            smtp_url: None,
            mail_from: "ИОМ <noreply@iom.local>".into(),
            trusted_proxies: Vec::new(),
            webhooks_allow_http_loopback: false,
            login_throttle: crate::auth::throttle::Policy::default(),
            session_max_days: 30,
            principal_cache_ttl: std::time::Duration::from_secs(5),
        }
    }

    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Settings from any source of variables (the environment, or a map in tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let data_dir = PathBuf::from(get("IOM_DATA_DIR").unwrap_or_else(|| "data".into()));
        let mut s = Settings::with_data_dir(data_dir);
        if let Some(bind) = get("IOM_BIND") {
            s.bind = bind.parse().map_err(|e| SettingsError::Invalid {
                name: "IOM_BIND",
                message: format!("expected host:port, got `{bind}` ({e})"),
            })?;
        }
        s.demo = get("IOM_DEMO")
            .map(|v| parse_bool("IOM_DEMO", &v))
            .transpose()?
            .unwrap_or(false);
        s.demo_completed_route = s.demo;
        if let Some(url) = get("IOM_DATABASE_URL") {
            s.database_url = url;
        }
        s.jwt_secret = get("IOM_JWT_SECRET").map(SecretString::from);
        if let Some(dir) = get("IOM_WEB_DIR") {
            s.web_dir = PathBuf::from(dir);
        }
        s.public_url = get("IOM_PUBLIC_URL").map(|u| u.trim_end_matches('/').to_owned());
        s.workers = get("IOM_WORKERS")
            .map(|v| parse_num("IOM_WORKERS", &v))
            .transpose()?;
        if let Some(v) = get("IOM_MAX_BODY_BYTES") {
            s.max_body_bytes = parse_num("IOM_MAX_BODY_BYTES", &v)?;
        }
        if let Some(dir) = get("IOM_FILES_DIR") {
            s.files_dir = PathBuf::from(dir);
        }
        if let Some(v) = get("IOM_MAX_UPLOAD_BYTES") {
            s.max_upload_bytes = parse_num("IOM_MAX_UPLOAD_BYTES", &v)?;
        }
        s.smtp_url = get("IOM_SMTP_URL").map(SecretString::from);
        if let Some(from) = get("IOM_MAIL_FROM") {
            s.mail_from = from;
        }
        if let Some(v) = get("IOM_SESSION_MAX_DAYS") {
            s.session_max_days = parse_num("IOM_SESSION_MAX_DAYS", &v)?;
            if s.session_max_days == 0 {
                return Err(SettingsError::Invalid {
                    name: "IOM_SESSION_MAX_DAYS",
                    message: "expected at least 1 day".into(),
                });
            }
        }
        s.db_max_connections = get("IOM_DB_MAX_CONNECTIONS")
            .map(|v| parse_num("IOM_DB_MAX_CONNECTIONS", &v))
            .transpose()?;
        if let Some(list) = get("IOM_TRUSTED_PROXIES") {
            s.trusted_proxies = parse_networks("IOM_TRUSTED_PROXIES", &list)?;
        }
        if let Some(v) = get("IOM_WEBHOOKS_ALLOW_HTTP_LOOPBACK") {
            s.webhooks_allow_http_loopback = parse_bool("IOM_WEBHOOKS_ALLOW_HTTP_LOOPBACK", &v)?;
        }
        s.check()?;
        Ok(s)
    }

    /// Refuses combinations that must never run: demo accounts (a published password) on a
    /// server people reach over https, i.e. a real deployment.
    pub fn check(&self) -> Result<(), SettingsError> {
        if self.demo && self.public_url_is_https() {
            return Err(SettingsError::Invalid {
                name: "IOM_DEMO",
                message: "demo accounts have a published password and must not run on a public \
                          https deployment (IOM_PUBLIC_URL is https://…); unset IOM_DEMO"
                    .into(),
            });
        }
        Ok(())
    }

    /// Whether people reach the server over https (HSTS, and no demo accounts).
    pub fn public_url_is_https(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

/// Whether cookies get the `Secure` flag for a product reached at `public_url` (the configured
/// `IOM_PUBLIC_URL`, else the server's own address): always, except over plain `http` on a
/// loopback host, which is development on one's own machine.
pub fn secure_cookies(public_url: &str) -> bool {
    let Some(rest) = public_url.strip_prefix("http://") else {
        return true;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    !loopback
}

fn default_database_url(data_dir: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("iom.db").display())
}

fn parse_bool(name: &'static str, v: &str) -> Result<bool, SettingsError> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        other => Err(SettingsError::Invalid {
            name,
            message: format!("expected 1 or 0, got `{other}`"),
        }),
    }
}

/// Addresses or CIDRs, comma-separated: `10.0.0.0/8, 192.168.1.10, ::1`.
fn parse_networks(name: &'static str, v: &str) -> Result<Vec<ipnet::IpNet>, SettingsError> {
    v.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(|x| {
            x.parse::<ipnet::IpNet>()
                .or_else(|_| x.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map(|n| n.trunc())
                .map_err(|_| SettingsError::Invalid {
                    name,
                    message: format!("expected addresses or CIDRs separated by commas, got `{x}`"),
                })
        })
        .collect()
}

fn parse_num<T: std::str::FromStr>(name: &'static str, v: &str) -> Result<T, SettingsError> {
    v.trim().parse().map_err(|_| SettingsError::Invalid {
        name,
        message: format!("expected a whole number, got `{v}`"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(vars: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_run_on_sqlite_under_data_without_demo_data() {
        let s = from(&[]).unwrap();
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(s.database_url, "sqlite://data/iom.db?mode=rwc");
        assert!(s.is_sqlite());
        assert!(
            !s.demo && !s.demo_completed_route,
            "demo accounts only on request"
        );
        assert!(s.trusted_proxies.is_empty() && !s.webhooks_allow_http_loopback);
    }

    #[test]
    fn demo_data_comes_only_with_iom_demo_on_any_database() {
        let pg = from(&[("IOM_DATABASE_URL", "postgres://postgres@127.0.0.1/iom")]).unwrap();
        assert!(!pg.demo && !pg.is_sqlite());
        let asked = from(&[
            ("IOM_DATABASE_URL", "postgres://postgres@127.0.0.1/iom"),
            ("IOM_DEMO", "1"),
        ])
        .unwrap();
        assert!(asked.demo);
        assert!(from(&[("IOM_DEMO", "1")]).unwrap().demo_completed_route);
    }

    #[test]
    fn demo_data_refuses_to_run_on_an_https_public_url() {
        let err = from(&[
            ("IOM_DEMO", "1"),
            ("IOM_PUBLIC_URL", "https://iom.region.example"),
        ])
        .unwrap_err();
        assert!(err.to_string().starts_with("IOM_DEMO"), "{err}");
        let mut built = Settings::with_data_dir("data");
        built.demo = true;
        built.public_url = Some("https://iom.region.example".into());
        assert!(
            built.check().is_err(),
            "settings built in code are checked too"
        );
        assert!(
            from(&[
                ("IOM_DEMO", "1"),
                ("IOM_PUBLIC_URL", "http://localhost:8080")
            ])
            .is_ok()
        );
    }

    #[test]
    fn trusted_proxies_are_cidrs_or_single_addresses() {
        let s = from(&[("IOM_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.10 ,::1")]).unwrap();
        let shown: Vec<String> = s.trusted_proxies.iter().map(|n| n.to_string()).collect();
        assert_eq!(shown, ["10.0.0.0/8", "192.168.1.10/32", "::1/128"]);
        let err = from(&[("IOM_TRUSTED_PROXIES", "10.0.0.0/8,proxy.local")]).unwrap_err();
        assert!(err.to_string().contains("proxy.local"));
    }

    #[test]
    fn bad_values_are_reported_by_name() {
        let err = from(&[("IOM_BIND", "localhost")]).unwrap_err();
        assert!(err.to_string().starts_with("IOM_BIND"));
        assert!(from(&[("IOM_DEMO", "maybe")]).is_err());
        assert!(from(&[("IOM_WORKERS", "many")]).is_err());
    }

    #[test]
    fn cookies_are_secure_unless_served_over_plain_http_on_a_loopback_host() {
        for url in [
            "https://iom.example",
            "http://iom.example",
            "http://iom.example:8080/",
            "http://0.0.0.0:8080",
            "http://192.168.1.10:8080",
            "https://127.0.0.1:8443",
            "http://localhost.iom.example",
        ] {
            assert!(secure_cookies(url), "{url}");
        }
        for url in [
            "http://127.0.0.1:8080",
            "http://localhost:8080",
            "http://LOCALHOST",
            "http://[::1]:8080/",
            "http://127.0.0.2",
        ] {
            assert!(!secure_cookies(url), "{url}");
        }
    }

    #[test]
    fn the_absolute_session_lifetime_is_a_setting() {
        assert_eq!(from(&[]).unwrap().session_max_days, 30);
        assert_eq!(
            from(&[("IOM_SESSION_MAX_DAYS", "7")])
                .unwrap()
                .session_max_days,
            7
        );
        assert!(from(&[("IOM_SESSION_MAX_DAYS", "0")]).is_err());
        assert!(from(&[("IOM_SESSION_MAX_DAYS", "week")]).is_err());
    }
}
