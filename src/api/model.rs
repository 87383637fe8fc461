//! The endpoints' request shapes: which fields each accepts and the documented rule for each.

use crate::api::env::Json;
use crate::api::error::Error;
use crate::api::params::{ExtendParams, ImageToVideoParams, ListParams, TextToVideoParams};
use crate::api::validate::{
    array, callback_url, id, image, number, object, one_of, parse, text, whole, MAX_PROMPT_CHARS,
};

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

    /// Reads and checks the caller's create parameters against the family's documented fields;
    /// what comes back is what is sent (nulls dropped).
    pub fn check_create<J: Json>(self, params: &J) -> Result<CreateParams<J>, Error> {
        match self {
            Family::VideoExtend => {
                let p: ExtendParams = parse(params, EXTEND_HINTS)?;
                check_extend(&p)?;
                Ok(CreateParams::Extend(p))
            }
            Family::TextToVideo => {
                let p: TextToVideoParams<J> = parse(params, GENERATE_HINTS)?;
                text("prompt", &p.prompt, MAX_PROMPT_CHARS, true)?;
                check_shared(
                    &p.negative_prompt,
                    p.cfg_scale,
                    &p.callback_url,
                    &p.external_task_id,
                )?;
                one_of("mode", &p.mode, MODES)?;
                one_of("aspect_ratio", &p.aspect_ratio, ASPECT_RATIOS)?;
                one_of("duration", &p.duration, DURATIONS)?;
                object("camera_control", &p.camera_control)?;
                check_model(&p.model_name)?;
                Ok(CreateParams::TextToVideo(p))
            }
            Family::ImageToVideo => {
                let p: ImageToVideoParams<J> = parse(params, GENERATE_HINTS)?;
                image("image", &p.image, true)?;
                image("image_tail", &p.image_tail, false)?;
                image("static_mask", &p.static_mask, false)?;
                text("prompt", &p.prompt, MAX_PROMPT_CHARS, false)?;
                check_shared(
                    &p.negative_prompt,
                    p.cfg_scale,
                    &p.callback_url,
                    &p.external_task_id,
                )?;
                one_of("mode", &p.mode, MODES)?;
                one_of("duration", &p.duration, DURATIONS)?;
                array("dynamic_masks", &p.dynamic_masks)?;
                object("camera_control", &p.camera_control)?;
                check_model(&p.model_name)?;
                Ok(CreateParams::ImageToVideo(p))
            }
        }
    }
}

/// Checked create parameters of one family: what is sent.
#[derive(Debug, Clone, PartialEq)]
pub enum CreateParams<J> {
    /// `video-extend`.
    Extend(ExtendParams),
    /// `text2video`.
    TextToVideo(TextToVideoParams<J>),
    /// `image2video`.
    ImageToVideo(ImageToVideoParams<J>),
}

impl<J: Json> CreateParams<J> {
    /// The `external_task_id`, when one is set.
    pub fn external_task_id(&self) -> Option<&str> {
        match self {
            CreateParams::Extend(p) => p.external_task_id.as_deref(),
            CreateParams::TextToVideo(p) => p.external_task_id.as_deref(),
            CreateParams::ImageToVideo(p) => p.external_task_id.as_deref(),
        }
    }

    /// Sets the `external_task_id`.
    pub fn set_external_task_id(&mut self, id: String) {
        let slot = match self {
            CreateParams::Extend(p) => &mut p.external_task_id,
            CreateParams::TextToVideo(p) => &mut p.external_task_id,
            CreateParams::ImageToVideo(p) => &mut p.external_task_id,
        };
        *slot = Some(id);
    }

    /// The `video_id` an extension extends.
    pub fn video_id(&self) -> Option<&str> {
        match self {
            CreateParams::Extend(p) => p.video_id.as_deref(),
            _ => None,
        }
    }

    /// The body to send, as the host's value.
    pub fn to_json(&self) -> J {
        match self {
            CreateParams::Extend(p) => J::make(p),
            CreateParams::TextToVideo(p) => J::make(p),
            CreateParams::ImageToVideo(p) => J::make(p),
        }
    }
}

/// The checks of an extension's values (its shape is the type's).
pub fn check_extend(p: &ExtendParams) -> Result<(), Error> {
    id("video_id", &p.video_id, true)?;
    text("prompt", &p.prompt, MAX_PROMPT_CHARS, false)?;
    check_shared(
        &p.negative_prompt,
        p.cfg_scale,
        &p.callback_url,
        &p.external_task_id,
    )
}

/// The fields every family shares.
fn check_shared(
    negative_prompt: &Option<String>,
    cfg_scale: Option<f64>,
    callback: &Option<String>,
    external_task_id: &Option<String>,
) -> Result<(), Error> {
    text("negative_prompt", negative_prompt, MAX_PROMPT_CHARS, false)?;
    number("cfg_scale", cfg_scale, 0.0, 1.0)?;
    callback_url("callback_url", callback)?;
    id("external_task_id", external_task_id, false)
}

/// A generation for a discontinued model fails on Kling, so it is refused before it is sent —
/// and so is one without `model_name`, which asks for Kling's default, kling-v1.
fn check_model(model: &Option<String>) -> Result<(), Error> {
    let advice = "use kling-v1-6 or kling-v1-5 for a video you will extend (newer models generate but cannot be extended)";
    match model.as_deref() {
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
        Some(_) => text("model_name", model, 64, true),
    }
}

const MODES: &[&str] = &["std", "pro"];
const DURATIONS: &[&str] = &["5", "10"];
const ASPECT_RATIOS: &[&str] = &["16:9", "9:16", "1:1"];

const INHERITED: &str =
    "an extension inherits the model, mode and length step from its source video";

/// The mistakes of the widespread third-party guide, each answered with the right way.
pub const EXTEND_HINTS: &[(&str, &str)] = &[
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
    "text2video and image2video create source videos; use extensions.create to extend a video",
)];

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
    /// Reads `{pageNum?, pageSize?}` (absent: the first page), checking Kling's ranges.
    pub fn from_params<J: Json>(params: Option<&J>) -> Result<Page, Error> {
        let p: ListParams = match params {
            Some(params) => parse(params, &[])?,
            None => ListParams::default(),
        };
        Ok(Page {
            num: whole("pageNum", p.page_num, 1, MAX_PAGE_NUM)?.unwrap_or(1),
            size: whole("pageSize", p.page_size, 1, MAX_PAGE_SIZE)?.unwrap_or(DEFAULT_PAGE_SIZE),
        })
    }
}
