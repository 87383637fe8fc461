//! Chains: a video grown step by step from a source — by extension, by the next shot or from the
//! last frame — resumable under one id prefix, never paying for a step twice.
//!
//! [`plan`] is the pure arithmetic (what a durable runner imports); [`run`] performs a chain
//! through the client.

pub mod plan;
pub mod run;

pub use plan::{
    next_duration, step_external_id, ChainPlan, Clip, Method, Platform, Position, StepRequest,
    MAX_STEP_ATTEMPTS, MAX_STEP_SECONDS, MAX_TOTAL_SECONDS,
};
pub use run::{ChainError, ChainRun, StepProgress};
