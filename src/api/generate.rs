//! text2video and image2video: each field's own rule, and the facts the capability table
//! (`caps.rs`) checks the request's combination against.

use crate::api::error::Error;
use crate::api::fit::Facts;
use crate::api::json::Json;
use crate::api::params::{ImageToVideoParams, Shot, TextToVideoParams};
use crate::api::text::parse_number;
use crate::api::validate::{array, check_shared, image, object, one_of, text, MAX_PROMPT_CHARS};

/// A shot's prompt limit, in characters.
pub const MAX_SHOT_PROMPT_CHARS: usize = 512;
/// The most shots of a multi-shot video.
pub const MAX_SHOTS: usize = 6;

/// `text2video`.
pub fn text_to_video<J: Json>(p: &TextToVideoParams<J>) -> Result<Facts, Error> {
    text("prompt", &p.prompt, MAX_PROMPT_CHARS, false)?;
    check_shared(
        &p.negative_prompt,
        p.cfg_scale,
        &p.callback_url,
        &p.external_task_id,
    )?;
    object("camera_control", &p.camera_control)?;
    let mut facts = common(&p.model_name, &p.mode, &p.duration, &p.sound, &p.shot_type)?;
    facts.aspect_ratio.clone_from(&p.aspect_ratio);
    facts.set("prompt", nonempty(&p.prompt));
    facts.set("camera_control", p.camera_control.is_some());
    shots(&mut facts, p.multi_shot, &p.multi_prompt)?;
    Ok(facts)
}

/// `image2video`.
pub fn image_to_video<J: Json>(p: &ImageToVideoParams<J>) -> Result<Facts, Error> {
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
    array("dynamic_masks", &p.dynamic_masks)?;
    object("camera_control", &p.camera_control)?;
    let mut facts = common(&p.model_name, &p.mode, &p.duration, &p.sound, &p.shot_type)?;
    facts.set("image", true);
    facts.set("image_tail", p.image_tail.is_some());
    facts.set("prompt", nonempty(&p.prompt));
    facts.set("camera_control", p.camera_control.is_some());
    facts.set(
        "masks",
        p.static_mask.is_some() || p.dynamic_masks.is_some(),
    );
    shots(&mut facts, p.multi_shot, &p.multi_prompt)?;
    Ok(facts)
}

/// The fields every generation has: the model, mode, duration, sound and shot type.
pub fn common(
    model: &Option<String>,
    mode: &Option<String>,
    duration: &Option<String>,
    sound: &Option<String>,
    shot_type: &Option<String>,
) -> Result<Facts, Error> {
    text("model_name", model, 64, false)?;
    if model.as_deref().is_some_and(|m| m.trim().is_empty()) {
        return Err(Error::invalid_request(
            "model_name",
            "`model_name` must not be empty",
        ));
    }
    one_of("mode", mode, crate::api::caps::MODES)?;
    if let Some(d) = duration.as_deref() {
        if parse_number(d).is_none() {
            return Err(Error::invalid_request(
                "duration",
                format!("`duration` is seconds as a string of digits (\"5\"), not \"{d}\""),
            ));
        }
    }
    one_of("sound", sound, &["on", "off"])?;
    one_of("shot_type", shot_type, &["customize", "intelligence"])?;
    let mut facts = Facts {
        model: model.clone(),
        mode: mode.clone(),
        duration: duration.clone(),
        ..Facts::default()
    };
    facts.set("sound", sound.is_some());
    facts.set("sound:on", sound.as_deref() == Some("on"));
    facts.set("shot_type", shot_type.is_some());
    facts.set(
        "shot_type:customize",
        shot_type.as_deref() == Some("customize"),
    );
    Ok(facts)
}

/// `multi_shot` and `multi_prompt`: each shot's own rules; the count and the sum are the table's.
pub fn shots(
    facts: &mut Facts,
    multi_shot: Option<bool>,
    shots: &Option<Vec<Shot>>,
) -> Result<(), Error> {
    facts.set("multi_shot", multi_shot.is_some());
    facts.set("multi_shot:true", multi_shot == Some(true));
    let Some(shots) = shots else {
        return Ok(());
    };
    let refuse = |n: usize, what: &str| {
        Error::invalid_request("multi_prompt", format!("`multi_prompt` item {n}: {what}"))
    };
    if shots.is_empty() {
        return Err(Error::invalid_request(
            "multi_prompt",
            format!("`multi_prompt` needs 1 to {MAX_SHOTS} shots"),
        ));
    }
    let mut sum = 0.0;
    for (i, shot) in shots.iter().enumerate() {
        let n = i + 1;
        match shot.index {
            Some(x) if x.fract() == 0.0 && x >= 1.0 && x <= MAX_SHOTS as f64 => {}
            _ => return Err(refuse(n, "`index` must be a whole number from 1 to 6")),
        }
        match shot.prompt.as_deref() {
            None | Some("") => return Err(refuse(n, "`prompt` is required")),
            Some(p) if p.chars().count() > MAX_SHOT_PROMPT_CHARS => {
                return Err(refuse(
                    n,
                    &format!("`prompt` is longer than {MAX_SHOT_PROMPT_CHARS} characters"),
                ))
            }
            Some(_) => {}
        }
        match shot.duration.as_deref().and_then(parse_number) {
            Some(d) if d >= 1.0 => sum += d,
            _ => {
                return Err(refuse(
                    n,
                    "`duration` must be a string of at least 1 second (\"2\")",
                ))
            }
        }
    }
    facts.set("multi_prompt", true);
    facts.counts.push(("shots", shots.len()));
    facts.shots_seconds = Some(sum);
    Ok(())
}

fn nonempty(value: &Option<String>) -> bool {
    value.as_deref().is_some_and(|s| !s.is_empty())
}
