//! Client options: what the caller may set, checked once, with the defaults.

use crate::api::auth::{Credentials, Secret, DEFAULT_TTL_SECONDS};
use crate::api::error::Error;
use crate::api::log::LogLevel;
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

/// Client options as the caller gave them, before any check.
#[derive(Debug, Default, Clone)]
pub struct ClientOptions {
    /// Access key (with `secret_key`).
    pub access_key: Option<String>,
    /// Secret key (with `access_key`).
    pub secret_key: Option<Secret>,
    /// A Kling API key.
    pub api_key: Option<Secret>,
    /// A pre-signed token.
    pub token: Option<Secret>,
    /// Whether a token provider function was given.
    pub token_provider: bool,
    /// The API host (or a proxy).
    pub base_url: Option<String>,
    /// `"global"` or `"cn"`.
    pub region: Option<String>,
    /// Per-attempt timeout in milliseconds.
    pub timeout_ms: Option<f64>,
    /// Retries after the first attempt.
    pub max_retries: Option<f64>,
    /// Lifetime of signed tokens, in seconds.
    pub token_ttl_seconds: Option<f64>,
    /// Largest response body read, in bytes.
    pub max_response_bytes: Option<f64>,
    /// Most tasks this client runs at once in `*AndWait` calls and chains.
    pub max_concurrent_tasks: Option<f64>,
    /// The caller accepts holding secrets in a browser page or a browser's worker.
    pub dangerously_allow_browser: bool,
    /// The host is a browser page or a worker inside a browser (set by the boundary, not by users).
    pub in_browser: bool,
    /// `logLevel`: `"off"`, `"error"`, `"warn"`, `"info"` or `"debug"`.
    pub log_level: Option<String>,
    /// The `KLING_LOG` environment variable, where the host has one; used when `log_level` is
    /// absent. An unknown value there is ignored: an environment must not break construction.
    pub log_level_env: Option<String>,
}

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
}

impl ClientConfig {
    /// Checks every option; the credentials come back separately, for the authenticator.
    pub fn from_options(o: &ClientOptions) -> Result<(ClientConfig, Credentials), Error> {
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
        };
        Ok((config, credentials(o)?))
    }
}

/// `logLevel` when given (strictly checked), else `KLING_LOG` when it names a level, else off.
fn log_level(o: &ClientOptions) -> Result<LogLevel, Error> {
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

fn credentials(o: &ClientOptions) -> Result<Credentials, Error> {
    let forms = [
        o.access_key.is_some() || o.secret_key.is_some(),
        o.api_key.is_some(),
        o.token.is_some() || o.token_provider,
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
        (_, _, _, Some(token)) => {
            nonempty(token.expose(), "token")?;
            Credentials::Token(token.clone())
        }
        _ if o.token_provider => Credentials::Provider,
        _ => Credentials::None,
    })
}

fn base_url(o: &ClientOptions) -> Result<String, Error> {
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
