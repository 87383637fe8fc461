//! # kling-edge
//!
//! A client for Kling AI's video API — above all its Video Extension endpoint — that compiles to
//! WebAssembly and runs unchanged in browsers, Node, Deno, Bun and Cloudflare Workers.
//!
//! The crate has two halves:
//!
//! * [`api`] — the pure core: JWT signing, request validation, error mapping, retries, waiting and
//!   chains. It never touches JavaScript; it reaches the world through the [`api::Env`] trait
//!   (send HTTP, sleep, read the clock, draw random bytes), so every decision is tested natively
//!   with a scripted host.
//! * `wasm` (only on `wasm32`) — the thin boundary: the exported `KlingClient`, value conversion,
//!   the `fetch`-based host and JavaScript errors.
#![deny(missing_docs)]
// Errors carry every identifier the caller may need (request id, task ids, field, ...). They are
// built on the cold path only, so their size is not worth boxing for.
#![allow(clippy::result_large_err)]

pub mod api;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
