//! What every exported object of a client shares: the core client and the host it runs on.

use js_sys::Function;
use wasm_bindgen::JsValue;
use web_sys::AbortSignal;

use crate::api::Client;
use crate::wasm::fetch::FetchEnv;

/// The core client, the `fetch` it sends with, the token provider, if any, the logger and the
/// `lastFrame` hook.
pub(crate) struct Inner {
    pub client: Client,
    pub fetch: Function,
    pub provider: Option<Function>,
    /// The `logger` option (`undefined`: the global `console`).
    pub logger: JsValue,
    /// The `lastFrame` option.
    pub last_frame: Option<Function>,
}

impl Inner {
    pub fn env(&self, signal: Option<AbortSignal>) -> FetchEnv {
        FetchEnv {
            fetch: self.fetch.clone(),
            signal,
            provider: self.provider.clone(),
            logger: self.logger.clone(),
            last_frame: self.last_frame.clone(),
        }
    }
}
