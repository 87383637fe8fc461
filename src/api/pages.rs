//! Walking every task, page after page. Kling's lists have no total and no cursor: a page shorter
//! than the page size is the last, and page 1000 is the last Kling serves.

use std::collections::VecDeque;

use crate::api::model::{Page, MAX_PAGE_NUM};
use crate::api::task::Task;

/// The state of a walk over all pages: tasks fetched but not yet handed out, and what comes next.
#[derive(Debug)]
pub struct Pages<J> {
    size: u32,
    next: u32,
    done: bool,
    buffer: VecDeque<Task<J>>,
}

impl<J> Pages<J> {
    /// A walk from page 1 with `size` tasks a page.
    pub fn new(size: u32) -> Pages<J> {
        Pages::from_page(Page { num: 1, size })
    }

    /// A walk from `page` on.
    pub fn from_page(page: Page) -> Pages<J> {
        Pages {
            size: page.size,
            next: page.num,
            done: false,
            buffer: VecDeque::new(),
        }
    }

    /// The next task already fetched.
    pub fn pop(&mut self) -> Option<Task<J>> {
        self.buffer.pop_front()
    }

    /// The page to fetch next, reserved; `None` when the walk is over.
    pub fn reserve(&mut self) -> Option<Page> {
        if self.done {
            return None;
        }
        let page = Page {
            num: self.next,
            size: self.size,
        };
        self.next += 1;
        Some(page)
    }

    /// Takes a fetched page in.
    pub fn absorb(&mut self, page: Page, tasks: Vec<Task<J>>) {
        self.done = tasks.len() < page.size as usize || page.num >= MAX_PAGE_NUM;
        self.buffer.extend(tasks);
    }

    /// Gives a reserved page back after its fetch failed, so the next call tries it again.
    pub fn release(&mut self, page: Page) {
        self.next = self.next.min(page.num);
    }
}

impl crate::api::client::Client {
    /// The next task of a walk over every page of `family`, or `None` at the end. The state is
    /// never borrowed across a fetch, so it may live in a `RefCell` shared with JavaScript.
    pub async fn next_task<E: crate::api::env::Env>(
        &self,
        env: &E,
        family: crate::api::model::Family,
        pages: &std::cell::RefCell<Pages<E::Json>>,
        opts: crate::api::client::RequestOptions,
    ) -> Result<Option<Task<E::Json>>, crate::api::error::Error> {
        loop {
            if let Some(task) = pages.borrow_mut().pop() {
                return Ok(Some(task));
            }
            let Some(page) = pages.borrow_mut().reserve() else {
                return Ok(None);
            };
            match self.list_tasks(env, family, page, opts).await {
                Ok(tasks) => pages.borrow_mut().absorb(page, tasks),
                Err(e) => {
                    pages.borrow_mut().release(page);
                    return Err(e);
                }
            }
        }
    }
}
