//! The request parameters, declared once: these types are what a caller's parameters are read
//! into (from `serde_json` natively, from the JavaScript object through `serde-wasm-bindgen`),
//! what is checked, what is sent, and — through `tsify` — the package's TypeScript types.
//!
//! Every struct refuses fields it does not know (`deny_unknown_fields`), so a mistake is caught
//! before anything is sent; `null` means "not given" and is never sent. A field the endpoint
//! requires is an `Option` here only so its absence is reported in this package's words.

use serde::{Deserialize, Serialize};

use crate::api::reader::{put, reader};

#[cfg(target_arch = "wasm32")]
use tsify::Tsify;

/// `{ "enabled": boolean }`: whether Kling also renders a watermarked copy.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(Tsify))]
#[serde(deny_unknown_fields, remote = "Self")]
pub struct Watermark {
    /// `true`: the result has a `watermark_url` too.
    pub enabled: bool,
}

/// `Deserialize` and `Serialize` for a nested parameter struct declared with
/// `#[serde(deny_unknown_fields, remote = "Self")]`: read as a map, every key of it — a struct
/// read from a JavaScript object would see only its declared fields, and an unknown key would
/// pass unnoticed.
macro_rules! every_key {
    ($t:ty, $expecting:literal) => {
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$t, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = $t;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_map<M: serde::de::MapAccess<'de>>(self, m: M) -> Result<$t, M::Error> {
                        <$t>::deserialize(serde::de::value::MapAccessDeserializer::new(m))
                    }
                }
                d.deserialize_map(V)
            }
        }

        impl Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                <$t>::serialize(self, s)
            }
        }
    };
}

every_key!(Watermark, "{ \"enabled\": true } or { \"enabled\": false }");

/// One shot of a multi-shot video (`multi_prompt`).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(Tsify))]
#[serde(deny_unknown_fields)]
pub struct Shot {
    /// The shot's place, from 1.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number"))]
    pub index: Option<f64>,
    /// What happens in the shot, up to 512 characters.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string"))]
    pub prompt: Option<String>,
    /// The shot's seconds, a string (at least `"1"`); the shots add up to `duration`.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string"))]
    pub duration: Option<String>,
}

reader!(Shot, "{ index, prompt, duration }", SHOT_FIELDS = [
    "index" => index,
    "prompt" => prompt,
    "duration" => duration,
]);

/// An image of an Omni-Video request (`image_list`): a reference, or the first or last frame.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(Tsify), tsify(rename = "OmniImage"))]
#[serde(deny_unknown_fields)]
pub struct OmniImage {
    /// An http(s) URL, or raw base64 without a `data:` prefix (JPG/PNG, ≤ 10 MB, ≥ 300 px).
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string"))]
    pub image_url: Option<String>,
    /// `"first_frame"` or `"end_frame"`; absent: a reference image (`<<<image_n>>>`).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(type = "\"first_frame\" | \"end_frame\"")
    )]
    pub kind: Option<String>,
}

reader!(OmniImage, "{ image_url, type? }", IMAGE_FIELDS = [
    "image_url" => image_url,
    "type" => kind,
]);

/// A video of an Omni-Video request (`video_list`, at most one): MP4/MOV, 3–10 s.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(Tsify), tsify(rename = "OmniVideoRef"))]
#[serde(deny_unknown_fields)]
pub struct OmniVideoRef {
    /// Where Kling fetches the video (http or https).
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string"))]
    pub video_url: Option<String>,
    /// `"feature"`: a reference for the new video (style, camera, the shot it continues);
    /// `"base"`: the video to edit (the output is as long as it).
    #[cfg_attr(target_arch = "wasm32", tsify(type = "\"feature\" | \"base\""))]
    pub refer_type: Option<String>,
    /// `"yes"` or `"no"`: keep the video's own sound.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "\"yes\" | \"no\""))]
    pub keep_original_sound: Option<String>,
}

reader!(OmniVideoRef, "{ video_url, refer_type, keep_original_sound? }", VIDEO_FIELDS = [
    "video_url" => video_url,
    "refer_type" => refer_type,
    "keep_original_sound" => keep_original_sound,
]);

/// An element of an Omni-Video request (`element_list`): a subject saved in Kling.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(Tsify), tsify(rename = "OmniElement"))]
#[serde(deny_unknown_fields)]
pub struct OmniElement {
    /// The element's id.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string | number"))]
    pub element_id: Option<crate::api::task::Scalar>,
}

reader!(OmniElement, "{ element_id }", ELEMENT_FIELDS = [
    "element_id" => element_id,
]);

/// `POST /v1/videos/video-extend`: extend a video by 4–5 s. The model, mode and length step are
/// the source video's.
///
/// `external_task_id` is an idempotency key: the same id with the same request (the same
/// `video_id`) returns the task that holds it and creates nothing; with a different request it
/// is refused (`ERR_KLING_BAD_REQUEST`, `field: "external_task_id"`).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(
    target_arch = "wasm32",
    derive(Tsify),
    tsify(rename = "ExtendVideoParams")
)]
#[serde(deny_unknown_fields)]
pub struct ExtendParams {
    /// The video to extend: `task_result.videos[0].id` of a finished task (not a task id), at
    /// most 3 minutes long, generated by kling-v1, kling-v1-5 or kling-v1-6.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string"))]
    pub video_id: Option<String>,
    /// What happens next, up to 2500 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// What to avoid, up to 2500 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negative_prompt: Option<String>,
    /// How closely to follow the prompt, 0 to 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cfg_scale: Option<f64>,
    /// Whether Kling also renders a watermarked copy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub watermark_info: Option<Watermark>,
    /// Where Kling POSTs the task on every status change (`""`: nowhere).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// Your id for the task, and its idempotency key: the same id never creates a second task.
    /// Generated when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_task_id: Option<String>,
}

reader!(ExtendParams, "the parameters of an extension", EXTEND_FIELDS = [
    "video_id" => video_id,
    "prompt" => prompt,
    "negative_prompt" => negative_prompt,
    "cfg_scale" => cfg_scale,
    "watermark_info" => watermark_info,
    "callback_url" => callback_url,
    "external_task_id" => external_task_id,
]);

/// `POST /v1/videos/text2video`: a source video from a prompt.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(Tsify))]
#[serde(deny_unknown_fields)]
pub struct TextToVideoParams<J> {
    /// The model (required): `kling-v3` today; `limits().families.text2video` lists each
    /// model and what it takes. A name the package does not know is sent as it is.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "TextToVideoModel"))]
    pub model_name: Option<String>,
    /// The video to make, up to 2500 characters (optional with `multi_shot`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string"))]
    pub prompt: Option<String>,
    /// What to avoid, up to 2500 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negative_prompt: Option<String>,
    /// How closely to follow the prompt, 0 to 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cfg_scale: Option<f64>,
    /// `"std"` or `"pro"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "\"std\" | \"pro\""))]
    pub mode: Option<String>,
    /// `"16:9"`, `"9:16"` or `"1:1"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "\"16:9\" | \"9:16\" | \"1:1\""))]
    pub aspect_ratio: Option<String>,
    /// Seconds, a string: `"5"` or `"10"`, `"3"`–`"15"` on kling-v3 (per model: `limits()`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "`${number}`"))]
    pub duration: Option<String>,
    /// `"on"` or `"off"`: generate sound too (kling-v2-6 in pro mode, kling-v3).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "\"on\" | \"off\""))]
    pub sound: Option<String>,
    /// Several shots in one video (kling-v3), described by `multi_prompt` or by Kling.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_shot: Option<bool>,
    /// `"customize"` (the shots of `multi_prompt`) or `"intelligence"` (Kling cuts).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(type = "\"customize\" | \"intelligence\"")
    )]
    pub shot_type: Option<String>,
    /// 1–6 shots whose durations add up to `duration`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_prompt: Option<Vec<Shot>>,
    /// Camera movement, as Kling documents it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(type = "Record<string, unknown>", type_params = "")
    )]
    pub camera_control: Option<J>,
    /// Whether Kling also renders a watermarked copy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub watermark_info: Option<Watermark>,
    /// Where Kling POSTs the task on every status change (`""`: nowhere).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// Your id for the task, and its idempotency key. Generated when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_task_id: Option<String>,
}

/// `POST /v1/videos/image2video`: a source video from an image.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(Tsify))]
#[serde(deny_unknown_fields)]
pub struct ImageToVideoParams<J> {
    /// The model (required): `kling-v3` today; `limits().families.image2video` lists each
    /// model and what it takes. A name the package does not know is sent as it is.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "ImageToVideoModel"))]
    pub model_name: Option<String>,
    /// The first frame: an http(s) URL, or raw base64 without a `data:` prefix.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string"))]
    pub image: Option<String>,
    /// The last frame, like `image` (pro mode on kling-v2-5-turbo and kling-v2-6).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_tail: Option<String>,
    /// The video to make, up to 2500 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// What to avoid, up to 2500 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negative_prompt: Option<String>,
    /// How closely to follow the prompt, 0 to 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cfg_scale: Option<f64>,
    /// `"std"` or `"pro"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "\"std\" | \"pro\""))]
    pub mode: Option<String>,
    /// Seconds, a string: `"5"` or `"10"`, `"3"`–`"15"` on kling-v3 (per model: `limits()`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "`${number}`"))]
    pub duration: Option<String>,
    /// `"on"` or `"off"`: generate sound too (kling-v2-6 in pro mode, kling-v3).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "\"on\" | \"off\""))]
    pub sound: Option<String>,
    /// Several shots in one video (kling-v3), described by `multi_prompt` or by Kling.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_shot: Option<bool>,
    /// `"customize"` (the shots of `multi_prompt`) or `"intelligence"` (Kling cuts).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(type = "\"customize\" | \"intelligence\"")
    )]
    pub shot_type: Option<String>,
    /// 1–6 shots whose durations add up to `duration`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_prompt: Option<Vec<Shot>>,
    /// The area that stays still, like `image`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub static_mask: Option<String>,
    /// Areas that move along trajectories, as Kling documents them.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "unknown[]", type_params = ""))]
    pub dynamic_masks: Option<J>,
    /// Camera movement, as Kling documents it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(type = "Record<string, unknown>", type_params = "")
    )]
    pub camera_control: Option<J>,
    /// Whether Kling also renders a watermarked copy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub watermark_info: Option<Watermark>,
    /// Where Kling POSTs the task on every status change (`""`: nowhere).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// Your id for the task, and its idempotency key. Generated when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_task_id: Option<String>,
}

/// `POST /v1/videos/omni-video`: a video from text, images (references, first and last frame),
/// a reference or base video and saved elements, in one or several shots — kling-video-o1 and
/// kling-v3-omni. The prompt names the inputs: `<<<image_1>>>`, `<<<video_1>>>`,
/// `<<<element_1>>>` (each must exist).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(Tsify))]
#[serde(deny_unknown_fields)]
pub struct OmniVideoParams {
    /// `kling-v3-omni` or `kling-video-o1` (required). A name the package does not know is sent
    /// as it is.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "OmniVideoModel"))]
    pub model_name: Option<String>,
    /// The video to make, up to 2500 characters (optional with `multi_shot`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// What to avoid, up to 2500 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negative_prompt: Option<String>,
    /// How closely to follow the prompt, 0 to 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cfg_scale: Option<f64>,
    /// `"std"` or `"pro"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "\"std\" | \"pro\""))]
    pub mode: Option<String>,
    /// `"16:9"`, `"9:16"` or `"1:1"`: required without a first frame or a base video.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "\"16:9\" | \"9:16\" | \"1:1\""))]
    pub aspect_ratio: Option<String>,
    /// Seconds, a string: kling-v3-omni `"3"`–`"15"`; kling-video-o1 `"3"`–`"10"`, but `"5"` or
    /// `"10"` from text or a first frame alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "`${number}`"))]
    pub duration: Option<String>,
    /// `"on"` or `"off"` (kling-v3-omni; not with a reference video).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "\"on\" | \"off\""))]
    pub sound: Option<String>,
    /// Several shots in one video (kling-v3-omni).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_shot: Option<bool>,
    /// `"customize"` (the shots of `multi_prompt`) or `"intelligence"` (Kling cuts).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(type = "\"customize\" | \"intelligence\"")
    )]
    pub shot_type: Option<String>,
    /// 1–6 shots whose durations add up to `duration`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_prompt: Option<Vec<Shot>>,
    /// Reference images and the first and last frame; images + elements ≤ 7 (≤ 4 with a video).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_list: Option<Vec<OmniImage>>,
    /// Saved elements (subjects).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub element_list: Option<Vec<OmniElement>>,
    /// At most one video: a reference (`feature`) or the video to edit (`base`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_list: Option<Vec<OmniVideoRef>>,
    /// Whether Kling also renders a watermarked copy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub watermark_info: Option<Watermark>,
    /// Where Kling POSTs the task on every status change (`""`: nowhere).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// Your id for the task, and its idempotency key. Generated when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_task_id: Option<String>,
}

/// The fields of [`TextToVideoParams`] (tests/caps.rs holds the list to the type).
pub const TEXT2VIDEO_FIELDS: &[&str] = &[
    "model_name",
    "prompt",
    "negative_prompt",
    "cfg_scale",
    "mode",
    "aspect_ratio",
    "duration",
    "sound",
    "multi_shot",
    "shot_type",
    "multi_prompt",
    "camera_control",
    "watermark_info",
    "callback_url",
    "external_task_id",
];

/// The fields of [`ImageToVideoParams`] (tests/caps.rs holds the list to the type).
pub const IMAGE2VIDEO_FIELDS: &[&str] = &[
    "model_name",
    "image",
    "image_tail",
    "prompt",
    "negative_prompt",
    "cfg_scale",
    "mode",
    "duration",
    "sound",
    "multi_shot",
    "shot_type",
    "multi_prompt",
    "static_mask",
    "dynamic_masks",
    "camera_control",
    "watermark_info",
    "callback_url",
    "external_task_id",
];

/// The fields of [`OmniVideoParams`] (tests/caps.rs holds the list to the type).
pub const OMNI_VIDEO_FIELDS: &[&str] = &[
    "model_name",
    "prompt",
    "negative_prompt",
    "cfg_scale",
    "mode",
    "aspect_ratio",
    "duration",
    "sound",
    "multi_shot",
    "shot_type",
    "multi_prompt",
    "image_list",
    "element_list",
    "video_list",
    "watermark_info",
    "callback_url",
    "external_task_id",
];

/// Every field of a generation — text2video, image2video and omni-video — read in one pass:
/// one reader in the wasm instead of one per family (each costs ~10 KB). The family's own list
/// (`*_FIELDS`) is checked first; the family's type is then made from this one.
#[derive(Debug)]
pub struct Generation<J> {
    model_name: Option<String>,
    prompt: Option<String>,
    negative_prompt: Option<String>,
    cfg_scale: Option<f64>,
    mode: Option<String>,
    aspect_ratio: Option<String>,
    duration: Option<String>,
    sound: Option<String>,
    multi_shot: Option<bool>,
    shot_type: Option<String>,
    multi_prompt: Option<Vec<Shot>>,
    camera_control: Option<J>,
    watermark_info: Option<Watermark>,
    callback_url: Option<String>,
    external_task_id: Option<String>,
    image: Option<String>,
    image_tail: Option<String>,
    static_mask: Option<String>,
    dynamic_masks: Option<J>,
    image_list: Option<Vec<OmniImage>>,
    element_list: Option<Vec<OmniElement>>,
    video_list: Option<Vec<OmniVideoRef>>,
}

impl<J> Default for Generation<J> {
    fn default() -> Self {
        Generation {
            model_name: None,
            prompt: None,
            negative_prompt: None,
            cfg_scale: None,
            mode: None,
            aspect_ratio: None,
            duration: None,
            sound: None,
            multi_shot: None,
            shot_type: None,
            multi_prompt: None,
            camera_control: None,
            watermark_info: None,
            callback_url: None,
            external_task_id: None,
            image: None,
            image_tail: None,
            static_mask: None,
            dynamic_masks: None,
            image_list: None,
            element_list: None,
            video_list: None,
        }
    }
}

impl<'de, J: Deserialize<'de>> Deserialize<'de> for Generation<J> {
    // By hand, as `reader!` does (a derived reader of 22 fields costs the wasm ~16 KB).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<J>(std::marker::PhantomData<J>);
        impl<'de, J: Deserialize<'de>> serde::de::Visitor<'de> for V<J> {
            type Value = Generation<J>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of parameters")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut m: M,
            ) -> Result<Generation<J>, M::Error> {
                let mut g = Generation::default();
                while let Some(key) = m.next_key::<String>()? {
                    match key.as_str() {
                        "model_name" => put(&mut m, &mut g.model_name)?,
                        "prompt" => put(&mut m, &mut g.prompt)?,
                        "negative_prompt" => put(&mut m, &mut g.negative_prompt)?,
                        "cfg_scale" => put(&mut m, &mut g.cfg_scale)?,
                        "mode" => put(&mut m, &mut g.mode)?,
                        "aspect_ratio" => put(&mut m, &mut g.aspect_ratio)?,
                        "duration" => put(&mut m, &mut g.duration)?,
                        "sound" => put(&mut m, &mut g.sound)?,
                        "multi_shot" => put(&mut m, &mut g.multi_shot)?,
                        "shot_type" => put(&mut m, &mut g.shot_type)?,
                        "multi_prompt" => put(&mut m, &mut g.multi_prompt)?,
                        "camera_control" => put(&mut m, &mut g.camera_control)?,
                        "watermark_info" => put(&mut m, &mut g.watermark_info)?,
                        "callback_url" => put(&mut m, &mut g.callback_url)?,
                        "external_task_id" => put(&mut m, &mut g.external_task_id)?,
                        "image" => put(&mut m, &mut g.image)?,
                        "image_tail" => put(&mut m, &mut g.image_tail)?,
                        "static_mask" => put(&mut m, &mut g.static_mask)?,
                        "dynamic_masks" => put(&mut m, &mut g.dynamic_masks)?,
                        "image_list" => put(&mut m, &mut g.image_list)?,
                        "element_list" => put(&mut m, &mut g.element_list)?,
                        "video_list" => put(&mut m, &mut g.video_list)?,
                        other => {
                            return Err(serde::de::Error::unknown_field(other, GENERATION_FIELDS))
                        }
                    }
                }
                Ok(g)
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

const GENERATION_FIELDS: &[&str] = &[
    "model_name",
    "prompt",
    "negative_prompt",
    "cfg_scale",
    "mode",
    "aspect_ratio",
    "duration",
    "sound",
    "multi_shot",
    "shot_type",
    "multi_prompt",
    "camera_control",
    "watermark_info",
    "callback_url",
    "external_task_id",
    "image",
    "image_tail",
    "static_mask",
    "dynamic_masks",
    "image_list",
    "element_list",
    "video_list",
];

impl<J> Generation<J> {
    /// The text2video fields (the others were refused before reading).
    pub fn text_to_video(self) -> TextToVideoParams<J> {
        TextToVideoParams {
            model_name: self.model_name,
            prompt: self.prompt,
            negative_prompt: self.negative_prompt,
            cfg_scale: self.cfg_scale,
            mode: self.mode,
            aspect_ratio: self.aspect_ratio,
            duration: self.duration,
            sound: self.sound,
            multi_shot: self.multi_shot,
            shot_type: self.shot_type,
            multi_prompt: self.multi_prompt,
            camera_control: self.camera_control,
            watermark_info: self.watermark_info,
            callback_url: self.callback_url,
            external_task_id: self.external_task_id,
        }
    }

    /// The image2video fields (the others were refused before reading).
    pub fn image_to_video(self) -> ImageToVideoParams<J> {
        ImageToVideoParams {
            model_name: self.model_name,
            image: self.image,
            image_tail: self.image_tail,
            prompt: self.prompt,
            negative_prompt: self.negative_prompt,
            cfg_scale: self.cfg_scale,
            mode: self.mode,
            duration: self.duration,
            sound: self.sound,
            multi_shot: self.multi_shot,
            shot_type: self.shot_type,
            multi_prompt: self.multi_prompt,
            static_mask: self.static_mask,
            dynamic_masks: self.dynamic_masks,
            camera_control: self.camera_control,
            watermark_info: self.watermark_info,
            callback_url: self.callback_url,
            external_task_id: self.external_task_id,
        }
    }

    /// The omni-video fields (the others were refused before reading).
    pub fn omni_video(self) -> OmniVideoParams {
        OmniVideoParams {
            model_name: self.model_name,
            prompt: self.prompt,
            negative_prompt: self.negative_prompt,
            cfg_scale: self.cfg_scale,
            mode: self.mode,
            aspect_ratio: self.aspect_ratio,
            duration: self.duration,
            sound: self.sound,
            multi_shot: self.multi_shot,
            shot_type: self.shot_type,
            multi_prompt: self.multi_prompt,
            image_list: self.image_list,
            element_list: self.element_list,
            video_list: self.video_list,
            watermark_info: self.watermark_info,
            callback_url: self.callback_url,
            external_task_id: self.external_task_id,
        }
    }
}

/// The parameters of `list()`: one page of tasks, newest first.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(Tsify))]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// The page, from 1 (the default) to 1000.
    #[serde(rename = "pageNum", skip_serializing_if = "Option::is_none")]
    pub page_num: Option<f64>,
    /// Tasks a page, from 1 to 500 (default 30).
    #[serde(rename = "pageSize", skip_serializing_if = "Option::is_none")]
    pub page_size: Option<f64>,
}

reader!(ListParams, "{ pageNum?, pageSize? }", LIST_FIELDS = [
    "pageNum" => page_num,
    "pageSize" => page_size,
]);

/// The parameters of `account.costs()`.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(
    target_arch = "wasm32",
    derive(Tsify),
    tsify(rename = "AccountCostsParams")
)]
#[serde(deny_unknown_fields)]
pub struct CostsParams {
    /// From, in Unix milliseconds.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number"))]
    pub start_time: Option<f64>,
    /// Until, in Unix milliseconds; not before `start_time`.
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number"))]
    pub end_time: Option<f64>,
    /// Only the packs of this name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_pack_name: Option<String>,
}

reader!(CostsParams, "{ start_time, end_time, resource_pack_name? }", COSTS_FIELDS = [
    "start_time" => start_time,
    "end_time" => end_time,
    "resource_pack_name" => resource_pack_name,
]);

/// A chain (`kling.chains.run()`, `extensions.chain()`, the service's `POST /chains`): a video
/// grown step by step from a source, by one of three methods (`method`).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(Tsify))]
#[serde(deny_unknown_fields)]
pub struct ChainParams {
    /// How each step continues the video: `"extend"` (video-extend: each result is the whole
    /// longer video; v1.x sources only), `"next-shot"` (Omni-Video with the previous clip as its
    /// `feature` reference), `"last-frame"` (image2video, or Omni-Video's `first_frame`, from the
    /// previous clip's last frame; needs a frame decoder: built in in browsers, the client's
    /// `lastFrame` hook elsewhere) or `"auto"`: `extend` when Kling can still extend the source,
    /// else `last-frame` where a frame can be decoded, else `next-shot`. Default: `"auto"`
    /// (`extensions.chain`: `"extend"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(type = "\"auto\" | \"extend\" | \"next-shot\" | \"last-frame\"")
    )]
    pub method: Option<String>,
    /// The source video's id (`task_result.videos[0].id`): what `extend` extends.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string"))]
    pub video_id: Option<String>,
    /// The source clip's URL (`task_result.videos[0].url`): what `next-shot` and `last-frame`
    /// continue, and the first clip of the joined video.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "string"))]
    pub video_url: Option<String>,
    /// The source's length in seconds (a number or a string of seconds): the length limit then
    /// counts it before the first step is paid for.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | string"))]
    pub video_duration: Option<crate::api::task::Scalar>,
    /// The model that made the source, when known: `"auto"` extends a kling-v1.x source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_model: Option<String>,
    /// One entry per step: its prompt, or its own fields (which override the chain's).
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(type = "Array<string | ChainStepFields>")
    )]
    pub prompts: Option<Vec<ChainPrompt>>,
    /// The longest the whole video may grow, in seconds (default 180; `extend` never passes
    /// Kling's 180): a step that could pass it is refused before it is paid for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_seconds: Option<f64>,
    /// The chain's id prefix: step n is created under `<prefix>-<n>`, so re-running the chain
    /// with it resumes it and never pays for a finished step again. Generated when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_task_id: Option<String>,
    /// Every step's model (`next-shot`: an Omni-Video model, default `kling-v3-omni`;
    /// `last-frame`: an image2video or Omni-Video model, default `kling-v3`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_name: Option<String>,
    /// Every step's mode, `"std"` or `"pro"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "\"std\" | \"pro\""))]
    pub mode: Option<String>,
    /// Every step's length in seconds (a number or a string; default 5).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | string"))]
    pub duration: Option<crate::api::task::Scalar>,
    /// `next-shot`'s aspect ratio (default `"16:9"`); a `last-frame` step takes its frame's.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "\"16:9\" | \"9:16\" | \"1:1\""))]
    pub aspect_ratio: Option<String>,
    /// `"on"` or `"off"`: sound on every `last-frame` clip (where the model has it), so the
    /// clips join with their audio.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "\"on\" | \"off\""))]
    pub sound: Option<String>,
    /// Every step's prompt, unless the step gives its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// Every step's negative prompt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negative_prompt: Option<String>,
    /// Every step's `cfg_scale`, 0 to 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cfg_scale: Option<f64>,
    /// Every step's watermark choice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub watermark_info: Option<Watermark>,
    /// Every step's callback URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
}

reader!(ChainParams, "the parameters of a chain", CHAIN_FIELDS = [
    "method" => method,
    "video_id" => video_id,
    "video_url" => video_url,
    "video_duration" => video_duration,
    "source_model" => source_model,
    "prompts" => prompts,
    "max_seconds" => max_seconds,
    "external_task_id" => external_task_id,
    "model_name" => model_name,
    "mode" => mode,
    "duration" => duration,
    "aspect_ratio" => aspect_ratio,
    "sound" => sound,
    "prompt" => prompt,
    "negative_prompt" => negative_prompt,
    "cfg_scale" => cfg_scale,
    "watermark_info" => watermark_info,
    "callback_url" => callback_url,
]);

/// What one step of a chain may set for itself.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(Tsify))]
#[serde(deny_unknown_fields)]
pub struct ChainStepFields {
    /// This step's prompt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// This step's model (not with `extend`, which keeps the source's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_name: Option<String>,
    /// This step's mode (not with `extend`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "\"std\" | \"pro\""))]
    pub mode: Option<String>,
    /// This step's length in seconds (not with `extend`, whose steps add 4–5 s).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "number | string"))]
    pub duration: Option<crate::api::task::Scalar>,
    /// This step's negative prompt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negative_prompt: Option<String>,
    /// This step's `cfg_scale`, 0 to 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cfg_scale: Option<f64>,
    /// This step's watermark choice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub watermark_info: Option<Watermark>,
    /// This step's callback URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
}

reader!(ChainStepFields, "the fields of a chain step", STEP_FIELDS = [
    "prompt" => prompt,
    "model_name" => model_name,
    "mode" => mode,
    "duration" => duration,
    "negative_prompt" => negative_prompt,
    "cfg_scale" => cfg_scale,
    "watermark_info" => watermark_info,
    "callback_url" => callback_url,
]);

impl Serialize for ChainPrompt {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ChainPrompt::Prompt(p) => s.serialize_str(p),
            ChainPrompt::Fields(f) => f.serialize(s),
        }
    }
}

/// One entry of `prompts`: a prompt, or a step's own fields.
#[derive(Debug, Clone, PartialEq)]
pub enum ChainPrompt {
    /// The step's prompt.
    Prompt(String),
    /// The step's own fields.
    Fields(ChainStepFields),
}

impl<'de> Deserialize<'de> for ChainPrompt {
    // By hand: serde's untagged enums buffer the whole value first, which costs wasm bytes.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ChainPrompt, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = ChainPrompt;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or an object")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<ChainPrompt, E> {
                Ok(ChainPrompt::Prompt(s.to_string()))
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                m: M,
            ) -> Result<ChainPrompt, M::Error> {
                ChainStepFields::deserialize(serde::de::value::MapAccessDeserializer::new(m))
                    .map(ChainPrompt::Fields)
            }
        }
        d.deserialize_any(V)
    }
}
