//! The async iterator behind `kling.extensions()`.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::api::model::{Page, DEFAULT_PAGE_SIZE};
use crate::api::pages::Pages;
use crate::api::{Error, Family};
use crate::wasm::convert::from_js;
use crate::wasm::host;
use crate::wasm::inner::Inner;
use crate::wasm::ops::{self, Op};

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

#[wasm_bindgen]
impl TaskIterator {
    /// The next task, fetching the next page when needed.
    #[wasm_bindgen(unchecked_return_type = "Promise<IteratorResult<Task, undefined>>")]
    pub fn next(&self) -> Promise {
        let op = Op::Next(self.family, self.pages.clone());
        ops::start(self.inner.clone(), op)
    }
}
