//! The TypeScript declared by hand in `src/wasm/types.rs` (what tsify cannot generate: unions of
//! the core's string codes, the log fields object) and the README's error table say exactly what
//! the core has — a code, level, status or log field added on one side fails here.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;

use kling_edge::api::http::Method;
use kling_edge::api::{ErrorKind, LogLevel, LogRecord, TaskStatus};

const TYPES: &str = include_str!("../src/wasm/types.rs");
const README: &str = include_str!("../README.md");

/// The code raised only by the browser entry, before the module is loaded.
const NOT_INITIALIZED: &str = "ERR_KLING_NOT_INITIALIZED";

/// What `types.rs` declares between `head` and the first `end` after it.
fn declared(head: &str, end: &str) -> &'static str {
    let start = TYPES
        .find(head)
        .unwrap_or_else(|| panic!("types.rs declares no `{head}`"))
        + head.len();
    let len = TYPES[start..]
        .find(end)
        .unwrap_or_else(|| panic!("no `{end}` ends `{head}`"));
    &TYPES[start..start + len]
}

/// The string members of `export type {name} = "a" | "b" …;`.
fn union(name: &str) -> BTreeSet<String> {
    declared(&format!("export type {name} ="), ";")
        .split('|')
        .map(str::trim)
        .filter_map(|m| m.strip_prefix('"').and_then(|m| m.strip_suffix('"')))
        .map(str::to_string)
        .collect()
}

/// The property names of `export interface {name} { … }` (one level; comments skipped).
fn interface(name: &str) -> BTreeSet<String> {
    declared(&format!("export interface {name} {{"), "\n}")
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('/') && !l.starts_with('*'))
        .filter_map(|l| l.split(['?', ':']).next())
        .filter(|k| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric()))
        .map(str::to_string)
        .collect()
}

fn set<'a>(items: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    items.into_iter().map(str::to_string).collect()
}

#[test]
fn kling_error_code_lists_every_kind_and_the_entry_s_own_code() {
    let mut codes = set(ErrorKind::ALL.map(ErrorKind::code));
    codes.insert(NOT_INITIALIZED.to_string());
    assert_eq!(union("KlingErrorCode"), codes);
}

#[test]
fn every_kind_has_its_own_code_and_is_found_by_it() {
    let codes = set(ErrorKind::ALL.map(ErrorKind::code));
    assert_eq!(codes.len(), ErrorKind::ALL.len(), "one code per kind");
    for kind in ErrorKind::ALL {
        assert_eq!(ErrorKind::from_code(kind.code()), Some(kind));
    }
    assert_eq!(ErrorKind::from_code(NOT_INITIALIZED), None);
}

#[test]
fn the_readme_s_error_table_has_a_row_for_every_code() {
    let rows: BTreeSet<String> = README
        .lines()
        .filter_map(|l| l.strip_prefix("| `ERR_KLING_"))
        .filter_map(|l| l.split('`').next())
        .map(|rest| format!("ERR_KLING_{rest}"))
        .collect();
    assert_eq!(rows, union("KlingErrorCode"));
}

#[test]
fn kling_log_level_lists_every_level() {
    assert_eq!(
        union("KlingLogLevel"),
        set(LogLevel::ALL.map(LogLevel::as_str))
    );
    for level in LogLevel::ALL {
        assert_eq!(LogLevel::from_name(level.as_str()), Some(level));
    }
}

#[test]
fn task_status_lists_the_known_statuses_in_their_order() {
    assert_eq!(union("TaskStatus"), set(TaskStatus::KNOWN));
    let ranks: Vec<u8> = TaskStatus::KNOWN
        .iter()
        .map(|s| TaskStatus::parse(s).rank())
        .collect();
    assert_eq!(ranks, [1, 2, 3, 3]);
}

#[test]
fn kling_log_fields_has_every_field_a_log_record_can_carry() {
    // Every field set (a field added to LogRecord must be added here, and to the interface).
    let full = LogRecord {
        method: Some(Method::Get),
        path: Some("/v1/videos/video-extend/1".into()),
        attempt: Some(1),
        status: Some(200),
        api_code: Some(0),
        request_id: Some("r".into()),
        duration_ms: Some(1.0),
        delay_ms: Some(500),
        code: Some(ErrorKind::Server.code()),
    };
    let value = serde_json::to_value(&full).expect("a log record serializes");
    let keys: BTreeSet<String> = value
        .as_object()
        .expect("an object")
        .keys()
        .cloned()
        .collect();
    assert_eq!(interface("KlingLogFields"), keys);
}

#[test]
fn the_model_name_types_list_every_model_of_the_capability_table() {
    use kling_edge::api::{caps, Family};
    for (name, family) in [
        ("TextToVideoModel", Family::TextToVideo),
        ("ImageToVideoModel", Family::ImageToVideo),
        ("OmniVideoModel", Family::OmniVideo),
    ] {
        let known = set(caps::rows(family).skip(1).map(|r| r.model));
        assert_eq!(union(name), known, "{name}");
        assert!(
            declared(&format!("export type {name} ="), ";").contains("(string & {})"),
            "{name} takes any other name too"
        );
    }
    let families = set(Family::ALL.map(Family::name));
    assert_eq!(union("KlingFamily"), families);
}

#[test]
fn the_readme_and_usage_guide_name_today_s_models_and_the_table() {
    let usage = include_str!("../docs/usage.md");
    for doc in [README, usage] {
        for needle in [
            "kling-v3",
            "kling-v3-omni",
            "omniVideo",
            "allowRetiredModels",
            "limits().families",
            "price(",
            "region",
        ] {
            assert!(doc.contains(needle), "a doc lacks {needle}");
        }
    }
}
