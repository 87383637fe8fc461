//! The task families, and their create parameters read, checked (with the capability table,
//! `caps.rs`) and made into what is sent.

use crate::api::error::Error;
pub use crate::api::family::Family;
use crate::api::fit::{self, Facts};
use crate::api::json::Json;
use crate::api::params::{
    ExtendParams, Generation, ImageToVideoParams, ListParams, OmniVideoParams, TextToVideoParams,
    IMAGE2VIDEO_FIELDS, OMNI_VIDEO_FIELDS, TEXT2VIDEO_FIELDS,
};
use crate::api::validate::{check_shared, id, only_fields, parse, text, whole, MAX_PROMPT_CHARS};
use crate::api::{generate, omni};

impl Family {
    /// Reads and checks the caller's create parameters against the family's documented fields
    /// and the capability table; what comes back is what is sent (nulls dropped). A retired
    /// model is refused (see [`Family::check_create_with`]).
    pub fn check_create<J: Json>(self, params: &J) -> Result<CreateParams<J>, Error> {
        self.check_create_with(params, false)
    }

    /// As [`Family::check_create`]; `allow_retired` lets a retired model through (the client
    /// option `allowRetiredModels`).
    pub fn check_create_with<J: Json>(
        self,
        params: &J,
        allow_retired: bool,
    ) -> Result<CreateParams<J>, Error> {
        let (checked, facts) = self.read(params)?;
        fit::check(self, &facts, allow_retired)?;
        Ok(checked)
    }

    /// The checked parameters and the facts the table is checked against.
    pub fn read<J: Json>(self, params: &J) -> Result<(CreateParams<J>, Facts), Error> {
        Ok(match self {
            Family::VideoExtend => {
                let p: ExtendParams = parse(params, EXTEND_HINTS)?;
                check_extend(&p)?;
                (CreateParams::Extend(p), Facts::default())
            }
            Family::TextToVideo => {
                let p = generation(params, TEXT2VIDEO_FIELDS)?.text_to_video();
                let facts = generate::text_to_video(&p)?;
                (CreateParams::TextToVideo(p, params.clone()), facts)
            }
            Family::ImageToVideo => {
                let p = generation(params, IMAGE2VIDEO_FIELDS)?.image_to_video();
                let facts = generate::image_to_video(&p)?;
                (CreateParams::ImageToVideo(p, params.clone()), facts)
            }
            Family::OmniVideo => {
                let p = generation(params, OMNI_VIDEO_FIELDS)?.omni_video();
                let facts = omni::check(&p)?;
                (CreateParams::OmniVideo(p, params.clone()), facts)
            }
        })
    }
}

/// Reads a generation's parameters, refusing a field that is not the family's.
fn generation<J: Json>(params: &J, fields: &[&str]) -> Result<Generation<J>, Error> {
    if params.is_object() {
        only_fields(params, fields, GENERATE_HINTS)?;
    }
    parse(params, GENERATE_HINTS)
}

/// Checked create parameters of one family: what is sent.
#[derive(Debug, Clone, PartialEq)]
pub enum CreateParams<J> {
    /// `video-extend`.
    Extend(ExtendParams),
    /// `text2video`, and the caller's value it was read from.
    TextToVideo(TextToVideoParams<J>, J),
    /// `image2video`, and the caller's value it was read from.
    ImageToVideo(ImageToVideoParams<J>, J),
    /// `omni-video`, and the caller's value it was read from.
    OmniVideo(OmniVideoParams, J),
}

impl<J: Json> CreateParams<J> {
    /// The `external_task_id`, when one is set.
    pub fn external_task_id(&self) -> Option<&str> {
        match self {
            CreateParams::Extend(p) => p.external_task_id.as_deref(),
            CreateParams::TextToVideo(p, _) => p.external_task_id.as_deref(),
            CreateParams::ImageToVideo(p, _) => p.external_task_id.as_deref(),
            CreateParams::OmniVideo(p, _) => p.external_task_id.as_deref(),
        }
    }

    /// Sets the `external_task_id`.
    pub fn set_external_task_id(&mut self, id: String) {
        let slot = match self {
            CreateParams::Extend(p) => &mut p.external_task_id,
            CreateParams::TextToVideo(p, _) => &mut p.external_task_id,
            CreateParams::ImageToVideo(p, _) => &mut p.external_task_id,
            CreateParams::OmniVideo(p, _) => &mut p.external_task_id,
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

    /// The `model_name` of a generation.
    pub fn model_name(&self) -> Option<&str> {
        match self {
            CreateParams::Extend(_) => None,
            CreateParams::TextToVideo(p, _) => p.model_name.as_deref(),
            CreateParams::ImageToVideo(p, _) => p.model_name.as_deref(),
            CreateParams::OmniVideo(p, _) => p.model_name.as_deref(),
        }
    }

    /// The body to send, as the host's value. A generation is the caller's value without its
    /// nulls: every field in it was read and checked, and an external task id generated here is
    /// added (serializing the typed parameters instead would cost the wasm a writer per family).
    pub fn to_json(&self) -> J {
        let (value, id) = match self {
            CreateParams::Extend(p) => return J::make(p),
            CreateParams::TextToVideo(p, v) => (v, &p.external_task_id),
            CreateParams::ImageToVideo(p, v) => (v, &p.external_task_id),
            CreateParams::OmniVideo(p, v) => (v, &p.external_task_id),
        };
        let body = value.without_nulls();
        match id {
            Some(id) if !body.keys().iter().any(|k| k == "external_task_id") => {
                body.with_text("external_task_id", id)
            }
            _ => body,
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
    "text2video, image2video and omni-video create videos; use extensions.create to extend a video",
)];

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
