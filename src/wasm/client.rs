//! The exported `KlingClient`: reads options, builds a host per call, hands off to the core.

use std::rc::Rc;

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;

use crate::api::auth::Secret;
use crate::api::{Client, ClientOptions, Credentials, Error, Family};
use crate::wasm::convert::{to_js, Bag};
use crate::wasm::error::to_js_error;
use crate::wasm::host;
use crate::wasm::inner::Inner;
use crate::wasm::iter::Lister;
use crate::wasm::ops::{self, Op};
use crate::wasm::resource::{Extensions, ImageToVideo, TextToVideo};

const CLIENT_OPTIONS: &[&str] = &[
    "accessKey",
    "secretKey",
    "apiKey",
    "token",
    "baseUrl",
    "region",
    "timeoutMs",
    "maxRetries",
    "tokenTtlSeconds",
    "maxResponseBytes",
    "maxConcurrentTasks",
    "fetch",
    "dangerouslyAllowBrowser",
];

/// A client for Kling's video API. Create one per set of credentials and reuse it: it caches
/// signed tokens and learns the server's clock.
///
/// ```js
/// const kling = new KlingClient({ accessKey, secretKey });
/// const task = await kling.extendVideoAndWait({ video_id, prompt: "The camera pulls back" });
/// ```
#[wasm_bindgen]
pub struct KlingClient {
    inner: Rc<Inner>,
    // The resources, made once: `kling.extensions === kling.extensions`.
    extensions: JsValue,
    text_to_video: JsValue,
    image_to_video: JsValue,
}

fn client_from_options(options: &JsValue) -> Result<Inner, Error> {
    let bag = Bag::new(options, "KlingClient options", CLIENT_OPTIONS)?;
    let token = bag.get("token");
    let provider = token.dyn_ref::<Function>().cloned();
    let fixed_token = if provider.is_some() {
        None
    } else {
        bag.string("token")?
    };
    let opts = ClientOptions {
        access_key: bag.string("accessKey")?,
        secret_key: bag.string("secretKey")?.map(Secret::new),
        api_key: bag.string("apiKey")?.map(Secret::new),
        token: fixed_token.map(Secret::new),
        token_provider: provider.is_some(),
        base_url: bag.string("baseUrl")?,
        region: bag.string("region")?,
        timeout_ms: bag.number("timeoutMs")?,
        max_retries: bag.number("maxRetries")?,
        token_ttl_seconds: bag.number("tokenTtlSeconds")?,
        max_response_bytes: bag.number("maxResponseBytes")?,
        max_concurrent_tasks: bag.number("maxConcurrentTasks")?,
        dangerously_allow_browser: bag.flag("dangerouslyAllowBrowser")?,
        in_browser: host::is_browser(),
    };
    let fetch = match bag.function("fetch")? {
        Some(f) => f,
        None => host::global_fetch().ok_or_else(|| {
            Error::invalid_options("this runtime has no global fetch: pass the `fetch` option")
        })?,
    };
    Ok(Inner {
        client: Client::new(&opts)?,
        fetch,
        provider,
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
            image_to_video: ImageToVideo::new(inner.clone(), lister).into(),
            inner,
        })
    }

    /// Video extensions (`/v1/videos/video-extend`): `create`, `get`, `list`, `wait`,
    /// `createAndWait` and `chain`.
    #[wasm_bindgen(getter, unchecked_return_type = "Extensions")]
    pub fn extensions(&self) -> JsValue {
        self.extensions.clone()
    }

    /// Source videos from a prompt (`/v1/videos/text2video`): `create`, `get`, `list`, `wait`,
    /// `createAndWait`.
    #[wasm_bindgen(getter, js_name = textToVideo, unchecked_return_type = "TextToVideo")]
    pub fn text_to_video(&self) -> JsValue {
        self.text_to_video.clone()
    }

    /// Source videos from an image (`/v1/videos/image2video`): `create`, `get`, `list`, `wait`,
    /// `createAndWait`.
    #[wasm_bindgen(getter, js_name = imageToVideo, unchecked_return_type = "ImageToVideo")]
    pub fn image_to_video(&self) -> JsValue {
        self.image_to_video.clone()
    }

    /// Extends a video by 4–5 seconds (`POST /v1/videos/video-extend`) and resolves the created task.
    /// Every documented rule is checked first (`ERR_KLING_INVALID_REQUEST`, nothing sent). The
    /// request always carries an `external_task_id` (generated when absent): an idempotency key.
    /// The same id with the same `video_id` resolves with the task that holds it and creates
    /// nothing; with another `video_id` it is refused (`ERR_KLING_BAD_REQUEST`, `field:
    /// "external_task_id"`). A create that failed ambiguously is looked up before it is ever
    /// submitted again; one that could not be settled rejects with `taskMayExist: true`.
    #[wasm_bindgen(js_name = extendVideo, unchecked_return_type = "Promise<Task>")]
    pub fn extend_video(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ExtendVideoParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] opts: Option<JsValue>,
    ) -> Promise {
        ops::start(
            self.inner.clone(),
            Op::Create(Family::VideoExtend, params, opts),
        )
    }

    /// Gets one extension task by its task id or external task id.
    #[wasm_bindgen(js_name = getExtension, unchecked_return_type = "Promise<Task>")]
    pub fn get_extension(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] opts: Option<JsValue>,
    ) -> Promise {
        ops::start(self.inner.clone(), Op::Get(Family::VideoExtend, id, opts))
    }

    /// Lists one page of extension tasks, newest first (`pageNum` 1–1000, `pageSize` 1–500,
    /// default 30). A page shorter than `pageSize` is the last.
    #[wasm_bindgen(js_name = listExtensions, unchecked_return_type = "Promise<Task[]>")]
    pub fn list_extensions(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ListParams")] params: Option<JsValue>,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] opts: Option<JsValue>,
    ) -> Promise {
        ops::start(
            self.inner.clone(),
            Op::List(Family::VideoExtend, params, opts),
        )
    }

    /// Polls an extension task until it succeeds (resolves the task) or fails (rejects with
    /// `ERR_KLING_TASK_FAILED`). Rejects with `ERR_KLING_WAIT_TIMEOUT` at the deadline (default 30
    /// minutes) and `ERR_KLING_ABORTED` when `signal` fires; the task itself keeps running.
    /// Without `pollIntervalMs`, polls adaptively: every 5 s for the first 40 s, then longer, up to
    /// 15 s.
    #[wasm_bindgen(js_name = waitForExtension, unchecked_return_type = "Promise<Task>")]
    pub fn wait_for_extension(
        &self,
        #[wasm_bindgen(js_name = "taskId", unchecked_param_type = "string")] task_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitOptions")] opts: Option<JsValue>,
    ) -> Promise {
        ops::start(
            self.inner.clone(),
            Op::Wait(Family::VideoExtend, task_id, opts),
        )
    }

    /// `extendVideo` then `waitForExtension`. The wait options' `signal` also covers the create.
    /// With `maxConcurrentTasks`, the call first queues for a slot and holds it until the task ends.
    #[wasm_bindgen(js_name = extendVideoAndWait, unchecked_return_type = "Promise<Task>")]
    pub fn extend_video_and_wait(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ExtendVideoParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitOptions")] opts: Option<JsValue>,
    ) -> Promise {
        ops::start(
            self.inner.clone(),
            Op::CreateAndWait(Family::VideoExtend, params, opts),
        )
    }

    /// `createTextToVideo` then `waitForTextToVideo` (see `extendVideoAndWait`).
    #[wasm_bindgen(js_name = createTextToVideoAndWait, unchecked_return_type = "Promise<Task>")]
    pub fn create_text_to_video_and_wait(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TextToVideoParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitOptions")] opts: Option<JsValue>,
    ) -> Promise {
        ops::start(
            self.inner.clone(),
            Op::CreateAndWait(Family::TextToVideo, params, opts),
        )
    }

    /// `createImageToVideo` then `waitForImageToVideo` (see `extendVideoAndWait`).
    #[wasm_bindgen(js_name = createImageToVideoAndWait, unchecked_return_type = "Promise<Task>")]
    pub fn create_image_to_video_and_wait(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ImageToVideoParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitOptions")] opts: Option<JsValue>,
    ) -> Promise {
        ops::start(
            self.inner.clone(),
            Op::CreateAndWait(Family::ImageToVideo, params, opts),
        )
    }

    /// Extends a video again and again — each step from the previous result's video id — and
    /// resolves every step's finished task. `prompts` holds one string (or extension-params
    /// object) per step; give `video_duration` (the source's seconds) to have a chain that could
    /// pass 180 s refused before anything is sent. A step that could pass 180 s is never submitted.
    /// Step n is created under `<external_task_id>-<n>` (the prefix is generated when absent);
    /// re-running with the same prefix resumes the chain, reusing every step that exists. On
    /// failure the error's `completed` holds the steps already finished and `externalTaskId` the
    /// prefix to re-run with.
    #[wasm_bindgen(js_name = chainExtensions, unchecked_return_type = "Promise<Task[]>")]
    pub fn chain_extensions(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ChainParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitOptions")] opts: Option<JsValue>,
    ) -> Promise {
        ops::start(self.inner.clone(), Op::Chain(params, opts))
    }

    /// Creates a text-to-video task (`POST /v1/videos/text2video`): a source video to extend.
    /// Only kling-v1, kling-v1-5 and kling-v1-6 results can be extended.
    #[wasm_bindgen(js_name = createTextToVideo, unchecked_return_type = "Promise<Task>")]
    pub fn create_text_to_video(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TextToVideoParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] opts: Option<JsValue>,
    ) -> Promise {
        ops::start(
            self.inner.clone(),
            Op::Create(Family::TextToVideo, params, opts),
        )
    }

    /// Gets one text-to-video task by task id or external task id.
    #[wasm_bindgen(js_name = getTextToVideo, unchecked_return_type = "Promise<Task>")]
    pub fn get_text_to_video(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] opts: Option<JsValue>,
    ) -> Promise {
        ops::start(self.inner.clone(), Op::Get(Family::TextToVideo, id, opts))
    }

    /// Lists one page of text-to-video tasks.
    #[wasm_bindgen(js_name = listTextToVideo, unchecked_return_type = "Promise<Task[]>")]
    pub fn list_text_to_video(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ListParams")] params: Option<JsValue>,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] opts: Option<JsValue>,
    ) -> Promise {
        ops::start(
            self.inner.clone(),
            Op::List(Family::TextToVideo, params, opts),
        )
    }

    /// Polls a text-to-video task until it succeeds or fails (see `waitForExtension`).
    #[wasm_bindgen(js_name = waitForTextToVideo, unchecked_return_type = "Promise<Task>")]
    pub fn wait_for_text_to_video(
        &self,
        #[wasm_bindgen(js_name = "taskId", unchecked_param_type = "string")] task_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitOptions")] opts: Option<JsValue>,
    ) -> Promise {
        ops::start(
            self.inner.clone(),
            Op::Wait(Family::TextToVideo, task_id, opts),
        )
    }

    /// Creates an image-to-video task (`POST /v1/videos/image2video`): a source video to extend.
    #[wasm_bindgen(js_name = createImageToVideo, unchecked_return_type = "Promise<Task>")]
    pub fn create_image_to_video(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ImageToVideoParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] opts: Option<JsValue>,
    ) -> Promise {
        ops::start(
            self.inner.clone(),
            Op::Create(Family::ImageToVideo, params, opts),
        )
    }

    /// Gets one image-to-video task by task id or external task id.
    #[wasm_bindgen(js_name = getImageToVideo, unchecked_return_type = "Promise<Task>")]
    pub fn get_image_to_video(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] opts: Option<JsValue>,
    ) -> Promise {
        ops::start(self.inner.clone(), Op::Get(Family::ImageToVideo, id, opts))
    }

    /// Lists one page of image-to-video tasks.
    #[wasm_bindgen(js_name = listImageToVideo, unchecked_return_type = "Promise<Task[]>")]
    pub fn list_image_to_video(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ListParams")] params: Option<JsValue>,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] opts: Option<JsValue>,
    ) -> Promise {
        ops::start(
            self.inner.clone(),
            Op::List(Family::ImageToVideo, params, opts),
        )
    }

    /// Polls an image-to-video task until it succeeds or fails (see `waitForExtension`).
    #[wasm_bindgen(js_name = waitForImageToVideo, unchecked_return_type = "Promise<Task>")]
    pub fn wait_for_image_to_video(
        &self,
        #[wasm_bindgen(js_name = "taskId", unchecked_param_type = "string")] task_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitOptions")] opts: Option<JsValue>,
    ) -> Promise {
        ops::start(
            self.inner.clone(),
            Op::Wait(Family::ImageToVideo, task_id, opts),
        )
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
        to_js(&serde_json::json!({ "baseUrl": self.inner.client.config().base_url, "auth": auth }))
    }
}
