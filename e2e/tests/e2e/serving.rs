//! How answers travel: the SPA's files precompressed and cached by name, JSON compressed when
//! the client asks, and neither losing the security headers.

use std::io::Read;

use e2e::{Options, TestApp, ok_json};
use reqwest::StatusCode;
use shared::dto::MeResponse;

const HASHED_WASM: &str = "web-0123456789abcdef_bg.wasm";
const HASHED_CSS: &str = "style-0123456789abcdef.css";
const INDEX: &str = "<!doctype html><html lang=\"ru\"><body><div id=\"app\"></div></body></html>";

/// A built SPA as Trunk and scripts/precompress.sh leave it; the precompressed copies hold
/// marker bytes, so a test sees which one was sent.
fn dist() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let put = |name: &str, body: &[u8]| std::fs::write(dir.path().join(name), body).unwrap();
    put("index.html", INDEX.as_bytes());
    put("index.html.gz", b"gzip index");
    put(HASHED_WASM, b"\0asm raw module");
    put(&format!("{HASHED_WASM}.br"), b"brotli module");
    put(&format!("{HASHED_WASM}.gz"), b"gzip module");
    put(HASHED_CSS, b"body { margin: 0 }");
    dir
}

async fn get(app: &TestApp, path: &str, accept: Option<&str>) -> reqwest::Response {
    let mut req = app.get(path);
    if let Some(a) = accept {
        req = req.header("accept-encoding", a);
    }
    req.send().await.unwrap()
}

fn header(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

#[tokio::test]
async fn spa_files_are_sent_precompressed_by_accept_encoding_and_hashed_names_are_immutable() {
    let dir = dist();
    let app = TestApp::spawn_with(Options {
        web_dir: Some(dir.path().to_owned()),
        ..Options::default()
    })
    .await;
    let wasm = format!("/{HASHED_WASM}");
    for (accept, encoding, body) in [
        (Some("gzip, deflate, br, zstd"), Some("br"), "brotli module"),
        (Some("gzip"), Some("gzip"), "gzip module"),
        (Some("br;q=0, gzip"), Some("gzip"), "gzip module"),
        (None, None, "\0asm raw module"),
    ] {
        let res = get(&app, &wasm, accept).await;
        assert_eq!(res.status(), StatusCode::OK, "{accept:?}");
        assert_eq!(
            header(&res, "content-encoding").as_deref(),
            encoding,
            "{accept:?}"
        );
        assert_eq!(
            header(&res, "cache-control").as_deref(),
            Some("public, max-age=31536000, immutable")
        );
        assert_eq!(
            header(&res, "content-type").as_deref(),
            Some("application/wasm")
        );
        assert_eq!(header(&res, "vary").as_deref(), Some("accept-encoding"));
        // The security headers middleware still runs around static files.
        assert!(header(&res, "content-security-policy").is_some());
        assert_eq!(
            header(&res, "x-content-type-options").as_deref(),
            Some("nosniff")
        );
        assert_eq!(res.bytes().await.unwrap().as_ref(), body.as_bytes());
    }

    // A hashed file without precompressed copies: still immutable, compressed on the fly.
    let res = get(&app, &format!("/{HASHED_CSS}"), Some("gzip")).await;
    assert_eq!(
        header(&res, "cache-control").as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    assert!(
        header(&res, "content-type")
            .unwrap()
            .starts_with("text/css")
    );

    // The page itself (at `/` and at any client-side route) is revalidated on every load.
    for path in ["/", "/index.html", "/routes/123"] {
        let res = get(&app, path, None).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(
            header(&res, "cache-control").as_deref(),
            Some("no-cache"),
            "{path}"
        );
        let tag = header(&res, "etag").unwrap();
        assert_eq!(res.text().await.unwrap(), INDEX);
        let res = app
            .get(path)
            .header("if-none-match", &tag)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_MODIFIED, "{path}");
    }
    let res = get(&app, "/", Some("gzip, br")).await;
    assert_eq!(header(&res, "content-encoding").as_deref(), Some("gzip"));
    assert_eq!(res.text().await.unwrap(), "gzip index");

    // What does not exist is still a 404 problem, and the API is never taken for a file.
    assert_eq!(
        get(&app, "/missing.js", None).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&app, "/api/v1/index.html", None).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&app, "/../Cargo.toml", None).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn json_answers_are_gzip_compressed_only_when_the_client_asks() {
    let app = TestApp::spawn().await;
    let token = app.token("teacher@iom.test").await;
    let res = app
        .get("/api/v1/me")
        .bearer_auth(&token)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header(&res, "content-encoding").as_deref(), Some("gzip"));
    assert!(header(&res, "content-security-policy").is_some());
    let packed = res.bytes().await.unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(packed.as_ref())
        .read_to_string(&mut text)
        .unwrap();
    let me: MeResponse = serde_json::from_str(&text).unwrap();
    assert_eq!(me.person.email, "teacher@iom.test");

    let res = app
        .get("/api/v1/me")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(header(&res, "content-encoding"), None);
    let me: MeResponse = ok_json(res).await;
    assert_eq!(me.person.email, "teacher@iom.test");
}
