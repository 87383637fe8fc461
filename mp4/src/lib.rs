//! Joins MP4 clips of one encoder's settings (Kling's clips of one model, mode and aspect ratio)
//! into one MP4 without re-encoding, as `ffmpeg -f concat -c copy -movflags +faststart` does.
//!
//! Pure: no I/O. [`plan`] builds the joined file's header (`ftyp`, `moov`, the `mdat` header) from
//! the clips' `moov` boxes and lists the byte ranges of the clips that follow it, so a server can
//! stream the joined file (or any range of it) from range reads; [`join`] does it all in memory.
//! The box work is mp4-atom's; this crate is the arithmetic between the boxes.

mod clip;
mod error;
mod join;
mod layout;
mod tree;
#[cfg(target_arch = "wasm32")]
mod wasm;

pub use error::{Error, ErrorKind, Result};
pub use join::{join, plan, ClipHeader, Piece, Plan};
pub use layout::{find_moov, read_box_header, top_level_boxes, TopBox, BOX_HEADER_MAX};
