//! The exported `KlingClient`: reads options, builds a host per call, hands off to the core.

use std::rc::Rc;

use wasm_bindgen::prelude::*;

use crate::api::options::Token;
use crate::api::{Client, ClientOptions, Credentials, Error};
use crate::wasm::convert::{function, options_of};
use crate::wasm::error::to_js_error;
use crate::wasm::host;
use crate::wasm::inner::Inner;
use crate::wasm::iter::Lister;
use crate::wasm::resource::{Account, Chains, Extensions, ImageToVideo, OmniVideo, TextToVideo};

/// A client for Kling's video API. Create one per set of credentials and reuse it: it caches
/// signed tokens and learns the server's clock.
///
/// ```js
/// const kling = new KlingClient({ accessKey, secretKey });
/// const task = await kling.extensions.createAndWait({ video_id, prompt: "The camera pulls back" });
/// ```
#[wasm_bindgen]
pub struct KlingClient {
    inner: Rc<Inner>,
    // The resources, made once: `kling.extensions === kling.extensions`.
    extensions: JsValue,
    text_to_video: JsValue,
    image_to_video: JsValue,
    omni_video: JsValue,
    chains: JsValue,
    account: JsValue,
}

fn client_from_options(options: &JsValue) -> Result<Inner, Error> {
    let opts = ClientOptions {
        in_browser: host::is_browser(),
        ..options_of(options, "KlingClient options")?.unwrap_or_default()
    };
    let opts = ClientOptions {
        // Read only when the option is absent: in Deno, reading the environment may need a permission.
        log_level_env: opts.log_level.is_none().then(host::env_log_level).flatten(),
        ..opts
    };
    let provider = match &opts.token {
        Some(Token::Provider(f)) => Some(function(f, "token", "a string or a function")?),
        _ => None,
    };
    let fetch = match &opts.fetch {
        Some(f) => function(f, "fetch", "a function")?,
        None => host::global_fetch().ok_or_else(|| {
            Error::invalid_options("this runtime has no global fetch: pass the `fetch` option")
        })?,
    };
    let logger = match &opts.logger {
        Some(l) if !host::is_logger(&l.0) => {
            return Err(Error::invalid_options(
                "`logger` must be an object with `error`, `warn`, `info` and `debug` functions, like `console`",
            ))
        }
        Some(l) => l.0.clone(),
        None => JsValue::UNDEFINED,
    };
    let last_frame = match &opts.last_frame {
        Some(f) => Some(function(f, "lastFrame", "a function")?),
        None => None,
    };
    Ok(Inner {
        client: Client::new(&opts)?,
        fetch,
        provider,
        logger,
        last_frame,
    })
}

#[wasm_bindgen]
impl KlingClient {
    /// Creates a client. Give exactly one credential form — `accessKey` + `secretKey` (a JWT is
    /// signed here and re-signed before it expires), `apiKey`, or `token` (a string or a function
    /// returning one) — or none when `baseUrl` points at a proxy that adds credentials.
    ///
    /// Throws `KlingError` with code `ERR_KLING_INVALID_OPTIONS` on bad options, and in a browser
    /// page when secrets are given without `dangerouslyAllowBrowser: true`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "KlingClientOptions")] options: Option<
            JsValue,
        >,
    ) -> Result<KlingClient, JsValue> {
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let inner = client_from_options(&options).map_err(|e| to_js_error(&e))?;
        let inner = Rc::new(inner);
        let lister: JsValue = Lister {
            inner: inner.clone(),
        }
        .into();
        Ok(KlingClient {
            extensions: Extensions::new(inner.clone(), lister.clone()).into(),
            text_to_video: TextToVideo::new(inner.clone(), lister.clone()).into(),
            image_to_video: ImageToVideo::new(inner.clone(), lister.clone()).into(),
            omni_video: OmniVideo::new(inner.clone(), lister).into(),
            chains: Chains::new(inner.clone()).into(),
            account: Account::new(inner.clone()).into(),
            inner,
        })
    }

    /// Video extensions (`/v1/videos/video-extend`): `create`, `get`, `list`, `wait`,
    /// `createAndWait` and `chain`.
    #[wasm_bindgen(getter, unchecked_return_type = "Extensions")]
    pub fn extensions(&self) -> JsValue {
        self.extensions.clone()
    }

    /// Videos from a prompt (`/v1/videos/text2video`): `create`, `get`, `list`, `wait`,
    /// `createAndWait`.
    #[wasm_bindgen(getter, js_name = textToVideo, unchecked_return_type = "TextToVideo")]
    pub fn text_to_video(&self) -> JsValue {
        self.text_to_video.clone()
    }

    /// Videos from a first (and last) frame (`/v1/videos/image2video`): `create`, `get`, `list`, `wait`,
    /// `createAndWait`.
    #[wasm_bindgen(getter, js_name = imageToVideo, unchecked_return_type = "ImageToVideo")]
    pub fn image_to_video(&self) -> JsValue {
        self.image_to_video.clone()
    }

    /// Omni-Video (`/v1/videos/omni-video`; kling-v3-omni, kling-video-o1): `create`, `get`,
    /// `list`, `wait`, `createAndWait`.
    #[wasm_bindgen(getter, js_name = omniVideo, unchecked_return_type = "OmniVideo")]
    pub fn omni_video(&self) -> JsValue {
        self.omni_video.clone()
    }

    /// Long videos: `run` continues a source step by step — by the next shot, from the last
    /// frame, or by extension — and resolves the clips to join.
    #[wasm_bindgen(getter, unchecked_return_type = "Chains")]
    pub fn chains(&self) -> JsValue {
        self.chains.clone()
    }

    /// The account (`/account/costs`): `costs`, its resource packs and what remains.
    #[wasm_bindgen(getter, unchecked_return_type = "Account")]
    pub fn account(&self) -> JsValue {
        self.account.clone()
    }

    /// A description safe to log: the host and the credential form, never a secret.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "{ baseUrl: string; auth: string }")]
    pub fn to_json(&self) -> JsValue {
        let auth = match self.inner.client.auth().credentials() {
            Credentials::AccessKey { .. } => "accessKey",
            Credentials::ApiKey(_) => "apiKey",
            Credentials::Token(_) => "token",
            Credentials::Provider => "tokenProvider",
            Credentials::None => "none",
        };
        let o = js_sys::Object::new();
        // Setting a property on a fresh plain object cannot fail.
        let base_url = JsValue::from_str(&self.inner.client.config().base_url);
        let _ = js_sys::Reflect::set(&o, &"baseUrl".into(), &base_url);
        let _ = js_sys::Reflect::set(&o, &"auth".into(), &auth.into());
        o.into()
    }
}
