//! The wasm boundary, run by `scripts/test-wasm` in Node, a Chromium page and a Chromium worker: options,
//! the thrown `KlingError`'s shape, the injected fetch, abort signals, callbacks and iteration.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Function, Object, Reflect, JSON};
use kling_edge::wasm::client::KlingClient;
use kling_edge::wasm::functions::{parse_callback, sign_token, verify_callback};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

#[wasm_bindgen(module = "/tests/wasm/fixtures.js")]
extern "C" {
    #[wasm_bindgen(js_name = scriptedFetch)]
    fn scripted_fetch(script: JsValue) -> JsValue;
    fn envelope(data: JsValue) -> JsValue;
    #[wasm_bindgen(js_name = abortedSignal)]
    fn aborted_signal() -> JsValue;
    #[wasm_bindgen(js_name = isKlingError)]
    fn is_kling_error(e: &JsValue) -> bool;
    #[wasm_bindgen(js_name = inBrowser)]
    fn in_browser() -> bool;
    #[wasm_bindgen(js_name = jsonStringify)]
    fn json_stringify(v: &JsValue) -> String;
    fn collect(iterable: &JsValue) -> js_sys::Promise;
    #[wasm_bindgen(variadic)]
    fn invoke(object: &JsValue, method: &str, args: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = hostileValues)]
    fn hostile_values() -> Array;
    #[wasm_bindgen(js_name = oddSignOptions)]
    fn odd_sign_options() -> Array;
}

const AK: &str = "AXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";
const SK: &str = "SXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";

fn json(s: &str) -> JsValue {
    JSON::parse(s).expect("test JSON")
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).expect("property")
}

fn set(v: &JsValue, key: &str, value: &JsValue) {
    Reflect::set(v, &key.into(), value).expect("set");
}

/// A client on a scripted fetch; returns the client and the fetch's `calls` array.
fn client_with(script: &str, extra: &str) -> (KlingClient, Array) {
    let scripted = scripted_fetch(json(script));
    let opts = json(&format!(
        r#"{{"accessKey":"{AK}","secretKey":"{SK}","baseUrl":"http://kling.test","maxRetries":0,"dangerouslyAllowBrowser":true{extra}}}"#
    ));
    set(&opts, "fetch", &get(&scripted, "fetch"));
    let client = KlingClient::new(Some(opts)).expect("client");
    (client, get(&scripted, "calls").unchecked_into())
}

/// `resource[op](a, b)` as a promise: the client's resources, driven from Rust.
fn call(resource: &JsValue, op: &str, a: JsValue, b: Option<JsValue>) -> js_sys::Promise {
    let args = Array::of2(&a, &b.unwrap_or(JsValue::UNDEFINED));
    js_sys::Promise::resolve(&invoke(resource, op, &args))
}

fn task(id: &str, status: &str) -> String {
    format!(
        r#"{{"task_id":"{id}","task_status":"{status}","task_info":{{"external_task_id":"x"}},"created_at":1,"updated_at":1}}"#
    )
}

fn ok_response(data: &str) -> String {
    format!(
        r#"{{"status":200,"body":{{"code":0,"message":"SUCCEED","request_id":"req-1","data":{data}}}}}"#
    )
}

async fn rejection(p: js_sys::Promise) -> JsValue {
    match JsFuture::from(p).await {
        Ok(v) => panic!("expected a rejection, got {}", json_stringify(&v)),
        Err(e) => e,
    }
}

fn code(e: &JsValue) -> String {
    get(e, "code").as_string().unwrap_or_default()
}

#[wasm_bindgen_test]
fn sign_token_matches_the_kling_vector() {
    let t = sign_token(AK.into(), SK.into(), Some(json(r#"{"now":1999998200}"#))).expect("token");
    assert_eq!(t, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJBWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWCIsImV4cCI6MjAwMDAwMDAwMCwibmJmIjoxOTk5OTk4MTk1fQ.r7Zf1CUgwSM6tSpYVi6jO60Cczu6GavBu2iUn21lrQo");
}

#[wasm_bindgen_test]
fn sign_token_refuses_milliseconds_for_now() {
    let e = sign_token(AK.into(), SK.into(), Some(json(r#"{"now":1999998200000}"#)))
        .expect_err("must throw");
    assert!(is_kling_error(&e));
    assert_eq!(code(&e), "ERR_KLING_INVALID_OPTIONS");
}

#[wasm_bindgen_test]
fn sign_token_options_that_the_fast_path_cannot_take_get_a_precise_answer() {
    for case in odd_sign_options().iter() {
        let case: Array = case.into();
        let (options, expected) = (case.get(0), case.get(1).as_string());
        match (sign_token(AK.into(), SK.into(), Some(options)), expected) {
            (Ok(t), None) => assert_eq!(t.split('.').count(), 3),
            (Err(e), Some(text)) => {
                assert!(is_kling_error(&e));
                assert_eq!(code(&e), "ERR_KLING_INVALID_OPTIONS");
                let message = get(&e, "message").as_string().unwrap_or_default();
                assert!(message.contains(&text), "{message} should say {text}");
            }
            (outcome, expected) => panic!("{outcome:?} for a case expecting {expected:?}"),
        }
    }
}

#[wasm_bindgen_test]
fn bad_options_throw_a_real_kling_error() {
    for opts in [
        r#"{"accessKey":"a"}"#,
        r#"{"apiKey":"k","accessKey":"a","secretKey":"s"}"#,
        r#"{"region":"mars"}"#,
        r#"{"baseUrl":"ftp://x"}"#,
        r#"{"timeoutMs":-1}"#,
        r#"{"acessKey":"typo"}"#,
        r#"{"maxRetries":"2"}"#,
    ] {
        let e = KlingClient::new(Some(json(opts))).err().expect(opts);
        assert!(is_kling_error(&e), "{opts}");
        assert_eq!(code(&e), "ERR_KLING_INVALID_OPTIONS", "{opts}");
        assert_eq!(get(&e, "retryable"), JsValue::FALSE);
    }
}

#[wasm_bindgen_test]
fn the_client_never_serialises_a_secret() {
    let (client, _) = client_with("[]", "");
    let text = json_stringify(&client.into());
    assert!(
        text.contains("accessKey") && text.contains("kling.test"),
        "{text}"
    );
    assert!(!text.contains(SK), "{text}");
}

#[wasm_bindgen_test]
async fn extend_video_posts_the_documented_request_through_an_unbound_fetch() {
    let (client, calls) = client_with(&format!("[{}]", ok_response(&task("t1", "submitted"))), "");
    let t = JsFuture::from(call(
        &client.extensions(),
        "create",
        json(r#"{"video_id":"v1","prompt":"A puppy appears","cfg_scale":0.5}"#),
        None,
    ))
    .await
    .expect("task");
    assert_eq!(get(&t, "task_id").as_string().as_deref(), Some("t1"));
    assert_eq!(calls.length(), 1);
    let call = calls.get(0);
    assert_eq!(
        get(&call, "url").as_string().as_deref(),
        Some("http://kling.test/v1/videos/video-extend")
    );
    assert_eq!(get(&call, "method").as_string().as_deref(), Some("POST"));
    let headers = get(&call, "headers");
    assert!(get(&headers, "authorization")
        .as_string()
        .unwrap_or_default()
        .starts_with("Bearer eyJ"));
    assert_eq!(
        get(&headers, "content-type").as_string().as_deref(),
        Some("application/json")
    );
    let body = json(&get(&call, "body").as_string().expect("body"));
    assert_eq!(get(&body, "video_id").as_string().as_deref(), Some("v1"));
    assert!(get(&body, "external_task_id")
        .as_string()
        .unwrap_or_default()
        .starts_with("ke-"));
}

#[wasm_bindgen_test]
async fn an_invalid_parameter_rejects_before_any_request() {
    let (client, calls) = client_with("[]", "");
    let e = rejection(call(
        &client.extensions(),
        "create",
        json(r#"{"video_id":"v1","cfg_scale":2}"#),
        None,
    ))
    .await;
    assert!(is_kling_error(&e));
    assert_eq!(code(&e), "ERR_KLING_INVALID_REQUEST");
    assert_eq!(get(&e, "field").as_string().as_deref(), Some("cfg_scale"));
    let e = rejection(call(
        &client.extensions(),
        "create",
        json(r#"{"video_id":"v1","cfg_scale":null,"prompt":1}"#),
        None,
    ))
    .await;
    assert_eq!(get(&e, "field").as_string().as_deref(), Some("prompt"));
    assert_eq!(calls.length(), 0);
}

#[wasm_bindgen_test]
async fn an_account_error_carries_every_identifier_and_is_not_retried() {
    let script = r#"[{"status":429,"body":{"code":1102,"message":"resource pack exhausted","request_id":"req-1102"}}]"#;
    let (client, calls) = client_with(script, r#","maxRetries":2"#);
    let e = rejection(call(
        &client.extensions(),
        "create",
        json(r#"{"video_id":"v1"}"#),
        None,
    ))
    .await;
    assert!(is_kling_error(&e));
    assert_eq!(code(&e), "ERR_KLING_ACCOUNT");
    assert_eq!(get(&e, "apiCode").as_f64(), Some(1102.0));
    assert_eq!(get(&e, "status").as_f64(), Some(429.0));
    assert_eq!(
        get(&e, "requestId").as_string().as_deref(),
        Some("req-1102")
    );
    assert!(get(&e, "externalTaskId")
        .as_string()
        .unwrap_or_default()
        .starts_with("ke-"));
    assert_eq!(get(&e, "retryable"), JsValue::FALSE);
    assert_eq!(calls.length(), 1);
}

#[wasm_bindgen_test]
async fn an_aborted_signal_rejects_with_aborted() {
    let (client, calls) = client_with("[]", "");
    let opts = Object::new();
    set(&opts, "signal", &aborted_signal());
    let e = rejection(call(
        &client.extensions(),
        "get",
        "t1".into(),
        Some(opts.into()),
    ))
    .await;
    assert_eq!(code(&e), "ERR_KLING_ABORTED");
    assert_eq!(calls.length(), 0);
}

#[wasm_bindgen_test]
async fn a_failing_fetch_is_a_network_error() {
    let (client, calls) = client_with(r#"[{"throwMessage":"connection refused"}]"#, "");
    let e = rejection(call(&client.extensions(), "get", "t1".into(), None)).await;
    assert_eq!(code(&e), "ERR_KLING_NETWORK");
    assert!(get(&e, "message")
        .as_string()
        .unwrap_or_default()
        .contains("connection refused"));
    assert_eq!(get(&e, "retryable"), JsValue::TRUE);
    assert_eq!(calls.length(), 1);
}

#[wasm_bindgen_test]
async fn a_create_that_could_not_be_settled_says_task_may_exist_and_is_not_retryable() {
    let (client, calls) = client_with(r#"[{"throwMessage":"connection reset"}]"#, "");
    let e = rejection(call(
        &client.extensions(),
        "create",
        json(r#"{"video_id":"v"}"#),
        None,
    ))
    .await;
    assert_eq!(code(&e), "ERR_KLING_NETWORK");
    assert_eq!(get(&e, "taskMayExist"), JsValue::TRUE);
    assert_eq!(get(&e, "retryable"), JsValue::FALSE);
    let external = get(&e, "externalTaskId").as_string().unwrap_or_default();
    assert!(external.starts_with("ke-"), "{external}");
    assert_eq!(calls.length(), 1);
}

#[wasm_bindgen_test]
async fn wait_reports_progress_and_resolves_the_finished_task() {
    let script = format!(
        "[{},{}]",
        ok_response(&task("t1", "processing")),
        ok_response(&task("t1", "succeed"))
    );
    let (client, calls) = client_with(&script, "");
    let seen = Array::new();
    let push: Function = Reflect::get(&seen, &"push".into())
        .expect("push")
        .unchecked_into();
    let on_progress = push.bind0(&seen);
    let opts = json(r#"{"pollIntervalMs":1}"#);
    set(&opts, "onProgress", &on_progress);
    let t = JsFuture::from(call(&client.extensions(), "wait", "t1".into(), Some(opts)))
        .await
        .expect("task");
    assert_eq!(
        get(&t, "task_status").as_string().as_deref(),
        Some("succeed")
    );
    // Two polls; push(task, info) records both arguments of each report.
    assert_eq!(calls.length(), 2);
    assert_eq!(seen.length(), 4);
    assert_eq!(
        get(&seen.get(2), "task_status").as_string().as_deref(),
        Some("succeed")
    );
}

#[wasm_bindgen_test]
async fn a_failed_task_rejects_with_its_reason() {
    let failed = r#"{"task_id":"t9","task_status":"failed","task_status_msg":"risk control"}"#;
    let (client, _) = client_with(&format!("[{}]", ok_response(failed)), "");
    let e = rejection(call(&client.extensions(), "wait", "t9".into(), None)).await;
    assert_eq!(code(&e), "ERR_KLING_TASK_FAILED");
    assert_eq!(get(&e, "taskId").as_string().as_deref(), Some("t9"));
    assert_eq!(
        get(&e, "taskStatusMsg").as_string().as_deref(),
        Some("risk control")
    );
}

#[wasm_bindgen_test]
async fn list_walks_every_page_with_for_await() {
    let page1 = format!("[{},{}]", task("a", "succeed"), task("b", "succeed"));
    let page2 = format!("[{}]", task("c", "failed"));
    let (client, calls) = client_with(
        &format!("[{},{}]", ok_response(&page1), ok_response(&page2)),
        "",
    );
    let args = Array::of1(&json(r#"{"pageSize":2}"#));
    let walk = invoke(&client.extensions(), "list", &args);
    let all: Array = JsFuture::from(collect(&walk))
        .await
        .expect("collect")
        .unchecked_into();
    assert_eq!(all.length(), 3);
    assert_eq!(
        get(&calls.get(1), "url").as_string().as_deref(),
        Some("http://kling.test/v1/videos/video-extend?pageNum=2&pageSize=2")
    );
}

#[wasm_bindgen_test]
fn callbacks_parse_and_reject_forgeries() {
    let t = parse_callback(task("t1", "succeed").into()).expect("task");
    assert_eq!(get(&t, "task_id").as_string().as_deref(), Some("t1"));
    let e = parse_callback("not json".into()).expect_err("decode");
    assert_eq!(code(&e), "ERR_KLING_DECODE");
    let headers = json(
        r#"{"webhook-id":"msg_1","webhook-timestamp":"1999998200","webhook-signature":"v1,AAAA"}"#,
    );
    let e = verify_callback(
        headers,
        task("t1", "succeed").into(),
        "whsec_c2VjcmV0".into(),
        Some(json(r#"{"now":1999998200}"#)),
    )
    .expect_err("forged");
    assert!(is_kling_error(&e));
    assert_eq!(code(&e), "ERR_KLING_CALLBACK_SIGNATURE");
}

#[wasm_bindgen_test]
fn keys_in_a_browser_page_or_worker_need_dangerously_allow_browser() {
    let keys = format!(r#"{{"accessKey":"{AK}","secretKey":"{SK}"}}"#);
    let api_key = r#"{"apiKey":"k"}"#;
    for opts in [keys.as_str(), api_key] {
        let result = KlingClient::new(Some(json(opts)));
        if in_browser() {
            let e = result
                .err()
                .expect("refused in a page and in a browser's worker");
            assert_eq!(code(&e), "ERR_KLING_INVALID_OPTIONS");
            assert!(get(&e, "message")
                .as_string()
                .unwrap_or_default()
                .contains("dangerouslyAllowBrowser"));
        } else {
            assert!(result.is_ok(), "servers may hold keys");
        }
    }
    // A token is always fine: that is how pages should authenticate.
    assert!(KlingClient::new(Some(json(r#"{"token":"t"}"#))).is_ok());
}

/// Every export meets every hostile value; each call resolves or rejects with a KlingError — never a
/// wasm trap, which would poison the instance — and the same instance then still works.
#[wasm_bindgen_test]
async fn hostile_inputs_never_break_the_module_instance() {
    // Some values are valid for some calls (`listExtensions(undefined)`) and reach the empty
    // scripted fetch; what matters is that every failure is a KlingError.
    let (client, _) = client_with("[]", "");
    for value in hostile_values().iter() {
        let opt = || Some(value.clone());
        let mut outcomes: Vec<Result<JsValue, JsValue>> = vec![
            KlingClient::new(opt()).map(JsValue::from),
            sign_token(AK.into(), SK.into(), opt()).map(JsValue::from),
            parse_callback(value.clone()),
            verify_callback(value.clone(), value.clone(), "whsec_c2VjcmV0".into(), opt()),
        ];
        // list() returns a thenable; awaiting it runs the page request.
        let list = invoke(&client.extensions(), "list", &Array::of1(&value));
        outcomes.push(JsFuture::from(js_sys::Promise::resolve(&list)).await);
        for promise in [
            call(&client.extensions(), "create", value.clone(), opt()),
            call(&client.extensions(), "get", value.clone(), opt()),
            call(&client.extensions(), "list", value.clone(), opt()),
            call(&client.extensions(), "wait", value.clone(), opt()),
            call(&client.extensions(), "chain", value.clone(), opt()),
            call(&client.text_to_video(), "create", value.clone(), opt()),
            call(&client.image_to_video(), "create", value.clone(), opt()),
        ] {
            outcomes.push(JsFuture::from(promise).await);
        }
        for outcome in outcomes {
            if let Err(e) = outcome {
                assert!(
                    is_kling_error(&e),
                    "a foreign throw for {:?}: {:?}",
                    value,
                    e
                );
            }
        }
    }
    // The same instance still signs and still completes a request.
    sign_token_matches_the_kling_vector();
    extend_video_posts_the_documented_request_through_an_unbound_fetch().await;
}
