//! The one error type of the joiner, with the stable codes of the package's `KlingError`.

use std::fmt;

/// What went wrong, as a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The clips are MP4s but cannot be joined without re-encoding (`ERR_KLING_MP4_INCOMPATIBLE`).
    Incompatible,
    /// A clip is not an MP4 the joiner can read (`ERR_KLING_DECODE`).
    Decode,
    /// The call itself is wrong, e.g. no clips (`ERR_KLING_INVALID_REQUEST`).
    InvalidRequest,
}

impl ErrorKind {
    /// The stable code a `KlingError` carries.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::Incompatible => "ERR_KLING_MP4_INCOMPATIBLE",
            ErrorKind::Decode => "ERR_KLING_DECODE",
            ErrorKind::InvalidRequest => "ERR_KLING_INVALID_REQUEST",
        }
    }
}

/// A refusal: which clip (0-based, when one is at fault) and a message saying what differs or
/// what is wrong, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The stable code.
    pub kind: ErrorKind,
    /// The clip at fault, 0-based (the message says "clip 3" for index 3).
    pub clip: Option<usize>,
    /// What was wrong, for people.
    pub message: String,
}

impl Error {
    /// `clip` cannot be joined with clip 0: `message` says what differs.
    pub(crate) fn incompatible(clip: usize, message: String) -> Error {
        Error {
            kind: ErrorKind::Incompatible,
            clip: Some(clip),
            message: format!("{message}; only clips of one model, mode and aspect ratio (one encoder's settings) can be joined without re-encoding"),
        }
    }

    /// `clip` cannot be read as an MP4: `what` says why.
    pub(crate) fn decode(clip: Option<usize>, what: impl fmt::Display) -> Error {
        let message = match clip {
            Some(i) => format!("clip {i} is not an MP4 file that can be joined: {what}; pass each clip's whole MP4 file as it was delivered"),
            None => format!("{what}"),
        };
        Error {
            kind: ErrorKind::Decode,
            clip,
            message,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.code(), self.message)
    }
}

impl std::error::Error for Error {}

/// Shorthand for the joiner's results.
pub type Result<T> = std::result::Result<T, Error>;
