//! Request validation generated from the `(zitadel.v1.validate)` rules of
//! `proto/`.
//!
//! ZITADEL checks every request with the code protoc-gen-validate (PGV)
//! generates from these rules, before the handler runs, and answers a breach
//! with InvalidArgument and the text of PGV's error:
//! `invalid <GoMessage>.<GoField>: <reason>`, where a nested message adds
//! `embedded message failed validation | caused by: <the inner error>`.
//! `build.rs` writes one [`Validate`] impl per message (`validate.rs` in
//! `OUT_DIR`); this module holds the checks those impls call, with PGV's
//! semantics and reasons: lengths in runes or bytes, item counts, enum
//! membership, email addresses, duration ranges. The first breach wins, in
//! PGV's order (plain fields in declaration order, then oneofs, then proto3
//! `optional` fields).

use std::fmt;

/// A request that breaks a rule of its message: PGV's error text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation(String);

impl Violation {
    /// `invalid <message>.<field>: <reason>`.
    pub fn field(message: &str, field: impl fmt::Display, reason: impl fmt::Display) -> Self {
        Violation(format!("invalid {message}.{field}: {reason}"))
    }

    /// A nested message's violation, seen from the message holding it.
    pub fn embedded(message: &str, field: impl fmt::Display, cause: Violation) -> Self {
        Violation(format!("invalid {message}.{field}: embedded message failed validation | caused by: {}", cause.0))
    }

    /// The whole text, as ZITADEL answers it.
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Violation> for tonic::Status {
    fn from(v: Violation) -> Self {
        crate::error::status(tonic::Code::InvalidArgument, ERROR_ID, v.0)
    }
}

/// The error id of every rule breach (ZITADEL's own answer carries none).
pub const ERROR_ID: &str = "VALID-rules";

/// A message whose fields carry rules; every generated message implements it.
pub trait Validate {
    /// The first rule the message breaks, if any.
    fn validate(&self) -> Result<(), Violation>;
}

impl<T: Validate + ?Sized> Validate for Box<T> {
    fn validate(&self) -> Result<(), Violation> {
        (**self).validate()
    }
}

/// Checks `value` against `check` and names the field on failure.
#[inline]
pub fn at(message: &str, field: &str, check: Result<(), String>) -> Result<(), Violation> {
    check.map_err(|reason| Violation::field(message, field, reason))
}

/// As [`at`], for item `index` of a repeated field (`Field[index]`).
#[inline]
pub fn at_item(message: &str, field: &str, index: usize, check: Result<(), String>) -> Result<(), Violation> {
    check.map_err(|reason| Violation::field(message, format_args!("{field}[{index}]"), reason))
}

/// Validates a nested message and names the field holding it on failure.
#[inline]
pub fn nested<M: Validate + ?Sized>(message: &str, field: &str, value: &M) -> Result<(), Violation> {
    value.validate().map_err(|cause| Violation::embedded(message, field, cause))
}

/// As [`nested`], for item `index` of a repeated field.
#[inline]
pub fn nested_item<M: Validate + ?Sized>(message: &str, field: &str, index: usize, value: &M) -> Result<(), Violation> {
    value.validate().map_err(|cause| Violation::embedded(message, format_args!("{field}[{index}]"), cause))
}

/// A `message { required: true }` field that is absent.
pub fn required<T>(value: Option<&T>) -> Result<(), String> {
    value.map(drop).ok_or_else(|| "value is required".to_string())
}

/// The rules of a `string` field. `None` is a rule that is not set; PGV
/// tells a set `min_len: 0` from an unset one in its reason texts.
#[derive(Debug, Clone, Copy, Default)]
pub struct Str {
    pub len: Option<u64>,
    pub min_len: Option<u64>,
    pub max_len: Option<u64>,
    pub min_bytes: Option<u64>,
    pub max_bytes: Option<u64>,
    pub prefix: Option<&'static str>,
    pub email: bool,
    /// PGV's `uri_ref`: a URI reference, relative ones included.
    pub uri_ref: bool,
    pub ignore_empty: bool,
}

/// Checks a string in PGV's order: rune length, byte length, prefix, email.
pub fn string(value: &str, rule: &Str) -> Result<(), String> {
    if rule.ignore_empty && value.is_empty() {
        return Ok(());
    }
    let runes = || value.chars().count() as u64;
    let exact = rule.len.or(match (rule.min_len, rule.max_len) {
        (Some(min), Some(max)) if min == max => Some(min),
        _ => None,
    });
    if let Some(n) = exact {
        if runes() != n {
            return Err(format!("value length must be {n} runes"));
        }
    } else {
        match (rule.min_len, rule.max_len) {
            (Some(min), Some(max)) => {
                let n = runes();
                if n < min || n > max {
                    return Err(format!("value length must be between {min} and {max} runes, inclusive"));
                }
            }
            (Some(min), None) if runes() < min => return Err(format!("value length must be at least {min} runes")),
            (None, Some(max)) if runes() > max => return Err(format!("value length must be at most {max} runes")),
            _ => {}
        }
    }
    byte_len(value.len() as u64, rule.min_bytes, rule.max_bytes)?;
    if let Some(prefix) = rule.prefix
        && !value.starts_with(prefix)
    {
        return Err(format!("value does not have prefix {prefix:?}"));
    }
    if rule.email {
        email(value).map_err(|cause| format!("value must be a valid email address | caused by: {cause}"))?;
    }
    if rule.uri_ref {
        uri_ref(value).map_err(|cause| format!("value must be a valid URI | caused by: {cause}"))?;
    }
    Ok(())
}

/// What Go's `url.Parse` refuses, which PGV's `uri_ref` reports: control
/// characters and a `%` not followed by two hex digits.
pub fn uri_ref(value: &str) -> Result<(), String> {
    if value.chars().any(|c| c.is_ascii_control()) {
        return Err("invalid control character in URL".into());
    }
    let bytes = value.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'%' && !(bytes.get(i + 1..i + 3).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))) {
            return Err("invalid URL escape".into());
        }
    }
    Ok(())
}

/// The rules of a `bytes` field (lengths in bytes).
pub fn bytes(value: &[u8], min_len: Option<u64>, max_len: Option<u64>) -> Result<(), String> {
    byte_len(value.len() as u64, min_len, max_len)
}

fn byte_len(n: u64, min: Option<u64>, max: Option<u64>) -> Result<(), String> {
    match (min, max) {
        (Some(min), Some(max)) if min == max && n != min => Err(format!("value length must be {min} bytes")),
        (Some(min), Some(max)) if min != max && (n < min || n > max) => {
            Err(format!("value length must be between {min} and {max} bytes, inclusive"))
        }
        (Some(min), None) if n < min => Err(format!("value length must be at least {min} bytes")),
        (None, Some(max)) if n > max => Err(format!("value length must be at most {max} bytes")),
        _ => Ok(()),
    }
}

/// A `bool` field's `const` rule.
pub fn boolean(value: &bool, want: bool) -> Result<(), String> {
    if *value == want { Ok(()) } else { Err(format!("value must equal {want}")) }
}

/// The item count rules of a repeated field (PGV ignores a zero `min_items`).
pub fn items(n: usize, min: u64, max: Option<u64>) -> Result<(), String> {
    let n = n as u64;
    match (min, max) {
        (0, Some(max)) if n > max => Err(format!("value must contain no more than {max} item(s)")),
        (0, _) => Ok(()),
        (min, Some(max)) if min == max && n != min => Err(format!("value must contain exactly {min} item(s)")),
        (min, Some(max)) if min != max && (n < min || n > max) => {
            Err(format!("value must contain between {min} and {max} items, inclusive"))
        }
        (min, None) if n < min => Err(format!("value must contain at least {min} item(s)")),
        _ => Ok(()),
    }
}

/// An enum field: `not_in` first, then `defined_only` against the numbers
/// the enum defines.
pub fn enumeration(value: i32, defined: Option<&[i32]>, not_in: &[i32]) -> Result<(), String> {
    if not_in.contains(&value) {
        let list: Vec<String> = not_in.iter().map(i32::to_string).collect();
        return Err(format!("value must not be in list [{}]", list.join(" ")));
    }
    if let Some(defined) = defined
        && !defined.contains(&value)
    {
        return Err("value must be one of the defined enum values".to_string());
    }
    Ok(())
}

/// A duration within `[gte, lte]` seconds (either bound may be absent).
pub fn duration(value: &crate::wkt::Duration, gte: Option<i64>, lte: Option<i64>) -> Result<(), String> {
    // Go's time.Duration is int64 nanoseconds; beyond it AsDuration fails.
    let Some(nanos) = value.seconds.checked_mul(1_000_000_000).and_then(|s| s.checked_add(i64::from(value.nanos)))
    else {
        return Err("value is not a valid duration | caused by: duration out of range".to_string());
    };
    let sec = |s: i64| s.saturating_mul(1_000_000_000);
    match (gte, lte) {
        (Some(lo), Some(hi)) if nanos < sec(lo) || nanos > sec(hi) => {
            Err(format!("value must be inside range [{lo}s, {hi}s]"))
        }
        (Some(lo), None) if nanos < sec(lo) => Err(format!("value must be greater than or equal to {lo}s")),
        (None, Some(hi)) if nanos > sec(hi) => Err(format!("value must be less than or equal to {hi}s")),
        _ => Ok(()),
    }
}

/// PGV's email check: Go's `mail.ParseAddress` (an address, or a display
/// name with the address in angle brackets), then at most 254 bytes, a
/// local part of at most 64 bytes and a valid host name.
pub fn email(value: &str) -> Result<(), String> {
    let address = parse_address(value)?;
    if address.len() > 254 {
        return Err("email addresses cannot exceed 254 characters".into());
    }
    let (local, host) = address.rsplit_once('@').ok_or("mail: missing @ in addr-spec")?;
    if local.len() > 64 {
        return Err("email address local phrase cannot exceed 64 characters".into());
    }
    hostname(host)
}

/// The `addr-spec` of an address as Go's `net/mail` reads it (a subset:
/// dot-atoms and quoted local parts, optional display name).
fn parse_address(value: &str) -> Result<&str, String> {
    let trimmed = value.trim_matches(|c: char| c == ' ' || c == '\t');
    if trimmed.is_empty() {
        return Err("mail: no address".into());
    }
    let spec = match (trimmed.find('<'), trimmed.ends_with('>')) {
        (Some(open), true) => &trimmed[open + 1..trimmed.len() - 1],
        (Some(_), false) => return Err("mail: unclosed angle-addr".into()),
        (None, _) => trimmed,
    };
    let (local, domain) = spec.rsplit_once('@').ok_or("mail: missing @ in addr-spec")?;
    if local.is_empty() {
        return Err("mail: no addr-spec".into());
    }
    let quoted = local.len() >= 2 && local.starts_with('"') && local.ends_with('"');
    if !quoted {
        dot_atom(local)?;
    }
    if domain.is_empty() {
        return Err("mail: no domain in addr-spec".into());
    }
    if !(domain.starts_with('[') && domain.ends_with(']')) {
        dot_atom(domain)?;
    }
    Ok(spec)
}

fn dot_atom(atom: &str) -> Result<(), String> {
    let atext = |c: char| {
        !matches!(c, '(' | ')' | '<' | '>' | '[' | ']' | ':' | ';' | '@' | '\\' | ',' | '"' | '.')
            && (('!'..='~').contains(&c) || !c.is_ascii())
    };
    if atom.starts_with('.') {
        return Err("mail: leading dot in atom".into());
    }
    if atom.ends_with('.') {
        return Err("mail: trailing dot in atom".into());
    }
    if atom.contains("..") {
        return Err("mail: double dot in atom".into());
    }
    if let Some(bad) = atom.chars().find(|&c| c != '.' && !atext(c)) {
        return Err(format!("mail: invalid string: {bad:?}"));
    }
    Ok(())
}

/// PGV's host name check.
fn hostname(host: &str) -> Result<(), String> {
    let lower = host.strip_suffix('.').unwrap_or(host).to_lowercase();
    if host.len() > 253 {
        return Err("hostname cannot exceed 253 characters".into());
    }
    for part in lower.split('.') {
        if part.is_empty() || part.len() > 63 {
            return Err("hostname part must be non-empty and cannot exceed 63 characters".into());
        }
        if part.starts_with('-') {
            return Err("hostname parts cannot begin with hyphens".into());
        }
        if part.ends_with('-') {
            return Err("hostname parts cannot end with hyphens".into());
        }
        if let Some(c) = part.chars().find(|&c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')) {
            return Err(format!("hostname parts can only contain alphanumeric characters or hyphens, got {c:?}"));
        }
    }
    Ok(())
}

/// The generated impls (deprecated fields are checked too, as PGV does).
#[allow(deprecated, clippy::all, clippy::pedantic)]
mod generated {
    use super::{Validate, Violation};
    include!(concat!(env!("OUT_DIR"), "/validate.rs"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_reasons_are_pgvs() {
        let r = Str { min_len: Some(1), max_len: Some(200), ..Str::default() };
        assert_eq!(string("", &r).unwrap_err(), "value length must be between 1 and 200 runes, inclusive");
        assert!(string(&"ä".repeat(200), &r).is_ok());
        let r = Str { max_len: Some(3), ..Str::default() };
        assert_eq!(string("abcd", &r).unwrap_err(), "value length must be at most 3 runes");
        let r = Str { len: Some(10), ..Str::default() };
        assert_eq!(string("abc", &r).unwrap_err(), "value length must be 10 runes");
        let r = Str { max_bytes: Some(3), ..Str::default() };
        assert_eq!(string("ää", &r).unwrap_err(), "value length must be at most 3 bytes");
        let r = Str { min_len: Some(1), max_len: Some(50), prefix: Some("+"), ..Str::default() };
        assert_eq!(string("41 79", &r).unwrap_err(), "value does not have prefix \"+\"");
        let r = Str { max_len: Some(200), email: true, ignore_empty: true, ..Str::default() };
        assert!(string("", &r).is_ok());
    }

    #[test]
    fn email_follows_go_and_pgv() {
        assert!(email("admin@localhost").is_ok());
        assert!(email("Jane Doe <jane@example.com>").is_ok());
        assert!(email("jane.doe+x@Example.COM").is_ok());
        assert_eq!(email("jane").unwrap_err(), "mail: missing @ in addr-spec");
        assert!(email("jane@exa_mple.com").unwrap_err().starts_with("hostname parts can only contain"));
        assert_eq!(
            email(&format!("{}@x.ch", "a".repeat(65))).unwrap_err(),
            "email address local phrase cannot exceed 64 characters"
        );
        assert!(email("a..b@x.ch").is_err());
    }

    #[test]
    fn items_enums_and_durations() {
        assert_eq!(items(21, 0, Some(20)).unwrap_err(), "value must contain no more than 20 item(s)");
        assert_eq!(items(0, 1, Some(20)).unwrap_err(), "value must contain between 1 and 20 items, inclusive");
        assert_eq!(enumeration(0, Some(&[0, 1]), &[0]).unwrap_err(), "value must not be in list [0]");
        assert_eq!(enumeration(7, Some(&[0, 1]), &[]).unwrap_err(), "value must be one of the defined enum values");
        let d = crate::wkt::Duration { seconds: 21, nanos: 0 };
        assert_eq!(duration(&d, Some(0), Some(20)).unwrap_err(), "value must be inside range [0s, 20s]");
        let d = crate::wkt::Duration { seconds: 20, nanos: 0 };
        assert!(duration(&d, Some(0), Some(20)).is_ok());
    }

    #[test]
    fn nested_messages_name_their_path() {
        let inner = Violation::field("SetUpOrgRequest_Human", "UserName", "value length must be at most 200 runes");
        let outer = Violation::embedded("SetUpOrgRequest", "Human", inner);
        assert_eq!(
            outer.message(),
            "invalid SetUpOrgRequest.Human: embedded message failed validation | caused by: \
             invalid SetUpOrgRequest_Human.UserName: value length must be at most 200 runes"
        );
    }
}
