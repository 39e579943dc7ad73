//! The Anthropic Messages protocol.
//!
//! In: a [`Prompt`]. Out: a [`Reply`] read from the SSE stream (or from one
//! JSON body when streaming is off). Wire format: Anthropic API docs,
//! "Messages" and "Streaming Messages". It must not retry or map HTTP
//! statuses itself: `http.rs` does that.

use reqwest::header::{HeaderMap, HeaderValue};
use serde::Deserialize;
use serde_json::json;

use super::http::{Client, Decode, Endpoint, Partial, Problem, clean, reported};
use super::{Error, Finish, Llm, Reply, Settings};
use crate::progress::Progress;
use crate::prompt::Prompt;

/// A model behind `POST {base}/v1/messages` with `anthropic-version: 2023-06-01`.
///
/// Request: `{model, max_tokens, system, messages: [{role: "user", content}], stream}`.
/// Streamed reply: `message_start` (`message.usage.input_tokens`),
/// `content_block_delta` (`delta: {type: "text_delta", text}`), `message_delta`
/// (`delta.stop_reason`, `usage.output_tokens`), `message_stop`; also `ping`
/// and `error` (`{error: {type, message}}`) events.
pub(super) struct Messages {
    client: Client,
}

impl Messages {
    /// Sets up the client for `endpoint`; fails only on a malformed base URL or key.
    pub(super) fn new(endpoint: Endpoint, settings: Settings) -> Result<Self, Error> {
        Ok(Self {
            client: Client::new(endpoint, settings)?,
        })
    }
}

impl Llm for Messages {
    fn name(&self) -> String {
        self.client.name()
    }

    fn complete(&self, prompt: &Prompt, progress: &Progress) -> Result<Reply, Error> {
        let Client {
            endpoint, settings, ..
        } = &self.client;
        let mut headers = HeaderMap::new();
        headers.insert("anthropic-version", HeaderValue::from_static("2023-06-01"));
        if let Some(key) = &endpoint.key {
            let mut value = HeaderValue::from_str(key)
                .expect("`Client::new` checked that the key fits in a header");
            value.set_sensitive(true);
            headers.insert("x-api-key", value);
        }
        let body = json!({
            "model": endpoint.model,
            "max_tokens": settings.max_tokens,
            "system": prompt.system,
            "messages": [{"role": "user", "content": prompt.user}],
            "stream": settings.stream,
        });
        let url = format!("{}/v1/messages", endpoint.base_url);
        self.client.send::<Wire>(&url, &headers, &body, progress)
    }
}

/// Any event's payload, or a whole non-streamed message; absent parts are `None`.
#[derive(Deserialize)]
struct Payload {
    #[serde(rename = "type", default)]
    kind: String,
    message: Option<Box<Payload>>,
    delta: Option<Delta>,
    usage: Option<WireUsage>,
    #[serde(default)]
    content: Vec<Block>,
    stop_reason: Option<String>,
    error: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Delta {
    #[serde(rename = "type", default)]
    kind: String,
    text: Option<String>,
    stop_reason: Option<String>,
}

#[derive(Deserialize)]
struct Block {
    #[serde(rename = "type", default)]
    kind: String,
    text: Option<String>,
}

#[derive(Deserialize)]
struct WireUsage {
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
}

struct Wire;

fn parse(data: &str) -> Result<Payload, Problem> {
    let payload: Payload = serde_json::from_str(data)
        .map_err(|e| Problem::Unreadable(format!("{e} in `{}`", clean(data, 120))))?;
    if let Some(error) = &payload.error {
        // `overloaded_error` is 529 arriving mid-stream; `api_error` is a 500.
        let kind = error.get("type").and_then(serde_json::Value::as_str);
        return Err(Problem::Reported {
            message: reported(error).unwrap_or_else(|| clean(data, 120)),
            retryable: matches!(kind, Some("overloaded_error" | "api_error")),
        });
    }
    Ok(payload)
}

fn finish(stop_reason: String) -> Finish {
    match stop_reason.as_str() {
        "max_tokens" | "model_context_window_exceeded" => Finish::Truncated {
            reason: stop_reason,
        },
        _ => Finish::Complete,
    }
}

impl Decode for Wire {
    fn event(partial: &mut Partial, data: &str) -> Result<(), Problem> {
        let payload = parse(data)?;
        match payload.kind.as_str() {
            "message_start" => {
                let usage = payload.message.and_then(|m| m.usage);
                partial.usage.input_tokens = usage.and_then(|u| u.input_tokens).unwrap_or(0);
            }
            "content_block_delta" => {
                if let Some(Delta {
                    kind,
                    text: Some(text),
                    ..
                }) = payload.delta
                    && kind == "text_delta"
                {
                    partial.text.push_str(&text);
                }
            }
            "message_delta" => {
                if let Some(reason) = payload.delta.and_then(|d| d.stop_reason) {
                    partial.finish = Some(finish(reason));
                }
                // Counts here are cumulative for the whole message.
                if let Some(usage) = payload.usage {
                    let usage_in = usage.input_tokens.filter(|&n| n > 0);
                    partial.usage.input_tokens = usage_in.unwrap_or(partial.usage.input_tokens);
                    partial.usage.output_tokens = usage.output_tokens.unwrap_or(0);
                }
            }
            "message_stop" => partial.done = true,
            // `ping`, `content_block_start`/`stop`, and event types added later.
            _ => {}
        }
        Ok(())
    }

    fn json(body: &str) -> Result<Partial, Problem> {
        let payload = parse(body)?;
        let text = payload
            .content
            .into_iter()
            .filter(|b| b.kind == "text")
            .filter_map(|b| b.text)
            .collect();
        let usage = payload
            .usage
            .map_or_else(Default::default, |u| super::Usage {
                input_tokens: u.input_tokens.unwrap_or(0),
                output_tokens: u.output_tokens.unwrap_or(0),
            });
        Ok(Partial {
            text,
            usage,
            finish: payload.stop_reason.map(finish),
            done: true,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use wiremock::matchers::{body_partial_json, header, method, path};
    use wiremock::{Mock, ResponseTemplate};

    use super::*;
    use crate::llm::http::tests::{Fake, sse};
    use crate::llm::{PROVIDERS, Usage};

    fn model(fake: &Fake, stream: bool) -> Messages {
        let endpoint = Endpoint {
            provider: *PROVIDERS.iter().find(|p| p.name == "anthropic").unwrap(),
            model: "claude-test".to_owned(),
            base_url: fake.server.uri(),
            key: Some("sk-ant-test".to_owned()),
        };
        let settings = Settings {
            stream,
            max_retries: 2,
            timeout_secs: 10,
            ..Settings::default()
        };
        let mut model = Messages::new(endpoint, settings).unwrap();
        model.client.min_delay = Duration::from_millis(10);
        model
    }

    fn prompt() -> Prompt {
        Prompt {
            system: "be brief".to_owned(),
            user: "write src/lib.rs".to_owned(),
            shard: None,
        }
    }

    fn stream(stop_reason: &str) -> ResponseTemplate {
        let delta = format!(
            r#"{{"type":"message_delta","delta":{{"stop_reason":"{stop_reason}","stop_sequence":null}},"usage":{{"output_tokens":9}}}}"#
        );
        sse(&[
            (
                "message_start",
                r#"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-test","stop_reason":null,"usage":{"input_tokens":25,"output_tokens":1}}}"#,
            ),
            (
                "content_block_start",
                r#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
            ),
            ("ping", r#"{"type":"ping"}"#),
            (
                "content_block_delta",
                r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"pub fn "}}"#,
            ),
            (
                "content_block_delta",
                r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"add"}}"#,
            ),
            (
                "content_block_stop",
                r#"{"type":"content_block_stop","index":0}"#,
            ),
            ("message_delta", &delta),
            ("message_stop", r#"{"type":"message_stop"}"#),
        ])
    }

    #[test]
    fn a_streamed_reply_cut_at_max_tokens_is_truncated_with_usage() {
        let fake = Fake::start();
        fake.mount(
            Mock::given(method("POST"))
                .and(path("/v1/messages"))
                .and(header("x-api-key", "sk-ant-test"))
                .and(header("anthropic-version", "2023-06-01"))
                .and(body_partial_json(json!({
                    "model": "claude-test",
                    "max_tokens": 16_000,
                    "system": "be brief",
                    "messages": [{"role": "user", "content": "write src/lib.rs"}],
                    "stream": true,
                })))
                .respond_with(stream("max_tokens")),
        );
        let reply = model(&fake, true)
            .complete(&prompt(), &Progress::hidden())
            .unwrap();
        assert_eq!(reply.text, "pub fn add");
        assert_eq!(
            reply.usage,
            Some(Usage {
                input_tokens: 25,
                output_tokens: 9
            })
        );
        assert_eq!(
            reply.finish,
            Finish::Truncated {
                reason: "max_tokens".to_owned()
            }
        );
    }

    #[test]
    fn overloaded_529_is_retried() {
        let fake = Fake::start();
        let overloaded = json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}});
        fake.mount(
            Mock::given(method("POST"))
                .respond_with(ResponseTemplate::new(529).set_body_json(overloaded))
                .up_to_n_times(1),
        );
        fake.mount(Mock::given(method("POST")).respond_with(stream("end_turn")));
        let reply = model(&fake, true)
            .complete(&prompt(), &Progress::hidden())
            .unwrap();
        assert_eq!(reply.text, "pub fn add");
        assert_eq!(reply.finish, Finish::Complete);
        assert_eq!(fake.requests().len(), 2);
    }

    #[test]
    fn an_overloaded_error_event_is_retried() {
        let fake = Fake::start();
        fake.mount(
            Mock::given(method("POST"))
                .respond_with(sse(&[(
                    "error",
                    r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
                )]))
                .up_to_n_times(1),
        );
        fake.mount(Mock::given(method("POST")).respond_with(stream("end_turn")));
        let reply = model(&fake, true)
            .complete(&prompt(), &Progress::hidden())
            .unwrap();
        assert_eq!(reply.text, "pub fn add");
        assert_eq!(fake.requests().len(), 2);
    }

    #[test]
    fn a_json_reply_is_read() {
        let fake = Fake::start();
        let body = json!({
            "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-test",
            "content": [{"type": "text", "text": "fn main() {}"}],
            "stop_reason": "end_turn",
            "usage": {"input_tokens": 11, "output_tokens": 4},
        });
        fake.mount(
            Mock::given(method("POST"))
                .respond_with(ResponseTemplate::new(200).set_body_json(body)),
        );
        let reply = model(&fake, false)
            .complete(&prompt(), &Progress::hidden())
            .unwrap();
        assert_eq!(reply.text, "fn main() {}");
        assert_eq!(
            reply.usage,
            Some(Usage {
                input_tokens: 11,
                output_tokens: 4
            })
        );
        assert_eq!(reply.finish, Finish::Complete);
    }

    #[test]
    fn forbidden_with_a_key_names_the_key_variable() {
        let fake = Fake::start();
        let body =
            json!({"type": "error", "error": {"type": "permission_error", "message": "no access"}});
        fake.mount(
            Mock::given(method("POST"))
                .respond_with(ResponseTemplate::new(403).set_body_json(body)),
        );
        let error = model(&fake, true)
            .complete(&prompt(), &Progress::hidden())
            .unwrap_err();
        assert!(error.to_string().contains("`ANTHROPIC_API_KEY`"), "{error}");
        assert_eq!(fake.requests().len(), 1);
    }
}
