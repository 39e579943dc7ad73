//! wow's server in front of the app: one URL for the meeting, and the
//! place where the app's pages are contained.
//!
//! In: requests on wow's loopback port (`wow app`: every path; `wow
//! serve`: below `/app/`). Out: the app's answers, forwarded over
//! HTTP/1.1 to the loopback port the app listens on ([`super::Running`]),
//! or a page saying why the app is not running.
//!
//! The app's HTML is untrusted. Every answer it gives goes out with
//! `Content-Security-Policy: sandbox allow-forms` (and no scripts, no
//! other origin's assets, forms only to this server, framing only by this
//! server): in the browser the page runs in an opaque origin without
//! scripts, so it cannot reach wow's dashboard next to it, change the
//! scoreboard, or load anything from elsewhere. Only `GET`, `HEAD` and
//! `POST` go through, with a form body of at most [`MAX_BODY`] bytes, and
//! only when the `Host` is this machine's loopback (so a page elsewhere
//! cannot drive the app through DNS rebinding); of the app's headers only
//! a relative `Location` is kept.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, HOST, LOCATION, REFERRER_POLICY,
    X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{any, get};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::report::words;

/// The policy of every page of the app.
pub const POLICY: &str = "sandbox allow-forms; default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'self'; base-uri 'none'";

/// Largest form body forwarded, in bytes.
pub const MAX_BODY: usize = 64 * 1024;
/// Largest answer read from the app, in bytes.
const MAX_ANSWER: usize = 4 * 1024 * 1024;
/// How long the app may take to answer one request.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the app is now, shared between the server and whoever restarts
/// the app (`wow app`, the rounds of `wow serve`).
#[derive(Debug)]
pub struct Slot {
    state: Mutex<SlotState>,
}

#[derive(Debug)]
struct SlotState {
    address: Option<SocketAddr>,
    /// Why there is no app to show, in plain words.
    down: String,
    last_request: Instant,
}

impl Slot {
    /// A slot with no app yet; `down` says why.
    pub fn new(down: &str) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(SlotState {
                address: None,
                down: down.to_owned(),
                last_request: Instant::now(),
            }),
        })
    }

    /// Points the slot at the app listening on `address`.
    pub fn up(&self, address: SocketAddr) {
        let mut state = self.lock();
        state.address = Some(address);
        state.down.clear();
    }

    /// No app to show, because `why`.
    pub fn down(&self, why: &str) {
        let mut state = self.lock();
        state.address = None;
        why.clone_into(&mut state.down);
    }

    /// Time since the last request reached the app.
    pub fn idle(&self) -> Duration {
        self.lock().last_request.elapsed()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SlotState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The routes of the app at the root (`wow app`).
pub fn at_root(slot: Arc<Slot>) -> Router {
    Router::new().fallback(any(root)).with_state(slot)
}

/// The routes of the app below `/app/` (`wow serve`), `/app` redirecting there.
pub fn below_app(slot: Arc<Slot>) -> Router {
    Router::new()
        .route("/app", get(|| async { Redirect::permanent("/app/") }))
        .route("/app/", any(prefixed))
        .route("/app/{*rest}", any(prefixed))
        .with_state(slot)
}

async fn root(
    State(slot): State<Arc<Slot>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri
        .path_and_query()
        .map_or("/".to_owned(), |p| p.as_str().to_owned());
    forward(&slot, &method, &path, &headers, &body).await
}

async fn prefixed(
    State(slot): State<Arc<Slot>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let full = uri.path_and_query().map_or("/", |p| p.as_str());
    let path = full.strip_prefix("/app").unwrap_or(full);
    forward(&slot, &method, path, &headers, &body).await
}

/// Sends one request to the app and turns its answer into a contained
/// response.
async fn forward(
    slot: &Slot,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !is_loopback_host(host) {
        // A page elsewhere whose name was made to point at 127.0.0.1 (DNS
        // rebinding) must not drive the app.
        return contained(StatusCode::FORBIDDEN, None, Vec::new());
    }
    if ![Method::GET, Method::HEAD, Method::POST].contains(method) {
        return contained(StatusCode::METHOD_NOT_ALLOWED, None, Vec::new());
    }
    if body.len() > MAX_BODY {
        return contained(StatusCode::PAYLOAD_TOO_LARGE, None, Vec::new());
    }
    let address = {
        let mut state = slot.lock();
        state.last_request = Instant::now();
        match state.address {
            Some(address) => address,
            None => return unavailable(&state.down),
        }
    };
    let path = if path.is_empty() || !path.starts_with('/') {
        "/"
    } else {
        path
    };
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.chars().all(|c| c.is_ascii_graphic() || c == ' '))
        .unwrap_or("application/x-www-form-urlencoded");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: app\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if *method == Method::POST {
        let _ = write!(request, "Content-Type: {content_type}\r\n");
    }
    request.push_str("\r\n");
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(address).await?;
        stream.write_all(request.as_bytes()).await?;
        stream.write_all(body).await?;
        let mut answer = Vec::new();
        (&mut stream)
            .take(MAX_ANSWER as u64)
            .read_to_end(&mut answer)
            .await?;
        Ok::<_, std::io::Error>(answer)
    };
    let answer = match tokio::time::timeout(ANSWER_TIMEOUT, exchange).await {
        Ok(Ok(answer)) => answer,
        Ok(Err(error)) => return unavailable(&format!("it does not answer ({error})")),
        Err(_) => return unavailable("it took more than 10 seconds to answer"),
    };
    let mut parsed_headers = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut parsed_headers);
    let Ok(httparse::Status::Complete(head)) = response.parse(&answer) else {
        return unavailable("its answer is not HTTP");
    };
    // Informational and unknown codes would change how the connection to
    // the browser behaves: only whole answers go through.
    let status = response
        .code
        .filter(|c| (200..600).contains(c))
        .and_then(|c| StatusCode::from_u16(c).ok())
        .unwrap_or(StatusCode::BAD_GATEWAY);
    let location = response
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("location"))
        .and_then(|h| std::str::from_utf8(h.value).ok())
        .filter(|l| is_relative(l))
        .map(str::to_owned);
    contained(status, location, answer[head..].to_vec())
}

/// Whether `host` (a `Host` header) names this machine's loopback:
/// `127.0.0.1`, `localhost` or `[::1]`, with or without a port.
fn is_loopback_host(host: &str) -> bool {
    let name = if host.starts_with('[') {
        host.split(']')
            .next()
            .map(|h| format!("{h}]"))
            .unwrap_or_default()
    } else {
        host.split(':').next().unwrap_or("").to_owned()
    };
    matches!(name.as_str(), "127.0.0.1" | "localhost" | "[::1]")
}

/// Whether `location` stays on this server: no scheme, no `//host`, no
/// backslash (browsers read `\\host` and `/\\host` as `//host`), no control
/// characters.
fn is_relative(location: &str) -> bool {
    !location.contains(':')
        && !location.starts_with("//")
        && !location.contains('\\')
        && location.chars().all(|c| c.is_ascii_graphic())
}

/// A response with the app's `body`, under [`POLICY`].
fn contained(status: StatusCode, location: Option<String>, body: Vec<u8>) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(POLICY));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(value) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        headers.insert(LOCATION, value);
    }
    response
}

/// wow's own page when the app cannot answer.
fn unavailable(why: &str) -> Response {
    let text = words::app_down(why);
    // maud escapes `why`, which may quote what the app printed.
    let page = maud::html! {
        (maud::DOCTYPE)
        meta charset="utf-8";
        title { (text) }
        body style="font-family:system-ui,sans-serif;margin:2rem" { p { (text) } }
    };
    contained(
        StatusCode::SERVICE_UNAVAILABLE,
        None,
        page.into_string().into_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_relative_locations_are_kept() {
        for kept in ["./", "/", "/app/", "page?x=1"] {
            assert!(is_relative(kept), "{kept}");
        }
        for dropped in [
            "https://example.com/",
            "//example.com/",
            "/\\example.com",
            "\\\\example.com/",
            "\\/example.com/",
            "./\\\\example.com",
            "javascript:alert(1)",
            "./\r\nSet-Cookie: a=b",
        ] {
            assert!(!is_relative(dropped), "{dropped}");
        }
    }

    #[test]
    fn the_page_saying_why_the_app_is_down_escapes_the_reason() {
        let response = unavailable("it printed <script>alert(1)</script>");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime");
        let body = runtime
            .block_on(axum::body::to_bytes(response.into_body(), usize::MAX))
            .expect("the body");
        let page = String::from_utf8_lossy(&body);
        assert!(page.contains("&lt;script&gt;"), "{page}");
        assert!(!page.contains("<script>"), "{page}");
    }

    #[test]
    fn only_loopback_hosts_reach_the_app() {
        for host in ["127.0.0.1:8080", "localhost:7878", "[::1]:80", "127.0.0.1"] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "",
            "evil.example:8080",
            "127.0.0.1.evil.example",
            "[::2]:80",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn every_answer_is_sandboxed_and_scriptless() {
        let response = contained(StatusCode::OK, None, b"<script>alert(1)</script>".to_vec());
        let policy = response.headers()[CONTENT_SECURITY_POLICY]
            .to_str()
            .expect("ascii");
        assert!(policy.starts_with("sandbox allow-forms;"), "{policy}");
        assert!(!policy.contains("allow-scripts") && !policy.contains("allow-same-origin"));
        assert!(policy.contains("default-src 'none'"));
        assert_eq!(response.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
    }
}
