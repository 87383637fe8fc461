//! A task as Kling returns it: the host's value kept whole for the user (unknown fields survive),
//! and the few fields the core decides on, read once as a typed struct.

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use crate::api::reader::lenient;

use crate::api::error::Error;
use crate::api::json::Json;
use crate::api::text::{num, parse_number};

/// A task's status. Kling spells success `succeed`; unknown statuses are kept, not refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskStatus {
    /// Accepted, not started.
    Submitted,
    /// Running.
    Processing,
    /// Finished with a result.
    Succeed,
    /// Finished without a result; `task_status_msg` says why.
    Failed,
    /// A status this client does not know yet.
    Other(String),
}

impl TaskStatus {
    /// The statuses Kling documents, in the order a task moves through them.
    pub const KNOWN: [&'static str; 4] = ["submitted", "processing", "succeed", "failed"];

    /// Where a status stands in a task's life: submitted 1, processing 2, succeed and failed 3,
    /// anything else 0. A record should never move to a lower rank (callbacks arrive in any order).
    pub fn rank(&self) -> u8 {
        match self {
            TaskStatus::Submitted => 1,
            TaskStatus::Processing => 2,
            TaskStatus::Succeed | TaskStatus::Failed => 3,
            TaskStatus::Other(_) => 0,
        }
    }

    /// Parses Kling's status string.
    pub fn parse(s: &str) -> TaskStatus {
        match s {
            "submitted" => TaskStatus::Submitted,
            "processing" => TaskStatus::Processing,
            "succeed" => TaskStatus::Succeed,
            "failed" => TaskStatus::Failed,
            other => TaskStatus::Other(other.to_string()),
        }
    }
}

/// The fields every task is checked for, read once. The rest are read when asked for: a poll
/// needs only these, and each field read crosses into the host.
#[derive(Debug, Clone, PartialEq)]
struct Fields {
    task_id: Scalar,
    task_status: String,
    task_status_msg: Option<String>,
}

/// [`Fields`] as read: the required ones are checked after.
struct Given {
    task_id: Option<Scalar>,
    task_status: Option<String>,
    task_status_msg: Option<String>,
}

lenient!(Given, GIVEN_FIELDS = [
    "task_id" => task_id,
    "task_status" => task_status,
    "task_status_msg" => task_status_msg,
]);

struct WithInfo {
    task_info: Option<Info>,
}

lenient!(WithInfo, WITH_INFO_FIELDS = ["task_info" => task_info]);

struct Info {
    external_task_id: Option<String>,
    parent_video: Option<Video>,
}

lenient!(Info, INFO_FIELDS = [
    "external_task_id" => external_task_id,
    "parent_video" => parent_video,
]);

struct WithResult {
    task_result: Option<Outcome>,
}

lenient!(WithResult, WITH_RESULT_FIELDS = ["task_result" => task_result]);

struct Outcome {
    videos: Option<Vec<Video>>,
}

lenient!(Outcome, OUTCOME_FIELDS = ["videos" => videos]);

struct Video {
    id: Option<String>,
    url: Option<String>,
    duration: Option<Scalar>,
}

lenient!(Video, VIDEO_FIELDS = ["id" => id, "url" => url, "duration" => duration]);

/// One task object (the `data` of a query, an item of a list, or a callback body) as the host
/// parsed it, the fields the core reads, and the request id of the answer that carried it.
#[derive(Debug, Clone, PartialEq)]
pub struct Task<J> {
    value: J,
    fields: Fields,
    request_id: Option<String>,
}

impl<J: Json> Task<J> {
    /// Checks that `value` is a task: an object with a `task_id` and a `task_status` string.
    pub fn from_json(value: J) -> Result<Task<J>, Error> {
        match value.read::<Given>() {
            Some(Given {
                task_id: Some(task_id),
                task_status: Some(task_status),
                task_status_msg,
            }) if !task_id.text().is_empty() => Ok(Task {
                value,
                fields: Fields {
                    task_id,
                    task_status,
                    task_status_msg,
                },
                request_id: None,
            }),
            _ => Err(Error::decode(
                "the response is not a Kling task (it needs a task_id and a task_status string)",
            )),
        }
    }

    fn info(&self) -> Option<Info> {
        self.value.read::<WithInfo>()?.task_info
    }

    fn first_video(&self) -> Option<Video> {
        let videos = self.value.read::<WithResult>()?.task_result?.videos?;
        videos.into_iter().next()
    }

    /// `task_info.external_task_id`.
    pub fn external_task_id(&self) -> Option<String> {
        self.info()?.external_task_id
    }

    /// The first result video's id: what the next extension extends.
    pub fn result_video_id(&self) -> Option<String> {
        self.first_video()?.id
    }

    /// The first result video's URL: the clip a chain of clips continues and joins.
    pub fn result_video_url(&self) -> Option<String> {
        self.first_video()?.url
    }

    /// The first result video's duration in seconds (the new total, for an extension).
    pub fn result_duration(&self) -> Option<f64> {
        self.first_video()?.duration?.seconds()
    }

    /// `task_info.parent_video.id`: the video an extension extends (Kling's echo of `video_id`).
    pub fn parent_video_id(&self) -> Option<String> {
        self.info()?.parent_video?.id
    }

    /// `task_info.parent_video.duration` in seconds: the source's length before this extension.
    pub fn parent_duration(&self) -> Option<f64> {
        self.info()?.parent_video?.duration?.seconds()
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl Task<serde_json::Value> {
    /// [`Task::from_json`] for a `serde_json` value.
    pub fn from_value(value: serde_json::Value) -> Result<Self, Error> {
        Task::from_json(value)
    }

    /// The task as Kling sent it.
    pub fn as_value(&self) -> &serde_json::Value {
        &self.value
    }

    /// The task as Kling sent it, by value.
    pub fn into_value(self) -> serde_json::Value {
        self.value
    }
}

impl<J> Task<J> {
    /// The same task, remembering the request id of the answer that carried it.
    pub fn with_request_id(mut self, request_id: Option<String>) -> Task<J> {
        self.request_id = request_id;
        self
    }

    /// Kling's request id of the answer that carried this task, when known.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The task id (a number is turned into its decimal string).
    pub fn id(&self) -> String {
        self.fields.task_id.text()
    }

    /// The raw status string.
    pub fn status_str(&self) -> &str {
        &self.fields.task_status
    }

    /// The parsed status.
    pub fn status(&self) -> TaskStatus {
        TaskStatus::parse(self.status_str())
    }

    /// Kling's failure reason, if any.
    pub fn status_msg(&self) -> Option<&str> {
        self.fields
            .task_status_msg
            .as_deref()
            .filter(|s| !s.is_empty())
    }

    /// The task as Kling sent it, as the host parsed it.
    pub fn json(&self) -> &J {
        &self.value
    }

    /// The task as Kling sent it, by value.
    pub fn into_json(self) -> J {
        self.value
    }
}

/// A string or a number (ids and durations come as either), kept as sent.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    /// A string.
    Text(String),
    /// A number.
    Number(f64),
}

impl Scalar {
    /// The value as text: numbers in their shortest decimal form.
    pub fn text(&self) -> String {
        match self {
            Scalar::Text(s) => s.clone(),
            Scalar::Number(n) => num(*n),
        }
    }

    /// Durations are strings of seconds ("5", "9.4"); numbers are accepted too.
    pub fn seconds(&self) -> Option<f64> {
        match self {
            Scalar::Text(s) => parse_number(s),
            Scalar::Number(n) => Some(*n),
        }
        .filter(|d| d.is_finite() && *d >= 0.0)
    }
}

impl serde::Serialize for Scalar {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Scalar::Text(t) => s.serialize_str(t),
            Scalar::Number(n) => s.serialize_f64(*n),
        }
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Scalar, E> {
                Ok(Scalar::Text(s.to_string()))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Scalar, E> {
                Ok(Scalar::Number(n))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Scalar, E> {
                Ok(Scalar::Number(n as f64))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Scalar, E> {
                Ok(Scalar::Number(n as f64))
            }
        }
        d.deserialize_any(V)
    }
}
