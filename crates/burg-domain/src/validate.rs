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

/// An email address as ZITADEL takes a user's: the proto's `email` rule
/// (protoc-gen-validate: a local part of at most 64 bytes without empty
/// dot-separated parts, a host of at most 253, at most 254 in all), then
/// ZITADEL's `domain.EmailAddress.Validate`: empty is `EMAIL-spblu`, and
/// the address must match its pattern (ASCII local part, host labels of 1
/// to 63 letters, digits and inner `-`; a host without dots is fine), else
/// `EMAIL-599BI`. Nothing is trimmed.
pub fn email(field: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::invalid_argument("EMAIL-spblu", format!("`{field}` is empty")));
    }
    let invalid = || Error::invalid_argument("EMAIL-599BI", format!("`{field}` is not a valid email address"));
    let (local, host) = value.split_once('@').ok_or_else(invalid)?;
    let local_ok =
        !local.is_empty() && local.bytes().all(|b| b.is_ascii_alphanumeric() || b".!#$%&'*+/=?^_`{|}~-".contains(&b));
    let label_ok = |l: &str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if !local_ok || !host.split('.').all(label_ok) {
        return Err(invalid());
    }
    // The proto rule's limits and dot-atom form.
    if value.len() > 254 || local.len() > 64 || host.len() > 253 || local.split('.').any(str::is_empty) {
        return Err(Error::invalid_argument(
            "VALID-eml01",
            format!(
                "`{field}` is not an email address: its local part may have 64 bytes without empty parts between \
                 dots, its host 253"
            ),
        ));
    }
    Ok(())
}

/// The generated domain of an organization, as ZITADEL's
/// `domain.NewIAMDomainName` makes it from the org's name and the instance
/// domain: spaces become `-`, characters other than letters, marks, ASCII
/// digits and `-` are dropped, the label is cut to 63 bytes (and shorter
/// when the whole name would pass 253), one leading and one trailing `-`
/// go, and the result is lowercased. A label left empty is
/// InvalidArgument `ORG-RrfXY`.
pub fn org_domain_name(org_name: &str, iam_domain: &str) -> Result<String> {
    use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};
    let kept: String = org_name
        .replace(' ', "-")
        .chars()
        .filter(|c| {
            c.is_ascii_digit()
                || *c == '-'
                || matches!(c.general_category_group(), GeneralCategoryGroup::Letter | GeneralCategoryGroup::Mark)
        })
        .collect();
    let mut label = kept.into_bytes();
    label.truncate(63);
    let total = label.len() + 1 + iam_domain.len();
    if total > 253 {
        label.truncate(label.len().saturating_sub(total - 253));
    }
    if label.first() == Some(&b'-') {
        label.remove(0);
    }
    if label.last() == Some(&b'-') {
        label.pop();
    }
    if label.is_empty() {
        return Err(Error::invalid_argument(
            "ORG-RrfXY",
            format!("the organization name {org_name:?} leaves no letters or digits for its domain"),
        ));
    }
    // A cut through a character leaves bytes that Go's lowercasing turns
    // into U+FFFD, one each.
    let (valid, broken) = match std::str::from_utf8(&label) {
        Ok(_) => (label.len(), 0),
        Err(e) => (e.valid_up_to(), label.len() - e.valid_up_to()),
    };
    let mut name = String::from_utf8_lossy(&label[..valid]).into_owned();
    name.extend(std::iter::repeat_n('\u{FFFD}', broken));
    name.push('.');
    name.push_str(iam_domain);
    // Go's `strings.ToLower` maps each character to one (`İ` to `i`).
    Ok(name.chars().map(|c| c.to_lowercase().next().unwrap_or(c)).collect())
}

/// Whether `value` is a login policy's default redirect URI as ZITADEL's
/// `domain.ValidateDefaultRedirectURI` takes it: empty, or a URL that Go's
/// `net/url` parses with a scheme; `http` and `https` also need a host, any
/// other scheme (`myapp://cb`) is enough by itself.
pub fn default_redirect_uri_ok(value: &str) -> bool {
    if value.is_empty() {
        return true;
    }
    match go_url::parse(value) {
        None => false,
        Some(u) if u.scheme.is_empty() => false,
        Some(u) if u.scheme == "http" || u.scheme == "https" => !u.host.is_empty(),
        Some(_) => true,
    }
}

/// The part of Go's `net/url.Parse` that decides whether a URL parses and
/// what its scheme and host are.
mod go_url {
    pub struct Parsed {
        /// Lowercased, empty when there is none.
        pub scheme: String,
        /// The authority's host with its port, empty when there is none.
        pub host: String,
    }

    pub fn parse(raw: &str) -> Option<Parsed> {
        let (url, fragment) = match raw.split_once('#') {
            Some((u, f)) => (u, Some(f)),
            None => (raw, None),
        };
        // Control characters anywhere refuse the URL.
        if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
            return None;
        }
        let (scheme, rest) = scheme(url)?;
        let rest = match rest.split_once('?') {
            Some((r, _query)) => r,
            None => rest,
        };
        let mut host = String::new();
        let mut path = rest;
        if !rest.starts_with('/') {
            if !scheme.is_empty() {
                // An opaque URL (`mailto:x`): nothing more is checked.
                return fragment_ok(fragment).then_some(Parsed { scheme, host });
            }
            let segment = rest.split('/').next().unwrap_or_default();
            if segment.contains(':') {
                return None;
            }
        }
        if rest.starts_with("//") && (!scheme.is_empty() || !rest.starts_with("///")) {
            let authority_and_path = &rest[2..];
            let (authority, p) = match authority_and_path.find('/') {
                Some(i) => authority_and_path.split_at(i),
                None => (authority_and_path, ""),
            };
            host = parse_authority(authority)?;
            path = p;
        }
        (unescape_ok(path) && fragment_ok(fragment)).then_some(Parsed { scheme, host })
    }

    fn fragment_ok(fragment: Option<&str>) -> bool {
        fragment.is_none_or(unescape_ok)
    }

    /// Go's `getScheme`: letters, then digits, `+`, `-` or `.`, up to `:`.
    fn scheme(raw: &str) -> Option<(String, &str)> {
        for (i, c) in raw.bytes().enumerate() {
            match c {
                b'a'..=b'z' | b'A'..=b'Z' => {}
                b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
                b':' if i == 0 => return None,
                b':' => return Some((raw[..i].to_ascii_lowercase(), &raw[i + 1..])),
                _ => return Some((String::new(), raw)),
            }
        }
        Some((String::new(), raw))
    }

    fn parse_authority(authority: &str) -> Option<String> {
        let (userinfo, host) = match authority.rfind('@') {
            Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
            None => (None, authority),
        };
        let host = parse_host(host)?;
        if let Some(userinfo) = userinfo {
            let valid = userinfo.chars().all(|c| c.is_ascii_alphanumeric() || "-._:~!$&'()*+,;=%@".contains(c));
            if !valid || !unescape_ok(userinfo) {
                return None;
            }
        }
        Some(host)
    }

    fn parse_host(host: &str) -> Option<String> {
        if host.starts_with('[') {
            let end = host.rfind(']')?;
            if !port_ok(&host[end + 1..]) {
                return None;
            }
        } else if let Some(i) = host.rfind(':')
            && !port_ok(&host[i..])
        {
            return None;
        }
        // Outside escapes, a host takes letters, digits, non-ASCII and
        // `-._~!$&'()*+,;=:[]<>"`; an escape must be `%25` or start a
        // non-ASCII byte.
        let bytes = host.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b == b'%' {
                let hex = host.get(i + 1..i + 3)?;
                let value = u8::from_str_radix(hex, 16).ok()?;
                if value < 0x80 && hex != "25" {
                    return None;
                }
                i += 3;
                continue;
            }
            let allowed = b >= 0x80 || b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:[]<>\"".contains(&b);
            if !allowed {
                return None;
            }
            i += 1;
        }
        Some(host.to_string())
    }

    /// Go's `validOptionalPort`: empty, or `:` and digits.
    fn port_ok(port: &str) -> bool {
        port.is_empty() || port.strip_prefix(':').is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
    }

    /// Every `%` starts two hex digits.
    fn unescape_ok(s: &str) -> bool {
        let bytes = s.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                let ok = bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                    && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
                if !ok {
                    return false;
                }
                i += 3;
            } else {
                i += 1;
            }
        }
        true
    }
}

/// A BCP 47 language tag in its canonical case (`de`, `zh-TW`,
/// `sr-Latn-RS`), or `None` when `value` is not well-formed, as Go's
/// `language.Parse` reads tags: subtags split by `-` or `_`, no
/// surrounding spaces. (Go also knows the registry and refuses unknown
/// subtags; burg checks the form only.)
pub fn language_tag(value: &str) -> Option<String> {
    let alpha = |s: &str| s.bytes().all(|b| b.is_ascii_alphabetic());
    let alnum = |s: &str| s.bytes().all(|b| b.is_ascii_alphanumeric());
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let subtags: Vec<&str> = value.split(['-', '_']).collect();
    let mut out: Vec<String> = Vec::with_capacity(subtags.len());
    let mut it = subtags.iter().copied().peekable();
    let first = it.next()?;
    if first.eq_ignore_ascii_case("x") {
        // A private-use tag alone.
        out.push("x".into());
    } else {
        if !(matches!(first.len(), 2..=3 | 5..=8) && alpha(first)) {
            return None;
        }
        out.push(first.to_ascii_lowercase());
        // Up to three extended language subtags.
        let mut extlangs = 0;
        while first.len() <= 3 && extlangs < 3 && it.peek().is_some_and(|s| s.len() == 3 && alpha(s)) {
            out.push(it.next()?.to_ascii_lowercase());
            extlangs += 1;
        }
        if let Some(script) = it.next_if(|s| s.len() == 4 && alpha(s)) {
            let lower = script.to_ascii_lowercase();
            out.push(lower[..1].to_ascii_uppercase() + &lower[1..]);
        }
        if let Some(region) = it.next_if(|s| (s.len() == 2 && alpha(s)) || (s.len() == 3 && digits(s))) {
            out.push(region.to_ascii_uppercase());
        }
        while let Some(variant) = it
            .next_if(|s| alnum(s) && ((5..=8).contains(&s.len()) || (s.len() == 4 && s.as_bytes()[0].is_ascii_digit())))
        {
            out.push(variant.to_ascii_lowercase());
        }
        // Extensions: a singleton other than `x`, then subtags of 2 to 8.
        while let Some(singleton) = it.next_if(|s| s.len() == 1 && alnum(s) && !s.eq_ignore_ascii_case("x")) {
            out.push(singleton.to_ascii_lowercase());
            let mut any = false;
            while let Some(sub) = it.next_if(|s| (2..=8).contains(&s.len()) && alnum(s)) {
                out.push(sub.to_ascii_lowercase());
                any = true;
            }
            if !any {
                return None;
            }
        }
        match it.next() {
            None => return Some(out.join("-")),
            Some(x) if x.eq_ignore_ascii_case("x") => out.push("x".into()),
            Some(_) => return None,
        }
    }
    // Private use: `x` and subtags of 1 to 8.
    let mut any = false;
    for sub in it {
        if !((1..=8).contains(&sub.len()) && alnum(sub)) {
            return None;
        }
        out.push(sub.to_ascii_lowercase());
        any = true;
    }
    any.then(|| out.join("-"))
}

/// A preferred language as ZITADEL stores it: the tag in its canonical
/// case, or `und` when the value is empty or not a language tag (ZITADEL's
/// converters ignore the parse error and keep the undefined tag).
pub fn preferred_language(value: &str) -> String {
    language_tag(value).unwrap_or_else(|| "und".to_string())
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
    fn default_redirect_uris_as_zitadel() {
        for ok in [
            "",
            "https://portal.example.com/home",
            "http://localhost:8080/cb?x=1#top",
            "myapp://callback",
            "myapp:callback",
            "com.example.app:/oauth",
            &format!("https://example.com/{}", "a".repeat(500)),
        ] {
            assert!(default_redirect_uri_ok(ok), "{ok:?}");
        }
        for bad in [
            "portal.example.com/home",
            "/relative",
            "https:///no-host",
            "http:no-host",
            "://x",
            "https://exa mple.com/",
            "https://example.com:80a/",
            "https://example.com/%zz",
            "https://example.com/\n",
        ] {
            assert!(!default_redirect_uri_ok(bad), "{bad:?}");
        }
    }

    #[test]
    fn language_tags_in_canonical_case() {
        for (given, canonical) in [
            ("de", "de"),
            ("DE", "de"),
            ("zh-tw", "zh-TW"),
            ("zh_TW", "zh-TW"),
            ("sr-latn-rs", "sr-Latn-RS"),
            ("es-419", "es-419"),
            ("de-CH-1996", "de-CH-1996"),
            ("en-US-u-ca-gregory", "en-US-u-ca-gregory"),
            ("x-private", "x-private"),
        ] {
            assert_eq!(language_tag(given).as_deref(), Some(canonical), "{given:?}");
        }
        for bad in ["", " de ", "de ", "d", "de--ch", "123", "de-u", "de-x"] {
            assert_eq!(language_tag(bad), None, "{bad:?}");
        }
        assert_eq!(preferred_language(""), "und");
        assert_eq!(preferred_language("not a tag"), "und");
        assert_eq!(preferred_language("FR"), "fr");
    }

    #[test]
    fn emails_as_zitadel() {
        for ok in ["admin@localhost", "ada@example.com", "a.b+c@sub.example.co", "x@a-b.c", "o'neil@example.com"] {
            assert!(email("email", ok).is_ok(), "{ok:?}");
        }
        assert_eq!(email("email", "").unwrap_err().id, "EMAIL-spblu");
        for bad in [
            " ada@example.com",
            "ada@example.com ",
            "ada",
            "ada@",
            "@example.com",
            "äda@example.com",
            "ada@exa_mple.com",
            "ada@-example.com",
            "ada@example..com",
            "ada@example.com.",
            "Ada <ada@example.com>",
        ] {
            assert_eq!(email("email", bad).unwrap_err().id, "EMAIL-599BI", "{bad:?}");
        }
        let long_local = format!("{}@example.com", "a".repeat(65));
        assert_eq!(email("email", &long_local).unwrap_err().id, "VALID-eml01");
        assert_eq!(email("email", "a..b@example.com").unwrap_err().id, "VALID-eml01");
        assert!(email("email", &format!("{}@example.com", "a".repeat(64))).is_ok());
    }

    #[test]
    fn org_domain_names_as_zitadel() {
        for (name, domain) in [
            ("caos ag", "caos-ag.localhost"),
            ("A.B", "ab.localhost"),
            ("Müller", "müller.localhost"),
            ("-Acme Corp-", "acme-corp.localhost"),
            ("--x--", "-x-.localhost"),
            ("Ⅻ Σigma", "σigma.localhost"),
        ] {
            assert_eq!(org_domain_name(name, "localhost").unwrap(), domain, "{name:?}");
        }
        assert_eq!(org_domain_name("!!!", "localhost").unwrap_err().id, "ORG-RrfXY");
        assert_eq!(org_domain_name("   ", "localhost").unwrap(), "-.localhost", "three dashes, two stripped");
        let long = org_domain_name(&"ab".repeat(40), "example.com").unwrap();
        assert_eq!(long, format!("{}.example.com", &"ab".repeat(40)[..63]));
        // 62 ASCII letters and an `é` (two bytes): the cut falls inside it.
        let cut = org_domain_name(&format!("{}é", "a".repeat(62)), "x").unwrap();
        assert_eq!(cut, format!("{}\u{FFFD}.x", "a".repeat(62)));
    }

    #[test]
    fn lists() {
        assert!(list("scopes", &["openid".into()], 20, 1, 100).is_ok());
        let many: Vec<String> = (0..21).map(|i| i.to_string()).collect();
        assert!(list("scopes", &many, 20, 1, 100).unwrap_err().message.contains("at most 20"));
        assert!(list("scopes", &["".into()], 20, 1, 100).unwrap_err().message.contains("scopes[0]"));
    }
}
