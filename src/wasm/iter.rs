//! The async iterator behind `kling.extensions()`.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::api::model::{Page, DEFAULT_PAGE_SIZE};
use crate::api::pages::Pages;
use crate::api::{Error, Family, RequestOptions};
use crate::wasm::client::Inner;
use crate::wasm::convert::{from_js, task_to_js};
use crate::wasm::error::to_js_error;
use crate::wasm::host;

/// The state of a walk over every task of one family; use it with `for await`.
#[wasm_bindgen]
pub struct TaskIterator {
    inner: Rc<Inner>,
    family: Family,
    pages: Rc<RefCell<Pages>>,
}

impl TaskIterator {
    pub(crate) fn start(
        inner: Rc<Inner>,
        family: Family,
        params: &JsValue,
    ) -> Result<JsValue, Error> {
        let params = from_js(params, "params")?;
        if params.get("pageNum").is_some() {
            return Err(Error::invalid_request(
                "pageNum",
                "the iterator always starts at page 1; use listExtensions for one page",
            ));
        }
        let size = Page::from_value(&params)?.size;
        let size = if params.get("pageSize").is_some() {
            size
        } else {
            DEFAULT_PAGE_SIZE
        };
        let iterator = TaskIterator {
            inner,
            family,
            pages: Rc::new(RefCell::new(Pages::new(size))),
        };
        Ok(host::async_iterable(iterator.into()))
    }
}

fn step(done: bool, value: JsValue) -> JsValue {
    let o = Object::new();
    let _ = Reflect::set(&o, &"done".into(), &JsValue::from_bool(done));
    let _ = Reflect::set(&o, &"value".into(), &value);
    o.into()
}

#[wasm_bindgen]
impl TaskIterator {
    /// The next task, fetching the next page when needed.
    #[wasm_bindgen(unchecked_return_type = "Promise<IteratorResult<Task, undefined>>")]
    pub fn next(&self) -> Promise {
        let (inner, family, pages) = (self.inner.clone(), self.family, self.pages.clone());
        future_to_promise(async move {
            let env = inner.env(JsValue::UNDEFINED);
            match inner
                .client
                .next_task(&env, family, &pages, RequestOptions::default())
                .await
            {
                Ok(Some(task)) => Ok(step(false, task_to_js(&task))),
                Ok(None) => Ok(step(true, JsValue::UNDEFINED)),
                Err(e) => Err(to_js_error(&e)),
            }
        })
    }
}
