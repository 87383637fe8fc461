//! The exact requests the core sends: method, URL, headers, body and timeout, for every endpoint
//! family and every credential form.
#![cfg(not(target_arch = "wasm32"))]
// Errors carry every identifier (as in the library); their size does not matter in tests.
#![allow(clippy::result_large_err)]

mod support;

use kling_edge::api::client::{CN_BASE_URL, DEFAULT_TIMEOUT_MS, GLOBAL_BASE_URL};
use kling_edge::api::http::{Method, Request};
use kling_edge::api::options::Token;
use kling_edge::api::{sign_token, Client, ClientOptions, Family, Page, RequestOptions, Secret};
use serde_json::{json, Value};
use support::*;

fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn bearer_vector() -> String {
    format!("Bearer {VECTOR_TOKEN}")
}

fn post(url: &str, auth: Option<&str>, body: &str) -> Request<Value> {
    let mut h = vec![("accept", "application/json")];
    if let Some(a) = auth {
        h.push(("authorization", a));
    }
    h.push(("content-type", "application/json"));
    Request {
        method: Method::Post,
        url: url.to_string(),
        headers: headers(&h),
        body: Some(serde_json::from_str(body).expect("a JSON body")),
    }
}

fn get(url: &str, auth: Option<&str>) -> Request<Value> {
    let mut h = vec![("accept", "application/json")];
    if let Some(a) = auth {
        h.push(("authorization", a));
    }
    Request {
        method: Method::Get,
        url: url.to_string(),
        headers: headers(&h),
        body: None,
    }
}

#[test]
fn extend_video_posts_the_whole_documented_request_with_the_vector_token() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t-1", "submitted")));
    let params = json!({
        "video_id": "v-source",
        "prompt": "the camera pulls back",
        "negative_prompt": "blur",
        "cfg_scale": 0.5,
        "watermark_info": {"enabled": true},
        "callback_url": "https://example.com/hook?token=abc",
    });
    let created = block_on(ak_client().create(
        &env,
        Family::VideoExtend,
        &params,
        RequestOptions::default(),
    ))
    .unwrap();
    assert_eq!(created.id(), "t-1");
    let sent = env.sent();
    assert_eq!(sent.len(), 1);
    let body = json!({
        "video_id": "v-source",
        "prompt": "the camera pulls back",
        "negative_prompt": "blur",
        "cfg_scale": 0.5,
        "watermark_info": {"enabled": true},
        "callback_url": "https://example.com/hook?token=abc",
        "external_task_id": GENERATED_ID,
    });
    assert_eq!(
        sent[0].request,
        post(EXTEND_URL, Some(&bearer_vector()), &body.to_string())
    );
    assert_eq!(sent[0].json(), body);
    assert_eq!(sent[0].timeout_ms, 60_000);
    assert_eq!(sent[0].at_ms, T0_MS);
}

#[test]
fn generated_external_task_id_is_ke_and_24_hex_digits_from_the_host_randomness() {
    let env = ScriptedEnv::new();
    env.set_random(&[0xde, 0xad, 0xbe, 0xef, 0x01, 0x23]);
    env.reply(ok(task("t-1", "submitted")));
    block_on(ak_client().create(
        &env,
        Family::VideoExtend,
        &json!({"video_id": "v"}),
        RequestOptions::default(),
    ))
    .unwrap();
    let id = env.sent()[0].json()["external_task_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(id, "ke-deadbeef0123deadbeef0123");
    assert_eq!(id.len(), 3 + 24);
    assert!(id[3..]
        .chars()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
}

#[test]
fn get_extension_percent_encodes_the_id_and_sends_no_body_or_content_type() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t 1/ü", "processing")));
    let t = block_on(ak_client().get_task(
        &env,
        Family::VideoExtend,
        "my id/ü?#~._-",
        RequestOptions::default(),
    ))
    .unwrap();
    assert_eq!(t.id(), "t 1/ü");
    assert_eq!(
        env.sent()[0].request,
        get(
            &format!("{EXTEND_URL}/my%20id%2F%C3%BC%3F%23~._-"),
            Some(&bearer_vector())
        )
    );
}

#[test]
fn list_extensions_sends_page_num_and_page_size() {
    let env = ScriptedEnv::new();
    env.reply(ok(json!([task("a", "succeed"), task("b", "failed")])));
    let tasks = block_on(ak_client().list_tasks(
        &env,
        Family::VideoExtend,
        Page { num: 7, size: 42 },
        RequestOptions::default(),
    ))
    .unwrap();
    assert_eq!(tasks.iter().map(|t| t.id()).collect::<Vec<_>>(), ["a", "b"]);
    assert_eq!(
        env.sent()[0].request,
        get(
            &format!("{EXTEND_URL}?pageNum=7&pageSize=42"),
            Some(&bearer_vector())
        )
    );
}

#[test]
fn default_list_parameters_are_page_1_of_30() {
    let page = Page::from_params(Some(&json!({}))).unwrap();
    assert_eq!(page, Page { num: 1, size: 30 });
    assert_eq!(
        Page::from_params::<Value>(None).unwrap(),
        Page { num: 1, size: 30 }
    );
}

#[test]
fn text_to_video_create_get_and_list_use_the_text2video_paths() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t2v", "submitted")))
        .reply(ok(task("t2v", "processing")))
        .reply(ok(json!([])));
    let client = ak_client();
    let params = json!({
        "model_name": "kling-v3",
        "prompt": "a cat on a skateboard",
        "mode": "pro",
        "aspect_ratio": "9:16",
        "duration": "10",
        "camera_control": {"type": "simple"},
        "external_task_id": "mine-1",
    });
    block_on(client.create(
        &env,
        Family::TextToVideo,
        &params,
        RequestOptions::default(),
    ))
    .unwrap();
    block_on(client.get_task(&env, Family::TextToVideo, "t2v", RequestOptions::default())).unwrap();
    block_on(client.list_tasks(
        &env,
        Family::TextToVideo,
        Page { num: 1, size: 30 },
        RequestOptions::default(),
    ))
    .unwrap();
    let sent = env.sent();
    let b = bearer_vector();
    assert_eq!(
        sent[0].request,
        post(T2V_URL, Some(&b), &params.to_string())
    );
    assert_eq!(sent[1].request, get(&format!("{T2V_URL}/t2v"), Some(&b)));
    assert_eq!(
        sent[2].request,
        get(&format!("{T2V_URL}?pageNum=1&pageSize=30"), Some(&b))
    );
}

#[test]
fn image_to_video_create_get_and_list_use_the_image2video_paths() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("i2v", "submitted")))
        .reply(ok(task("i2v", "succeed")))
        .reply(ok(json!([task("i2v", "succeed")])));
    let client = ak_client();
    let params = json!({
        "model_name": "kling-v3",
        "image": "https://example.com/a.png",
        "image_tail": "iVBORw0KGgo=",
        "prompt": "wind",
        "cfg_scale": 1.0,
        "duration": "5",
    });
    block_on(client.create(
        &env,
        Family::ImageToVideo,
        &params,
        RequestOptions::default(),
    ))
    .unwrap();
    block_on(client.get_task(&env, Family::ImageToVideo, "i2v", RequestOptions::default()))
        .unwrap();
    block_on(client.list_tasks(
        &env,
        Family::ImageToVideo,
        Page {
            num: 1000,
            size: 500,
        },
        RequestOptions::default(),
    ))
    .unwrap();
    let sent = env.sent();
    let b = bearer_vector();
    let mut body = params.clone();
    body["external_task_id"] = json!(GENERATED_ID);
    assert_eq!(sent[0].request, post(I2V_URL, Some(&b), &body.to_string()));
    assert_eq!(sent[1].request, get(&format!("{I2V_URL}/i2v"), Some(&b)));
    assert_eq!(
        sent[2].request,
        get(&format!("{I2V_URL}?pageNum=1000&pageSize=500"), Some(&b))
    );
}

#[test]
fn null_fields_are_dropped_rather_than_sent() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t", "submitted")));
    let params = json!({"video_id": "v", "prompt": null, "callback_url": null});
    block_on(ak_client().create(
        &env,
        Family::VideoExtend,
        &params,
        RequestOptions::default(),
    ))
    .unwrap();
    assert_eq!(
        env.sent()[0].json(),
        json!({"video_id": "v", "external_task_id": GENERATED_ID})
    );
}

#[test]
fn api_key_is_sent_as_a_bearer_token() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t", "succeed")));
    block_on(api_key_client("kling-api-key-123").get_task(
        &env,
        Family::VideoExtend,
        "t",
        RequestOptions::default(),
    ))
    .unwrap();
    assert_eq!(
        env.sent()[0].request,
        get(&format!("{EXTEND_URL}/t"), Some("Bearer kling-api-key-123"))
    );
}

#[test]
fn static_token_is_sent_as_is() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t", "succeed")));
    let client = Client::new(&ClientOptions::<()> {
        token: Some(Token::Fixed(Secret::new("pre.signed.jwt"))),
        ..ClientOptions::default()
    })
    .unwrap();
    block_on(client.get_task(&env, Family::VideoExtend, "t", RequestOptions::default())).unwrap();
    assert_eq!(
        env.sent()[0].request,
        get(&format!("{EXTEND_URL}/t"), Some("Bearer pre.signed.jwt"))
    );
}

fn provider_client() -> Client {
    Client::new(&ClientOptions::<()> {
        token: Some(Token::Provider(())),
        ..ClientOptions::default()
    })
    .unwrap()
}

#[test]
fn token_provider_jwt_is_reused_until_its_exp_nears() {
    let env = ScriptedEnv::new();
    let later = sign_token(AK, SK, T0_S + 1500, 1800);
    env.token(Ok(VECTOR_TOKEN)).token(Ok(&later));
    for _ in 0..3 {
        env.reply(ok(task("t", "succeed")));
    }
    let client = provider_client();
    let get = || {
        block_on(client.get_task(&env, Family::VideoExtend, "t", RequestOptions::default()))
            .unwrap()
    };
    get();
    env.advance(1_499_000.0); // 301 s before the provider's token expires
    get();
    assert_eq!(env.token_calls(), 1);
    env.advance(1_000.0); // 300 s before: ask again
    get();
    assert_eq!(env.token_calls(), 2);
    let tokens: Vec<String> = env.sent().iter().map(|s| s.bearer().to_string()).collect();
    assert_eq!(tokens, [VECTOR_TOKEN, VECTOR_TOKEN, later.as_str()]);
}

#[test]
fn token_provider_opaque_token_is_reused_until_kling_refuses_it() {
    let env = ScriptedEnv::new();
    env.token(Ok("opaque-1")).token(Ok("opaque-2"));
    env.reply(ok(task("t", "succeed")))
        .reply(api_error(401, 1004, "expired"))
        .reply(ok(task("t", "succeed")));
    let client = provider_client();
    for _ in 0..2 {
        block_on(client.get_task(&env, Family::VideoExtend, "t", RequestOptions::default()))
            .unwrap();
        env.advance(86_400_000.0);
    }
    let tokens: Vec<String> = env.sent().iter().map(|s| s.bearer().to_string()).collect();
    assert_eq!(tokens, ["opaque-1", "opaque-1", "opaque-2"]);
    assert_eq!(env.token_calls(), 2);
}

#[test]
fn empty_token_from_the_provider_is_refused_before_sending() {
    let env = ScriptedEnv::new();
    env.token(Ok("  "));
    let client = provider_client();
    let e = block_on(client.get_task(&env, Family::VideoExtend, "t", RequestOptions::default()))
        .unwrap_err();
    assert_eq!(e.kind.code(), "ERR_KLING_INVALID_OPTIONS");
    assert_eq!(env.count(), 0);
}

#[test]
fn no_credentials_sends_no_authorization_header() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t", "submitted")));
    let client = Client::new(&ClientOptions::<()> {
        base_url: Some("http://localhost:8787/kling/".into()),
        ..ClientOptions::default()
    })
    .unwrap();
    block_on(client.create(
        &env,
        Family::VideoExtend,
        &json!({"video_id": "v", "external_task_id": "x"}),
        RequestOptions::default(),
    ))
    .unwrap();
    assert_eq!(
        env.sent()[0].request,
        post(
            "http://localhost:8787/kling/v1/videos/video-extend",
            None,
            r#"{"external_task_id":"x","video_id":"v"}"#
        )
    );
}

#[test]
fn region_cn_uses_the_beijing_host() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t", "succeed")));
    let client = Client::new(&ClientOptions::<()> {
        region: Some("cn".into()),
        ..ak_options()
    })
    .unwrap();
    assert_eq!(client.config().base_url, CN_BASE_URL);
    block_on(client.get_task(&env, Family::VideoExtend, "t", RequestOptions::default())).unwrap();
    assert_eq!(
        env.sent()[0].url(),
        "https://api-beijing.klingai.com/v1/videos/video-extend/t"
    );
}

#[test]
fn region_global_and_no_region_use_the_singapore_host() {
    for region in [None, Some("global".to_string())] {
        let client = Client::new(&ClientOptions::<()> {
            region,
            ..ak_options()
        })
        .unwrap();
        assert_eq!(client.config().base_url, GLOBAL_BASE_URL);
        assert_eq!(client.config().base_url, GLOBAL);
    }
}

#[test]
fn base_url_trailing_slashes_are_trimmed() {
    let client = Client::new(&ClientOptions::<()> {
        base_url: Some("https://proxy.example.com/kling//".into()),
        ..ak_options()
    })
    .unwrap();
    assert_eq!(client.config().base_url, "https://proxy.example.com/kling");
}

#[test]
fn timeout_is_60000_by_default_and_per_call_overrides_win() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t", "succeed")))
        .reply(ok(task("t", "succeed")));
    let client = ak_client();
    assert_eq!(client.config().timeout_ms, DEFAULT_TIMEOUT_MS);
    block_on(client.get_task(&env, Family::VideoExtend, "t", RequestOptions::default())).unwrap();
    block_on(client.get_task(
        &env,
        Family::VideoExtend,
        "t",
        RequestOptions {
            timeout_ms: Some(1234),
            max_retries: None,
        },
    ))
    .unwrap();
    let timeouts: Vec<u32> = env.sent().iter().map(|s| s.timeout_ms).collect();
    assert_eq!(timeouts, [60_000, 1234]);
}

#[test]
fn client_timeout_option_applies_to_every_attempt() {
    let env = ScriptedEnv::new();
    env.fail(kling_edge::api::http::TransportError::Timeout)
        .reply(ok(task("t", "succeed")));
    let client = Client::new(&ClientOptions::<()> {
        timeout_ms: Some(2500.0),
        ..ak_options()
    })
    .unwrap();
    block_on(client.get_task(&env, Family::VideoExtend, "t", RequestOptions::default())).unwrap();
    let timeouts: Vec<u32> = env.sent().iter().map(|s| s.timeout_ms).collect();
    assert_eq!(timeouts, [2500, 2500]);
}

#[test]
fn per_call_options_are_checked() {
    assert_eq!(
        RequestOptions::from_raw(Some(10.0), Some(0.0))
            .map(|o| (o.timeout_ms, o.max_retries))
            .unwrap(),
        (Some(10), Some(0))
    );
    for (t, r) in [(Some(0.0), None), (None, Some(11.0)), (None, Some(-1.0))] {
        assert_eq!(
            RequestOptions::from_raw(t, r).unwrap_err().kind.code(),
            "ERR_KLING_INVALID_OPTIONS"
        );
    }
}

#[test]
fn every_returned_task_carries_the_request_id_of_its_answer() {
    let env = ScriptedEnv::new();
    env.reply(ok(task("t-1", "submitted")))
        .reply(ok(task("t-1", "processing")))
        .reply(json_response(
            200,
            &json!({"code": 0, "message": "SUCCEED", "request_id": "req-list", "data": [task("a", "succeed"), task("b", "failed")]}),
        ))
        .reply(
            raw(200, br#"{"code":0,"data":{"task_id":"t-2","task_status":"submitted"}}"#)
                .with("x-request-id", "req-from-header"),
        );
    let client = ak_client();
    let opts = RequestOptions::default();
    let created =
        block_on(client.create(&env, Family::VideoExtend, &json!({"video_id": "v"}), opts))
            .unwrap();
    assert_eq!(created.request_id(), Some("req-ok"));
    let got = block_on(client.get_task(&env, Family::VideoExtend, "t-1", opts)).unwrap();
    assert_eq!(got.request_id(), Some("req-ok"));
    let page =
        block_on(client.list_tasks(&env, Family::VideoExtend, Page { num: 1, size: 30 }, opts))
            .unwrap();
    assert_eq!(
        page.iter().map(|t| t.request_id()).collect::<Vec<_>>(),
        [Some("req-list"); 2]
    );
    let header = block_on(client.get_task(&env, Family::VideoExtend, "t-2", opts)).unwrap();
    assert_eq!(header.request_id(), Some("req-from-header"));
}
