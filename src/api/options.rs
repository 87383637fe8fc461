//! Client options: what the caller may set, checked once, with the defaults.

use serde::Deserialize;
#[cfg(target_arch = "wasm32")]
use tsify::Tsify;

use crate::api::auth::{Credentials, Secret, DEFAULT_TTL_SECONDS};
use crate::api::error::Error;
use crate::api::log::LogLevel;
use crate::api::reader::reader;
use crate::api::text::num;
use crate::api::validate::is_http_url;

/// The global host, for servers outside mainland China.
pub const GLOBAL_BASE_URL: &str = "https://api-singapore.klingai.com";
/// The mainland China host.
pub const CN_BASE_URL: &str = "https://api-beijing.klingai.com";
/// Per-attempt timeout unless the caller says otherwise.
pub const DEFAULT_TIMEOUT_MS: u32 = 60_000;
/// Retries after the first attempt unless the caller says otherwise.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Kling's answers are small (a page of 500 tasks is well under 1 MiB): anything past this is not
/// Kling, and reading it would only cost memory.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 8 * 1024 * 1024;
const MAX_TIMEOUT_MS: f64 = 3_600_000.0;
const MAX_RETRIES_LIMIT: f64 = 10.0;

/// Client options as the caller gave them, before any check: declared once, here. The caller's
/// object is read into this type (through `serde-wasm-bindgen` in JavaScript), checked by
/// [`ClientConfig::from_options`], and published as the `KlingClientOptions` TypeScript type.
/// `F` is the host's value for what only the host can hold (functions, a logger object).
#[derive(Debug, Clone)]
#[cfg_attr(
    target_arch = "wasm32",
    derive(Tsify),
    tsify(rename = "KlingClientOptions"),
    serde(rename_all = "camelCase")
)]
pub struct ClientOptions<F = ()> {
    /// The access key (with `secretKey`): a JWT is signed here and re-signed before it expires.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub access_key: Option<String>,
    /// The secret key (with `accessKey`).
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string", optional))]
    pub secret_key: Option<Secret>,
    /// A Kling API key, sent as `Authorization: Bearer`.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string", optional))]
    pub api_key: Option<Secret>,
    /// A pre-signed token, or a function returning one (asked again after 1003/1004).
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(type = "string | (() => string | Promise<string>)", type_params = "")
    )]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub token: Option<Token<F>>,
    /// The API host, or a proxy that adds credentials. Default `https://api-singapore.klingai.com`
    /// (`region` picks it otherwise; giving both is refused).
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub base_url: Option<String>,
    /// `"global"` (`https://api-singapore.klingai.com`, the default) or `"cn"`
    /// (`https://api-beijing.klingai.com`, mainland China); an alternative to `baseUrl`: giving
    /// both is refused (`ERR_KLING_INVALID_OPTIONS`), as one of them would be ignored.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "\"global\" | \"cn\"", optional))]
    pub region: Option<String>,
    /// Per HTTP attempt, in milliseconds; default 60000.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub timeout_ms: Option<f64>,
    /// Retries after the first attempt; default 2.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub max_retries: Option<f64>,
    /// Lifetime of signed tokens, in seconds; default 1800.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub token_ttl_seconds: Option<f64>,
    /// Largest response body read, default 8 MiB; past it: `ERR_KLING_DECODE`.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub max_response_bytes: Option<f64>,
    /// Most tasks run at once by `*AndWait` calls and chains; the rest queue. Default: no limit.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub max_concurrent_tasks: Option<f64>,
    /// The `fetch` to send with. Default: the global fetch.
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(
            type = "(input: string, init?: RequestInit) => Promise<Response>",
            type_params = ""
        )
    )]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub fetch: Option<F>,
    /// Required to hold `accessKey`/`secretKey`/`apiKey` in a browser page or a browser's worker.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "boolean", optional))]
    pub dangerously_allow_browser: bool,
    /// How much to log, as openai-node does: `"off"` (default), `"error"` (calls that finally
    /// fail), `"warn"` (retries, with the wait chosen, too), `"info"` (as warn), `"debug"` (every
    /// HTTP attempt too: method, path, HTTP status, Kling code, request id, attempt, duration).
    /// When absent, the environment variable `KLING_LOG` decides where the runtime has one (an
    /// unknown value there is ignored). No log line ever holds a credential.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "KlingLogLevel", optional))]
    pub log_level: Option<String>,
    /// Where log lines go: `logger[level](message, fields)`. Default: the global `console`.
    /// What the logger throws is ignored.
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(type = "KlingLogger", type_params = "", optional)
    )]
    pub logger: Option<F>,
    /// How a `last-frame` chain gets a clip's last frame where the package cannot decode one
    /// itself (Node, Deno, Bun, Workers): called with the clip's URL, it returns the frame as an
    /// image URL, base64 (a `data:` URL too), a `Blob` or bytes. In a browser page the package
    /// decodes the frame with `<video>` and a canvas when this is absent.
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(
            type = "(clipUrl: string) => LastFrame | Promise<LastFrame>",
            type_params = "",
            optional
        )
    )]
    pub last_frame: Option<F>,
    /// Send creates for models Kling has retired (kling-v1-5, kling-v1-6, kling-v2-1, …), for an
    /// account that still has access; by default they are refused before sending, naming the
    /// model to use instead.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "boolean", optional))]
    pub allow_retired_models: bool,
    /// The host is a browser page or a worker inside a browser (set by the boundary, not by users).
    #[cfg_attr(target_arch = "wasm32", serde(skip))]
    pub in_browser: bool,
    /// The `KLING_LOG` environment variable, where the host has one; used when `log_level` is
    /// absent. An unknown value there is ignored: an environment must not break construction.
    #[cfg_attr(target_arch = "wasm32", serde(skip))]
    pub log_level_env: Option<String>,
}

impl<F> Default for ClientOptions<F> {
    fn default() -> Self {
        ClientOptions {
            access_key: None,
            secret_key: None,
            api_key: None,
            token: None,
            base_url: None,
            region: None,
            timeout_ms: None,
            max_retries: None,
            token_ttl_seconds: None,
            max_response_bytes: None,
            max_concurrent_tasks: None,
            fetch: None,
            dangerously_allow_browser: false,
            allow_retired_models: false,
            log_level: None,
            logger: None,
            last_frame: None,
            in_browser: false,
            log_level_env: None,
        }
    }
}

/// `token`: a fixed string, or the host's function that returns one.
#[derive(Debug, Clone)]
pub enum Token<F> {
    /// A pre-signed token.
    Fixed(Secret),
    /// A function to ask (the host calls it).
    Provider(F),
}

/// What the core asks of a host value it was handed: whether it is a string.
pub trait HostValue {
    /// The value as a string, when it is one.
    fn as_text(&self) -> Option<String>;
}

impl HostValue for () {
    fn as_text(&self) -> Option<String> {
        None
    }
}

impl<'de, F: Deserialize<'de> + HostValue> Deserialize<'de> for Token<F> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Token<F>, D::Error> {
        let value = F::deserialize(d)?;
        Ok(match value.as_text() {
            Some(text) => Token::Fixed(Secret::new(text)),
            None => Token::Provider(value),
        })
    }
}

/// `null` counts as not given, as for every other option.
fn flag(value: Option<bool>) -> bool {
    value.unwrap_or(false)
}

reader!(ClientOptions over F + HostValue, "an object of options", CLIENT_FIELDS = [
    "accessKey" => access_key,
    "secretKey" => secret_key,
    "apiKey" => api_key,
    "token" => token,
    "baseUrl" => base_url,
    "region" => region,
    "timeoutMs" => timeout_ms,
    "maxRetries" => max_retries,
    "tokenTtlSeconds" => token_ttl_seconds,
    "maxResponseBytes" => max_response_bytes,
    "maxConcurrentTasks" => max_concurrent_tasks,
    "fetch" => fetch,
    "dangerouslyAllowBrowser" => dangerously_allow_browser via flag,
    "allowRetiredModels" => allow_retired_models via flag,
    "logLevel" => log_level,
    "logger" => logger,
    "lastFrame" => last_frame,
]);

/// Checked client configuration.
#[derive(Debug)]
pub struct ClientConfig {
    /// The API host, without a trailing slash.
    pub base_url: String,
    /// Per-attempt timeout.
    pub timeout_ms: u32,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Lifetime of signed tokens, in seconds.
    pub token_ttl_seconds: i64,
    /// Largest response body read, in bytes.
    pub max_response_bytes: u64,
    /// Most tasks run at once by waiting calls, when limited.
    pub max_concurrent_tasks: Option<u32>,
    /// How much the client logs.
    pub log_level: LogLevel,
    /// Creates for retired models are sent (`allowRetiredModels`).
    pub allow_retired_models: bool,
}

impl ClientConfig {
    /// Checks every option; the credentials come back separately, for the authenticator.
    pub fn from_options<F>(o: &ClientOptions<F>) -> Result<(ClientConfig, Credentials), Error> {
        let config = ClientConfig {
            base_url: base_url(o)?,
            timeout_ms: check_timeout(o.timeout_ms, "timeoutMs")?.unwrap_or(DEFAULT_TIMEOUT_MS),
            max_retries: check_retries(o.max_retries)?.unwrap_or(DEFAULT_MAX_RETRIES),
            token_ttl_seconds: whole(o.token_ttl_seconds, "tokenTtlSeconds", 10.0, 86_400.0)?
                .map_or(DEFAULT_TTL_SECONDS, |s| s as i64),
            max_response_bytes: whole(
                o.max_response_bytes,
                "maxResponseBytes",
                1024.0,
                268_435_456.0,
            )?
            .map_or(DEFAULT_MAX_RESPONSE_BYTES, |b| b as u64),
            max_concurrent_tasks: whole(o.max_concurrent_tasks, "maxConcurrentTasks", 1.0, 1000.0)?
                .map(|n| n as u32),
            log_level: log_level(o)?,
            allow_retired_models: o.allow_retired_models,
        };
        Ok((config, credentials(o)?))
    }
}

/// `logLevel` when given (strictly checked), else `KLING_LOG` when it names a level, else off.
fn log_level<F>(o: &ClientOptions<F>) -> Result<LogLevel, Error> {
    match o.log_level.as_deref() {
        Some(name) => LogLevel::from_name(name).ok_or_else(|| {
            Error::invalid_options(format!(
                "`logLevel` must be \"off\", \"error\", \"warn\", \"info\" or \"debug\", not \"{name}\""
            ))
        }),
        None => Ok(o
            .log_level_env
            .as_deref()
            .and_then(|v| LogLevel::from_name(&v.trim().to_ascii_lowercase()))
            .unwrap_or_default()),
    }
}

/// An optional whole number in `[min, max]`.
fn whole(v: Option<f64>, name: &str, min: f64, max: f64) -> Result<Option<f64>, Error> {
    match v {
        None => Ok(None),
        Some(n) if n.fract() == 0.0 && (min..=max).contains(&n) => Ok(Some(n)),
        Some(n) => Err(Error::invalid_options(format!(
            "`{name}` must be a whole number from {} to {}, not {}",
            num(min),
            num(max),
            num(n)
        ))),
    }
}

/// Per-call overrides of the client's defaults.
#[derive(Debug, Default, Clone, Copy)]
pub struct RequestOptions {
    /// Per-attempt timeout in milliseconds.
    pub timeout_ms: Option<u32>,
    /// Retries after the first attempt.
    pub max_retries: Option<u32>,
}

/// The options every request takes as its last argument (`get`, `list`, `create`,
/// `account.costs`), as the caller gives them; `F` is the host's value for the signal.
#[derive(Debug, Clone)]
#[cfg_attr(
    target_arch = "wasm32",
    derive(Tsify),
    tsify(rename = "RequestOptions"),
    serde(rename_all = "camelCase")
)]
pub struct CallOptions<F = ()> {
    /// Stops the call (`ERR_KLING_ABORTED`). A task already created keeps running on Kling.
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(type = "AbortSignal", type_params = "", optional)
    )]
    pub signal: Option<F>,
    /// Per HTTP attempt, in milliseconds, for this call.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub timeout_ms: Option<f64>,
    /// Retries after the first attempt, for this call.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub max_retries: Option<f64>,
}

impl<F> Default for CallOptions<F> {
    fn default() -> Self {
        CallOptions {
            signal: None,
            timeout_ms: None,
            max_retries: None,
        }
    }
}

reader!(CallOptions over F, "an object of options", CALL_FIELDS = [
    "signal" => signal,
    "timeoutMs" => timeout_ms,
    "maxRetries" => max_retries,
]);

impl<F> CallOptions<F> {
    /// The checked overrides.
    pub fn request(&self) -> Result<RequestOptions, Error> {
        RequestOptions::from_raw(self.timeout_ms, self.max_retries)
    }
}

impl RequestOptions {
    /// Checks raw per-call options.
    pub fn from_raw(
        timeout_ms: Option<f64>,
        max_retries: Option<f64>,
    ) -> Result<RequestOptions, Error> {
        Ok(RequestOptions {
            timeout_ms: check_timeout(timeout_ms, "timeoutMs")?,
            max_retries: check_retries(max_retries)?,
        })
    }
}

fn check_timeout(v: Option<f64>, name: &str) -> Result<Option<u32>, Error> {
    match v {
        None => Ok(None),
        Some(ms) if (1.0..=MAX_TIMEOUT_MS).contains(&ms) => Ok(Some(ms.round() as u32)),
        Some(ms) => Err(Error::invalid_options(format!(
            "`{name}` must be a number of milliseconds from 1 to {}, not {}",
            num(MAX_TIMEOUT_MS),
            num(ms)
        ))),
    }
}

fn check_retries(v: Option<f64>) -> Result<Option<u32>, Error> {
    match v {
        None => Ok(None),
        Some(n) if n.fract() == 0.0 && (0.0..=MAX_RETRIES_LIMIT).contains(&n) => Ok(Some(n as u32)),
        Some(n) => Err(Error::invalid_options(format!(
            "`maxRetries` must be a whole number from 0 to {}, not {}",
            num(MAX_RETRIES_LIMIT),
            num(n)
        ))),
    }
}

fn credentials<F>(o: &ClientOptions<F>) -> Result<Credentials, Error> {
    let forms = [
        o.access_key.is_some() || o.secret_key.is_some(),
        o.api_key.is_some(),
        o.token.is_some(),
    ];
    if forms.iter().filter(|f| **f).count() > 1 {
        return Err(Error::invalid_options(
            "give exactly one credential form: accessKey + secretKey, apiKey, or token",
        ));
    }
    let secret_held = forms[0] || forms[1];
    if o.in_browser && secret_held && !o.dangerously_allow_browser {
        return Err(Error::invalid_options(
            "accessKey/secretKey and apiKey in a browser page (or a browser's worker) are visible to everyone who opens it. \
             Sign tokens on a server (signToken) and pass `token`, or point `baseUrl` at a proxy that \
             adds credentials. Set dangerouslyAllowBrowser: true only if you accept the risk",
        ));
    }
    let nonempty = |s: &str, name: &str| {
        if s.trim().is_empty() {
            Err(Error::invalid_options(format!(
                "`{name}` must be a non-empty string"
            )))
        } else {
            Ok(())
        }
    };
    Ok(match (&o.access_key, &o.secret_key, &o.api_key, &o.token) {
        (Some(ak), Some(sk), _, _) => {
            nonempty(ak, "accessKey")?;
            nonempty(sk.expose(), "secretKey")?;
            Credentials::AccessKey {
                access_key: ak.clone(),
                secret_key: sk.clone(),
            }
        }
        (Some(_), None, _, _) => {
            return Err(Error::invalid_options("`accessKey` needs `secretKey` too"))
        }
        (None, Some(_), _, _) => {
            return Err(Error::invalid_options("`secretKey` needs `accessKey` too"))
        }
        (_, _, Some(key), _) => {
            nonempty(key.expose(), "apiKey")?;
            Credentials::ApiKey(key.clone())
        }
        (_, _, _, Some(Token::Fixed(token))) => {
            nonempty(token.expose(), "token")?;
            Credentials::Token(token.clone())
        }
        (_, _, _, Some(Token::Provider(_))) => Credentials::Provider,
        _ => Credentials::None,
    })
}

fn base_url<F>(o: &ClientOptions<F>) -> Result<String, Error> {
    let url = match (&o.base_url, o.region.as_deref()) {
        (Some(_), Some(_)) => {
            return Err(Error::invalid_options(
                "give `baseUrl` or `region`, not both",
            ))
        }
        (Some(url), None) => url.trim_end_matches('/').to_string(),
        (None, None | Some("global")) => GLOBAL_BASE_URL.to_string(),
        (None, Some("cn")) => CN_BASE_URL.to_string(),
        (None, Some(r)) => {
            return Err(Error::invalid_options(format!(
                "`region` must be \"global\" or \"cn\", not \"{r}\""
            )))
        }
    };
    if !is_http_url(&url) || url.contains(['?', '#']) {
        return Err(Error::invalid_options(format!(
            "`baseUrl` must be an http:// or https:// URL without query or fragment, not \"{url}\""
        )));
    }
    Ok(url)
}
