//! Kling's models and their rules, as data: one table that validation (`fit.rs`), `limits()`,
//! `price()`, the TypeScript model names and the generated tests (`tests/caps.rs`,
//! `tests/e2e/caps.test.mjs`) all read. Adding a model is adding a row.
//!
//! Sources: Kling's docs as mirrored by resellers and partners in 2026 (CometAPI, kkiai, fal,
//! Replicate, Comfy); unverified against the live API. Where a rule is uncertain the table errs
//! towards letting Kling decide, and a model it does not know gets its family's generic row
//! ([`any_model`]) and is sent.
//!
//! **Units** (`per_5s`) are estimates for reserving a budget before a create, not Kling's price
//! list: the v1.x figures are Kling's published ones (5 s std 2, pro 3.5; extension v1.0 std 1,
//! v1.5/v1.6 std 2, pro 3.5); today's models are given conservative figures, proportional to
//! seconds, at or above what resellers quote. The charge is the task's `final_unit_deduction`.

use crate::api::family::Family;

/// The durations a model takes, as strings of seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seconds {
    /// Exactly these.
    Only(&'static [&'static str]),
    /// Every whole number of seconds from the first to the second.
    Range(u8, u8),
}

impl Seconds {
    /// Whether `d` (a string of seconds) is one of these.
    pub fn allows(self, d: &str) -> bool {
        match self {
            Seconds::Only(list) => list.contains(&d),
            Seconds::Range(lo, hi) => {
                !d.is_empty()
                    && d.len() <= 3
                    && d.bytes().all(|b| b.is_ascii_digit())
                    && !d.starts_with('0')
                    && d.parse::<u16>()
                        .is_ok_and(|n| (u16::from(lo)..=u16::from(hi)).contains(&n))
            }
        }
    }

    /// Every allowed duration, in order.
    pub fn list(self) -> Vec<String> {
        match self {
            Seconds::Only(list) => list.iter().map(|s| s.to_string()).collect(),
            Seconds::Range(lo, hi) => (lo..=hi).map(|n| n.to_string()).collect(),
        }
    }

    /// The longest, in seconds.
    pub fn max(self) -> f64 {
        match self {
            Seconds::Only(list) => list
                .iter()
                .filter_map(|s| crate::api::text::parse_number(s))
                .fold(0.0, f64::max),
            Seconds::Range(_, hi) => f64::from(hi),
        }
    }

    /// In words: `"5" or "10"`, `3–15`.
    pub fn describe(self) -> String {
        match self {
            Seconds::Only(list) => crate::api::validate::quoted(list),
            Seconds::Range(lo, hi) => format!("{lo}–{hi}"),
        }
    }
}

/// When and why Kling stopped generating with a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retirement {
    /// The day (or month) it stopped.
    pub date: &'static str,
    /// Where that is published.
    pub source: &'static str,
    /// Today's model to use instead.
    pub instead: &'static str,
}

/// A rule tying fields together. Facts are named conditions on a request (see `fit.rs`):
/// a field given (`image_tail`), a value (`sound:on`, `shot_type:customize`), or a derived one
/// (`first_frame`, `end_frame`, `video`, `base_video`, `masks`, `text_or_first_frame`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// When `when` holds, `mode` must be this one.
    OnlyInMode {
        /// The fact.
        when: &'static str,
        /// The one mode.
        mode: &'static str,
    },
    /// When `when` holds, `needs` must hold too.
    Needs {
        /// The fact.
        when: &'static str,
        /// What it needs.
        needs: &'static str,
    },
    /// `when` and `not` never hold together.
    NotWith {
        /// The fact.
        when: &'static str,
        /// What it excludes.
        not: &'static str,
    },
    /// When `when` holds, `duration` must be one of these.
    DurationsWhen {
        /// The fact.
        when: &'static str,
        /// The durations then.
        durations: Seconds,
    },
    /// `field` must be given unless one of `unless` holds.
    RequiredUnless {
        /// The field.
        field: &'static str,
        /// What makes it optional.
        unless: &'static [&'static str],
    },
    /// The items counted under `count` (summed) are at most `max` when `when` holds
    /// (`"always"` always does).
    AtMost {
        /// The counts summed: `images`, `elements`, `videos`, `shots`.
        count: &'static [&'static str],
        /// The most.
        max: u8,
        /// The fact.
        when: &'static str,
    },
    /// The `multi_prompt` durations add up to `duration`.
    ShotsSumToDuration,
}

/// One model of one family, or (`model: "*"`) the family's generic row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    /// The family.
    pub family: Family,
    /// `model_name`; `"*"` for the rules of a model the table does not know.
    pub model: &'static str,
    /// `mode` values.
    pub modes: &'static [&'static str],
    /// `duration` values.
    pub durations: Seconds,
    /// `aspect_ratio` values (empty: the family has no such field).
    pub aspect_ratios: &'static [&'static str],
    /// The optional capabilities this model has, among its family's ([`GATES`]; the generic
    /// row lists every one the family has).
    pub features: &'static [&'static str],
    /// Rules of this model, on top of its family's (the generic row's).
    pub rules: &'static [Rule],
    /// Whether video-extend takes this model's videos.
    pub extendable: bool,
    /// When Kling stopped generating with it.
    pub retired: Option<&'static Retirement>,
    /// Estimated units per 5 seconds: `[std, pro]`.
    pub per_5s: [f64; 2],
}

/// Capabilities a model may lack, and the facts that use each: a request where one holds, for
/// a model without the capability, is refused, naming the models that have it.
pub const GATES: &[(&str, &[&str])] = &[
    ("image_tail", &["image_tail"]),
    ("sound", &["sound"]),
    ("multi_shot", &["multi_shot", "shot_type", "multi_prompt"]),
    ("reference_video", &["video"]),
    ("elements", &["element_list"]),
    ("end_frame", &["end_frame"]),
];

/// Kling's `mode` values.
pub const MODES: &[&str] = &["std", "pro"];
/// Kling's `aspect_ratio` values.
pub const RATIOS: &[&str] = &["16:9", "9:16", "1:1"];
const FIVE_TEN: Seconds = Seconds::Only(&["5", "10"]);
const NONE: &[&str] = &[];

const RETIRED_2026_09_15: &str = "Kling's legacy-model end of life, published by its partner Comfy (Comfy-Org/docs PR #1326, ComfyUI PR #15676, changelog v0.30.2)";
const V1_DISCONTINUED: &str = "Kling's own answer since 2026-09: \"The model 'kling-v1' has been discontinued and is no longer available\"";

const RETIRED: Retirement = Retirement {
    date: "2026-09-15",
    source: RETIRED_2026_09_15,
    instead: "kling-v3",
};
const DISCONTINUED: Retirement = Retirement {
    date: "2026-09",
    source: V1_DISCONTINUED,
    instead: "kling-v3",
};

/// The rules shared by every generation model (text2video, image2video) on multi-shot.
const SHOT_RULES: [Rule; 4] = [
    Rule::Needs {
        when: "multi_prompt",
        needs: "multi_shot:true",
    },
    Rule::Needs {
        when: "shot_type:customize",
        needs: "multi_prompt",
    },
    Rule::AtMost {
        count: &["shots"],
        max: 6,
        when: "always",
    },
    Rule::ShotsSumToDuration,
];

const T2V_RULES: &[Rule] = &[
    SHOT_RULES[0],
    SHOT_RULES[1],
    SHOT_RULES[2],
    SHOT_RULES[3],
    Rule::RequiredUnless {
        field: "prompt",
        unless: &["multi_shot:true"],
    },
];

const I2V_RULES: &[Rule] = &[
    SHOT_RULES[0],
    SHOT_RULES[1],
    SHOT_RULES[2],
    SHOT_RULES[3],
    // Kling's image2video takes one of: a last frame, masks, a camera movement.
    Rule::NotWith {
        when: "image_tail",
        not: "masks",
    },
    Rule::NotWith {
        when: "image_tail",
        not: "camera_control",
    },
    Rule::NotWith {
        when: "masks",
        not: "camera_control",
    },
];

const OMNI_RULES: &[Rule] = &[
    SHOT_RULES[0],
    SHOT_RULES[1],
    SHOT_RULES[2],
    SHOT_RULES[3],
    Rule::RequiredUnless {
        field: "prompt",
        unless: &["multi_shot:true"],
    },
    Rule::RequiredUnless {
        field: "aspect_ratio",
        unless: &["first_frame", "base_video"],
    },
    Rule::Needs {
        when: "end_frame",
        needs: "first_frame",
    },
    Rule::NotWith {
        when: "sound:on",
        not: "video",
    },
    Rule::AtMost {
        count: &["videos"],
        max: 1,
        when: "always",
    },
    Rule::AtMost {
        count: &["images", "elements"],
        max: 7,
        when: "always",
    },
    Rule::AtMost {
        count: &["images", "elements"],
        max: 4,
        when: "video",
    },
];

const IMAGE_TAIL_PRO: &[Rule] = &[Rule::OnlyInMode {
    when: "image_tail",
    mode: "pro",
}];
const SOUND_PRO: &[Rule] = &[Rule::OnlyInMode {
    when: "sound:on",
    mode: "pro",
}];
const IMAGE_TAIL_AND_SOUND_PRO: &[Rule] = &[IMAGE_TAIL_PRO[0], SOUND_PRO[0]];

/// A row with the common defaults; every row below overrides what differs.
const fn row(family: Family, model: &'static str, per_5s: [f64; 2]) -> Row {
    Row {
        family,
        model,
        modes: MODES,
        durations: FIVE_TEN,
        aspect_ratios: match family {
            Family::ImageToVideo | Family::VideoExtend => NONE,
            _ => RATIOS,
        },
        features: NONE,
        rules: &[],
        extendable: false,
        retired: None,
        per_5s,
    }
}

const T2V: Family = Family::TextToVideo;
const I2V: Family = Family::ImageToVideo;
const OMNI: Family = Family::OmniVideo;

/// The table. Per family, the generic row (`"*"`) comes first and holds the family's rules, which
/// apply to every model of the family.
pub const TABLE: &[Row] = &[
    // text2video
    Row {
        durations: Seconds::Range(1, 60),
        features: &["sound", "multi_shot"],
        rules: T2V_RULES,
        ..row(T2V, "*", [0.0, 0.0])
    },
    Row {
        extendable: true,
        retired: Some(&DISCONTINUED),
        ..row(T2V, "kling-v1", [1.0, 3.5])
    },
    Row {
        extendable: true,
        retired: Some(&RETIRED),
        ..row(T2V, "kling-v1-5", [2.0, 3.5])
    },
    Row {
        extendable: true,
        retired: Some(&RETIRED),
        ..row(T2V, "kling-v1-6", [2.0, 3.5])
    },
    row(T2V, "kling-v2-master", [10.0, 10.0]),
    Row {
        retired: Some(&RETIRED),
        ..row(T2V, "kling-v2-1", [2.0, 3.5])
    },
    Row {
        retired: Some(&RETIRED),
        ..row(T2V, "kling-v2-1-master", [10.0, 10.0])
    },
    row(T2V, "kling-v2-5-turbo", [2.0, 3.5]),
    Row {
        features: &["sound"],
        rules: SOUND_PRO,
        ..row(T2V, "kling-v2-6", [2.0, 3.5])
    },
    Row {
        durations: Seconds::Range(3, 15),
        features: &["sound", "multi_shot"],
        ..row(T2V, "kling-v3", [3.0, 5.0])
    },
    // image2video
    Row {
        durations: Seconds::Range(1, 60),
        features: &["image_tail", "sound", "multi_shot"],
        rules: I2V_RULES,
        ..row(I2V, "*", [0.0, 0.0])
    },
    Row {
        extendable: true,
        retired: Some(&DISCONTINUED),
        features: &["image_tail"],
        rules: IMAGE_TAIL_PRO,
        ..row(I2V, "kling-v1", [1.0, 3.5])
    },
    Row {
        extendable: true,
        retired: Some(&RETIRED),
        features: &["image_tail"],
        rules: IMAGE_TAIL_PRO,
        ..row(I2V, "kling-v1-5", [2.0, 3.5])
    },
    Row {
        extendable: true,
        retired: Some(&RETIRED),
        features: &["image_tail"],
        rules: IMAGE_TAIL_PRO,
        ..row(I2V, "kling-v1-6", [2.0, 3.5])
    },
    row(I2V, "kling-v2-master", [10.0, 10.0]),
    Row {
        retired: Some(&RETIRED),
        features: &["image_tail"],
        rules: IMAGE_TAIL_PRO,
        ..row(I2V, "kling-v2-1", [2.0, 3.5])
    },
    Row {
        retired: Some(&RETIRED),
        ..row(I2V, "kling-v2-1-master", [10.0, 10.0])
    },
    Row {
        features: &["image_tail"],
        rules: IMAGE_TAIL_PRO,
        ..row(I2V, "kling-v2-5-turbo", [2.0, 3.5])
    },
    Row {
        features: &["image_tail", "sound"],
        rules: IMAGE_TAIL_AND_SOUND_PRO,
        ..row(I2V, "kling-v2-6", [2.0, 3.5])
    },
    Row {
        durations: Seconds::Range(3, 15),
        features: &["image_tail", "sound", "multi_shot"],
        ..row(I2V, "kling-v3", [3.0, 5.0])
    },
    // omni-video
    Row {
        durations: Seconds::Range(1, 60),
        features: &[
            "sound",
            "multi_shot",
            "reference_video",
            "elements",
            "end_frame",
        ],
        rules: OMNI_RULES,
        ..row(OMNI, "*", [0.0, 0.0])
    },
    Row {
        durations: Seconds::Range(3, 10),
        features: &["reference_video", "elements", "end_frame"],
        rules: &[Rule::DurationsWhen {
            when: "text_or_first_frame",
            durations: FIVE_TEN,
        }],
        ..row(OMNI, "kling-video-o1", [4.0, 6.0])
    },
    Row {
        durations: Seconds::Range(3, 15),
        features: &[
            "sound",
            "multi_shot",
            "reference_video",
            "elements",
            "end_frame",
        ],
        ..row(OMNI, "kling-v3-omni", [4.0, 6.0])
    },
    // video-extend: the model and mode are the source's; the units are per source model below.
    Row {
        modes: NONE,
        durations: Seconds::Only(&["5"]),
        ..row(Family::VideoExtend, "*", [3.5, 3.5])
    },
];

/// Estimated units of one extension, by the source's model: `[std, pro]` (a source of another
/// model: the dearest, 3.5).
pub const EXTEND_UNITS: &[(&str, [f64; 2])] = &[
    ("kling-v1", [1.0, 3.5]),
    ("kling-v1-5", [2.0, 3.5]),
    ("kling-v1-6", [2.0, 3.5]),
];

/// The lengths of video Omni-Video takes in `video_list` (a `feature` reference or a `base`).
pub const REFERENCE_VIDEO_SECONDS: Seconds = Seconds::Range(3, 10);

/// Units are multiplied by this with `sound: "on"` (an estimate: Kling charges sound extra).
pub const SOUND_FACTOR: f64 = 2.0;

/// The model a family's create should name today.
pub const CURRENT: &[(Family, &str)] = &[
    (T2V, "kling-v3"),
    (I2V, "kling-v3"),
    (OMNI, "kling-v3-omni"),
];

/// The rows of `family`, generic row first.
pub fn rows(family: Family) -> impl Iterator<Item = &'static Row> {
    TABLE.iter().filter(move |r| r.family == family)
}

/// The rules of a model the table does not know (and of every model of the family).
pub fn any_model(family: Family) -> &'static Row {
    // Every family has its generic row: tests/caps.rs holds the table to it.
    rows(family).next().unwrap_or(&TABLE[0])
}

/// The row of `model` in `family`, if the table knows it.
pub fn known(family: Family, model: &str) -> Option<&'static Row> {
    rows(family).skip(1).find(|r| r.model == model)
}

/// Today's model for `family` (`kling-v3`, `kling-v3-omni`).
pub fn current(family: Family) -> &'static str {
    CURRENT
        .iter()
        .find(|(f, _)| *f == family)
        .map_or("kling-v3", |(_, m)| m)
}

/// Every model whose videos video-extend takes.
pub fn extendable_models() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for r in TABLE.iter().filter(|r| r.extendable) {
        if !out.contains(&r.model) {
            out.push(r.model);
        }
    }
    out
}

/// Every model Kling no longer generates with, in any family.
pub fn retired_models() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for r in TABLE.iter().filter(|r| r.retired.is_some()) {
        if !out.contains(&r.model) {
            out.push(r.model);
        }
    }
    out
}

/// The retirement of `model` in any family.
pub fn retirement(model: &str) -> Option<Retirement> {
    TABLE.iter().find(|r| r.model == model)?.retired.copied()
}
