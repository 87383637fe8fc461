//! The endpoints' request shapes: which fields each accepts and the documented rule for each.

use serde_json::{Map, Value};

use crate::api::error::Error;
use crate::api::validate::{check_body, check_int, Field, Rule, MAX_ID_CHARS, MAX_PROMPT_CHARS};

/// The three task families this client speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `/v1/videos/video-extend`.
    VideoExtend,
    /// `/v1/videos/text2video`.
    TextToVideo,
    /// `/v1/videos/image2video`.
    ImageToVideo,
}

impl Family {
    /// The family by its path's last segment: `video-extend`, `text2video`, `image2video`.
    pub fn from_name(name: &str) -> Option<Family> {
        match name {
            "video-extend" => Some(Family::VideoExtend),
            "text2video" => Some(Family::TextToVideo),
            "image2video" => Some(Family::ImageToVideo),
            _ => None,
        }
    }

    /// The endpoint's path.
    pub fn path(self) -> &'static str {
        match self {
            Family::VideoExtend => "/v1/videos/video-extend",
            Family::TextToVideo => "/v1/videos/text2video",
            Family::ImageToVideo => "/v1/videos/image2video",
        }
    }

    /// Checks a create body against the family's documented fields.
    pub fn check_create(self, body: &Value) -> Result<Map<String, Value>, Error> {
        match self {
            Family::VideoExtend => check_body(body, EXTEND_FIELDS, EXTEND_HINTS),
            Family::TextToVideo => {
                check_model(check_body(body, TEXT2VIDEO_FIELDS, GENERATE_HINTS)?)
            }
            Family::ImageToVideo => {
                check_model(check_body(body, IMAGE2VIDEO_FIELDS, GENERATE_HINTS)?)
            }
        }
    }
}

/// A generation for a discontinued model fails on Kling, so it is refused before it is sent —
/// and so is one without `model_name`, which asks for Kling's default, kling-v1.
fn check_model(body: Map<String, Value>) -> Result<Map<String, Value>, Error> {
    let advice = "use kling-v1-6 or kling-v1-5 for a video you will extend (newer models generate but cannot be extended)";
    match body.get("model_name").and_then(Value::as_str) {
        None => Err(Error::invalid_request(
            "model_name",
            format!(
                "`model_name` is required: Kling's default, kling-v1, is discontinued; {advice}"
            ),
        )),
        Some(m) if DISCONTINUED_MODELS.contains(&m) => Err(Error::invalid_request(
            "model_name",
            format!(
                "`model_name` {m} is discontinued: Kling no longer generates with it; {advice}"
            ),
        )),
        Some(_) => Ok(body),
    }
}

const fn opt(name: &'static str, rule: Rule) -> Field {
    Field {
        name,
        required: false,
        rule,
    }
}
const fn req(name: &'static str, rule: Rule) -> Field {
    Field {
        name,
        required: true,
        rule,
    }
}

const PROMPT: Rule = Rule::Text(MAX_PROMPT_CHARS);
const CFG_SCALE: Rule = Rule::Number(0.0, 1.0);
const ID: Rule = Rule::Id(MAX_ID_CHARS);
const MODE: Rule = Rule::OneOf(&["std", "pro"]);
const DURATION: Rule = Rule::OneOf(&["5", "10"]);
const MODEL: Rule = Rule::Text(64);

/// `POST /v1/videos/video-extend`.
pub const EXTEND_FIELDS: &[Field] = &[
    req("video_id", ID),
    opt("prompt", PROMPT),
    opt("negative_prompt", PROMPT),
    opt("cfg_scale", CFG_SCALE),
    opt("watermark_info", Rule::Watermark),
    opt("callback_url", Rule::CallbackUrl),
    opt("external_task_id", ID),
];

const INHERITED: &str =
    "an extension inherits the model, mode and length step from its source video";

/// The mistakes of the widespread third-party guide, each answered with the right way.
const EXTEND_HINTS: &[(&str, &str)] = &[
    (
        "task_id",
        "video-extend takes `video_id`, the id of a video (task_result.videos[0].id of the source task), not a task id",
    ),
    ("duration", INHERITED),
    ("mode", INHERITED),
    ("model_name", INHERITED),
];

const GENERATE_HINTS: &[(&str, &str)] = &[(
    "video_id",
    "text2video and image2video create source videos; use extendVideo to extend a video",
)];

/// `POST /v1/videos/text2video`.
pub const TEXT2VIDEO_FIELDS: &[Field] = &[
    opt("model_name", MODEL),
    req("prompt", PROMPT),
    opt("negative_prompt", PROMPT),
    opt("cfg_scale", CFG_SCALE),
    opt("mode", MODE),
    opt("aspect_ratio", Rule::OneOf(&["16:9", "9:16", "1:1"])),
    opt("duration", DURATION),
    opt("camera_control", Rule::Object),
    opt("watermark_info", Rule::Watermark),
    opt("callback_url", Rule::CallbackUrl),
    opt("external_task_id", ID),
];

/// `POST /v1/videos/image2video`.
pub const IMAGE2VIDEO_FIELDS: &[Field] = &[
    opt("model_name", MODEL),
    req("image", Rule::Image),
    opt("image_tail", Rule::Image),
    opt("prompt", PROMPT),
    opt("negative_prompt", PROMPT),
    opt("cfg_scale", CFG_SCALE),
    opt("mode", MODE),
    opt("duration", DURATION),
    opt("static_mask", Rule::Image),
    opt("dynamic_masks", Rule::Array),
    opt("camera_control", Rule::Object),
    opt("watermark_info", Rule::Watermark),
    opt("callback_url", Rule::CallbackUrl),
    opt("external_task_id", ID),
];

/// The models whose videos Kling can extend. kling-v1 videos could be, but it no longer generates,
/// and media is purged after 30 days: in practice only kling-v1-5 and kling-v1-6 sources remain.
pub const EXTENDABLE_MODELS: &[&str] = &["kling-v1", "kling-v1-5", "kling-v1-6"];

/// Models Kling no longer generates with (a 2026-09 call: "The model 'kling-v1' has been
/// discontinued and is no longer available").
pub const DISCONTINUED_MODELS: &[&str] = &["kling-v1"];

/// One page of a list query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// 1..=1000.
    pub num: u32,
    /// 1..=500.
    pub size: u32,
}

/// Kling's largest page.
pub const MAX_PAGE_SIZE: u32 = 500;
/// Kling's default page size.
pub const DEFAULT_PAGE_SIZE: u32 = 30;
/// Kling's last page number.
pub const MAX_PAGE_NUM: u32 = 1000;

impl Page {
    /// Reads `{pageNum?, pageSize?}`, checking Kling's ranges.
    pub fn from_value(v: &Value) -> Result<Page, Error> {
        if !(v.is_object() || v.is_null()) {
            return Err(Error::invalid_request(
                "params",
                "the list parameters must be an object",
            ));
        }
        Ok(Page {
            num: check_int("pageNum", v.get("pageNum"), 1, MAX_PAGE_NUM)?.unwrap_or(1),
            size: check_int("pageSize", v.get("pageSize"), 1, MAX_PAGE_SIZE)?
                .unwrap_or(DEFAULT_PAGE_SIZE),
        })
    }
}
