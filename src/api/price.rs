//! What a create can cost at most, in Kling's units, for a service that reserves a budget before
//! anything is sent. Kling charges `final_unit_deduction` when a task ends; these are estimates of
//! the dearest case, so a reservation is never smaller than the charge it stands for.

use crate::api::env::Json;
use crate::api::error::Error;
use crate::api::model::{CreateParams, Family};

/// The worst-case units of one create, in thousandths of a unit (sums never drift).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Price {
    /// Thousandths of a unit.
    pub milli_units: u32,
    /// The model the estimate is for (`None`: an extension of a source of unknown model).
    pub model: Option<String>,
    /// `std` or `pro` (`None`: an extension of a source of unknown mode).
    pub mode: Option<String>,
    /// Seconds the task makes.
    pub seconds: u32,
}

/// A generation's units per 5 seconds by model and mode, `(std, pro)`, in thousandths.
const GENERATION_PER_5S: &[(&str, u32, u32)] = &[
    ("kling-v1", 1_000, 3_500),
    ("kling-v1-5", 2_000, 3_500),
    ("kling-v1-6", 2_000, 3_500),
];

/// A model this list does not name: the dearest of the rows above, per 5 seconds.
const UNKNOWN_MODEL_PER_5S: (u32, u32) = (2_000, 3_500);

/// One extension by the source's model and mode (model and mode are the source's): Kling's
/// published costs, in thousandths.
const EXTENSION: &[(&str, u32, u32)] = &[
    ("kling-v1", 1_000, 3_500),
    ("kling-v1-5", 2_000, 3_500),
    ("kling-v1-6", 2_000, 3_500),
];

/// An extension of a source whose model or mode is not known: the dearest case.
const EXTENSION_UNKNOWN: u32 = 3_500;

/// Seconds one extension adds.
const EXTENSION_SECONDS: u32 = 5;

/// The source video of an extension, as far as the caller knows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Source {
    /// The model that made the source.
    pub model: Option<String>,
    /// Its mode.
    pub mode: Option<String>,
}

fn pick(row: (u32, u32), mode: &str) -> u32 {
    if mode == "pro" {
        row.1
    } else {
        row.0
    }
}

/// The worst-case price of checked create parameters. `source`: an extension's source video
/// (unknown fields price as the dearest case); ignored for generations.
pub fn price<J: Json>(params: &CreateParams<J>, source: &Source) -> Price {
    match params {
        CreateParams::Extend(_) => {
            let known = match (source.model.as_deref(), source.mode.as_deref()) {
                (Some(model), Some(mode)) => EXTENSION
                    .iter()
                    .find(|(m, _, _)| *m == model)
                    .map(|&(_, std, pro)| pick((std, pro), mode)),
                _ => None,
            };
            Price {
                milli_units: known.unwrap_or(EXTENSION_UNKNOWN),
                model: known.and(source.model.clone()),
                mode: known.and(source.mode.clone()),
                seconds: EXTENSION_SECONDS,
            }
        }
        CreateParams::TextToVideo(p) => generation(&p.model_name, &p.mode, &p.duration),
        CreateParams::ImageToVideo(p) => generation(&p.model_name, &p.mode, &p.duration),
    }
}

fn generation(model: &Option<String>, mode: &Option<String>, duration: &Option<String>) -> Price {
    let mode = mode.as_deref().unwrap_or("std");
    // Checked parameters hold a whole number of seconds; Kling's default length is 5 s.
    let seconds = duration
        .as_deref()
        .and_then(|d| d.parse::<u32>().ok())
        .unwrap_or(5);
    let row = GENERATION_PER_5S
        .iter()
        .find(|(m, _, _)| Some(*m) == model.as_deref())
        .map(|&(_, std, pro)| (std, pro))
        .unwrap_or(UNKNOWN_MODEL_PER_5S);
    let per_5s = pick(row, mode);
    Price {
        // Rounded up to a whole thousandth: an estimate is never below the charge.
        milli_units: (per_5s * seconds).div_ceil(5),
        model: model.clone(),
        mode: Some(mode.to_string()),
        seconds,
    }
}

/// Checks `params` of `family` as a create does, then prices them.
pub fn price_of<J: Json>(family: Family, params: &J, source: &Source) -> Result<Price, Error> {
    Ok(price(&family.check_create(params)?, source))
}
