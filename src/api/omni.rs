//! Omni-Video (`/v1/videos/omni-video`): each field's own rule, the inputs a prompt names, and
//! the facts the capability table (`caps.rs`) checks the request's combination against.

use crate::api::error::Error;
use crate::api::fit::Facts;
use crate::api::generate::{common, shots};
use crate::api::params::OmniVideoParams;
use crate::api::validate::{callback_url, check_shared, id, image, one_of, text, MAX_PROMPT_CHARS};

/// The inputs a prompt may name, as `<<<image_1>>>`: the tag and the list it counts.
const TAGS: &[(&str, &str)] = &[
    ("image", "image_list"),
    ("video", "video_list"),
    ("element", "element_list"),
];

/// Checks every field of an Omni-Video create and returns its facts.
pub fn check(p: &OmniVideoParams) -> Result<Facts, Error> {
    text("prompt", &p.prompt, MAX_PROMPT_CHARS, false)?;
    check_shared(
        &p.negative_prompt,
        p.cfg_scale,
        &p.callback_url,
        &p.external_task_id,
    )?;
    let mut facts = common(&p.model_name, &p.mode, &p.duration, &p.sound, &p.shot_type)?;
    facts.aspect_ratio.clone_from(&p.aspect_ratio);
    facts.set("prompt", p.prompt.as_deref().is_some_and(|s| !s.is_empty()));
    facts.set("aspect_ratio", p.aspect_ratio.is_some());
    shots(&mut facts, p.multi_shot, &p.multi_prompt)?;

    let images = p.image_list.as_deref().unwrap_or_default();
    let (mut first, mut end) = (0, 0);
    for (i, img) in images.iter().enumerate() {
        let list = "image_list";
        image("image_url", &img.image_url, true).map_err(|e| item(list, i, e))?;
        one_of("type", &img.kind, &["first_frame", "end_frame"]).map_err(|e| item(list, i, e))?;
        match img.kind.as_deref() {
            Some("first_frame") => first += 1,
            Some("end_frame") => end += 1,
            _ => {}
        }
    }
    if first > 1 || end > 1 {
        return Err(Error::invalid_request(
            "image_list",
            "`image_list` holds at most one first_frame and one end_frame",
        ));
    }
    let elements = p.element_list.as_deref().unwrap_or_default();
    for (i, el) in elements.iter().enumerate() {
        let element = el.element_id.as_ref().map(|s| s.text());
        id("element_id", &element, true).map_err(|e| item("element_list", i, e))?;
    }
    let videos = p.video_list.as_deref().unwrap_or_default();
    let mut base = false;
    for (i, v) in videos.iter().enumerate() {
        let list = "video_list";
        text("video_url", &v.video_url, MAX_URL_CHARS, true).map_err(|e| item(list, i, e))?;
        callback_url("video_url", &v.video_url).map_err(|e| item(list, i, e))?;
        one_of("refer_type", &v.refer_type, &["feature", "base"]).map_err(|e| item(list, i, e))?;
        one_of(
            "keep_original_sound",
            &v.keep_original_sound,
            &["yes", "no"],
        )
        .map_err(|e| item(list, i, e))?;
        base |= v.refer_type.as_deref() == Some("base");
    }

    let counts = [images.len(), videos.len(), elements.len()];
    let prompts = p.prompt.iter().chain(
        p.multi_prompt
            .iter()
            .flatten()
            .filter_map(|s| s.prompt.as_ref()),
    );
    for prompt in prompts {
        names_inputs(prompt, &counts)?;
    }

    facts.set("image_list", !images.is_empty());
    facts.set("first_frame", first > 0);
    facts.set("end_frame", end > 0);
    facts.set("video", !videos.is_empty());
    facts.set("base_video", base);
    facts.set("element_list", !elements.is_empty());
    let only_first = images
        .iter()
        .all(|i| i.kind.as_deref() == Some("first_frame"));
    facts.set(
        "text_or_first_frame",
        videos.is_empty() && elements.is_empty() && only_first,
    );
    facts.counts.extend([
        ("images", images.len()),
        ("videos", videos.len()),
        ("elements", elements.len()),
    ]);
    Ok(facts)
}

/// The error of item `i`'s rule, on the list's field, naming the item.
#[cold]
fn item(list: &str, i: usize, mut e: Error) -> Error {
    e.message = format!("`{list}[{i}]`: {}", e.message);
    e.field = Some(list.to_string());
    e
}

/// The longest video URL taken (Kling fetches it), in characters.
const MAX_URL_CHARS: usize = 4096;

/// Every `<<<image_n>>>`, `<<<video_n>>>` and `<<<element_n>>>` in `prompt` names an input that
/// exists: `n` from 1 to the length of its list (`counts`, in the order of [`TAGS`]).
fn names_inputs(prompt: &str, counts: &[usize; 3]) -> Result<(), Error> {
    let mut rest = prompt;
    while let Some(at) = rest.find("<<<") {
        rest = &rest[at + 3..];
        let Some(close) = rest.find(">>>") else {
            break;
        };
        let tag = &rest[..close];
        rest = &rest[close + 3..];
        let Some((kind, n)) = tag.rsplit_once('_') else {
            continue;
        };
        let Some(i) = TAGS.iter().position(|(k, _)| *k == kind) else {
            continue;
        };
        let list = TAGS[i].1;
        let have = counts[i];
        let n_ok = n.parse::<usize>().is_ok_and(|n| n >= 1 && n <= have);
        if !n_ok {
            let fix = match have {
                0 => format!("add it to `{list}`"),
                1 => format!("the only one is <<<{kind}_1>>>"),
                _ => format!("name {kind}_1 to {kind}_{have}"),
            };
            return Err(Error::invalid_request(
                list,
                format!("the prompt names <<<{tag}>>>, but `{list}` has {have} item(s): {fix}"),
            ));
        }
    }
    Ok(())
}
