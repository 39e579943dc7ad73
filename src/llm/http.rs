//! HTTP plumbing shared by the two wire protocols: the client, the retry
//! loop, the mapping of HTTP statuses to [`Error`], and reading a reply as a
//! server-sent event stream or a plain JSON body.
//!
//! In: an [`Endpoint`], a JSON request body and a [`Decode`] for the
//! provider's wire format. Out: a [`Reply`] or an [`Error`] naming the
//! provider, URL or key variable at fault. It knows nothing of either wire
//! format's fields: those live in `openai.rs` and `anthropic.rs`. Async stays
//! inside this file: callers get a blocking [`Client::send`].

use std::cell::Cell;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use backon::{ExponentialBuilder, Retryable as _};
use eventsource_stream::{EventStreamError, Eventsource as _};
use futures_util::StreamExt as _;
use reqwest::header::{CONTENT_TYPE, HeaderMap, RETRY_AFTER};

use super::{Error, Finish, Provider, Reply, Settings};
use crate::progress::Progress;
use crate::vocabulary::{Usage, millis};

/// The longest `Retry-After` worth waiting for; beyond it the call gives up.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

/// Where and as whom a model is reached.
#[derive(Debug, Clone)]
pub(super) struct Endpoint {
    pub provider: Provider,
    /// The provider's model id, such as `gpt-4.1-mini`.
    pub model: String,
    /// Base URL without a trailing `/`, such as `http://localhost:11434/v1`.
    pub base_url: String,
    /// The API key, read from [`Provider::key_var`]; `None` for local servers.
    pub key: Option<String>,
}

/// What a provider has read out of a reply so far.
#[derive(Debug, Default)]
pub(super) struct Partial {
    pub text: String,
    pub usage: Usage,
    /// How the model said it stopped, once it has.
    pub finish: Option<Finish>,
    /// The stream's own end marker arrived (`[DONE]`, `message_stop`).
    pub done: bool,
}

/// Why a provider could not use an event or a body.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Problem {
    /// Not the shape the wire format promises.
    Unreadable(String),
    /// The provider reported an error inside a successful response.
    Reported { message: String, retryable: bool },
}

/// A provider's wire format, as far as reading replies goes.
pub(super) trait Decode {
    /// Folds one server-sent event's `data:` text into `partial`.
    fn event(partial: &mut Partial, data: &str) -> Result<(), Problem>;
    /// Reads a whole non-streamed JSON reply.
    fn json(body: &str) -> Result<Partial, Problem>;
}

/// A blocking HTTP client for one endpoint, with its own small runtime.
pub(super) struct Client {
    pub endpoint: Endpoint,
    pub settings: Settings,
    /// First backoff delay; later ones double, with jitter. Tests lower it.
    pub min_delay: Duration,
    http: reqwest::Client,
    runtime: tokio::runtime::Runtime,
}

/// One failed attempt.
#[derive(Debug)]
enum Failure {
    /// Worth another attempt: a rate limit, a server error, a broken connection.
    Transient {
        what: String,
        after: Option<Duration>,
        kind: Kind,
    },
    Fatal(Error),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Server,
    Connect,
    Timeout,
}

impl Client {
    /// Builds the client: no proxy for loopback URLs (a CI proxy would
    /// swallow them), a 10 s connect timeout, a read timeout of
    /// [`Settings::timeout_secs`].
    pub fn new(endpoint: Endpoint, settings: Settings) -> Result<Self, Error> {
        let setup = |message: String| Error::Connect {
            provider: endpoint.provider.name,
            url: endpoint.base_url.clone(),
            message,
        };
        let url = reqwest::Url::parse(&endpoint.base_url)
            .map_err(|e| setup(format!("not a valid URL: {e}")))?;
        if let (Some(key), Some(var)) = (&endpoint.key, endpoint.provider.key_var) {
            reqwest::header::HeaderValue::from_str(key).map_err(|_| {
                setup(format!(
                    "`{var}` holds characters an HTTP header cannot carry"
                ))
            })?;
        }
        // Fails only when a provider is already installed, which is what we want.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .read_timeout(Duration::from_secs(settings.timeout_secs.max(1)));
        if is_loopback(&url) {
            builder = builder.no_proxy();
        }
        let http = builder
            .build()
            .map_err(|e| setup(format!("cannot set up the HTTP client: {}", chain(&e))))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| setup(format!("cannot start the HTTP runtime: {e}")))?;
        Ok(Self {
            endpoint,
            settings,
            min_delay: Duration::from_secs(1),
            http,
            runtime,
        })
    }

    /// `provider/model`, as shown in reports and progress.
    pub fn name(&self) -> String {
        format!("{}/{}", self.endpoint.provider.name, self.endpoint.model)
    }

    /// POSTs `body` to `url` and reads the reply with `D`, retrying rate
    /// limits, server errors, broken connections and cut streams with
    /// exponential backoff and jitter, honouring `Retry-After`.
    pub fn send<D: Decode>(
        &self,
        url: &str,
        headers: &HeaderMap,
        body: &serde_json::Value,
        progress: &Progress,
    ) -> Result<Reply, Error> {
        let started = Instant::now();
        let body = body.to_string();
        let attempts = self.settings.max_retries + 1;
        let attempt = Cell::new(0_u32);
        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.min_delay)
            .with_max_delay(Duration::from_secs(60))
            .with_max_times(self.settings.max_retries as usize)
            .with_jitter()
            .with_jitter_seed(seed());
        let provider = self.endpoint.provider.name;
        let run = || {
            attempt.set(attempt.get() + 1);
            let request = self
                .http
                .post(url)
                .headers(headers.clone())
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
            let limit = Duration::from_secs(self.settings.timeout_secs.max(1));
            async move {
                tokio::time::timeout(limit, self.attempt::<D>(request, url, progress))
                    .await
                    .unwrap_or_else(|_| {
                        Err(Failure::Transient {
                            what: "did not answer in time".to_owned(),
                            after: None,
                            kind: Kind::Timeout,
                        })
                    })
            }
        };
        let result = self.runtime.block_on(
            run.retry(backoff)
                .sleep(tokio::time::sleep)
                .when(|f| matches!(f, Failure::Transient { .. }))
                .adjust(|f, delay| match f {
                    // Minutes of waiting is no use to someone watching: give up and say why.
                    Failure::Transient {
                        after: Some(after), ..
                    } if *after > MAX_RETRY_AFTER => None,
                    Failure::Transient {
                        after: Some(after), ..
                    } => delay.map(|_| *after),
                    _ => delay,
                })
                .notify(|f, delay| {
                    let Failure::Transient { what, kind, .. } = f else {
                        return;
                    };
                    let failed = match kind {
                        Kind::Server => format!("{provider} {what}"),
                        Kind::Connect => format!("cannot reach {provider}: {what}"),
                        Kind::Timeout => format!(
                            "{provider} did not answer within {} s",
                            self.settings.timeout_secs
                        ),
                    };
                    progress.note(&format!(
                        "{failed}; retrying in {} (attempt {} of {attempts})",
                        seconds(delay),
                        attempt.get() + 1,
                    ));
                }),
        );
        let partial = result.map_err(|failure| match failure {
            Failure::Fatal(error) => error,
            Failure::Transient { what, kind, .. } => match kind {
                Kind::Timeout => Error::Timeout {
                    provider,
                    timeout_secs: self.settings.timeout_secs,
                },
                Kind::Connect => Error::Connect {
                    provider,
                    url: url.to_owned(),
                    message: format!("{what} (tried {} times)", attempt.get()),
                },
                Kind::Server => Error::GaveUp {
                    provider,
                    url: url.to_owned(),
                    attempts: attempt.get(),
                    last: what,
                },
            },
        })?;
        Ok(Reply {
            text: partial.text,
            // A provider that sent no usage said nothing, not zero.
            usage: (partial.usage != Usage::default()).then_some(partial.usage),
            finish: partial.finish.unwrap_or(Finish::Complete),
            duration_ms: millis(started.elapsed()),
        })
    }

    async fn attempt<D: Decode>(
        &self,
        request: reqwest::RequestBuilder,
        url: &str,
        progress: &Progress,
    ) -> Result<Partial, Failure> {
        let response = request.send().await.map_err(|e| self.transport(&e))?;
        let status = response.status().as_u16();
        if !response.status().is_success() {
            let after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok());
            let after = after.and_then(|v| retry_after(v, SystemTime::now()));
            let text = response.text().await.unwrap_or_default();
            return Err(self.status_failure(status, url, &text, after));
        }
        let is_stream = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        if !is_stream {
            // Some servers ignore `stream` and answer with one JSON body.
            let text = response.text().await.map_err(|e| self.transport(&e))?;
            return D::json(&text).map_err(|p| self.problem(p));
        }
        let phase = self.name();
        let mut partial = Partial::default();
        let mut events = response.bytes_stream().eventsource();
        while let Some(event) = events.next().await {
            let event = match event {
                Ok(event) => event,
                Err(EventStreamError::Transport(e)) if e.is_timeout() => {
                    return Err(self.transport(&e));
                }
                Err(EventStreamError::Transport(e)) => {
                    return Err(Failure::Transient {
                        what: format!("broke off the stream: {}", chain(&e)),
                        after: None,
                        kind: Kind::Server,
                    });
                }
                Err(e) => return Err(self.problem(Problem::Unreadable(e.to_string()))),
            };
            D::event(&mut partial, &event.data).map_err(|p| self.problem(p))?;
            // Usage often comes only at the end; until then, about 4 bytes a token.
            let tokens = match partial.usage.output_tokens {
                0 => partial.text.len() as u64 / 4,
                n => n,
            };
            progress.tokens(&phase, tokens);
            if partial.done {
                break;
            }
        }
        if partial.finish.is_none() && !partial.done {
            return Err(Failure::Transient {
                what: "ended the stream before the reply was complete".to_owned(),
                after: None,
                kind: Kind::Server,
            });
        }
        Ok(partial)
    }

    fn problem(&self, problem: Problem) -> Failure {
        let provider = self.endpoint.provider.name;
        match problem {
            Problem::Unreadable(message) => Failure::Fatal(Error::Protocol { provider, message }),
            Problem::Reported {
                message,
                retryable: true,
            } => Failure::Transient {
                what: format!("reported an error: {message}"),
                after: None,
                kind: Kind::Server,
            },
            Problem::Reported { message, .. } => {
                Failure::Fatal(Error::Provider { provider, message })
            }
        }
    }

    fn transport(&self, error: &reqwest::Error) -> Failure {
        if error.is_builder() {
            let provider = self.endpoint.provider.name;
            return Failure::Fatal(Error::Protocol {
                provider,
                message: chain(error),
            });
        }
        // The top message repeats the URL, which the final error names anyway.
        let what = std::error::Error::source(error).map_or_else(|| error.to_string(), chain);
        let kind = if error.is_timeout() {
            Kind::Timeout
        } else {
            Kind::Connect
        };
        Failure::Transient {
            what,
            after: None,
            kind,
        }
    }

    fn status_failure(
        &self,
        status: u16,
        url: &str,
        body: &str,
        after: Option<Duration>,
    ) -> Failure {
        let provider = self.endpoint.provider;
        let message = error_message(body);
        let error = match (status, provider.key_var) {
            (429 | 500..=599, _) if status != 501 => {
                let reason = match status {
                    429 => "rate limited",
                    529 => "overloaded",
                    _ => reqwest::StatusCode::from_u16(status)
                        .ok()
                        .and_then(|s| s.canonical_reason())
                        .unwrap_or("server error"),
                };
                let mut what = format!("answered {status} ({})", reason.to_lowercase());
                if !message.is_empty() {
                    what = format!("{what}: {message}");
                }
                return Failure::Transient {
                    what,
                    after,
                    kind: Kind::Server,
                };
            }
            (401 | 403, Some(var)) => Error::Unauthorized {
                provider: provider.name,
                status,
                var,
            },
            (401 | 403, None) => Error::Forbidden {
                provider: provider.name,
                url: url.to_owned(),
                status,
                message,
            },
            (404, _) => Error::NotFound {
                provider: provider.name,
                url: url.to_owned(),
                model: self.endpoint.model.clone(),
                message,
            },
            (400, _) => Error::BadRequest {
                provider: provider.name,
                message,
            },
            _ => Error::Provider {
                provider: provider.name,
                message: format!("answered {status}: {message}"),
            },
        };
        Failure::Fatal(error)
    }
}

/// The message of an error and its sources, such as `error sending request: connection refused`.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let message = cause.to_string();
        if !text.contains(&message) {
            text = format!("{text}: {message}");
        }
        source = cause.source();
    }
    text
}

/// The server's own words from an error body: `OpenAI`'s
/// `{"error":{"message":..}}`, Anthropic's `{"type":"error","error":{"type":..,"message":..}}`,
/// Ollama's `{"error":"plain string"}`, or the body itself if it is not JSON.
pub(super) fn error_message(body: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(value) => {
            reported(value.get("error").unwrap_or(&value)).unwrap_or_else(|| clean(body, 500))
        }
        Err(_) => clean(body, 500),
    }
}

/// The message of an `error` member: a plain string or an object with `message`.
pub(super) fn reported(error: &serde_json::Value) -> Option<String> {
    let message = error.as_str().or_else(|| error.get("message")?.as_str())?;
    Some(clean(message, 500))
}

/// Server text is untrusted: no control characters on the user's terminal,
/// and at most `max_chars` of it.
pub(super) fn clean(text: &str, max_chars: usize) -> String {
    let text: String = text
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

/// Whether `url` points at this machine (`localhost`, `127.0.0.1`, `[::1]`).
fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.to_ascii_lowercase().ends_with(".localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Reads `Retry-After`: delay seconds or an HTTP-date (RFC 9110 §10.2.3).
fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A delay for a note: `2 s`, or `250 ms` below a second.
fn seconds(delay: Duration) -> String {
    if delay < Duration::from_secs(1) {
        format!("{} ms", delay.as_millis())
    } else {
        format!("{} s", delay.as_secs_f64().round())
    }
}

/// A jitter seed that differs between runs, so that clients hitting the same
/// rate limit do not retry in step (backon without `std` seeds a constant).
fn seed() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    u64::from(nanos) ^ (u64::from(std::process::id()) << 32)
}

#[cfg(test)]
pub(super) mod tests {
    use std::fmt::Write as _;

    use super::*;

    /// A fake model server on loopback. `wiremock` serves from its own thread;
    /// the runtime here only drives mounting and inspection, so `complete`
    /// (which blocks on its own runtime) is called outside any runtime.
    pub(in crate::llm) struct Fake {
        pub runtime: tokio::runtime::Runtime,
        pub server: wiremock::MockServer,
    }

    impl Fake {
        pub fn start() -> Self {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let server = runtime.block_on(wiremock::MockServer::start());
            Self { runtime, server }
        }

        pub fn mount(&self, mock: wiremock::Mock) {
            self.runtime.block_on(mock.mount(&self.server));
        }

        pub fn requests(&self) -> Vec<wiremock::Request> {
            self.runtime
                .block_on(self.server.received_requests())
                .unwrap()
        }
    }

    /// A `text/event-stream` response with these events, each `(event name, data)`;
    /// an empty name sends no `event:` line.
    pub(in crate::llm) fn sse(events: &[(&str, &str)]) -> wiremock::ResponseTemplate {
        let mut body = String::new();
        for (event, data) in events {
            if !event.is_empty() {
                writeln!(body, "event: {event}").unwrap();
            }
            write!(body, "data: {data}\n\n").unwrap();
        }
        wiremock::ResponseTemplate::new(200).set_body_raw(body, "text/event-stream")
    }

    #[test]
    fn error_message_reads_the_three_shapes_and_plain_text() {
        let openai =
            r#"{"error":{"message":"Invalid 'max_tokens'","type":"invalid_request_error"}}"#;
        let anthropic = r#"{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: too large"}}"#;
        let ollama = r#"{"error":"model 'qwen' not found"}"#;
        assert_eq!(error_message(openai), "Invalid 'max_tokens'");
        assert_eq!(error_message(anthropic), "max_tokens: too large");
        assert_eq!(error_message(ollama), "model 'qwen' not found");
        assert_eq!(error_message("  Bad Gateway\x1b[31m\n"), "Bad Gateway [31m");
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon", now), None);
    }

    #[test]
    fn loopback_urls_skip_the_proxy() {
        for url in [
            "http://127.0.0.1:8080/v1",
            "http://localhost:11434/v1",
            "http://[::1]:1234/v1",
        ] {
            assert!(is_loopback(&reqwest::Url::parse(url).unwrap()), "{url}");
        }
        assert!(!is_loopback(
            &reqwest::Url::parse("https://api.openai.com/v1").unwrap()
        ));
    }
}
