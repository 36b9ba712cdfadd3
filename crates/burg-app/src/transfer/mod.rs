//! Export and import of whole organizations (`ExportData`, `ImportData`).
//!
//! The document is ZITADEL's `DataOrg`. Organizations, their domains,
//! users, user links and org members live in their own read tables, since
//! the rest of burg works with them. Every other section (policies,
//! projects, roles, apps, keys, actions, grants, members of projects,
//! metadata, texts, org IdPs) is kept as a document per item: the item's
//! proto3 JSON, written through an event on its aggregate and projected
//! into `org_objects`, and given back unchanged by the export.
//!
//! [`sections`] lists those sections and [`kind`] names every kind of
//! item; [`export`] writes documents, [`import`] reads them, [`storage`]
//! moves them to and from files and object stores, and this module holds
//! what both directions share: JSON paths, the per-item checks against
//! [`limits`], and durations.

mod export;
mod import;
mod instance;
mod kind;
mod sections;
mod storage;

use burg_domain::{Error, Result};
use serde_json::Value;

pub use import::{
    EXISTS_ID as IMPORT_EXISTS_ID, Format as DocumentFormat, ImportMode, ORG_EXISTS_ID as IMPORT_ORG_EXISTS_ID,
    check_document, check_file_document,
};
pub(crate) use kind::Kind;
pub(crate) use sections::{SECTIONS, Section, key_of, report_id};
pub use storage::TransferDir;

/// The value at a dotted JSON path.
pub(crate) fn at<'v>(item: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(item, |v, part| v.get(part))
}

/// The text at a dotted JSON path ("" when absent; numbers and enum names
/// as written).
pub(crate) fn text_at<'v>(item: &'v Value, path: &str) -> &'v str {
    at(item, path).and_then(Value::as_str).unwrap_or_default()
}

/// The members of a list at a dotted JSON path (none when absent).
pub(crate) fn list<'v>(v: &'v Value, path: &str) -> impl Iterator<Item = &'v Value> {
    at(v, path).and_then(Value::as_array).into_iter().flatten()
}

/// A Go-style duration (`30s`, `10m`, `1h30m`, `500ms`), as ZITADEL's
/// `timeout` fields take them.
pub fn parse_duration(field: &str, text: &str) -> Result<std::time::Duration> {
    let bad = || {
        Error::invalid_argument(
            "IMPORT-dur01",
            format!("`{field}` is not a duration like \"30s\" or \"10m\": {text:?}"),
        )
    };
    let text = text.trim();
    if text.is_empty() {
        return Err(bad());
    }
    if text == "0" {
        return Ok(std::time::Duration::ZERO);
    }
    let mut total = 0f64;
    let mut rest = text;
    while !rest.is_empty() {
        let number_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).ok_or_else(bad)?;
        if number_len == 0 {
            return Err(bad());
        }
        let number: f64 = rest[..number_len].parse().map_err(|_| bad())?;
        rest = &rest[number_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let seconds = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(bad()),
        };
        total += number * seconds;
        rest = &rest[unit_len..];
    }
    if !total.is_finite() || total > 1e9 {
        return Err(bad());
    }
    Ok(std::time::Duration::from_secs_f64(total))
}

/// The timeout of an export or import: the given duration, or an hour.
pub(crate) fn timeout_of(text: &str) -> Result<std::time::Duration> {
    if text.trim().is_empty() { Ok(DEFAULT_TIMEOUT) } else { parse_duration("timeout", text) }
}

/// Used when a request gives no `timeout`.
pub(crate) const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3600);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("t", "30s").unwrap().as_secs(), 30);
        assert_eq!(parse_duration("t", "1h30m").unwrap().as_secs(), 5400);
        assert_eq!(parse_duration("t", "500ms").unwrap().as_millis(), 500);
        assert_eq!(parse_duration("t", "1.5m").unwrap().as_secs(), 90);
        for bad in ["", "10", "s", "10x", "-5s", "1h-"] {
            assert!(parse_duration("timeout", bad).is_err(), "{bad}");
        }
        assert_eq!(timeout_of("").unwrap(), DEFAULT_TIMEOUT);
    }

    #[test]
    fn keys() {
        let s = SECTIONS.iter().find(|s| s.json == "projectGrantMembers").unwrap();
        let item = serde_json::json!({"projectId": "p", "grantId": "g", "userId": "u"});
        assert_eq!(key_of(s, &item), "p_g_u");
    }
}
