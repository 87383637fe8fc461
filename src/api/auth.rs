//! Kling's HS256 JWT, the credential forms, and the token cache with its clock correction.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::cell::RefCell;
use std::fmt;

use crate::api::env::Env;
use crate::api::error::Error;

/// The token lifetime Kling's own examples use: 30 minutes.
pub const DEFAULT_TTL_SECONDS: i64 = 1800;
/// `nbf` is back-dated this much, as Kling's examples do, to absorb small clock differences.
const NBF_LEEWAY_SECONDS: i64 = 5;
/// A cached token is re-signed once less than this much of its life is left.
const REFRESH_MARGIN_SECONDS: i64 = 300;

/// A secret string whose `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }
    /// The secret itself, for signing or for the `Authorization` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Signs a Kling token: header `{"alg":"HS256","typ":"JWT"}`, claims `iss`, `exp` = now + ttl,
/// `nbf` = now − 5, in whole seconds, keyed by the secret key's bytes.
pub fn sign_token(
    access_key: &str,
    secret_key: &str,
    now_seconds: i64,
    ttl_seconds: i64,
) -> String {
    #[derive(serde::Serialize)]
    struct Claims<'a> {
        iss: &'a str,
        exp: i64,
        nbf: i64,
    }
    let claims = Claims {
        iss: access_key,
        exp: now_seconds + ttl_seconds,
        nbf: now_seconds - NBF_LEEWAY_SECONDS,
    };
    // Serialising a struct of a string and two integers cannot fail.
    let claims_json = serde_json::to_vec(&claims).unwrap_or_default();
    let mut token = String::with_capacity(256);
    token.push_str(&URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#));
    token.push('.');
    token.push_str(&URL_SAFE_NO_PAD.encode(claims_json));
    let signature = hs256(secret_key.as_bytes(), token.as_bytes());
    token.push('.');
    token.push_str(&URL_SAFE_NO_PAD.encode(signature));
    token
}

/// HMAC-SHA-256 of `data` under `key`.
pub fn hs256(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC takes keys of any length, so `new_from_slice` cannot fail here.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => return [0; 32],
    };
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// How the client proves who it is.
#[derive(Debug, Clone, PartialEq)]
pub enum Credentials {
    /// Access key + secret key: a JWT signed here and re-signed before it expires.
    AccessKey {
        /// The access key (the token's `iss`).
        access_key: String,
        /// The secret key (the HMAC key).
        secret_key: Secret,
    },
    /// A Kling API key, sent as is.
    ApiKey(Secret),
    /// A pre-signed token, sent as is.
    Token(Secret),
    /// A function of the user's that returns a token; asked again after 1003/1004.
    Provider,
    /// No credentials: a proxy in front of Kling adds them.
    None,
}

impl Credentials {
    /// Whether a fresh token can be obtained after Kling refused one for its time.
    pub fn can_refresh(&self) -> bool {
        matches!(self, Credentials::AccessKey { .. } | Credentials::Provider)
    }
}

#[derive(Default)]
struct State {
    /// The cached JWT and its `exp`, in the server's seconds.
    token: Option<(String, i64)>,
    /// Server clock minus local clock, in milliseconds, learnt from a `Date` header.
    clock_offset_ms: f64,
}

/// Produces `Authorization` headers, caching signed tokens.
pub struct Auth {
    credentials: Credentials,
    ttl_seconds: i64,
    state: RefCell<State>,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl Auth {
    /// An authenticator for `credentials` whose tokens live `ttl_seconds`.
    pub fn new(credentials: Credentials, ttl_seconds: i64) -> Auth {
        Auth {
            credentials,
            ttl_seconds,
            state: RefCell::new(State::default()),
        }
    }

    /// The credentials in use.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The learnt offset of the server's clock from the host's, in milliseconds.
    pub fn clock_offset_ms(&self) -> f64 {
        self.state.borrow().clock_offset_ms
    }

    /// Forgets the cached token and, when the server's time is known, corrects the clock offset.
    pub fn invalidate(&self, server_date_ms: Option<f64>, local_now_ms: f64) {
        let mut state = self.state.borrow_mut();
        state.token = None;
        if let Some(server) = server_date_ms {
            state.clock_offset_ms = server - local_now_ms;
        }
    }

    /// The `Authorization` header value, or `None` when the client has no credentials.
    pub async fn authorization<E: Env>(&self, env: &E) -> Result<Option<String>, Error> {
        let token = match &self.credentials {
            Credentials::None => return Ok(None),
            Credentials::ApiKey(key) | Credentials::Token(key) => key.expose().to_string(),
            Credentials::Provider => match self.cached(env) {
                Some(token) => token,
                None => {
                    let token = env.provide_token().await?;
                    if token.trim().is_empty() {
                        return Err(Error::invalid_options(
                            "the token provider returned an empty token",
                        ));
                    }
                    // Kept until its own `exp` nears, or until Kling refuses it.
                    let exp = jwt_exp(&token).unwrap_or(i64::MAX);
                    self.state.borrow_mut().token = Some((token.clone(), exp));
                    token
                }
            },
            Credentials::AccessKey {
                access_key,
                secret_key,
            } => self.cached_jwt(env, access_key, secret_key),
        };
        Ok(Some(format!("Bearer {token}")))
    }

    /// The server's time now, in whole seconds, as far as this client knows it.
    fn server_now_seconds<E: Env>(&self, env: &E) -> i64 {
        ((env.now_ms() + self.state.borrow().clock_offset_ms) / 1000.0).floor() as i64
    }

    /// The cached token, unless it is about to expire.
    fn cached<E: Env>(&self, env: &E) -> Option<String> {
        let now = self.server_now_seconds(env);
        let state = self.state.borrow();
        let (token, exp) = state.token.as_ref()?;
        let margin = REFRESH_MARGIN_SECONDS.min(self.ttl_seconds / 2);
        (exp.saturating_sub(now) > margin).then(|| token.clone())
    }

    fn cached_jwt<E: Env>(&self, env: &E, access_key: &str, secret_key: &Secret) -> String {
        if let Some(token) = self.cached(env) {
            return token;
        }
        let now = self.server_now_seconds(env);
        let token = sign_token(access_key, secret_key.expose(), now, self.ttl_seconds);
        self.state.borrow_mut().token = Some((token.clone(), now + self.ttl_seconds));
        token
    }
}

/// The `exp` claim of a JWT, read without verifying it (only to know when to ask for a new one).
fn jwt_exp(token: &str) -> Option<i64> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()?
        .get("exp")?
        .as_i64()
}
