//! Serve stage: the live dashboard shown in the meeting.
//!
//! In: report pages and progress lines from the watch loop. Out: an HTTP
//! server on 127.0.0.1 (axum) with `GET /` (the latest HTML report, plus a
//! small script that follows the events), `GET /events` (server-sent
//! events: `progress` with the running round's phase, `report` when a run
//! finishes) and `GET /report.json`. It binds loopback only and serves
//! nothing but these pages; it never runs the pipeline itself.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use futures_util::Stream;
use tokio::sync::broadcast;
use tokio_stream::StreamExt as _;
use tokio_stream::wrappers::BroadcastStream;

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
    json: RwLock<String>,
    events: broadcast::Sender<(&'static str, String)>,
}

/// A running dashboard; dropping it stops the server.
pub struct Server {
    shared: Arc<Shared>,
    address: SocketAddr,
    _runtime: tokio::runtime::Runtime,
}

/// Follows `/events`: reloads on a new report, shows progress in a banner.
const LIVE_SCRIPT: &str = r#"<div id="wow-live" role="status" aria-live="polite" style="position:fixed;bottom:0;left:0;right:0;padding:.4em 1em;background:#1d2733;color:#fff;font:16px system-ui,sans-serif">live: waiting for the next run</div>
<script>
(function () {
  var banner = document.getElementById("wow-live");
  var events = new EventSource("/events");
  events.addEventListener("progress", function (e) { banner.textContent = "running: " + e.data; });
  events.addEventListener("report", function () { location.reload(); });
  events.onerror = function () { banner.textContent = "live: disconnected from wow serve"; };
})();
</script>"#;

const WAITING: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>wow</title></head><body><h1>Waiting for the first run…</h1></body></html>";

impl Server {
    /// Binds 127.0.0.1:`port` (0 picks a free port) and serves in the
    /// background.
    pub fn start(port: u16) -> Result<Self, Error> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(Error::Runtime)?;
        let (events, _) = broadcast::channel(64);
        let shared = Arc::new(Shared {
            html: RwLock::new(WAITING.to_owned()),
            json: RwLock::new("null".to_owned()),
            events,
        });
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(("127.0.0.1", port)))
            .map_err(|source| Error::Bind { port, source })?;
        let address = listener
            .local_addr()
            .map_err(|source| Error::Bind { port, source })?;
        let app = Router::new()
            .route("/", get(page))
            .route("/events", get(events_stream))
            .route("/report.json", get(report_json))
            .with_state(Arc::clone(&shared));
        runtime.spawn(async move {
            // The server ends with the runtime; an accept error ends it early.
            let _ = axum::serve(listener, app).await;
        });
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

    /// Shows a new report and tells open pages to reload.
    pub fn publish(&self, html: String, json: String) {
        *self
            .shared
            .html
            .write()
            .expect("no handler panics holding the page") = html;
        *self
            .shared
            .json
            .write()
            .expect("no handler panics holding the report") = json;
        // No page open is not an error.
        let _ = self.shared.events.send(("report", String::new()));
    }

    /// Tells open pages what the running round is doing.
    pub fn progress(&self, text: &str) {
        let _ = self.shared.events.send(("progress", text.to_owned()));
    }
}

async fn page(State(shared): State<Arc<Shared>>) -> Html<String> {
    let html = shared.html.read().expect("no writer panics").clone();
    let live = match html.rfind("</body>") {
        Some(end) => format!("{}{LIVE_SCRIPT}{}", &html[..end], &html[end..]),
        None => format!("{html}{LIVE_SCRIPT}"),
    };
    Html(live)
}

async fn report_json(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let json = shared.json.read().expect("no writer panics").clone();
    ([("content-type", "application/json")], json)
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
