//! The built SPA, held in memory and served with the best encoding the browser accepts.
//!
//! `scripts/precompress.sh` (run by Trunk after a release build) writes a brotli `.br` and a
//! gzip `.gz` beside every compressible file, so a browser gets the brotli bytes without the
//! server spending a millisecond compressing them. Names Trunk made unique by a content hash
//! (`web-0123456789abcdef_bg.wasm`) are cached for a year as immutable; everything else, above
//! all `index.html`, which names the current hashes, is revalidated on every load.

use std::collections::HashMap;
use std::path::Path;

use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};

/// One file of the SPA and its precompressed forms.
pub struct Asset {
    raw: Bytes,
    br: Option<Bytes>,
    gz: Option<Bytes>,
    content_type: String,
    immutable: bool,
    /// For revalidating what is not immutable; the encoding is appended per answer.
    etag: String,
}

/// Every file under the SPA's directory, by its URL path (`/index.html`, `/web-….js`).
#[derive(Default)]
pub struct Assets {
    files: HashMap<String, Asset>,
}

impl Assets {
    /// Reads the directory (none when it does not exist: the SPA is not built).
    pub fn load(dir: &Path) -> std::io::Result<Assets> {
        let mut found = Vec::new();
        if dir.is_dir() {
            walk(dir, dir, &mut found)?;
        }
        let names: std::collections::HashSet<&str> =
            found.iter().map(|(name, _)| name.as_str()).collect();
        let mut files = HashMap::new();
        for (name, path) in &found {
            // A precompressed sibling belongs to its original.
            let sibling = [".br", ".gz"]
                .iter()
                .any(|ext| name.strip_suffix(ext).is_some_and(|b| names.contains(b)));
            if sibling {
                continue;
            }
            let raw = Bytes::from(std::fs::read(path)?);
            let read = |ext: &str| {
                let mut p = path.clone().into_os_string();
                p.push(ext);
                std::fs::read(p).ok().map(Bytes::from)
            };
            let file_name = name.rsplit('/').next().unwrap_or(name);
            files.insert(
                name.clone(),
                Asset {
                    etag: format!("{:016x}", fnv1a(&raw)),
                    br: read(".br"),
                    gz: read(".gz"),
                    content_type: content_type(file_name),
                    immutable: is_hashed(file_name),
                    raw,
                },
            );
        }
        Ok(Assets { files })
    }

    /// The file at a URL path (`/` is `index.html`).
    pub fn get(&self, path: &str) -> Option<&Asset> {
        let path = if path == "/" { "/index.html" } else { path };
        self.files.get(path)
    }

    pub fn index(&self) -> Option<&Asset> {
        self.files.get("/index.html")
    }
}

fn walk(
    root: &Path,
    dir: &Path,
    out: &mut Vec<(String, std::path::PathBuf)>,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(root, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            let name: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push((format!("/{}", name.join("/")), path));
        }
    }
    Ok(())
}

fn content_type(file_name: &str) -> String {
    let mime = mime_guess::from_path(file_name).first_or_octet_stream();
    let text = mime.type_() == mime_guess::mime::TEXT || mime.subtype() == "javascript";
    if text {
        format!("{}; charset=utf-8", mime.essence_str())
    } else {
        mime.essence_str().to_owned()
    }
}

/// Whether Trunk put a content hash in the name: a `-` followed by 16 hex digits, then `.` or
/// `_` (`web-0123456789abcdef.js`, `web-0123456789abcdef_bg.wasm`).
fn is_hashed(file_name: &str) -> bool {
    file_name.match_indices('-').any(|(i, _)| {
        let rest = &file_name[i + 1..];
        rest.len() > 16
            && rest.as_bytes()[..16].iter().all(u8::is_ascii_hexdigit)
            && matches!(rest.as_bytes()[16], b'.' | b'_')
    })
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

/// Whether `Accept-Encoding` accepts `coding` (present, and not with `q=0`).
fn accepts(accept: &str, coding: &str) -> bool {
    accept.split(',').any(|part| {
        let mut pieces = part.split(';').map(str::trim);
        let name = pieces.next().unwrap_or("");
        let refused = pieces.any(|p| {
            p.strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        name.eq_ignore_ascii_case(coding) && !refused
    })
}

/// The answer for an asset: the brotli or gzip bytes when accepted and present, else the file.
pub fn respond(req: &HttpRequest, asset: &Asset) -> HttpResponse {
    let accept = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (encoding, body) = match (&asset.br, &asset.gz) {
        (Some(br), _) if accepts(accept, "br") => (Encoding::Brotli, br.clone()),
        (_, Some(gz)) if accepts(accept, "gzip") => (Encoding::Gzip, gz.clone()),
        _ => (Encoding::Identity, asset.raw.clone()),
    };
    let tag = format!(
        "\"{}{}\"",
        asset.etag,
        match encoding {
            Encoding::Brotli => "-br",
            Encoding::Gzip => "-gz",
            Encoding::Identity => "",
        }
    );
    let mut res = if !asset.immutable
        && req
            .headers()
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == tag))
    {
        HttpResponse::NotModified().finish()
    } else {
        HttpResponse::Ok()
            .content_type(asset.content_type.as_str())
            .body(body)
    };
    let headers = res.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if asset.immutable {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        }),
    );
    if let Ok(v) = HeaderValue::from_str(&tag) {
        headers.insert(header::ETAG, v);
    }
    // Only what can be chosen varies.
    if asset.br.is_some() || asset.gz.is_some() {
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    match encoding {
        Encoding::Brotli => {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
        }
        Encoding::Gzip => {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        Encoding::Identity => {}
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunks_hashed_names_are_recognised() {
        assert!(is_hashed("web-0123456789abcdef_bg.wasm"));
        assert!(is_hashed("web-0123456789abcdef.js"));
        assert!(is_hashed("style-fedcba9876543210.css"));
        assert!(!is_hashed("index.html"));
        assert!(!is_hashed("web-notahash.js"));
        assert!(!is_hashed("a-0123456789abcdef"));
    }

    #[test]
    fn accept_encoding_honours_q_zero() {
        assert!(accepts("gzip, deflate, br", "br"));
        assert!(accepts("br;q=0.5, gzip", "br"));
        assert!(!accepts("br;q=0, gzip", "br"));
        assert!(!accepts("gzip", "br"));
        assert!(accepts("GZIP", "gzip"));
        assert!(!accepts("", "gzip"));
    }
}
