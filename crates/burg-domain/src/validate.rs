//! Input checks with messages that name the field and the limit.
//!
//! Lengths count characters (Unicode scalar values), as protoc-gen-validate's
//! `min_len`/`max_len` do.

use crate::error::{Error, Result};

/// `value` has between `min` and `max` characters.
pub fn len(field: &str, value: &str, min: usize, max: usize) -> Result<()> {
    let n = value.chars().count();
    if n < min || n > max {
        let limit = if min == 0 {
            format!("at most {max} characters")
        } else if min == max {
            format!("exactly {min} characters")
        } else {
            format!("between {min} and {max} characters")
        };
        let got = if n == 0 { "it is empty".to_string() } else { format!("it has {n}") };
        return Err(Error::invalid_argument("VALID-len01", format!("`{field}` must have {limit}; {got}")));
    }
    Ok(())
}

/// A required text of 1..=200 characters, the most common rule.
pub fn name(field: &str, value: &str) -> Result<()> {
    len(field, value, 1, 200)
}

/// At most `max` items, each of at most `item_max` characters (and at least
/// one character when `item_min` is 1).
pub fn list(field: &str, values: &[String], max: usize, item_min: usize, item_max: usize) -> Result<()> {
    if values.len() > max {
        return Err(Error::invalid_argument(
            "VALID-lst01",
            format!("`{field}` may have at most {max} entries; it has {}", values.len()),
        ));
    }
    for (i, v) in values.iter().enumerate() {
        len(&format!("{field}[{i}]"), v, item_min, item_max)?;
    }
    Ok(())
}

/// An absolute URL with one of `schemes` and a host, of 1..=`max` characters.
pub fn url(field: &str, value: &str, schemes: &[&str], max: usize) -> Result<()> {
    len(field, value, 1, max)?;
    let parsed = url::Url::parse(value)
        .map_err(|e| Error::invalid_argument("VALID-url01", format!("`{field}` must be an absolute URL: {e}")))?;
    if !schemes.contains(&parsed.scheme()) {
        return Err(Error::invalid_argument(
            "VALID-url02",
            format!("`{field}` must use {}; it uses {}://", schemes.join(" or "), parsed.scheme()),
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid_argument("VALID-url03", format!("`{field}` must name a host")));
    }
    Ok(())
}

/// An http(s) URL of at most 200 characters.
pub fn http_url(field: &str, value: &str) -> Result<()> {
    url(field, value, &["http", "https"], 200)
}

/// An email address: one `@` with text on both sides, a dot in the domain,
/// no spaces, at most 200 characters.
pub fn email(field: &str, value: &str) -> Result<()> {
    len(field, value, 1, 200)?;
    let ok = match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !value.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if ok { Ok(()) } else { Err(Error::invalid_argument("VALID-eml01", format!("`{field}` is not an email address"))) }
}

/// An enum value that the proto defines (`defined_only`).
pub fn defined_enum(field: &str, value: i32, known: bool) -> Result<()> {
    if known {
        Ok(())
    } else {
        Err(Error::invalid_argument("VALID-enm01", format!("`{field}` has an unknown value {value}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_messages_name_the_field_and_limit() {
        let e = name("name", "").unwrap_err();
        assert_eq!(e.message, "`name` must have between 1 and 200 characters; it is empty");
        assert!(name("name", &"x".repeat(200)).is_ok());
        assert!(name("name", &"x".repeat(201)).unwrap_err().message.contains("it has 201"));
        assert!(len("n", "äöü", 3, 3).is_ok(), "characters, not bytes");
    }

    #[test]
    fn urls() {
        assert!(http_url("issuer", "https://accounts.google.com").is_ok());
        assert!(http_url("issuer", "accounts.google.com").unwrap_err().message.contains("absolute URL"));
        assert!(http_url("issuer", "ftp://x.org").unwrap_err().message.contains("http or https"));
        assert!(url("servers[0]", "ldaps://ldap.example.com:636", &["ldap", "ldaps"], 200).is_ok());
    }

    #[test]
    fn lists() {
        assert!(list("scopes", &["openid".into()], 20, 1, 100).is_ok());
        let many: Vec<String> = (0..21).map(|i| i.to_string()).collect();
        assert!(list("scopes", &many, 20, 1, 100).unwrap_err().message.contains("at most 20"));
        assert!(list("scopes", &["".into()], 20, 1, 100).unwrap_err().message.contains("scopes[0]"));
    }
}
