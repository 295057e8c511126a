//! A real HTTP receiver for webhook tests: records every request and answers with a status
//! the test chooses.

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};

/// A received request.
#[derive(Debug, Clone)]
pub struct Hit {
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Hit {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Clone)]
struct Shared {
    hits: Arc<Mutex<Vec<Hit>>>,
    status: Arc<AtomicU16>,
    /// A `Location` to send with the answer (a redirect).
    location: Arc<Mutex<Option<String>>>,
}

/// A listening receiver; stops with the test.
pub struct Receiver {
    pub url: String,
    shared: Shared,
    handle: actix_web::dev::ServerHandle,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

async fn record(req: HttpRequest, body: web::Bytes, shared: web::Data<Shared>) -> HttpResponse {
    let headers = req
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    if let Ok(mut hits) = shared.hits.lock() {
        hits.push(Hit {
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        });
    }
    let status = shared.status.load(Ordering::SeqCst);
    let mut res =
        HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap_or_default());
    if let Some(to) = shared.location.lock().ok().and_then(|l| l.clone()) {
        res.insert_header(("Location", to));
    }
    // A body a careless sender would copy into its log.
    res.body("internal detail: db password=hunter2")
}

impl Receiver {
    pub async fn start() -> Receiver {
        let shared = Shared {
            hits: Arc::new(Mutex::new(Vec::new())),
            status: Arc::new(AtomicU16::new(200)),
            location: Arc::new(Mutex::new(None)),
        };
        let data = web::Data::new(shared.clone());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
        let port = listener.local_addr().expect("an address").port();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .default_service(web::to(record))
        })
        .workers(1)
        .listen(listener)
        .expect("listening")
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Receiver {
            url: format!("http://127.0.0.1:{port}/hook"),
            shared,
            handle,
        }
    }

    /// What the receiver answers from now on.
    pub fn answer(&self, status: u16) {
        self.shared.status.store(status, Ordering::SeqCst);
    }

    /// Answers from now on with a redirect to `url`.
    pub fn redirect_to(&self, url: &str) {
        self.answer(302);
        if let Ok(mut l) = self.shared.location.lock() {
            *l = Some(url.to_owned());
        }
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.shared
            .hits
            .lock()
            .map(|h| h.clone())
            .unwrap_or_default()
    }
}
