//! Any parameters a caller can pass → `Family::check_create` for every family (the capability
//! table included),
//! `Page::from_params` and `ChainPlan::from_params`, with oracles on what a success promises.
//!
//! Two values per input: the bytes parsed as JSON (when they are JSON), and a value built from the
//! same bytes with `arbitrary`, biased towards the documented field names and towards the edges of
//! every rule (strings of 2,500 ± 1 characters, multi-byte characters, numbers at 0 and 1, ids of
//! 256 characters, nested objects), so that the fuzzer is not stuck at JSON syntax.

#![no_main]

use arbitrary::{Result, Unstructured};
use kling_edge::api::chain::ChainPlan;
use kling_edge::api::model::{Family, Page};
use kling_edge::api::validate::MAX_PROMPT_CHARS;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Number, Value};

const FAMILIES: [Family; 4] = Family::ALL;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = serde_json::from_slice::<Value>(data) {
        check(&value);
    }
    let mut u = Unstructured::new(data);
    if let Ok(value) = params(&mut u) {
        check(&value);
    }
});

fn check(value: &Value) {
    for family in FAMILIES {
        if let Ok(checked) = family.check_create(value) {
            let body = checked.to_json();
            let map = body
                .as_object()
                .expect("a checked body is an object")
                .clone();
            assert!(map.values().all(|v| !v.is_null()), "a null was kept");
            for key in ["prompt", "negative_prompt"] {
                if let Some(s) = map.get(key).and_then(Value::as_str) {
                    assert!(s.chars().count() <= MAX_PROMPT_CHARS, "{key} too long");
                }
            }
            if let Some(x) = map.get("cfg_scale") {
                let x = x.as_f64().expect("cfg_scale is a number");
                assert!((0.0..=1.0).contains(&x), "cfg_scale {x}");
            }
            // A checked body checks again, also after a trip through JSON text.
            let again = Value::Object(map);
            assert!(family.check_create(&again).is_ok(), "not idempotent");
            let text = serde_json::to_string(&again).expect("serialises");
            let back: Value = serde_json::from_str(&text).expect("parses back");
            assert!(family.check_create(&back).is_ok(), "JSON round trip");
        }
    }
    if let Ok(page) = Page::from_params(Some(value)) {
        assert!((1..=1000).contains(&page.num) && (1..=500).contains(&page.size));
    }
    if let Ok(plan) = ChainPlan::from_params(value) {
        assert!(!plan.is_empty() && plan.len() <= 36, "{} steps", plan.len());
    }
}

const KEYS: &[&str] = &[
    "video_id",
    "prompt",
    "negative_prompt",
    "cfg_scale",
    "watermark_info",
    "enabled",
    "callback_url",
    "external_task_id",
    "model_name",
    "mode",
    "aspect_ratio",
    "duration",
    "camera_control",
    "image",
    "image_tail",
    "static_mask",
    "dynamic_masks",
    "sound",
    "multi_shot",
    "shot_type",
    "multi_prompt",
    "index",
    "image_list",
    "image_url",
    "type",
    "video_list",
    "video_url",
    "refer_type",
    "keep_original_sound",
    "element_list",
    "element_id",
    "prompts",
    "video_duration",
    "pageNum",
    "pageSize",
    "task_id",
];

const WORDS: &[&str] = &[
    "std",
    "pro",
    "5",
    "10",
    "16:9",
    "9:16",
    "1:1",
    "kling-v1",
    "kling-v1-6",
    "kling-v3",
    "kling-v3-omni",
    "kling-video-o1",
    "kling-v2-6",
    "15",
    "on",
    "customize",
    "first_frame",
    "end_frame",
    "feature",
    "base",
    "<<<image_1>>>",
    "<<<video_1>>>",
    "https://example.com/cb",
    "http://h",
    "https://",
    "https:// x",
    "data:image/png;base64,AAAA",
    "iVBORw0KGgo=",
    "",
    " ",
    "\u{0}",
    "\u{7f}",
    "743211632612511839",
    "9.4",
    "-1",
    "1e309",
    "NaN",
];

/// Characters of 1 to 4 UTF-8 bytes, and controls, for lengths counted in characters.
const CHARS: &[char] = &['a', 'é', '中', '🎬', '\n', '\u{85}', ' ', '\u{200b}'];

/// Lengths that sit on the rules' edges.
const LENGTHS: &[usize] = &[0, 1, 63, 64, 65, 255, 256, 257, 2499, 2500, 2501, 5000];

fn params(u: &mut Unstructured) -> Result<Value> {
    if u.ratio(1, 8)? {
        return value(u, 0);
    }
    object(u, 0)
}

fn object(u: &mut Unstructured, depth: u32) -> Result<Value> {
    let mut map = Map::new();
    let n = u.int_in_range(0..=8)?;
    for _ in 0..n {
        let key = if u.ratio(7, 8)? {
            (*u.choose(KEYS)?).to_string()
        } else {
            u.arbitrary::<String>()?
        };
        map.insert(key, value(u, depth + 1)?);
    }
    Ok(Value::Object(map))
}

fn value(u: &mut Unstructured, depth: u32) -> Result<Value> {
    let pick = if depth > 4 {
        u.int_in_range(0..=5)?
    } else {
        u.int_in_range(0..=8)?
    };
    Ok(match pick {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => number(u)?,
        3 => Value::String((*u.choose(WORDS)?).to_string()),
        4 => Value::String(long_string(u)?),
        5 => Value::String(u.arbitrary()?),
        6 | 7 => object(u, depth)?,
        _ => {
            let n = u.int_in_range(0..=40)?;
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(value(u, depth + 1)?);
            }
            Value::Array(items)
        }
    })
}

fn long_string(u: &mut Unstructured) -> Result<String> {
    let len = (*u.choose(LENGTHS)?).saturating_add_signed(u.int_in_range(-2..=2)?);
    let fill = *u.choose(CHARS)?;
    let mut s: String = std::iter::repeat_n(fill, len).collect();
    // Sometimes one different character at an edge.
    if u.ratio(1, 2)? {
        let c = *u.choose(CHARS)?;
        if u.arbitrary()? {
            s.insert(0, c);
        } else {
            s.push(c);
        }
    }
    Ok(s)
}

fn number(u: &mut Unstructured) -> Result<Value> {
    let f: f64 = match u.int_in_range(0..=5)? {
        0 => *u.choose(&[
            0.0,
            -0.0,
            1.0,
            0.5,
            1.0 + f64::EPSILON,
            -f64::MIN_POSITIVE,
            f64::MIN_POSITIVE,
            5e-324,
            180.0,
            175.0,
            1000.0,
            1001.0,
            500.0,
            f64::MAX,
            f64::MIN,
            4294967296.0,
            1e21,
        ])?,
        1 => return Ok(Value::Number(Number::from(u.arbitrary::<i64>()?))),
        2 => return Ok(Value::Number(Number::from(u.arbitrary::<u64>()?))),
        3 => f64::from(u.int_in_range(-2..=1002)?),
        4 => f64::from(u.int_in_range(-1000..=2000)?) / 1000.0,
        _ => u.arbitrary()?,
    };
    Ok(Number::from_f64(f).map_or(Value::Null, Value::Number))
}
