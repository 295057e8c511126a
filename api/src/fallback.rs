//! What answers when no handler matched: 405 with `Allow` for a known path with another
//! method, the SPA's `index.html` for client-side routes, and problem+json 404 for the rest.

use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::assets::Assets;
use crate::error::AppError;

/// The API's paths and their methods, read from the OpenAPI document so that it is the one
/// source of truth.
pub struct RouteTable {
    routes: Vec<(Vec<String>, Vec<&'static str>)>,
}

impl RouteTable {
    pub fn from_spec(spec: &utoipa::openapi::OpenApi) -> Self {
        let mut routes = Vec::new();
        for (path, item) in &spec.paths.paths {
            let mut methods = Vec::new();
            let ops = [
                ("GET", item.get.is_some()),
                ("POST", item.post.is_some()),
                ("PUT", item.put.is_some()),
                ("PATCH", item.patch.is_some()),
                ("DELETE", item.delete.is_some()),
            ];
            for (m, present) in ops {
                if present {
                    methods.push(m);
                }
            }
            if methods.contains(&"GET") {
                methods.push("HEAD");
            }
            routes.push((segments(path), methods));
        }
        RouteTable { routes }
    }

    /// The methods a path allows, if it is a known path. Where several templates match, the
    /// most literal ones decide: `/people/imports` is that path, not `/people/{id}` with the id
    /// "imports".
    pub fn allowed(&self, path: &str) -> Option<Vec<&'static str>> {
        let parts = segments(path);
        let mut found: Option<(usize, Vec<&'static str>)> = None;
        for (template, methods) in &self.routes {
            let matches = template.len() == parts.len()
                && template
                    .iter()
                    .zip(&parts)
                    .all(|(t, p)| (t.starts_with('{') && !p.is_empty()) || t == p);
            if !matches {
                continue;
            }
            let literal = template.iter().filter(|t| !t.starts_with('{')).count();
            match &mut found {
                Some((best, all)) if *best == literal => all.extend(methods.iter().copied()),
                Some((best, _)) if *best > literal => {}
                _ => found = Some((literal, methods.clone())),
            }
        }
        found.map(|(_, methods)| methods)
    }
}

fn segments(path: &str) -> Vec<String> {
    path.trim_end_matches('/')
        .split('/')
        .map(str::to_owned)
        .collect()
}

pub async fn fallback(
    req: HttpRequest,
    table: web::Data<RouteTable>,
    assets: web::Data<Assets>,
) -> HttpResponse {
    let path = req.path();
    let is_read = matches!(*req.method(), Method::GET | Method::HEAD);
    if is_read
        && !path.starts_with("/api/")
        && let Some(asset) = assets.get(path)
    {
        return crate::assets::respond(&req, asset);
    }
    if let Some(allowed) = table.allowed(path) {
        return method_not_allowed(&allowed);
    }
    let is_page = is_read
        && !path.starts_with("/api/")
        && !path.rsplit('/').next().unwrap_or("").contains('.');
    if is_page {
        return match assets.index() {
            Some(index) => crate::assets::respond(&req, index),
            None => HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .body(NOT_BUILT),
        };
    }
    actix_web::ResponseError::error_response(&AppError::NotFound)
}

/// 405 with `Allow`: the path is known, the method is not one of its own.
pub fn method_not_allowed(allowed: &[&str]) -> HttpResponse {
    let problem = shared::dto::Problem {
        kind: "/problems/method_not_allowed".into(),
        title: "Метод не поддерживается".into(),
        status: 405,
        detail: Some(format!(
            "Этот адрес принимает только методы: {}.",
            allowed.join(", ")
        )),
        code: "method_not_allowed".into(),
        request_id: crate::middleware::request_id::current(),
        errors: Default::default(),
    };
    HttpResponse::MethodNotAllowed()
        .content_type("application/problem+json")
        .insert_header(("Allow", allowed.join(", ")))
        .json(problem)
}

const NOT_BUILT: &str = r#"<!doctype html><html lang="ru"><meta charset="utf-8"><title>ИОМ</title>
<body style="font-family:sans-serif;max-width:40rem;margin:3rem auto;line-height:1.5">
<h1>Сервер ИОМ работает</h1>
<p>Веб-интерфейс ещё не собран. Соберите его командой <code>trunk build --release</code> в корне
репозитория (или запустите продукт командой <code>./scripts/run.sh</code>, она соберёт всё сама) и
обновите страницу.</p>
<p>API доступно: <a href="/api/docs/">документация</a>, <a href="/healthz">/healthz</a>.</p>
</body></html>"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> RouteTable {
        RouteTable {
            routes: vec![
                (segments("/api/v1/people/{id}"), vec!["GET", "HEAD"]),
                (segments("/api/v1/auth/login"), vec!["POST"]),
            ],
        }
    }

    #[test]
    fn known_paths_report_their_methods() {
        let t = table();
        assert_eq!(t.allowed("/api/v1/auth/login"), Some(vec!["POST"]));
        assert_eq!(t.allowed("/api/v1/people/123"), Some(vec!["GET", "HEAD"]));
        assert_eq!(t.allowed("/api/v1/people/123/"), Some(vec!["GET", "HEAD"]));
    }

    #[test]
    fn unknown_paths_are_not_matched() {
        let t = table();
        assert_eq!(t.allowed("/api/v1/people"), None);
        assert_eq!(t.allowed("/api/v1/people//"), None);
        assert_eq!(t.allowed("/api/v1/auth/login/extra"), None);
    }
}
