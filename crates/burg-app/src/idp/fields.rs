//! Checks of the fields that several kinds share, each turning a request
//! value into its stored form or an error that names the field.

use burg_api::idp as pb;
use burg_domain::crypto::Sealed;
use burg_domain::idp::{self, Kind};
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
    /// The secret is required: an empty one is refused like any short one.
    Refuse,
    /// The stored secret stays.
    KeepStored,
}

impl<T: AsRef<[u8]>> Secret<T> {
    /// A secret that must be given (what adds ask for).
    pub(super) fn required(value: T) -> Self {
        Secret { value, on_empty: OnEmpty::Refuse }
    }

    /// A secret that keeps the stored one when left empty (what updates
    /// ask for).
    pub(super) fn keep_if_empty(value: T) -> Self {
        Secret { value, on_empty: OnEmpty::KeepStored }
    }

    /// The value to check and store; `None` when it is empty and the
    /// stored secret stays.
    pub(super) fn given(self) -> Option<T> {
        match self.on_empty {
            OnEmpty::KeepStored if self.value.as_ref().is_empty() => None,
            _ => Some(self.value),
        }
    }
}

/// A client secret or bind password of 1..=`max` characters.
pub(super) fn secret(field: &str, secret: Secret<String>, max: usize) -> Result<Option<Vec<u8>>> {
    let Some(value) = secret.given() else { return Ok(None) };
    validate::len(field, &value, 1, max)?;
    Ok(Some(value.into_bytes()))
}

/// Where a sealed secret goes once the generic path has sealed it.
pub(super) fn placeholder() -> Sealed {
    Sealed { crypto_type: 0, algorithm: String::new(), key_id: String::new(), crypted: String::new() }
}

pub(super) fn options(o: Option<pb::Options>) -> Result<idp::Options> {
    let o = o.unwrap_or_default();
    validate::defined_enum(
        "providerOptions.autoLinking",
        o.auto_linking,
        pb::AutoLinkingOption::try_from(o.auto_linking).is_ok(),
    )?;
    Ok(idp::Options {
        is_linking_allowed: o.is_linking_allowed,
        is_creation_allowed: o.is_creation_allowed,
        is_auto_creation: o.is_auto_creation,
        is_auto_update: o.is_auto_update,
        auto_linking: o.auto_linking,
    })
}

pub(super) fn trimmed(s: String) -> String {
    let t = s.trim();
    if t.len() == s.len() { s } else { t.to_string() }
}

/// A provider's name: required (and trimmed) for the kinds whose name
/// ZITADEL requires; for the others (GitHub, GitLab, Google, Apple) stored
/// exactly as given, empty included, as ZITADEL stores it.
pub(super) fn name(kind: Kind, value: String) -> Result<String> {
    if kind.name_optional() {
        validate::len("name", &value, 0, 200)?;
        return Ok(value);
    }
    let value = trimmed(value);
    validate::name("name", &value)?;
    Ok(value)
}

pub(super) fn text(field: &str, value: String) -> Result<String> {
    let value = trimmed(value);
    validate::name(field, &value)?;
    Ok(value)
}

pub(super) fn http_url(field: &str, value: String) -> Result<String> {
    let value = trimmed(value);
    validate::http_url(field, &value)?;
    Ok(value)
}

pub(super) fn scopes(values: Vec<String>) -> Result<Vec<String>> {
    let values: Vec<String> = values.into_iter().map(trimmed).collect();
    validate::list("scopes", &values, 20, 1, 100)?;
    Ok(values)
}

/// A list that needs at least one entry of 1..=200 characters.
pub(super) fn required_list(field: &str, values: Vec<String>) -> Result<Vec<String>> {
    let values: Vec<String> = values.into_iter().map(trimmed).collect();
    if values.is_empty() {
        return Err(Error::invalid_argument("IDP-list01", format!("`{field}` needs at least one entry")));
    }
    validate::list(field, &values, 20, 1, 200)?;
    Ok(values)
}

/// The id a request names.
pub(super) fn id(value: &str) -> Result<()> {
    validate::len("id", value, 1, 200)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_secret_is_refused_or_keeps_the_stored_one() {
        let err = secret("clientSecret", Secret::required(String::new()), SECRET_MAX).unwrap_err();
        assert!(err.message.contains("clientSecret"), "{}", err.message);
        assert_eq!(secret("clientSecret", Secret::keep_if_empty(String::new()), SECRET_MAX).unwrap(), None);
        assert_eq!(
            secret("clientSecret", Secret::keep_if_empty("new".into()), SECRET_MAX).unwrap(),
            Some(b"new".to_vec())
        );
        assert!(
            secret("clientSecret", Secret::keep_if_empty("x".repeat(201)), SECRET_MAX).is_err(),
            "a given one is checked"
        );
        assert!(
            secret("clientSecret", Secret::required("x".repeat(1000)), LONG_SECRET_MAX).is_ok(),
            "OIDC and OAuth: 1000"
        );
        assert!(secret("clientSecret", Secret::required("x".repeat(1001)), LONG_SECRET_MAX).is_err());
    }
}
