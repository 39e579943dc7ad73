//! The model boundary: one trait, [`Llm`], and the providers behind it.
//!
//! In: a [`Prompt`] and a [`Progress`] line to report streamed tokens on.
//! Out: a [`Reply`] (text, token usage, timing, whether it was truncated) or
//! an [`Error`] naming the provider, URL or key variable at fault.
//! `reqwest` stays inside this module; no other stage speaks HTTP.
//!
//! Model strings are `provider/model`, split on the first `/` only
//! (OpenRouter ids contain `/`, Ollama tags contain `:`), or `cmd:<shell
//! command>`, or `replay`.

mod anthropic;
mod cmd;
mod http;
mod openai;
pub mod replay;

use serde::{Deserialize, Serialize};

use crate::progress::Progress;
use crate::prompt::Prompt;
pub use crate::vocabulary::Usage;

/// A language model that turns a prompt into a reply.
pub trait Llm: Send + Sync {
    /// The model string shown in reports, such as `openai/gpt-4.1-mini`.
    fn name(&self) -> String;

    /// Sends `prompt` and waits for the whole reply, reporting streamed tokens
    /// on `progress`. Retries rate limits and server errors itself; returns an
    /// error only when no usable reply can be had.
    fn complete(&self, prompt: &Prompt, progress: &Progress) -> Result<Reply, Error>;
}

/// A model's answer to one prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    /// The reply text (Markdown with fenced code blocks, by the prompt's contract).
    pub text: String,
    /// Tokens the provider counted; `None` where it says nothing (a `cmd:`
    /// model, a provider that sends no usage).
    #[serde(default)]
    pub usage: Option<Usage>,
    /// Whether the model finished or was cut off.
    pub finish: Finish,
    /// Wall time of the call including retries, in milliseconds.
    pub duration_ms: u64,
}

/// How a reply ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Finish {
    /// The model stopped by itself.
    Complete,
    /// The model was cut off; `reason` is the provider's own word
    /// (`length`, `max_tokens`, `model_context_window_exceeded`).
    Truncated { reason: String },
}

/// Where a model is reached, parsed from a model string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Model {
    /// An HTTP provider speaking one of the two wire protocols.
    Http {
        provider: Provider,
        /// The provider's model id, such as `gpt-4.1-mini` or `qwen2.5-coder:14b`.
        id: String,
    },
    /// `cmd:<shell command>`: the prompt on stdin, the reply on stdout.
    Cmd(String),
    /// `replay`: the exchanges recorded in the prototype's `.wow/` folder.
    Replay,
}

/// Wire protocol of an HTTP provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// OpenAI Chat Completions: `POST {base}/chat/completions`.
    ChatCompletions,
    /// Anthropic Messages: `POST {base}/v1/messages`.
    Messages,
}

/// A known provider: its protocol, default endpoint and key variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Provider {
    /// The prefix in model strings (`openai`, `ollama`, …).
    pub name: &'static str,
    pub protocol: Protocol,
    /// Default base URL; see [`Provider::base_url`] for overrides.
    pub default_base_url: &'static str,
    /// Environment variables that override the base URL, first match wins.
    pub base_url_vars: &'static [&'static str],
    /// Environment variable holding the API key; `None` for local servers.
    pub key_var: Option<&'static str>,
    /// Whether to send `max_completion_tokens` (newer OpenAI models) rather
    /// than `max_tokens` (what local servers understand).
    pub max_completion_tokens: bool,
}

/// Every provider a model string may name.
pub const PROVIDERS: &[Provider] = &[
    Provider {
        name: "openai",
        protocol: Protocol::ChatCompletions,
        default_base_url: "https://api.openai.com/v1",
        base_url_vars: &["OPENAI_BASE_URL", "OPENAI_API_BASE"],
        key_var: Some("OPENAI_API_KEY"),
        max_completion_tokens: true,
    },
    Provider {
        name: "anthropic",
        protocol: Protocol::Messages,
        default_base_url: "https://api.anthropic.com",
        base_url_vars: &["ANTHROPIC_BASE_URL"],
        key_var: Some("ANTHROPIC_API_KEY"),
        max_completion_tokens: false,
    },
    Provider {
        name: "ollama",
        protocol: Protocol::ChatCompletions,
        default_base_url: "http://localhost:11434/v1",
        base_url_vars: &[],
        key_var: None,
        max_completion_tokens: false,
    },
    Provider {
        name: "lmstudio",
        protocol: Protocol::ChatCompletions,
        default_base_url: "http://localhost:1234/v1",
        base_url_vars: &[],
        key_var: None,
        max_completion_tokens: false,
    },
    Provider {
        name: "llamacpp",
        protocol: Protocol::ChatCompletions,
        default_base_url: "http://localhost:8080/v1",
        base_url_vars: &[],
        key_var: None,
        max_completion_tokens: false,
    },
    Provider {
        name: "vllm",
        protocol: Protocol::ChatCompletions,
        default_base_url: "http://localhost:8000/v1",
        base_url_vars: &[],
        key_var: None,
        max_completion_tokens: false,
    },
    Provider {
        name: "openrouter",
        protocol: Protocol::ChatCompletions,
        default_base_url: "https://openrouter.ai/api/v1",
        base_url_vars: &[],
        key_var: Some("OPENROUTER_API_KEY"),
        max_completion_tokens: false,
    },
    Provider {
        name: "groq",
        protocol: Protocol::ChatCompletions,
        default_base_url: "https://api.groq.com/openai/v1",
        base_url_vars: &[],
        key_var: Some("GROQ_API_KEY"),
        max_completion_tokens: false,
    },
    Provider {
        name: "deepseek",
        protocol: Protocol::ChatCompletions,
        default_base_url: "https://api.deepseek.com/v1",
        base_url_vars: &[],
        key_var: Some("DEEPSEEK_API_KEY"),
        max_completion_tokens: false,
    },
    Provider {
        name: "gemini",
        protocol: Protocol::ChatCompletions,
        default_base_url: "https://generativelanguage.googleapis.com/v1beta/openai",
        base_url_vars: &[],
        key_var: Some("GEMINI_API_KEY"),
        max_completion_tokens: false,
    },
];

impl Provider {
    /// The base URL to use: `--base-url` if given, else the first set
    /// variable of [`Provider::base_url_vars`] (for Ollama, `OLLAMA_HOST`
    /// with `/v1` appended), else the default.
    pub fn base_url(&self, explicit: Option<&str>) -> String {
        if let Some(url) = explicit {
            return url.trim_end_matches('/').to_owned();
        }
        for var in self.base_url_vars {
            if let Some(url) = non_empty_var(var) {
                return url.trim_end_matches('/').to_owned();
            }
        }
        if self.name == "ollama"
            && let Some(host) = non_empty_var("OLLAMA_HOST")
        {
            let host = host.trim_end_matches('/');
            let host = if host.contains("://") {
                host.to_owned()
            } else {
                format!("http://{host}")
            };
            return format!("{host}/v1");
        }
        self.default_base_url.to_owned()
    }
}

fn non_empty_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Model {
    /// Parses a model string: `provider/model`, `cmd:<command>` or `replay`.
    ///
    /// # Errors
    /// [`Error::UnknownProvider`] for a prefix not in [`PROVIDERS`],
    /// [`Error::BadModel`] for a string without a `/` or with an empty part.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let text = text.trim();
        if let Some(command) = text.strip_prefix("cmd:") {
            if command.trim().is_empty() {
                return Err(Error::BadModel(text.to_owned()));
            }
            return Ok(Self::Cmd(command.to_owned()));
        }
        if text == "replay" {
            return Ok(Self::Replay);
        }
        let Some((prefix, id)) = text.split_once('/') else {
            return Err(Error::BadModel(text.to_owned()));
        };
        if prefix.is_empty() || id.is_empty() {
            return Err(Error::BadModel(text.to_owned()));
        }
        let provider = PROVIDERS
            .iter()
            .find(|p| p.name == prefix)
            .ok_or_else(|| Error::UnknownProvider(prefix.to_owned()))?;
        Ok(Self::Http {
            provider: *provider,
            id: id.to_owned(),
        })
    }
}

/// Settings for reaching a model, from the command line and environment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `--base-url`: overrides the provider's endpoint.
    pub base_url: Option<String>,
    /// Most tokens the reply may use.
    pub max_tokens: u32,
    /// Whether to ask for a streamed (SSE) reply.
    pub stream: bool,
    /// Longest a single model call may take, retries excluded, in seconds.
    pub timeout_secs: u64,
    /// How many times a 429, 5xx or 529 is retried before giving up.
    pub max_retries: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            base_url: None,
            max_tokens: 16_000,
            stream: true,
            timeout_secs: 600,
            max_retries: 4,
        }
    }
}

/// Connects to the model named by `model`. `replay` is not handled here:
/// it needs the prototype folder, see [`replay::Replay::open`].
///
/// # Errors
/// [`Error::MissingKey`] when the provider needs a key variable that is
/// unset and its endpoint is the provider's own.
pub fn connect(model: &Model, settings: &Settings) -> Result<Box<dyn Llm>, Error> {
    match model {
        Model::Http { provider, id } => {
            let base_url = provider.base_url(settings.base_url.as_deref());
            // A server of one's own behind `--base-url` (or `OPENAI_BASE_URL`)
            // may need no key; the provider's own endpoint always does. A key
            // that is set goes with the request either way, as the
            // providers' SDKs do.
            let own_server = base_url != provider.default_base_url;
            let key = match provider.key_var {
                Some(var) => match non_empty_var(var) {
                    Some(key) => Some(key),
                    None if own_server => None,
                    None => {
                        return Err(Error::MissingKey {
                            provider: provider.name,
                            var,
                        });
                    }
                },
                None => None,
            };
            let endpoint = http::Endpoint {
                provider: *provider,
                model: id.clone(),
                base_url,
                key,
            };
            Ok(match provider.protocol {
                Protocol::ChatCompletions => {
                    Box::new(openai::ChatCompletions::new(endpoint, settings.clone())?)
                }
                Protocol::Messages => {
                    Box::new(anthropic::Messages::new(endpoint, settings.clone())?)
                }
            })
        }
        Model::Cmd(command) => Ok(Box::new(cmd::Command::new(
            command.clone(),
            settings.timeout_secs,
        ))),
        Model::Replay => Err(Error::ReplayNeedsPrototype),
    }
}

/// Why no usable reply could be had from a model.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "`{0}` is not a model string: use `provider/model` (such as `openai/gpt-4.1-mini`), `cmd:<command>` or `replay`"
    )]
    BadModel(String),
    #[error("unknown provider `{0}`: use one of {names}", names = provider_names())]
    UnknownProvider(String),
    #[error("`{var}` is not set: {provider} needs an API key in it")]
    MissingKey {
        provider: &'static str,
        var: &'static str,
    },
    #[error("{provider} refused the API key ({status}): check `{var}`")]
    Unauthorized {
        provider: &'static str,
        status: u16,
        var: &'static str,
    },
    #[error(
        "{provider} at `{url}` refused the request ({status}); it needs no key, so check the server's settings: {message}"
    )]
    Forbidden {
        provider: &'static str,
        url: String,
        status: u16,
        message: String,
    },
    #[error(
        "{provider} has nothing at `{url}` (404): check `--base-url` and the model name `{model}`: {message}"
    )]
    NotFound {
        provider: &'static str,
        url: String,
        model: String,
        message: String,
    },
    #[error("{provider} rejected the request (400): {message}")]
    BadRequest {
        provider: &'static str,
        message: String,
    },
    #[error("{provider} kept failing at `{url}` after {attempts} attempts: {last}")]
    GaveUp {
        provider: &'static str,
        url: String,
        attempts: u32,
        last: String,
    },
    #[error("cannot reach {provider} at `{url}`: {message}")]
    Connect {
        provider: &'static str,
        url: String,
        message: String,
    },
    #[error("{provider} did not answer within {timeout_secs} s")]
    Timeout {
        provider: &'static str,
        timeout_secs: u64,
    },
    #[error("{provider} sent a reply `wow` cannot read: {message}")]
    Protocol {
        provider: &'static str,
        message: String,
    },
    #[error("{provider} reported an error: {message}")]
    Provider {
        provider: &'static str,
        message: String,
    },
    #[error("the model command `{command}` failed: {message}")]
    Command { command: String, message: String },
    #[error("the model command `{command}` did not finish within {timeout_secs} s")]
    CommandTimeout { command: String, timeout_secs: u64 },
    #[error("`replay` serves a prototype's recorded exchanges: run it inside `wow run`")]
    ReplayNeedsPrototype,
    #[error(transparent)]
    Replay(#[from] replay::Error),
}

fn provider_names() -> String {
    PROVIDERS
        .iter()
        .map(|p| format!("`{}`", p.name))
        .collect::<Vec<_>>()
        .join(", ")
}
