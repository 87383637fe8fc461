//! The one checker of the capability table (`caps.rs`): a request is reduced to [`Facts`], and
//! the model's row and its family's rules are interpreted against them. No model has code of
//! its own here.

use crate::api::caps::{self, Retirement, Row, Rule, Seconds, GATES};
use crate::api::error::Error;
use crate::api::family::Family;
use crate::api::text::{num, parse_number};
use crate::api::validate::quoted;

/// What the table's rules are checked against: the model, mode, duration and ratio asked for,
/// the facts that hold (fields given, values, derived conditions) and the counts of items.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// `model_name`.
    pub model: Option<String>,
    /// `mode`.
    pub mode: Option<String>,
    /// `duration`.
    pub duration: Option<String>,
    /// `aspect_ratio`.
    pub aspect_ratio: Option<String>,
    /// The facts that hold.
    pub holds: Vec<&'static str>,
    /// Items counted: `images`, `elements`, `videos`, `shots`.
    pub counts: Vec<(&'static str, usize)>,
    /// The `multi_prompt` durations added up, when there are shots.
    pub shots_seconds: Option<f64>,
}

impl Facts {
    /// Whether `fact` holds (`"always"` always does).
    pub fn holds(&self, fact: &str) -> bool {
        fact == "always" || self.holds.contains(&fact)
    }

    /// Records `fact` when `yes`.
    pub fn set(&mut self, fact: &'static str, yes: bool) {
        if yes {
            self.holds.push(fact);
        }
    }

    fn count(&self, what: &str) -> usize {
        self.counts
            .iter()
            .filter(|(w, _)| *w == what)
            .map(|(_, n)| n)
            .sum()
    }
}

/// The words and the field of each derived fact; other facts are a field (`image_tail`) or a
/// field and its value (`sound:on`).
const FACTS: &[(&str, &str, &str)] = &[
    (
        "first_frame",
        "image_list",
        "a first frame (an `image_list` item of type first_frame)",
    ),
    (
        "end_frame",
        "image_list",
        "an end frame (an `image_list` item of type end_frame)",
    ),
    ("video", "video_list", "a video (`video_list`)"),
    (
        "base_video",
        "video_list",
        "a base video (`video_list` with refer_type base)",
    ),
    (
        "masks",
        "dynamic_masks",
        "masks (`static_mask` or `dynamic_masks`)",
    ),
    (
        "text_or_first_frame",
        "duration",
        "only text or a first frame as input",
    ),
    ("images", "image_list", "images"),
    ("elements", "element_list", "elements"),
    ("videos", "video_list", "videos"),
    ("shots", "multi_prompt", "shots"),
    ("always", "", ""),
];

/// The field a fact is about.
pub fn field_of(fact: &'static str) -> &'static str {
    match FACTS.iter().find(|(f, _, _)| *f == fact) {
        Some((_, field, _)) => field,
        None => fact.split(':').next().unwrap_or(fact),
    }
}

/// A fact in words.
fn words(fact: &str) -> String {
    match FACTS.iter().find(|(f, _, _)| *f == fact) {
        Some((_, _, w)) => w.to_string(),
        None => match fact.split_once(':') {
            Some((field, "true")) => format!("`{field}: true`"),
            Some((field, value)) => format!("`{field}: \"{value}\"`"),
            None => format!("`{fact}`"),
        },
    }
}

/// Checks `facts` against the table for `family`; returns the row that applied (the family's
/// generic row for a model the table does not know). A retired model is refused unless
/// `allow_retired`.
pub fn check(family: Family, facts: &Facts, allow_retired: bool) -> Result<&'static Row, Error> {
    let generic = caps::any_model(family);
    let row = match (family, facts.model.as_deref()) {
        (Family::VideoExtend, _) => generic,
        (_, None) => return Err(model_required(family)),
        (_, Some(m)) => caps::known(family, m).unwrap_or(generic),
    };
    let name = match facts.model.as_deref() {
        Some(m) if row.model == "*" => format!("{m} (a model this package does not know)"),
        Some(m) => m.to_string(),
        None => family.name().to_string(),
    };
    if let (Some(r), false) = (row.retired, allow_retired) {
        return Err(retired_refusal(row.model, *r));
    }
    one_of("mode", &facts.mode, row.modes, &name)?;
    one_of(
        "aspect_ratio",
        &facts.aspect_ratio,
        row.aspect_ratios,
        &name,
    )?;
    if let Some(d) = facts.duration.as_deref() {
        if !row.durations.allows(d) {
            return Err(durations(&name, row.durations, d, ""));
        }
    }
    for (gate, gated) in GATES {
        if generic.features.contains(gate) && !row.features.contains(gate) {
            if let Some(fact) = gated.iter().find(|f| facts.holds(f)) {
                return Err(lacks(family, &name, gate, fact));
            }
        }
    }
    let own = if row.model == "*" { &[][..] } else { row.rules };
    for rule in generic.rules.iter().chain(own) {
        apply(rule, facts, &name)?;
    }
    Ok(row)
}

fn one_of(field: &str, value: &Option<String>, allowed: &[&str], name: &str) -> Result<(), Error> {
    match value.as_deref() {
        Some(v) if !allowed.is_empty() && !allowed.contains(&v) => Err(Error::invalid_request(
            field,
            format!(
                "`{field}` for {name} must be one of {} (a string), not \"{v}\"",
                quoted(allowed)
            ),
        )),
        _ => Ok(()),
    }
}

fn durations(name: &str, allowed: Seconds, d: &str, when: &str) -> Error {
    Error::invalid_request(
        "duration",
        format!(
            "`duration` for {name}{when} must be {} seconds (a string), not \"{d}\"",
            allowed.describe()
        ),
    )
}

fn lacks(family: Family, name: &str, gate: &str, fact: &'static str) -> Error {
    let have: Vec<&str> = caps::rows(family)
        .skip(1)
        .filter(|r| r.features.contains(&gate) && r.retired.is_none())
        .map(|r| r.model)
        .collect();
    Error::invalid_request(
        field_of(fact),
        format!(
            "{name} does not take {}; {} do",
            words(fact),
            have.join(" and ")
        ),
    )
}

fn apply(rule: &Rule, facts: &Facts, name: &str) -> Result<(), Error> {
    let refuse =
        |fact: &'static str, message: String| Err(Error::invalid_request(field_of(fact), message));
    match *rule {
        Rule::OnlyInMode { when, mode } if facts.holds(when) => {
            let asked = facts.mode.as_deref().unwrap_or("std");
            if asked != mode {
                let message = format!(
                    "{name} allows {} only in {mode} mode (`mode: \"{mode}\"`), not in {asked} mode",
                    words(when)
                );
                return refuse(when, message);
            }
        }
        Rule::Needs { when, needs } if facts.holds(when) && !facts.holds(needs) => {
            return refuse(when, format!("{} needs {}", words(when), words(needs)));
        }
        Rule::NotWith { when, not } if facts.holds(when) && facts.holds(not) => {
            return refuse(
                when,
                format!("{} cannot be combined with {}", words(when), words(not)),
            );
        }
        Rule::DurationsWhen {
            when,
            durations: allowed,
        } if facts.holds(when) => {
            if let Some(d) = facts.duration.as_deref().filter(|d| !allowed.allows(d)) {
                return Err(durations(
                    name,
                    allowed,
                    d,
                    &format!(" with {}", words(when)),
                ));
            }
        }
        Rule::RequiredUnless { field, unless }
            if !facts.holds(field) && !unless.iter().any(|u| facts.holds(u)) =>
        {
            let without: Vec<String> = unless.iter().map(|u| words(u)).collect();
            return refuse(
                field,
                format!("`{field}` is required without {}", without.join(" or ")),
            );
        }
        Rule::AtMost { count, max, when } if facts.holds(when) => {
            let n: usize = count.iter().map(|c| facts.count(c)).sum();
            if n > usize::from(max) {
                let what: Vec<String> = count.iter().map(|c| words(c)).collect();
                let with = if when == "always" {
                    String::new()
                } else {
                    format!(" with {}", words(when))
                };
                return refuse(
                    count[0],
                    format!(
                        "{name} takes at most {max} {}{with}, not {n}",
                        what.join(" and ")
                    ),
                );
            }
        }
        Rule::ShotsSumToDuration => {
            if let Some(sum) = facts.shots_seconds {
                let d = facts.duration.as_deref().unwrap_or("5");
                if parse_number(d) != Some(sum) {
                    return refuse(
                        "shots",
                        format!(
                            "the `multi_prompt` durations add up to {} s, but `duration` is \"{d}\": they must be equal",
                            num(sum)
                        ),
                    );
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// A create without `model_name`: Kling's default is kling-v1, discontinued.
fn model_required(family: Family) -> Error {
    let today = caps::current(family);
    let default = match family {
        Family::OmniVideo => String::new(),
        _ => " (Kling's default, kling-v1, is discontinued)".to_string(),
    };
    Error::invalid_request(
        "model_name",
        format!(
            "`model_name` is required{default}: {today} is today's model; `limits().families` lists every model and what it takes"
        ),
    )
}

/// The refusal of a retired model, before sending.
pub fn retired_refusal(model: &str, r: Retirement) -> Error {
    Error::invalid_request(
        "model_name",
        format!(
            "{model} no longer generates: retired {} ({}). Use {} instead. {}",
            r.date,
            r.source,
            r.instead,
            retired_advice(model)
        ),
    )
}

/// What to do about a retired model: the replacement, the extend path, the option.
pub fn retired_advice(model: &str) -> String {
    let extend = if caps::extendable_models().contains(&model) {
        "Video-extend takes only videos of kling-v1, kling-v1-5 and kling-v1-6, so no new video for it can be made: continue a video with omniVideo (the clip as a `feature` reference video) or image2video from its last frame. "
    } else {
        ""
    };
    format!("{extend}An account that still has access can send it with the client option `allowRetiredModels: true`")
}

/// Kling's own refusal of a model (1201, 1203 or 1103 whose message says the model is
/// discontinued, retired, deprecated or not available): the same advice as a refusal here,
/// on `field: "model_name"`.
pub fn explain_model_refusal(mut e: Error, family: Family, model: Option<&str>) -> Error {
    if !matches!(e.api_code, Some(1103 | 1201 | 1203)) {
        return e;
    }
    let text = e.message.to_ascii_lowercase();
    let about_model = text.contains("model");
    let gone = [
        "discontinu",
        "retire",
        "deprecat",
        "no longer",
        "not available",
        "unavailable",
        "offline",
        "end of life",
        "not exist",
    ]
    .iter()
    .any(|w| text.contains(w));
    if !(about_model && gone) {
        return e;
    }
    let model = model.unwrap_or("kling-v1");
    let today = caps::current(family);
    let instead = caps::retirement(model).map_or(today, |r| r.instead);
    // Kling's words, then this advice in place of the general one ("Fix the request parameters").
    let general = e.kind.advice(e.api_code);
    let words = e
        .message
        .strip_suffix(general)
        .map_or(e.message.as_str(), |m| m.trim_end_matches([' ', '.']));
    e.message = format!(
        "{words}. Kling no longer generates with {model}: use {instead} instead. {}",
        retired_advice(model)
    );
    e.field = Some("model_name".into());
    e
}
