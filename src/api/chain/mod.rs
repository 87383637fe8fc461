//! Chains: a video grown step by step from a source — by extension, by the next shot or from the
//! last frame — resumable under one id prefix, never paying for a step twice.
//!
//! [`steps`] makes and checks every step's request from the chain's parameters; [`plan`] is the
//! pure arithmetic over them (positions, lengths, guards: what a durable runner imports); [`run`]
//! performs a chain through the client.

pub mod plan;
pub mod run;
pub mod steps;

pub use plan::{
    next_duration, ChainPlan, Clip, Position, StepRequest, MAX_STEP_SECONDS, MAX_TOTAL_SECONDS,
};
pub use run::{ChainError, ChainRun, StepProgress};
pub use steps::{step_external_id, Method, Platform, MAX_STEP_ATTEMPTS};
