//! Security headers on every response (API answers, the SPA's files, the API documentation,
//! errors): a Content-Security-Policy, `nosniff`, a referrer policy, no framing, and HSTS when
//! the product is served over https.
//!
//! The SPA's policy allows scripts from this origin only, plus WebAssembly compilation and the
//! one inline loader Trunk writes into `index.html`, by its hash (computed from the built file
//! at start-up, so a rebuild needs no edit here). Styles come from the stylesheet; the SPA sets
//! dynamic widths through the CSS object model, which the policy does not restrict. The Swagger
//! UI at `/api/docs/` gets its own policy: it styles elements with inline attributes.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, web};
use base64::Engine;
use sha2::{Digest, Sha256};

/// The headers, prepared once at start-up.
pub struct SecurityHeaders {
    app_policy: HeaderValue,
    docs_policy: HeaderValue,
    hsts: Option<HeaderValue>,
}

/// Directives both policies share.
const COMMON: &str = "default-src 'self'; img-src 'self' data:; connect-src 'self'; \
    font-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; \
    object-src 'none'";

impl SecurityHeaders {
    /// `index_html` is the built SPA's page, if there is one (its inline scripts are allowed
    /// by hash); `https` turns on HSTS.
    pub fn new(index_html: Option<&str>, https: bool) -> Self {
        let hashes: String = index_html
            .map(inline_script_hashes)
            .unwrap_or_default()
            .iter()
            .map(|h| format!(" 'sha256-{h}'"))
            .collect();
        let app =
            format!("{COMMON}; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'");
        let docs = format!("{COMMON}; script-src 'self'; style-src 'self' 'unsafe-inline'");
        SecurityHeaders {
            app_policy: value(&app),
            docs_policy: value(&docs),
            hsts: https.then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains")),
        }
    }

    /// The policy for a path.
    pub fn policy_for(&self, path: &str) -> &HeaderValue {
        if path == "/api/docs" || path.starts_with("/api/docs/") {
            &self.docs_policy
        } else {
            &self.app_policy
        }
    }
}

fn value(s: &str) -> HeaderValue {
    // Built from constants and base64 digests: always a valid header value.
    HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"))
}

/// Base64 SHA-256 digests of the bodies of `<script>` elements without `src`.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(open) = lower[at..].find("<script").map(|i| i + at) {
        let Some(tag_end) = lower[open..].find('>').map(|i| i + open) else {
            break;
        };
        let Some(close) = lower[tag_end..].find("</script").map(|i| i + tag_end) else {
            break;
        };
        let tag = &lower[open..tag_end];
        if !tag.contains(" src=") && !tag.contains("\tsrc=") && !tag.contains("\nsrc=") {
            let body = &html[tag_end + 1..close];
            let digest = Sha256::digest(body.as_bytes());
            out.push(base64::engine::general_purpose::STANDARD.encode(digest));
        }
        at = close;
    }
    out
}

pub async fn add(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, Error> {
    let headers = req.app_data::<web::Data<SecurityHeaders>>().cloned();
    let path = req.path().to_owned();
    let mut res = next.call(req).await?;
    if let Some(sh) = headers {
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            sh.policy_for(&path).clone(),
        );
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        );
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        );
        if let Some(hsts) = &sh.hsts {
            h.insert(header::STRICT_TRANSPORT_SECURITY, hsts.clone());
        }
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_skipped() {
        let html = r#"<html><head><script type="module">import init from '/web.js';</script>
            <script src="/other.js"></script><SCRIPT>x()</SCRIPT></head></html>"#;
        let hashes = inline_script_hashes(html);
        let expect = |s: &str| {
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes()))
        };
        assert_eq!(
            hashes,
            [expect("import init from '/web.js';"), expect("x()")]
        );
    }

    #[test]
    fn the_spa_policy_allows_wasm_and_its_loader_but_no_other_inline_code() {
        let sh = SecurityHeaders::new(Some("<script>boot()</script>"), false);
        let app = sh.policy_for("/cabinet").to_str().unwrap().to_owned();
        assert!(app.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"));
        assert!(!app.contains("unsafe-inline"), "{app}");
        assert!(app.contains("frame-ancestors 'none'") && app.contains("object-src 'none'"));
        let docs = sh.policy_for("/api/docs/index.html").to_str().unwrap();
        assert!(docs.contains("style-src 'self' 'unsafe-inline'"));
        assert!(!docs.contains("script-src 'self' 'unsafe"));
        assert!(sh.hsts.is_none());
        assert!(SecurityHeaders::new(None, true).hsts.is_some());
    }
}
