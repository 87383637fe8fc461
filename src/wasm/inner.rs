//! What every exported object of a client shares: the core client and the host it runs on.

use js_sys::Function;
use wasm_bindgen::JsValue;

use crate::api::Client;
use crate::wasm::fetch::FetchEnv;

/// The core client, the `fetch` it sends with and the token provider, if any.
pub(crate) struct Inner {
    pub client: Client,
    pub fetch: Function,
    pub provider: Option<Function>,
}

impl Inner {
    pub fn env(&self, signal: JsValue) -> FetchEnv {
        FetchEnv {
            fetch: self.fetch.clone(),
            signal,
            provider: self.provider.clone(),
        }
    }
}
