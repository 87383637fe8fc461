//! What `list()` returns besides its page: a walk over every task from that page on, for
//! `for await`. The page is fetched only when awaited, the walk only when iterated.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::api::model::Page;
use crate::api::pages::Pages;
use crate::api::Family;
use crate::wasm::error::to_js_error;
use crate::wasm::host;
use crate::wasm::inner::Inner;
use crate::wasm::json::Js;
use crate::wasm::ops::{self, Op};

/// What a `list()` result calls back into: one per client, so a `list()` call allocates nothing
/// in wasm memory (a per-call object would wait for the garbage collector to be freed).
#[wasm_bindgen(skip_typescript)]
pub struct Lister {
    pub(crate) inner: Rc<Inner>,
}

/// The family behind a resource's index (its place in `Family::ALL`).
fn family(index: u8) -> Family {
    Family::ALL
        .get(usize::from(index))
        .copied()
        .unwrap_or(Family::VideoExtend)
}

/// The index `host.pagePromise` hands back for `family`.
pub(crate) fn family_index(f: Family) -> u8 {
    Family::ALL.iter().position(|x| *x == f).unwrap_or(0) as u8
}

#[wasm_bindgen]
impl Lister {
    /// One page of `family`.
    pub fn page(
        &self,
        family_index: u8,
        params: Option<JsValue>,
        opts: Option<JsValue>,
    ) -> Promise {
        let op = Op::List(family(family_index), params, opts);
        ops::start(self.inner.clone(), op)
    }

    /// A new walk over `family` from the page `params` name on; throws the `KlingError` of bad
    /// list parameters.
    pub fn walk(&self, family_index: u8, params: Option<JsValue>) -> Result<JsValue, JsValue> {
        let page = Js::given(params, "params")
            .and_then(|p| Page::from_params(p.as_ref()))
            .map_err(|e| to_js_error(&e))?;
        let iterator = TaskIterator {
            inner: self.inner.clone(),
            family: family(family_index),
            pages: Rc::new(RefCell::new(Pages::from_page(page))),
        };
        Ok(host::async_iterable(iterator.into()))
    }
}

/// The state of one walk; `host.asyncIterable` makes it usable with `for await`.
#[wasm_bindgen(skip_typescript)]
pub struct TaskIterator {
    inner: Rc<Inner>,
    family: Family,
    pages: Rc<RefCell<Pages<Js>>>,
}

#[wasm_bindgen]
impl TaskIterator {
    /// The next task, fetching the next page when needed: `{done, value}`.
    pub fn next(&self) -> Promise {
        let op = Op::Next(self.family, self.pages.clone());
        ops::start(self.inner.clone(), op)
    }
}
