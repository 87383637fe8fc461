//! A task as Kling returns it: kept whole (unknown fields survive), read through accessors.

use serde_json::Value;

use crate::api::error::Error;
use crate::api::text::{json_text, parse_number};

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

/// One task object (the `data` of a query, an item of a list, or a callback body), and the
/// request id of the answer that carried it.
#[derive(Debug, Clone, PartialEq)]
pub struct Task(Value, Option<String>);

impl Task {
    /// Checks that `value` is a task: an object with a `task_id` and a `task_status` string.
    pub fn from_value(value: Value) -> Result<Task, Error> {
        let id_ok = match value.get("task_id") {
            Some(Value::String(s)) => !s.is_empty(),
            Some(Value::Number(_)) => true,
            _ => false,
        };
        if !id_ok {
            return Err(Error::decode(
                "the response has no task_id: it is not a Kling task",
            ));
        }
        if !matches!(value.get("task_status"), Some(Value::String(_))) {
            return Err(Error::decode(
                "the response has no task_status string: it is not a Kling task",
            ));
        }
        Ok(Task(value, None))
    }

    /// The same task, remembering the request id of the answer that carried it.
    pub fn with_request_id(mut self, request_id: Option<String>) -> Task {
        self.1 = request_id;
        self
    }

    /// Kling's request id of the answer that carried this task, when known.
    pub fn request_id(&self) -> Option<&str> {
        self.1.as_deref()
    }

    /// The task id (a number is turned into its decimal string).
    pub fn id(&self) -> String {
        match self.0.get("task_id") {
            Some(Value::String(s)) => s.clone(),
            Some(other) => json_text(other),
            None => String::new(),
        }
    }

    /// The raw status string.
    pub fn status_str(&self) -> &str {
        self.0
            .get("task_status")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// The parsed status.
    pub fn status(&self) -> TaskStatus {
        TaskStatus::parse(self.status_str())
    }

    /// Kling's failure reason, if any.
    pub fn status_msg(&self) -> Option<&str> {
        self.0
            .get("task_status_msg")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    /// `task_info.external_task_id`.
    pub fn external_task_id(&self) -> Option<&str> {
        self.0
            .pointer("/task_info/external_task_id")
            .and_then(Value::as_str)
    }

    /// The first result video's id: what the next extension extends.
    pub fn result_video_id(&self) -> Option<&str> {
        self.0
            .pointer("/task_result/videos/0/id")
            .and_then(Value::as_str)
    }

    /// The first result video's duration in seconds (the new total, for an extension).
    pub fn result_duration(&self) -> Option<f64> {
        self.0
            .pointer("/task_result/videos/0/duration")
            .and_then(seconds)
    }

    /// `task_info.parent_video.id`: the video an extension extends (Kling's echo of `video_id`).
    pub fn parent_video_id(&self) -> Option<&str> {
        self.0
            .pointer("/task_info/parent_video/id")
            .and_then(Value::as_str)
    }

    /// `task_info.parent_video.duration` in seconds: the source's length before this extension.
    pub fn parent_duration(&self) -> Option<f64> {
        self.0
            .pointer("/task_info/parent_video/duration")
            .and_then(seconds)
    }

    /// The task as Kling sent it.
    pub fn as_value(&self) -> &Value {
        &self.0
    }

    /// The task as Kling sent it, by value.
    pub fn into_value(self) -> Value {
        self.0
    }
}

/// Durations are strings of seconds ("5", "9.4"); numbers are accepted too.
pub(crate) fn seconds(v: &Value) -> Option<f64> {
    match v {
        Value::String(s) => parse_number(s),
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
    .filter(|d| d.is_finite() && *d >= 0.0)
}
