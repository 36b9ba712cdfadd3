//! Checks of the fields that several kinds share, each turning a request
//! value into its stored form or an error that names the field.
//!
//! As in ZITADEL, a limit of the request's rules applies to the value as
//! sent, and only the fields ZITADEL requires to be non-empty are trimmed
//! (and stored trimmed): names, client ids, issuers, endpoints and the like,
//! each refused when nothing is left, with the id the kind's declaration
//! gives. Everything else (scopes, LDAP lists and attributes, an Azure
//! tenant id, …) is stored as given, and URLs are not checked for form.

use burg_api::idp as pb;
use burg_domain::crypto::Sealed;
use burg_domain::idp;
use burg_domain::{Error, Result, validate};

/// Client secrets and bind passwords: 1..=200 characters, as ZITADEL's
/// rules say for most kinds.
pub(super) const SECRET_MAX: usize = 200;
/// Generic OIDC and OAuth client secrets: up to 1000 characters.
pub(super) const LONG_SECRET_MAX: usize = 1000;

/// A secret field of a request and what it means when it is empty.
pub(super) struct Secret<T> {
    value: T,
    on_empty: OnEmpty,
}

#[derive(Clone, Copy)]
enum OnEmpty {
    /// The secret is required (an add): it is trimmed, and one that is
    /// empty then is refused with this id.
    Refuse(&'static str),
    /// The stored secret stays (an update); a given one is taken as sent.
    KeepStored,
}

impl<T: AsRef<[u8]>> Secret<T> {
    /// A secret that must be given (what adds ask for); `empty_id` is
    /// ZITADEL's error id when it is empty (once trimmed, for text).
    pub(super) fn required(value: T, empty_id: &'static str) -> Self {
        Secret { value, on_empty: OnEmpty::Refuse(empty_id) }
    }

    /// A secret that keeps the stored one when left empty (what updates
    /// ask for).
    pub(super) fn keep_if_empty(value: T) -> Self {
        Secret { value, on_empty: OnEmpty::KeepStored }
    }

    /// The value as sent; `None` when it is empty and the stored secret
    /// stays. A required one that is empty is refused with its id.
    pub(super) fn given(self, field: &str) -> Result<Option<T>> {
        match self.on_empty {
            _ if !self.value.as_ref().is_empty() => Ok(Some(self.value)),
            OnEmpty::KeepStored => Ok(None),
            OnEmpty::Refuse(id) => Err(empty(id, field)),
        }
    }
}

/// The answer for a required field that is empty (once trimmed).
fn empty(id: &'static str, field: &str) -> Error {
    Error::invalid_argument(id, format!("`{field}` must not be empty"))
}

/// A client secret or bind password of at most `max` characters as sent.
/// On add it is stored trimmed and may not be blank; on update it is
/// stored as sent (ZITADEL trims it only on add).
pub(super) fn secret(field: &str, secret: Secret<String>, max: usize) -> Result<Option<Vec<u8>>> {
    let on_empty = secret.on_empty;
    let Some(value) = secret.given(field)? else { return Ok(None) };
    validate::len(field, &value, 0, max)?;
    let value = match on_empty {
        OnEmpty::Refuse(id) => {
            let value = trimmed(value);
            if value.is_empty() {
                return Err(empty(id, field));
            }
            value
        }
        OnEmpty::KeepStored => value,
    };
    Ok(Some(value.into_bytes()))
}

/// Where a sealed secret goes once the generic path has sealed it.
pub(super) fn placeholder() -> Sealed {
    Sealed { crypto_type: 0, algorithm: String::new(), key_id: String::new(), crypted: String::new() }
}

/// The options every kind has. An `autoLinking` number the API does not
/// define is taken as unspecified, as ZITADEL's converter takes it.
pub(super) fn options(o: Option<pb::Options>) -> idp::Options {
    let o = o.unwrap_or_default();
    let auto_linking = if pb::AutoLinkingOption::try_from(o.auto_linking).is_ok() {
        o.auto_linking
    } else {
        pb::AutoLinkingOption::Unspecified as i32
    };
    idp::Options {
        is_linking_allowed: o.is_linking_allowed,
        is_creation_allowed: o.is_creation_allowed,
        is_auto_creation: o.is_auto_creation,
        is_auto_update: o.is_auto_update,
        auto_linking,
    }
}

fn trimmed(s: String) -> String {
    let t = s.trim();
    if t.len() == s.len() { s } else { t.to_string() }
}

/// A required text of at most 200 characters as sent, stored trimmed; empty
/// or blank is refused with `empty_id`.
pub(super) fn required(field: &str, value: String, empty_id: &'static str) -> Result<String> {
    required_len(field, value, 0, 200, empty_id)
}

/// A required text of `min..=max` characters as sent, stored trimmed; empty
/// or blank is refused with `empty_id`.
pub(super) fn required_len(
    field: &str,
    value: String,
    min: usize,
    max: usize,
    empty_id: &'static str,
) -> Result<String> {
    validate::len(field, &value, min, max)?;
    let value = trimmed(value);
    if value.is_empty() {
        return Err(empty(empty_id, field));
    }
    Ok(value)
}

/// The name of a kind that may go without one (GitHub, GitLab, Google,
/// Apple): at most 200 characters, stored exactly as given.
pub(super) fn optional_name(value: String) -> Result<String> {
    validate::len("name", &value, 0, 200)?;
    Ok(value)
}

/// Scopes: at most 20 of 1..=100 characters each, stored as given.
pub(super) fn scopes(values: Vec<String>) -> Result<Vec<String>> {
    validate::list("scopes", &values, 20, 1, 100)?;
    Ok(values)
}

/// A list that needs at least one entry (else `empty_id`), at most 20 of
/// 1..=200 characters each, stored as given.
pub(super) fn required_list(field: &str, values: Vec<String>, empty_id: &'static str) -> Result<Vec<String>> {
    if values.is_empty() {
        return Err(Error::invalid_argument(empty_id, format!("`{field}` needs at least one entry")));
    }
    validate::list(field, &values, 20, 1, 200)?;
    Ok(values)
}

/// The id a get, delete or migration names: 1..=200 characters, used as
/// sent.
pub(super) fn id(value: &str) -> Result<()> {
    validate::len("id", value, 1, 200)
}

/// The id an update (or a certificate regeneration) names: 1..=200
/// characters as sent, used trimmed; blank is refused with `empty_id`.
pub(super) fn update_id(value: &str, empty_id: &'static str) -> Result<String> {
    required_len("id", value.to_string(), 1, 200, empty_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_trimmed_on_add_and_taken_as_sent_on_update() {
        let add = |v: &str| secret("clientSecret", Secret::required(v.to_string(), "INST-add"), SECRET_MAX);
        let update = |v: &str| secret("clientSecret", Secret::keep_if_empty(v.to_string()), SECRET_MAX);
        assert_eq!(add("  s3cret \t").unwrap(), Some(b"s3cret".to_vec()));
        for blank in ["", "   "] {
            let err = add(blank).unwrap_err();
            assert_eq!(err.id, "INST-add", "empty once trimmed: the kind's id");
            assert!(err.message.contains("clientSecret"), "{}", err.message);
        }
        assert_eq!(update("").unwrap(), None, "empty keeps the stored one");
        assert_eq!(update("  new ").unwrap(), Some(b"  new ".to_vec()), "an update's secret is not trimmed");
        assert_eq!(update("   ").unwrap(), Some(b"   ".to_vec()));
        assert!(update(&"x".repeat(201)).is_err(), "a given one is checked");
        let long = |v: String| secret("clientSecret", Secret::required(v, "INST-add"), LONG_SECRET_MAX);
        assert!(long("x".repeat(1000)).is_ok(), "OIDC and OAuth: 1000");
        assert!(long("x".repeat(1001)).is_err());
        assert!(add(&format!(" {} ", "x".repeat(199))).is_err(), "the limit applies to the value as sent");
    }

    #[test]
    fn required_fields_are_checked_as_sent_and_stored_trimmed() {
        assert_eq!(required("clientId", "  client ".into(), "INST-x").unwrap(), "client");
        let err = required("clientId", " \t ".into(), "INST-x").unwrap_err();
        assert_eq!((err.id, err.message.contains("clientId")), ("INST-x", true));
        assert_eq!(required("clientId", String::new(), "INST-x").unwrap_err().id, "INST-x");
        assert!(required("clientId", format!(" {}", "x".repeat(200)), "INST-x").is_err(), "201 as sent");
        // A ten-character team id with a leading space passes and is stored as nine.
        assert_eq!(required_len("teamId", " ABCDEFGHI".into(), 10, 10, "INST-t").unwrap(), "ABCDEFGHI");
        assert_eq!(update_id(" 123 ", "INST-u").unwrap(), "123");
        assert_eq!(update_id("  ", "INST-u").unwrap_err().id, "INST-u");
        assert_eq!(update_id("", "INST-u").unwrap_err().id, "VALID-len01", "the request rule: 1..=200");
    }

    #[test]
    fn lists_and_unknown_options_are_kept_as_zitadel_keeps_them() {
        assert_eq!(scopes(vec![" ".into(), " openid ".into()]).unwrap(), vec![" ", " openid "]);
        assert!(scopes(vec![String::new()]).is_err());
        assert_eq!(required_list("servers", vec![], "INST-l").unwrap_err().id, "INST-l");
        assert_eq!(required_list("servers", vec![" ldap ".into()], "INST-l").unwrap(), vec![" ldap "]);
        let unknown = options(Some(pb::Options { auto_linking: 9, is_auto_update: true, ..Default::default() }));
        assert_eq!((unknown.auto_linking, unknown.is_auto_update), (0, true));
        assert_eq!(options(Some(pb::Options { auto_linking: 2, ..Default::default() })).auto_linking, 2);
    }
}
