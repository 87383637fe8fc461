//! Kling's HS256 JWT, the credential forms, and the token cache with its clock correction.

use crate::api::base64::{decode_url_safe, encode_url_safe};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::cell::RefCell;
use std::fmt;
use subtle::ConstantTimeEq;

use crate::api::env::Env;
use crate::api::error::Error;
use crate::api::json::Json;

/// The token lifetime Kling's own examples use: 30 minutes.
pub const DEFAULT_TTL_SECONDS: i64 = 1800;
/// `nbf` is back-dated this much, as Kling's examples do, to absorb small clock differences.
const NBF_LEEWAY_SECONDS: i64 = 5;
/// A cached token is re-signed once less than this much of its life is left.
const REFRESH_MARGIN_SECONDS: i64 = 300;

/// A secret string whose `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

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

/// `base64url({"alg":"HS256","typ":"JWT"})`: every Kling token starts with it.
const HEADER_B64: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

/// Signs a Kling token: header `{"alg":"HS256","typ":"JWT"}`, claims `iss`, `exp` = now + ttl,
/// `nbf` = now − 5, in whole seconds, keyed by the secret key's bytes.
pub fn sign_token(
    access_key: &str,
    secret_key: &str,
    now_seconds: i64,
    ttl_seconds: i64,
) -> String {
    TokenSigner::new(access_key, secret_key).sign(now_seconds, ttl_seconds)
}

/// HMAC-SHA-256 of `data` under `key`.
pub fn hs256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = keyed(key);
    mac.update(data);
    mac.finalize().into_bytes().into()
}

fn keyed(secret: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length: `new_from_slice` cannot fail, and `new` needs a fixed size.
    Hmac::<Sha256>::new_from_slice(secret)
        .unwrap_or_else(|_| <Hmac<Sha256> as Mac>::new(&Default::default()))
}

/// Signs tokens for one access key and secret key. HMAC's keyed pads and the part of every token
/// that depends only on the access key (header, `iss`) are hashed once, here; each token then
/// hashes only its own remaining bytes: three SHA-256 compressions instead of six for a Kling token.
#[derive(Clone)]
pub struct TokenSigner {
    access_key: String,
    secret_key: Secret,
    /// The MAC state after the first `absorbed` bytes every token of this access key starts with.
    mac: Hmac<Sha256>,
    absorbed: usize,
}

impl TokenSigner {
    /// A signer for `access_key` and `secret_key`.
    pub fn new(access_key: &str, secret_key: &str) -> TokenSigner {
        let mut prefix = claims_head(access_key);
        // base64 maps 3 bytes to 4 characters: only whole groups encode the same in every token.
        prefix.truncate(prefix.len() / 3 * 3);
        let mut text = String::with_capacity(HEADER_B64.len() + 1 + prefix.len() * 4 / 3);
        text.push_str(HEADER_B64);
        text.push('.');
        encode_url_safe(&prefix, &mut text);
        let mut mac = keyed(secret_key.as_bytes());
        mac.update(text.as_bytes());
        TokenSigner {
            access_key: access_key.to_string(),
            secret_key: Secret::new(secret_key),
            mac,
            absorbed: text.len(),
        }
    }

    /// A Kling token for this signer's keys (see [`sign_token`]).
    pub fn sign(&self, now_seconds: i64, ttl_seconds: i64) -> String {
        let mut claims = claims_head(&self.access_key);
        let mut digits = itoa::Buffer::new();
        claims.extend_from_slice(
            digits
                .format(now_seconds.saturating_add(ttl_seconds))
                .as_bytes(),
        );
        claims.extend_from_slice(br#","nbf":"#);
        claims.extend_from_slice(
            digits
                .format(now_seconds.saturating_sub(NBF_LEEWAY_SECONDS))
                .as_bytes(),
        );
        claims.push(b'}');
        let mut token = String::with_capacity(HEADER_B64.len() + claims.len() * 4 / 3 + 48);
        token.push_str(HEADER_B64);
        token.push('.');
        encode_url_safe(&claims, &mut token);
        let mut mac = self.mac.clone();
        mac.update(&token.as_bytes()[self.absorbed..]);
        let signature: [u8; 32] = mac.finalize().into_bytes().into();
        token.push('.');
        encode_url_safe(signature, &mut token);
        token
    }

    fn is_for(&self, access_key: &str, secret_key: &str) -> bool {
        // Constant time: how long a miss takes must not tell where the secrets differ.
        self.access_key == access_key
            && bool::from(
                self.secret_key
                    .expose()
                    .as_bytes()
                    .ct_eq(secret_key.as_bytes()),
            )
    }
}

/// `{"iss":<access key>,"exp":` — the start of every token's claims.
fn claims_head(access_key: &str) -> Vec<u8> {
    let mut claims = Vec::with_capacity(64 + access_key.len());
    claims.extend_from_slice(br#"{"iss":"#);
    push_json_string(&mut claims, access_key);
    claims.extend_from_slice(br#","exp":"#);
    claims
}

/// Appends `s` as a JSON string, escaped as `JSON.stringify` and serde_json escape it (RFC 8259
/// §7: quote and backslash, the five short escapes, other control characters as `\u00XX`). Hand-written: a JSON library for one string would cost the wasm more than these
/// lines.
fn push_json_string(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    for b in s.bytes() {
        match b {
            b'"' | b'\\' => out.extend_from_slice(&[b'\\', b]),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            0x00..=0x1f => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]),
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

/// The signer of the last keys used, so a server signing token after token with one pair of keys
/// does not hash the same prefix again each time.
#[derive(Default)]
pub struct KeyCache {
    last: Option<TokenSigner>,
}

impl KeyCache {
    /// The signer for these keys, from the cache when they are the last ones used.
    pub fn signer(&mut self, access_key: &str, secret_key: &str) -> &TokenSigner {
        if !matches!(&self.last, Some(s) if s.is_for(access_key, secret_key)) {
            self.last = None;
        }
        self.last
            .get_or_insert_with(|| TokenSigner::new(access_key, secret_key))
    }
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
                    let exp = jwt_exp::<E::Json>(&token).unwrap_or(i64::MAX);
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

/// The `exp` claim of a JWT, read without verifying it (only to know when to ask for a new one);
/// the host parses the claims.
fn jwt_exp<J: Json>(token: &str) -> Option<i64> {
    struct Claims {
        exp: Option<f64>,
    }
    crate::api::reader::lenient!(Claims, FIELDS = ["exp" => exp]);
    let payload = token.split('.').nth(1)?;
    let bytes = decode_url_safe(payload)?;
    let claims = J::from_text(std::str::from_utf8(&bytes).ok()?)?;
    let exp = claims.read::<Claims>()?.exp?;
    (exp.fract() == 0.0 && exp.is_finite()).then_some(exp as i64)
}
