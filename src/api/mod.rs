//! The pure core of kling-edge: everything the client decides, with no JavaScript in sight.
//!
//! The core reaches the outside world only through [`Env`]. Native tests drive it with a scripted
//! host and a frozen clock; the wasm boundary supplies a host built on `fetch` and `setTimeout`.

pub mod account;
pub mod auth;
pub mod base64;
pub mod callback;
pub mod caps;
pub mod chain;
pub mod client;
pub mod create;
pub mod env;
pub mod error;
pub mod estimate;
pub mod family;
pub mod fit;
pub mod generate;
pub mod http;
pub mod json;
pub mod limiter;
pub mod log;
pub mod model;
pub mod omni;
pub mod options;
pub mod pages;
pub mod params;
pub mod read;
pub mod reader;
pub mod reply;
pub mod retry;
pub mod task;
pub mod text;
pub mod validate;
pub mod wait;

pub use auth::{sign_token, Credentials, Secret};
pub use client::{Client, ClientOptions, RequestOptions};
pub use env::Env;
pub use error::{Error, ErrorKind};
pub use json::Json;
pub use log::{LogLevel, LogRecord};
pub use model::{Family, Page};
pub use task::{Task, TaskStatus};
pub use wait::{PollSchedule, WaitOptions};
