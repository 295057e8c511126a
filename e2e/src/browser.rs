//! Headless Chromium driven over WebDriver (chromedriver), for tests that use the SPA as a
//! person would. Screenshots go to `artifacts/screenshots/` at the workspace root.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

/// A browser session and the chromedriver behind it; both end when this is dropped.
pub struct Browser {
    pub client: Client,
    /// chromedriver's address, for what WebDriver's standard commands lack (the console log).
    driver_url: String,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn find_binary(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// Whether the run insists on browser tests (CI does), so a missing browser fails instead of
/// skipping.
pub fn required() -> bool {
    std::env::var("IOM_REQUIRE_BROWSER").is_ok_and(|v| v == "1")
}

/// Where the SPA was built, if it was.
pub fn built_spa() -> Option<PathBuf> {
    let dist = workspace_root().join("dist");
    dist.join("index.html").is_file().then_some(dist)
}

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

impl Browser {
    /// Starts chromedriver and a headless Chromium; `None` (with a note) when they are not
    /// installed, unless browser tests are required.
    pub async fn start() -> Option<Browser> {
        crate::init_process();
        let driver_bin = find_binary(&["chromedriver"]);
        let chrome_bin = find_binary(&["chromium", "chromium-browser", "google-chrome"]);
        let (Some(driver_bin), Some(chrome_bin)) = (driver_bin, chrome_bin) else {
            assert!(
                !required(),
                "chromium and chromedriver are required but not installed"
            );
            eprintln!("skipping a browser test: chromium or chromedriver is not installed");
            return None;
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let driver = Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile = tempfile::tempdir().expect("a profile directory");
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": chrome_bin,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-quic",
                    "--window-size=1280,900", "--lang=ru-RU",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }),
        );
        // Keep the console (Content-Security-Policy violations are reported there).
        caps.insert(
            "goog:loggingPrefs".into(),
            serde_json::json!({ "browser": "ALL" }),
        );
        let url = format!("http://127.0.0.1:{port}");
        // chromedriver takes a moment to listen: poll for it, bounded.
        let deadline = Instant::now() + Duration::from_secs(20);
        let client = loop {
            let attempt = ClientBuilder::rustls()
                .expect("a TLS connector")
                .capabilities(caps.clone())
                .connect(&url)
                .await;
            match attempt {
                Ok(c) => break c,
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("connecting to chromedriver: {e}"),
            }
        };
        Some(Browser {
            client,
            driver_url: url,
            driver,
            _profile: profile,
        })
    }

    /// Waits for an element matching `css`, up to ten seconds.
    pub async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("waiting for `{css}`: {e}"))
    }

    /// Waits until some element's text contains `text`, up to ten seconds.
    pub async fn wait_for_text(&self, text: &str) -> fantoccini::elements::Element {
        let xpath = format!("//*[contains(normalize-space(.), {})]", xpath_literal(text));
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|e| panic!("waiting for text `{text}`: {e}"))
    }

    /// The console messages logged since the last call (chromedriver hands each out once).
    pub async fn console(&self) -> Vec<String> {
        let id = self
            .client
            .session_id()
            .await
            .expect("the session id")
            .expect("a session");
        let res = reqwest::Client::new()
            .post(format!("{}/session/{id}/se/log", self.driver_url))
            .json(&serde_json::json!({ "type": "browser" }))
            .send()
            .await
            .expect("chromedriver answers");
        let body: serde_json::Value = res.json().await.expect("a log");
        body["value"]
            .as_array()
            .expect("log entries")
            .iter()
            .map(|e| {
                format!(
                    "{} {}",
                    e["level"].as_str().unwrap_or(""),
                    e["message"].as_str().unwrap_or("")
                )
            })
            .collect()
    }

    /// Saves a screenshot as `artifacts/screenshots/{name}.png` and returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("a screenshot");
        let dir = workspace_root().join("artifacts").join("screenshots");
        std::fs::create_dir_all(&dir).expect("the artifacts folder");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("writing the screenshot");
        path
    }
}

/// `text` as an XPath string literal (XPath 1.0 has no escapes, hence concat()).
fn xpath_literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else if !text.contains('"') {
        format!("\"{text}\"")
    } else {
        let parts: Vec<String> = text.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}
