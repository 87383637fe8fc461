//! A chain's steps: the methods, and every step's request made and checked from the chain's
//! parameters — an extension's, or a clip's (Omni-Video or image2video) with its input left for
//! the plan (`plan.rs`) to set.

use serde::Serialize;

use crate::api::caps;
use crate::api::error::Error;
use crate::api::family::Family;
use crate::api::json::Json;
use crate::api::model::check_extend;
use crate::api::params::{
    ChainParams, ChainPrompt, ChainStepFields, ExtendParams, OmniImage, OmniVideoRef, Watermark,
};
use crate::api::validate::{is_http_url, quoted};

/// A clip step's length when neither the step nor the chain gives one.
pub const DEFAULT_STEP_SECONDS: &str = "5";
/// `next-shot`'s aspect ratio when the chain gives none (Omni-Video needs one with a reference).
pub const DEFAULT_ASPECT_RATIO: &str = "16:9";
/// How many times one step may be tried (a failed task holds its id, so each try has its own).
pub const MAX_STEP_ATTEMPTS: u32 = 20;
/// The words a `next-shot` prompt starts with when it does not name `<<<video_1>>>` itself.
pub const NEXT_SHOT_LEAD: &str = "The next shot after <<<video_1>>>";
/// The method names `method` takes.
pub const METHODS: &[&str] = &["auto", "extend", "next-shot", "last-frame"];

/// Stands for the frame a `last-frame` step is sent with while the plan checks its request.
const FRAME_PLACEHOLDER: &str = "https://frame.invalid/last-frame.jpg";

/// How each step continues the video.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// video-extend: each result is the whole longer video (kling-v1.x sources only).
    Extend,
    /// Omni-Video with the previous clip as its `feature` reference: each result is a new clip.
    NextShot,
    /// image2video (or Omni-Video's `first_frame`) from the previous clip's last frame.
    LastFrame,
}

impl Method {
    /// The method's name, as `method` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Method::Extend => "extend",
            Method::NextShot => "next-shot",
            Method::LastFrame => "last-frame",
        }
    }

    /// Whether each result is a clip of its own (joined afterwards) rather than the whole video.
    pub fn makes_clips(self) -> bool {
        self != Method::Extend
    }
}

/// What the platform running a chain can do, and its defaults.
#[derive(Debug, Clone, Copy, Default)]
pub struct Platform {
    /// A frame can be decoded from a clip (a browser, or the client's `lastFrame` hook).
    pub decodes_frames: bool,
    /// Retired models are let through (`allowRetiredModels`).
    pub allow_retired: bool,
    /// The method when `method` is absent; `None` is `"auto"`.
    pub default_method: Option<Method>,
}

#[derive(Debug, Clone)]
pub(crate) enum Step {
    Extend(ExtendParams),
    Clip {
        family: Family,
        seconds: f64,
        body: ClipBody,
    },
}

/// The request of a clip step: the fields of image2video and Omni-Video a chain sets.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct ClipBody {
    model_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    prompt: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    negative_prompt: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cfg_scale: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    aspect_ratio: Option<String>,
    duration: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    sound: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image_list: Option<Vec<OmniImage>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    video_list: Option<Vec<OmniVideoRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    watermark_info: Option<Watermark>,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) external_task_id: Option<String>,
}

impl ClipBody {
    /// Sets the step's input: the clip it continues (`next-shot`) or its first frame.
    pub(crate) fn with_input(
        mut self,
        family: Family,
        clip_url: &str,
        frame: Option<&str>,
    ) -> ClipBody {
        match (frame, family) {
            (None, _) => {
                self.video_list = Some(vec![OmniVideoRef {
                    video_url: Some(clip_url.to_string()),
                    refer_type: Some("feature".into()),
                    keep_original_sound: None,
                }])
            }
            (Some(frame), Family::OmniVideo) => {
                self.image_list = Some(vec![OmniImage {
                    image_url: Some(frame.to_string()),
                    kind: Some("first_frame".into()),
                }])
            }
            (Some(frame), _) => self.image = Some(frame.to_string()),
        }
        self
    }
}

/// The `external_task_id` of try `attempt` (from 1) of step `step` (from 1): `<prefix>-<step>`,
/// and `<prefix>-<step>.<attempt>` for the tries after a failed one. Deterministic, so a chain
/// re-run under the same prefix finds every step it already paid for.
pub fn step_external_id(prefix: &str, step: usize, attempt: u32) -> String {
    if attempt <= 1 {
        format!("{prefix}-{step}")
    } else {
        format!("{prefix}-{step}.{attempt}")
    }
}

/// `method`, resolved: `"auto"` (or none, without a platform default) extends a source Kling can
/// still extend, else decodes the last frame where the platform can, else takes the next shot.
pub(crate) fn resolve(p: &ChainParams, platform: Platform) -> Result<Method, Error> {
    let auto = || {
        let extendable = match p.source_model.as_deref() {
            Some(model) => {
                caps::extendable_models().contains(&model)
                    && (platform.allow_retired || caps::retirement(model).is_none())
            }
            // Only a video id: nothing but an extension can continue it.
            None => p.video_url.is_none() && p.video_id.is_some(),
        };
        if extendable {
            Method::Extend
        } else if platform.decodes_frames {
            Method::LastFrame
        } else {
            Method::NextShot
        }
    };
    Ok(match p.method.as_deref() {
        Some("extend") => Method::Extend,
        Some("next-shot") => Method::NextShot,
        Some("last-frame") => Method::LastFrame,
        Some("auto") => auto(),
        None => platform.default_method.unwrap_or_else(auto),
        Some(_) => {
            return Err(Error::invalid_request(
                "method",
                format!("`method` must be one of {}", quoted(METHODS)),
            ))
        }
    })
}

/// The steps of an extension chain: each the extension it will be, checked.
pub(crate) fn extend_steps(
    p: &ChainParams,
    prompts: &[ChainPrompt],
    prefix: Option<&str>,
) -> Result<Vec<Step>, Error> {
    let clip_only = [
        ("model_name", p.model_name.is_some()),
        ("mode", p.mode.is_some()),
        ("duration", p.duration.is_some()),
        ("aspect_ratio", p.aspect_ratio.is_some()),
        ("sound", p.sound.is_some()),
    ];
    if let Some((field, _)) = clip_only.iter().find(|(_, set)| *set) {
        return Err(inherited(field));
    }
    let mut steps = Vec::with_capacity(prompts.len());
    for (i, prompt) in prompts.iter().enumerate() {
        let own = step_fields(prompt);
        if own.model_name.is_some() {
            return Err(in_step(i + 1, inherited("model_name")));
        }
        if own.mode.is_some() || own.duration.is_some() {
            let field = if own.mode.is_some() {
                "mode"
            } else {
                "duration"
            };
            return Err(in_step(i + 1, inherited(field)));
        }
        let mut step = ExtendParams {
            video_id: p.video_id.clone(),
            prompt: own.prompt.or_else(|| p.prompt.clone()),
            negative_prompt: own.negative_prompt.or_else(|| p.negative_prompt.clone()),
            cfg_scale: own.cfg_scale.or(p.cfg_scale),
            watermark_info: own.watermark_info.or_else(|| p.watermark_info.clone()),
            callback_url: own.callback_url.or_else(|| p.callback_url.clone()),
            // The longest id the step may carry must fit the id rule too.
            external_task_id: prefix.map(|p| step_external_id(p, i + 1, MAX_STEP_ATTEMPTS)),
        };
        check_extend(&step).map_err(|e| in_step(i + 1, e))?;
        step.external_task_id = None;
        steps.push(Step::Extend(step));
    }
    Ok(steps)
}

/// The steps of a chain of clips (`next-shot`, `last-frame`): each the create it will be, checked
/// with the source standing in for the clip it continues.
pub(crate) fn clip_steps<J: Json>(
    p: &ChainParams,
    prompts: &[ChainPrompt],
    method: Method,
    prefix: Option<&str>,
    platform: Platform,
) -> Result<Vec<Step>, Error> {
    let source = match p.video_url.as_deref() {
        Some(url) if is_http_url(url) => url,
        _ => {
            return Err(Error::invalid_request(
                "video_url",
                format!(
                    "a {} chain continues a clip: `video_url` must be the source's http(s) URL (task_result.videos[0].url)",
                    method.name()
                ),
            ))
        }
    };
    let mut steps = Vec::with_capacity(prompts.len());
    for (i, prompt) in prompts.iter().enumerate() {
        let n = i + 1;
        let own = step_fields(prompt);
        let model = own
            .model_name
            .or_else(|| p.model_name.clone())
            .unwrap_or_else(|| default_model(method).to_string());
        let family = clip_family(method, &model).map_err(|e| in_step(n, e))?;
        let (duration, seconds) = match own.duration.as_ref().or(p.duration.as_ref()) {
            None => (DEFAULT_STEP_SECONDS.to_string(), 5.0),
            Some(d) => match d.seconds() {
                Some(s) => (d.text(), s),
                None => {
                    return Err(in_step(
                        n,
                        Error::invalid_request("duration", "`duration` must be seconds"),
                    ))
                }
            },
        };
        let prompt = own.prompt.or_else(|| p.prompt.clone());
        let body = ClipBody {
            model_name: model,
            prompt: match method {
                Method::NextShot => Some(next_shot_prompt(prompt.as_deref())),
                _ => prompt,
            },
            negative_prompt: own.negative_prompt.or_else(|| p.negative_prompt.clone()),
            cfg_scale: own.cfg_scale.or(p.cfg_scale),
            mode: own.mode.or_else(|| p.mode.clone()),
            aspect_ratio: match method {
                Method::NextShot => Some(
                    p.aspect_ratio
                        .clone()
                        .unwrap_or_else(|| DEFAULT_ASPECT_RATIO.to_string()),
                ),
                _ => None,
            },
            duration,
            sound: p.sound.clone(),
            watermark_info: own.watermark_info.or_else(|| p.watermark_info.clone()),
            callback_url: own.callback_url.or_else(|| p.callback_url.clone()),
            ..ClipBody::default()
        };
        // Checked as sent, with the longest id the step may carry.
        let frame = (method == Method::LastFrame).then_some(FRAME_PLACEHOLDER);
        let mut probe = body.clone().with_input(family, source, frame);
        probe.external_task_id = prefix.map(|p| step_external_id(p, n, MAX_STEP_ATTEMPTS));
        family
            .check_create_with(&J::make(&probe), platform.allow_retired)
            .map_err(|e| in_step(n, e))?;
        steps.push(Step::Clip {
            family,
            seconds,
            body,
        });
    }
    Ok(steps)
}

/// Today's model for a method's steps.
fn default_model(method: Method) -> &'static str {
    match method {
        Method::NextShot => caps::current(Family::OmniVideo),
        _ => caps::current(Family::ImageToVideo),
    }
}

/// The endpoint a clip step of `model` goes to: Omni-Video for `next-shot`; for `last-frame`
/// Omni-Video's models take the frame as `first_frame`, every other model image2video's `image`.
fn clip_family(method: Method, model: &str) -> Result<Family, Error> {
    let omni = caps::known(Family::OmniVideo, model).is_some();
    if method == Method::NextShot {
        let elsewhere = caps::known(Family::ImageToVideo, model).is_some()
            || caps::known(Family::TextToVideo, model).is_some();
        if elsewhere && !omni {
            return Err(Error::invalid_request(
                "model_name",
                format!(
                    "next-shot continues with Omni-Video, and `{model}` is not an Omni-Video model: use {} (or the method last-frame)",
                    caps::current(Family::OmniVideo)
                ),
            ));
        }
        return Ok(Family::OmniVideo);
    }
    Ok(if omni {
        Family::OmniVideo
    } else {
        Family::ImageToVideo
    })
}

/// A `next-shot` prompt names the reference clip: `<<<video_1>>>`, added when it does not.
fn next_shot_prompt(prompt: Option<&str>) -> String {
    match prompt {
        Some(p) if p.contains("<<<video_1>>>") => p.to_string(),
        Some(p) if !p.trim().is_empty() => format!("{NEXT_SHOT_LEAD}: {p}"),
        _ => format!("{NEXT_SHOT_LEAD}."),
    }
}

fn step_fields(prompt: &ChainPrompt) -> ChainStepFields {
    match prompt {
        ChainPrompt::Prompt(text) => ChainStepFields {
            prompt: Some(text.clone()),
            ..ChainStepFields::default()
        },
        ChainPrompt::Fields(own) => own.clone(),
    }
}

pub(crate) fn in_step(n: usize, mut e: Error) -> Error {
    e.message = format!("step {n} of the chain: {}", e.message);
    e
}

fn inherited(field: &str) -> Error {
    Error::invalid_request(
        field,
        format!("`{field}` is not a field of an extension chain: an extension inherits the model, mode and length step from its source video (the methods next-shot and last-frame take it)"),
    )
}
