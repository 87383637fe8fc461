//! Walking every task page after page: a short page is the last, page 1000 is the last Kling
//! serves, and a page whose fetch failed is fetched again on the next call.
#![cfg(not(target_arch = "wasm32"))]
// Errors carry every identifier (as in the library); their size does not matter in tests.
#![allow(clippy::result_large_err)]

mod support;

use std::cell::RefCell;

use kling_edge::api::http::TransportError;
use kling_edge::api::pages::Pages;
use kling_edge::api::{Client, ErrorKind, Family, Page, RequestOptions, Task};
use serde_json::{json, Value};
use support::*;

const NO_RETRY: RequestOptions = RequestOptions {
    timeout_ms: None,
    max_retries: Some(0),
};

fn page_of(ids: &[&str]) -> Response {
    ok(Value::Array(
        ids.iter().map(|id| task(id, "succeed")).collect(),
    ))
}

fn next(client: &Client, env: &ScriptedEnv, pages: &RefCell<Pages<Value>>) -> Option<String> {
    block_on(client.next_task(env, Family::VideoExtend, pages, NO_RETRY))
        .unwrap()
        .map(|t| t.id())
}

fn urls(env: &ScriptedEnv) -> Vec<String> {
    env.sent().iter().map(|s| s.url().to_string()).collect()
}

#[test]
fn walks_pages_until_a_short_page() {
    let env = ScriptedEnv::new();
    env.reply(page_of(&["a", "b"]))
        .reply(page_of(&["c", "d"]))
        .reply(page_of(&["e"]));
    let client = ak_client();
    let pages = RefCell::new(Pages::new(2));
    let mut ids = Vec::new();
    while let Some(id) = next(&client, &env, &pages) {
        ids.push(id);
    }
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    assert_eq!(
        urls(&env),
        [
            format!("{EXTEND_URL}?pageNum=1&pageSize=2"),
            format!("{EXTEND_URL}?pageNum=2&pageSize=2"),
            format!("{EXTEND_URL}?pageNum=3&pageSize=2"),
        ]
    );
    assert_eq!(next(&client, &env, &pages), None, "the end stays the end");
    assert_eq!(env.count(), 3);
}

#[test]
fn a_full_last_page_costs_one_empty_page_fetch() {
    let env = ScriptedEnv::new();
    env.reply(page_of(&["a", "b"])).reply(page_of(&[]));
    let client = ak_client();
    let pages = RefCell::new(Pages::new(2));
    let mut ids = Vec::new();
    while let Some(id) = next(&client, &env, &pages) {
        ids.push(id);
    }
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(env.count(), 2);
}

#[test]
fn an_empty_first_page_ends_the_walk() {
    let env = ScriptedEnv::new();
    env.reply(page_of(&[]));
    let client = ak_client();
    let pages = RefCell::new(Pages::new(30));
    assert_eq!(next(&client, &env, &pages), None);
    assert_eq!(next(&client, &env, &pages), None);
    assert_eq!(urls(&env), [format!("{EXTEND_URL}?pageNum=1&pageSize=30")]);
}

#[test]
fn stops_at_page_1000() {
    let env = ScriptedEnv::new();
    for i in 1..=1000 {
        env.reply(page_of(&[&format!("t{i}")]));
    }
    let client = bare_client();
    let pages = RefCell::new(Pages::new(1));
    let mut n = 0;
    while let Some(id) = next(&client, &env, &pages) {
        n += 1;
        assert_eq!(id, format!("t{n}"));
    }
    assert_eq!(n, 1000);
    assert_eq!(env.count(), 1000);
    assert_eq!(
        env.sent()[999].url(),
        format!("{EXTEND_URL}?pageNum=1000&pageSize=1")
    );
}

#[test]
fn page_1000_is_the_last_even_when_full() {
    let mut pages = Pages::new(2);
    pages.absorb(
        Page { num: 1000, size: 2 },
        vec![
            Task::from_value(task("a", "succeed")).unwrap(),
            Task::from_value(task("b", "succeed")).unwrap(),
        ],
    );
    assert_eq!(pages.pop().map(|t| t.id()).as_deref(), Some("a"));
    assert_eq!(pages.pop().map(|t| t.id()).as_deref(), Some("b"));
    assert_eq!(pages.reserve(), None);
}

#[test]
fn a_failed_page_is_fetched_again_on_the_next_call() {
    let env = ScriptedEnv::new();
    env.reply(page_of(&["a", "b"]))
        .reply(api_error(500, 5000, "x"))
        .reply(page_of(&["c"]));
    let client = ak_client();
    let pages = RefCell::new(Pages::new(2));
    assert_eq!(next(&client, &env, &pages).as_deref(), Some("a"));
    assert_eq!(next(&client, &env, &pages).as_deref(), Some("b"));
    let e = block_on(client.next_task(&env, Family::VideoExtend, &pages, NO_RETRY)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Server);
    assert_eq!(next(&client, &env, &pages).as_deref(), Some("c"));
    assert_eq!(next(&client, &env, &pages), None);
    assert_eq!(
        urls(&env),
        [
            format!("{EXTEND_URL}?pageNum=1&pageSize=2"),
            format!("{EXTEND_URL}?pageNum=2&pageSize=2"),
            format!("{EXTEND_URL}?pageNum=2&pageSize=2"),
        ]
    );
}

#[test]
fn each_page_fetch_is_retried_like_any_request() {
    let env = ScriptedEnv::new();
    env.fail(TransportError::Timeout).reply(page_of(&["a"]));
    let client = ak_client();
    let pages = RefCell::new(Pages::new(5));
    let first =
        block_on(client.next_task(&env, Family::TextToVideo, &pages, RequestOptions::default()))
            .unwrap();
    assert_eq!(first.map(|t| t.id()).as_deref(), Some("a"));
    assert_eq!(env.sleeps(), [438]);
    assert_eq!(
        urls(&env),
        [
            format!("{T2V_URL}?pageNum=1&pageSize=5"),
            format!("{T2V_URL}?pageNum=1&pageSize=5"),
        ]
    );
}

#[test]
fn a_page_with_an_item_that_is_not_a_task_is_a_decode_error() {
    let env = ScriptedEnv::new();
    env.reply(ok(json!([task("a", "succeed"), {"nope": 1}])));
    let pages = RefCell::new(Pages::new(30));
    let e =
        block_on(ak_client().next_task(&env, Family::VideoExtend, &pages, NO_RETRY)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Decode);
}
