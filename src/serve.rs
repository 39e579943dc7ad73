//! Serve stage: the live dashboard shown in the meeting.
//!
//! In: reports and progress lines from the watch loop. Out: an HTTP server
//! on 127.0.0.1 (axum) with `GET /` (the latest HTML report with a live
//! progress line, or a waiting page in the report's look before the first
//! report; [`crate::report::html::render_live`]), `GET /events` (server-sent
//! events: `progress` with the running round's phase, `report` when a run
//! finishes) and `GET /report.json` (the JSON report, or `503 Service
//! Unavailable` with `Retry-After` and a small JSON body while the first
//! run is under way), and the prototype's web app below `/app/`
//! ([`crate::webapp::proxy`]: every answer of the app sandboxed in the
//! browser, so it cannot reach the dashboard). It binds loopback only and
//! serves nothing but these pages; it never runs the pipeline itself.
//! [`AppServer`] serves the app alone (`wow app`).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use futures_util::Stream;
use tokio::sync::broadcast;
use tokio_stream::StreamExt as _;
use tokio_stream::wrappers::BroadcastStream;

use crate::report::Report;
use crate::webapp::proxy::{self, Slot};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot serve on 127.0.0.1:{port}: {source} (choose another with `--port`)")]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot start the server's runtime: {0}")]
    Runtime(#[source] std::io::Error),
}

/// What the pages show now, shared with the request handlers.
struct Shared {
    html: RwLock<String>,
    /// The JSON report, or `None` before the first.
    json: RwLock<Option<String>>,
    events: broadcast::Sender<(&'static str, String)>,
}

/// A running dashboard; dropping it stops the server.
pub struct Server {
    shared: Arc<Shared>,
    address: SocketAddr,
    _runtime: tokio::runtime::Runtime,
}

/// The body of `/report.json` before the first report.
const WAITING_JSON: &str =
    "{\"waiting\": true, \"message\": \"the first run has not finished yet\"}\n";

/// Seconds a client should wait before asking for `/report.json` again.
const RETRY_AFTER_SECS: &str = "5";

/// A server of the prototype's web app alone (`wow app`); dropping it
/// stops the server.
pub struct AppServer {
    address: SocketAddr,
    _runtime: tokio::runtime::Runtime,
}

impl AppServer {
    /// Binds 127.0.0.1:`port` (0 picks a free port) and serves the app in
    /// `slot` at every path, in the background.
    pub fn start(port: u16, slot: Arc<Slot>) -> Result<Self, Error> {
        let (runtime, address) = listen(port, proxy::at_root(slot))?;
        Ok(Self {
            address,
            _runtime: runtime,
        })
    }

    /// The app's URL.
    pub fn url(&self) -> String {
        format!("http://{}/", self.address)
    }
}

/// Serves `router` on 127.0.0.1:`port` on a runtime of its own.
fn listen(port: u16, router: Router) -> Result<(tokio::runtime::Runtime, SocketAddr), Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(Error::Runtime)?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(("127.0.0.1", port)))
        .map_err(|source| Error::Bind { port, source })?;
    let address = listener
        .local_addr()
        .map_err(|source| Error::Bind { port, source })?;
    runtime.spawn(async move {
        // The server ends with the runtime; an accept error ends it early.
        let _ = axum::serve(listener, router).await;
    });
    Ok((runtime, address))
}

impl Server {
    /// Binds 127.0.0.1:`port` (0 picks a free port) and serves in the
    /// background: the dashboard, and the app in `slot` below `/app/`.
    pub fn start(port: u16, slot: Arc<Slot>) -> Result<Self, Error> {
        let (events, _) = broadcast::channel(64);
        let shared = Arc::new(Shared {
            html: RwLock::new(crate::report::html::render_live(None)),
            json: RwLock::new(None),
            events,
        });
        let dashboard = Router::new()
            .route("/", get(page))
            .route("/events", get(events_stream))
            .route("/report.json", get(report_json))
            .with_state(Arc::clone(&shared));
        let (runtime, address) = listen(port, dashboard.merge(proxy::below_app(slot)))?;
        Ok(Self {
            shared,
            address,
            _runtime: runtime,
        })
    }

    /// The dashboard's URL.
    pub fn url(&self) -> String {
        format!("http://{}/", self.address)
    }

    /// Shows `report` (its live page and its JSON) and tells open pages to
    /// reload.
    pub fn publish(&self, report: &Report) {
        let html = crate::report::html::render_live(Some(report));
        let json = serde_json::to_string_pretty(report).expect("reports serialize") + "\n";
        *self
            .shared
            .html
            .write()
            .expect("no handler panics holding the page") = html;
        *self
            .shared
            .json
            .write()
            .expect("no handler panics holding the report") = Some(json);
        // No page open is not an error.
        let _ = self.shared.events.send(("report", String::new()));
    }

    /// Tells open pages what the running round is doing.
    pub fn progress(&self, text: &str) {
        let _ = self.shared.events.send(("progress", text.to_owned()));
    }
}

async fn page(State(shared): State<Arc<Shared>>) -> Html<String> {
    Html(shared.html.read().expect("no writer panics").clone())
}

async fn report_json(State(shared): State<Arc<Shared>>) -> Response {
    let json = shared.json.read().expect("no writer panics").clone();
    match json {
        Some(json) => ([(CONTENT_TYPE, "application/json")], json).into_response(),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            [
                (CONTENT_TYPE, "application/json"),
                (RETRY_AFTER, RETRY_AFTER_SECS),
            ],
            WAITING_JSON,
        )
            .into_response(),
    }
}

async fn events_stream(
    State(shared): State<Arc<Shared>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let stream = BroadcastStream::new(shared.events.subscribe()).filter_map(|message| {
        // A page too slow to keep up misses events; it reloads on the next report.
        message
            .ok()
            .map(|(name, data)| Ok(Event::default().event(name).data(data)))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

#[cfg(test)]
mod tests {
    use std::io::{Read as _, Write as _};

    use super::*;

    /// The whole response to `GET path` on `address`.
    fn get(address: SocketAddr, path: &str) -> String {
        let mut stream = std::net::TcpStream::connect(address).expect("connect");
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .expect("request");
        let mut text = String::new();
        stream.read_to_string(&mut text).expect("response");
        text
    }

    #[test]
    fn before_the_first_report_the_page_waits_in_the_report_look_and_the_json_says_so() {
        let server = Server::start(0, Slot::new("none")).expect("a free port");
        let json = get(server.address, "/report.json");
        assert!(json.starts_with("HTTP/1.1 503"), "{json}");
        assert!(json.to_lowercase().contains("retry-after: 5"), "{json}");
        assert!(json.contains("\"waiting\": true"), "{json}");
        let page = get(server.address, "/");
        assert!(page.starts_with("HTTP/1.1 200"), "{page}");
        assert!(page.contains("Waiting for the first run"), "{page}");
        assert!(page.contains(".tiles{"), "the report's style: {page}");
        assert!(
            page.contains("id=\"wow-live\""),
            "the progress line: {page}"
        );

        server.publish(&crate::report::html::tests::sample());
        let json = get(server.address, "/report.json");
        assert!(json.starts_with("HTTP/1.1 200"), "{json}");
        assert!(json.contains("\"summary\""), "{json}");
        let page = get(server.address, "/");
        assert!(page.contains("2 of 5 intents pass"), "{page}");
        assert!(page.contains("new EventSource(\"/events\")"), "{page}");
    }
}
