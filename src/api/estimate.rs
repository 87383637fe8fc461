//! The most a create can cost, from the capability table (`caps.rs`): what a service reserves
//! from a budget before sending. An estimate — Kling's charge is the task's
//! `final_unit_deduction` — and never below it for the models the table knows.

use crate::api::caps::{self, EXTEND_UNITS, SOUND_FACTOR};
use crate::api::error::Error;
use crate::api::family::Family;
use crate::api::fit;
use crate::api::json::Json;
use crate::api::text::parse_number;

/// The source video of an extension, as far as the caller knows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Source {
    /// The model that made the source.
    pub model: Option<String>,
    /// Its mode.
    pub mode: Option<String>,
}

/// The estimate of one create.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// Units, at most what Kling charges for the table's figures (rounded up to 0.01).
    pub units: f64,
    /// Always `true`: this is an estimate, not Kling's charge.
    pub estimate: bool,
    /// The model priced (`null` for an extension: its source's, unknown here).
    pub model: Option<String>,
    /// The mode priced (`null` for an extension).
    pub mode: Option<String>,
    /// The seconds priced, as a string (an extension adds up to 5).
    pub duration: String,
}

/// Checks `params` as a create of `family` would (`ERR_KLING_INVALID_REQUEST`), then estimates
/// the most it can cost: the model's units per 5 s for the mode, times the seconds, doubled with
/// `sound: "on"`; a model the table does not know is priced as the family's dearest; an
/// extension as the dearest source (3.5).
pub fn price<J: Json>(
    family: Family,
    params: &J,
    allow_retired: bool,
    source: &Source,
) -> Result<Estimate, Error> {
    let (_, facts) = family.read(params)?;
    let row = fit::check(family, &facts, allow_retired)?;
    if family == Family::VideoExtend {
        // Model and mode are the source's: priced by it when known, else as the dearest source.
        let known = match (source.model.as_deref(), source.mode.as_deref()) {
            (Some(model), Some(mode)) => EXTEND_UNITS
                .iter()
                .find(|(m, _)| *m == model)
                .map(|(_, u)| u[usize::from(mode == "pro")]),
            _ => None,
        };
        let dearest = EXTEND_UNITS
            .iter()
            .flat_map(|(_, u)| u.iter().copied())
            .fold(row.per_5s[1], f64::max);
        return Ok(Estimate {
            units: known.unwrap_or(dearest),
            estimate: true,
            model: known.and(source.model.clone()),
            mode: known.and(source.mode.clone()),
            duration: "5".into(),
        });
    }
    let mode = facts.mode.clone().unwrap_or_else(|| "std".into());
    let slot = usize::from(mode == "pro");
    let per_5s = if row.model == "*" {
        caps::rows(family)
            .map(|r| r.per_5s[slot])
            .fold(0.0, f64::max)
    } else {
        row.per_5s[slot]
    };
    let duration = facts.duration.clone().unwrap_or_else(|| "5".into());
    let seconds = parse_number(&duration).unwrap_or(5.0);
    let sound = if facts.holds("sound:on") {
        SOUND_FACTOR
    } else {
        1.0
    };
    let units = (per_5s * seconds / 5.0 * sound * 100.0).ceil() / 100.0;
    Ok(Estimate {
        units,
        estimate: true,
        model: facts.model.clone(),
        mode: Some(mode),
        duration,
    })
}
