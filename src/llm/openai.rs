//! The Chat Completions protocol, spoken by `OpenAI`, Ollama, LM Studio,
//! llama.cpp, vLLM, `OpenRouter`, Groq, `DeepSeek` and Gemini's compatible endpoint.
//!
//! In: a [`Prompt`]. Out: a [`Reply`] read from the SSE stream (or from one
//! JSON body where a server ignores `stream`). Wire format: the `OpenAI` API
//! reference, "Chat Completions" (create, and the streamed chunk object).
//! It must not retry or map HTTP statuses itself: `http.rs` does that.

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use serde::Deserialize;
use serde_json::json;

use super::http::{Client, Decode, Endpoint, Partial, Problem, clean, reported};
use super::{Error, Finish, Llm, Reply, Settings};
use crate::progress::Progress;
use crate::prompt::Prompt;
use crate::vocabulary::Usage;

/// A model behind `POST {base}/chat/completions`.
///
/// Request: `{model, messages: [{role: "system"}, {role: "user"}], stream,
/// stream_options: {include_usage: true}, max_tokens | max_completion_tokens}`.
/// Streamed reply: `data: {choices: [{delta: {content}, finish_reason}]}`
/// chunks, then a usage chunk (`choices: []`, `usage: {prompt_tokens,
/// completion_tokens}`), then `data: [DONE]`.
pub(super) struct ChatCompletions {
    client: Client,
}

impl ChatCompletions {
    /// Sets up the client for `endpoint`; fails only on a malformed base URL.
    pub(super) fn new(endpoint: Endpoint, settings: Settings) -> Result<Self, Error> {
        Ok(Self {
            client: Client::new(endpoint, settings)?,
        })
    }

    fn body(&self, prompt: &Prompt) -> serde_json::Value {
        let Client {
            endpoint, settings, ..
        } = &self.client;
        let mut body = json!({
            "model": endpoint.model,
            "messages": [
                {"role": "system", "content": prompt.system},
                {"role": "user", "content": prompt.user},
            ],
            "stream": settings.stream,
        });
        // Newer OpenAI models reject `max_tokens`; local servers only know it.
        let limit = if endpoint.provider.max_completion_tokens {
            "max_completion_tokens"
        } else {
            "max_tokens"
        };
        body[limit] = settings.max_tokens.into();
        if settings.stream {
            body["stream_options"] = json!({"include_usage": true});
        }
        body
    }
}

impl Llm for ChatCompletions {
    fn name(&self) -> String {
        self.client.name()
    }

    fn complete(&self, prompt: &Prompt, progress: &Progress) -> Result<Reply, Error> {
        let mut headers = HeaderMap::new();
        if let Some(key) = &self.client.endpoint.key {
            let mut value = HeaderValue::from_str(&format!("Bearer {key}"))
                .expect("`Client::new` checked that the key fits in a header");
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        let url = format!("{}/chat/completions", self.client.endpoint.base_url);
        self.client
            .send::<Wire>(&url, &headers, &self.body(prompt), progress)
    }
}

/// A streamed chunk or a whole completion: `delta` in the one, `message` in the other.
#[derive(Deserialize)]
struct Chunk {
    #[serde(default)]
    choices: Vec<Choice>,
    usage: Option<WireUsage>,
    /// `OpenRouter` reports upstream failures inside a 200 stream.
    error: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Choice {
    delta: Option<Message>,
    message: Option<Message>,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Message {
    content: Option<String>,
}

#[derive(Deserialize)]
struct WireUsage {
    prompt_tokens: Option<u64>,
    completion_tokens: Option<u64>,
}

struct Wire;

impl Wire {
    fn fold(partial: &mut Partial, data: &str) -> Result<(), Problem> {
        let chunk: Chunk = serde_json::from_str(data)
            .map_err(|e| Problem::Unreadable(format!("{e} in `{}`", clean(data, 120))))?;
        if let Some(error) = chunk.error {
            let message = reported(&error).unwrap_or_else(|| clean(data, 120));
            return Err(Problem::Reported {
                message,
                retryable: false,
            });
        }
        if let Some(choice) = chunk.choices.into_iter().next() {
            if let Some(text) = choice.delta.or(choice.message).and_then(|m| m.content) {
                partial.text.push_str(&text);
            }
            if let Some(reason) = choice.finish_reason {
                partial.finish = Some(match reason.as_str() {
                    // `content_filter` drops the rest of the reply: as cut off as `length`.
                    "length" | "content_filter" => Finish::Truncated { reason },
                    _ => Finish::Complete,
                });
            }
        }
        if let Some(usage) = chunk.usage {
            partial.usage = Usage {
                input_tokens: usage.prompt_tokens.unwrap_or(0),
                output_tokens: usage.completion_tokens.unwrap_or(0),
            };
        }
        Ok(())
    }
}

impl Decode for Wire {
    fn event(partial: &mut Partial, data: &str) -> Result<(), Problem> {
        if data.trim() == "[DONE]" {
            partial.done = true;
            return Ok(());
        }
        Self::fold(partial, data)
    }

    fn json(body: &str) -> Result<Partial, Problem> {
        let mut partial = Partial::default();
        Self::fold(&mut partial, body)?;
        partial.done = true;
        Ok(partial)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use wiremock::matchers::{body_partial_json, header, method, path};
    use wiremock::{Mock, ResponseTemplate};

    use super::*;
    use crate::llm::http::tests::{Fake, sse};
    use crate::llm::{PROVIDERS, Provider};

    fn provider(name: &str) -> Provider {
        *PROVIDERS.iter().find(|p| p.name == name).unwrap()
    }

    fn model(fake: &Fake, name: &str, stream: bool) -> ChatCompletions {
        model_at(format!("{}/v1", fake.server.uri()), name, stream)
    }

    fn model_at(base_url: String, name: &str, stream: bool) -> ChatCompletions {
        let endpoint = Endpoint {
            provider: provider(name),
            model: "gpt-test".to_owned(),
            base_url,
            key: provider(name).key_var.map(|_| "sk-test".to_owned()),
        };
        let settings = Settings {
            stream,
            max_retries: 2,
            timeout_secs: 10,
            ..Settings::default()
        };
        let mut model = ChatCompletions::new(endpoint, settings).unwrap();
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

    fn completion(text: &str, finish_reason: &str) -> ResponseTemplate {
        ResponseTemplate::new(200).set_body_json(json!({
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish_reason}],
            "usage": {"prompt_tokens": 12, "completion_tokens": 5},
        }))
    }

    const STREAM: &[(&str, &str)] = &[
        (
            "",
            r#"{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#,
        ),
        (
            "",
            r#"{"choices":[{"index":0,"delta":{"content":"pub fn "}}]}"#,
        ),
        (
            "",
            r#"{"choices":[{"index":0,"delta":{"content":"add() {}"},"finish_reason":null}]}"#,
        ),
        (
            "",
            r#"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
        ),
        (
            "",
            r#"{"choices":[],"usage":{"prompt_tokens":30,"completion_tokens":7}}"#,
        ),
        ("", "[DONE]"),
    ];

    #[test]
    fn a_streamed_reply_is_assembled_with_its_usage() {
        let fake = Fake::start();
        fake.mount(
            Mock::given(method("POST"))
                .and(path("/v1/chat/completions"))
                .and(header("authorization", "Bearer sk-test"))
                .and(body_partial_json(json!({
                    "model": "gpt-test",
                    "stream": true,
                    "stream_options": {"include_usage": true},
                    "max_completion_tokens": 16_000,
                    "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "write src/lib.rs"}],
                })))
                .respond_with(sse(STREAM)),
        );
        let reply = model(&fake, "openai", true)
            .complete(&prompt(), &Progress::hidden())
            .unwrap();
        assert_eq!(reply.text, "pub fn add() {}");
        assert_eq!(
            reply.usage,
            Some(Usage {
                input_tokens: 30,
                output_tokens: 7
            })
        );
        assert_eq!(reply.finish, Finish::Complete);
    }

    #[test]
    fn a_json_reply_is_read_even_when_a_stream_was_asked_for() {
        let fake = Fake::start();
        fake.mount(Mock::given(method("POST")).respond_with(completion("fn main() {}", "stop")));
        let ollama = model(&fake, "ollama", true);
        let reply = ollama.complete(&prompt(), &Progress::hidden()).unwrap();
        assert_eq!(reply.text, "fn main() {}");
        assert_eq!(
            reply.usage,
            Some(Usage {
                input_tokens: 12,
                output_tokens: 5
            })
        );
        let body: serde_json::Value = serde_json::from_slice(&fake.requests()[0].body).unwrap();
        assert_eq!(body["max_tokens"], 16_000, "local servers get `max_tokens`");
        assert!(fake.requests()[0].headers.get("authorization").is_none());
    }

    #[test]
    fn finish_reason_length_is_truncated() {
        let fake = Fake::start();
        fake.mount(Mock::given(method("POST")).respond_with(completion("fn ma", "length")));
        let reply = model(&fake, "openai", false)
            .complete(&prompt(), &Progress::hidden())
            .unwrap();
        assert_eq!(
            reply.finish,
            Finish::Truncated {
                reason: "length".to_owned()
            }
        );
    }

    #[test]
    fn a_rate_limit_is_retried_after_retry_after() {
        let fake = Fake::start();
        fake.mount(
            Mock::given(method("POST"))
                .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
                .up_to_n_times(1),
        );
        fake.mount(Mock::given(method("POST")).respond_with(sse(STREAM)));
        let started = std::time::Instant::now();
        let reply = model(&fake, "openai", true)
            .complete(&prompt(), &Progress::hidden())
            .unwrap();
        assert_eq!(reply.text, "pub fn add() {}");
        assert_eq!(fake.requests().len(), 2);
        assert!(
            started.elapsed() >= Duration::from_secs(1),
            "Retry-After was honoured"
        );
    }

    #[test]
    fn a_cut_stream_is_retried() {
        let fake = Fake::start();
        fake.mount(
            Mock::given(method("POST"))
                .respond_with(sse(&STREAM[..3]))
                .up_to_n_times(1),
        );
        fake.mount(Mock::given(method("POST")).respond_with(sse(STREAM)));
        let reply = model(&fake, "openai", true)
            .complete(&prompt(), &Progress::hidden())
            .unwrap();
        assert_eq!(reply.text, "pub fn add() {}");
        assert_eq!(fake.requests().len(), 2);
    }

    #[test]
    fn server_errors_give_up_after_the_retries() {
        let fake = Fake::start();
        fake.mount(Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)));
        let error = model(&fake, "openai", true)
            .complete(&prompt(), &Progress::hidden())
            .unwrap_err();
        assert!(
            matches!(error, Error::GaveUp { attempts: 3, .. }),
            "{error:?}"
        );
        assert!(
            error.to_string().contains("503 (service unavailable)"),
            "{error}"
        );
        assert_eq!(fake.requests().len(), 3);
    }

    #[test]
    fn unauthorized_names_the_key_variable_and_is_not_retried() {
        let fake = Fake::start();
        let body = json!({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}});
        fake.mount(
            Mock::given(method("POST"))
                .respond_with(ResponseTemplate::new(401).set_body_json(body)),
        );
        let error = model(&fake, "openai", true)
            .complete(&prompt(), &Progress::hidden())
            .unwrap_err();
        assert!(
            matches!(error, Error::Unauthorized { status: 401, .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains("`OPENAI_API_KEY`"), "{error}");
        assert_eq!(fake.requests().len(), 1);
    }

    #[test]
    fn not_found_names_the_url_and_the_model() {
        let fake = Fake::start();
        let body = json!({"error": "model 'gpt-test' not found"});
        fake.mount(
            Mock::given(method("POST"))
                .respond_with(ResponseTemplate::new(404).set_body_json(body)),
        );
        let error = model(&fake, "ollama", true)
            .complete(&prompt(), &Progress::hidden())
            .unwrap_err();
        let message = error.to_string();
        let url = format!("{}/v1/chat/completions", fake.server.uri());
        assert!(message.contains(&format!("`{url}`")), "{message}");
        assert!(
            message.contains("`gpt-test`: model 'gpt-test' not found"),
            "{message}"
        );
        assert_eq!(fake.requests().len(), 1);
    }

    #[test]
    fn bad_request_carries_the_servers_message() {
        let fake = Fake::start();
        let body = json!({"error": {"message": "Unsupported parameter: 'max_tokens'", "type": "invalid_request_error"}});
        fake.mount(
            Mock::given(method("POST"))
                .respond_with(ResponseTemplate::new(400).set_body_json(body)),
        );
        let error = model(&fake, "openai", true)
            .complete(&prompt(), &Progress::hidden())
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "openai rejected the request (400): Unsupported parameter: 'max_tokens'"
        );
    }

    #[test]
    fn an_error_inside_a_200_stream_is_a_provider_error() {
        let fake = Fake::start();
        fake.mount(Mock::given(method("POST")).respond_with(sse(&[
            ("", r#"{"choices":[{"index":0,"delta":{"content":"pub "}}]}"#),
            ("", r#"{"error":{"code":502,"message":"upstream provider returned error"},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error"}]}"#),
        ])));
        let error = model(&fake, "openrouter", true)
            .complete(&prompt(), &Progress::hidden())
            .unwrap_err();
        assert!(
            matches!(
                error,
                Error::Provider {
                    provider: "openrouter",
                    ..
                }
            ),
            "{error:?}"
        );
        assert!(
            error
                .to_string()
                .contains("upstream provider returned error"),
            "{error}"
        );
    }

    #[test]
    fn a_stopped_server_is_a_connect_error() {
        // A port that was free a moment ago: nothing listens there.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let model = model_at(format!("http://127.0.0.1:{port}/v1"), "ollama", true);
        let error = model.complete(&prompt(), &Progress::hidden()).unwrap_err();
        assert!(matches!(error, Error::Connect { .. }), "{error:?}");
        assert!(error.to_string().contains("tried 3 times"), "{error}");
    }
}
