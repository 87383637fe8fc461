//! Bindings to `host.js`, the JavaScript half of the host.

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

#[wasm_bindgen(module = "/src/wasm/host.js")]
extern "C" {
    /// The result of `send`, `callProvider`, `lastFrame`.
    pub type Outcome;
    #[wasm_bindgen(method, getter)]
    pub fn kind(this: &Outcome) -> String;
    #[wasm_bindgen(method, getter)]
    pub fn message(this: &Outcome) -> Option<String>;
    #[wasm_bindgen(method, getter)]
    pub fn status(this: &Outcome) -> u16;
    #[wasm_bindgen(method, getter)]
    pub fn headers(this: &Outcome) -> Vec<String>;
    #[wasm_bindgen(method, getter)]
    pub fn body(this: &Outcome) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn length(this: &Outcome) -> f64;
    #[wasm_bindgen(method, getter)]
    pub fn token(this: &Outcome) -> Option<String>;

    #[wasm_bindgen(js_name = makeError)]
    pub fn make_error(code: &str, message: &str, fields: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = isBrowser)]
    pub fn is_browser() -> bool;
    #[wasm_bindgen(js_name = globalFetch)]
    pub fn global_fetch() -> Option<Function>;
    #[wasm_bindgen(js_name = decodesFrames)]
    pub fn decodes_frames() -> bool;
    #[wasm_bindgen(js_name = lastFrame)]
    pub fn last_frame(hook: Option<Function>, url: &str) -> Promise;
    #[wasm_bindgen(js_name = plainParams)]
    pub fn plain_params(value: &JsValue) -> JsValue;
    pub fn unsendable(copy: &JsValue) -> Option<String>;
    #[wasm_bindgen(js_name = withoutNulls)]
    pub fn without_nulls(value: &JsValue) -> JsValue;

    #[wasm_bindgen(js_name = plainOptions)]
    pub fn plain_options(value: &JsValue) -> JsValue;
    pub fn sleep(ms: u32, signal: Option<&AbortSignal>) -> Promise;
    #[allow(clippy::too_many_arguments)]
    pub fn send(
        fetch: &Function,
        method: &str,
        url: &str,
        headers: Vec<String>,
        body: Option<JsValue>,
        timeout_ms: u32,
        max_bytes: f64,
        signal: Option<&AbortSignal>,
        wanted: &JsValue,
    ) -> Promise;
    #[wasm_bindgen(js_name = callProvider)]
    pub fn call_provider(provider: &Function) -> Promise;
    pub fn notify(callback: &Function, a: &JsValue, b: &JsValue);
    #[wasm_bindgen(js_name = pagePromise)]
    pub fn page_promise(
        lister: &JsValue,
        family: u8,
        params: Option<JsValue>,
        opts: Option<JsValue>,
    ) -> JsValue;
    #[wasm_bindgen(js_name = asyncIterable)]
    pub fn async_iterable(iterator: JsValue) -> JsValue;
    #[wasm_bindgen(js_name = bagState)]
    pub fn bag_state(value: &JsValue, known: &JsValue) -> u32;
    #[wasm_bindgen(js_name = numberOption)]
    pub fn number_option(bag: &JsValue, key: &JsValue) -> Option<f64>;
    #[wasm_bindgen(js_name = parseBody)]
    pub fn parse_body(raw: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = tagTask)]
    pub fn tag_task(task: &JsValue, request_id: Option<String>) -> JsValue;
    #[wasm_bindgen(js_name = envLogLevel)]
    pub fn env_log_level() -> Option<String>;
    #[wasm_bindgen(js_name = isLogger)]
    pub fn is_logger(value: &JsValue) -> bool;
    pub fn log(logger: &JsValue, level: &str, message: &str, fields: &JsValue);
    #[wasm_bindgen(js_name = readHeader)]
    pub fn read_header(headers: &JsValue, name: &str) -> Option<String>;
}
