//! The link templates a caller of the user API v2 gives for the links in
//! its messages (`send_code.url_template`): Go `text/template` source whose
//! actions name the fields of ZITADEL's `domain.ConfirmURLData`, e.g.
//! `https://app.example.com/verify?user={{.UserID}}&code={{.Code}}`.
//!
//! burg renders the field actions (`{{.UserID}}`, `{{ .Code }}`, with Go's
//! `{{-`/`-}}` trimming markers); ZITADEL's errors: a template that does not
//! parse is `DOMAIN-oGh5e`, one that names an unknown field `DOMAIN-ieYa7`,
//! both InvalidArgument. Other actions (conditions, pipelines) are refused
//! as not executable.

use crate::{Error, Result};

/// ZITADEL's `Errors.User.InvalidURLTemplate` of a template that does not parse.
const UNPARSABLE: &str = "DOMAIN-oGh5e";
/// The same of a template that names what the data does not have.
const UNEXECUTABLE: &str = "DOMAIN-ieYa7";

/// What a link names: the user, the code and the user's organization.
#[derive(Debug, Clone, Copy)]
pub struct ConfirmUrlData<'a> {
    pub user_id: &'a str,
    pub code: &'a str,
    pub org_id: &'a str,
}

/// `template` with its actions replaced by `data`'s fields.
pub fn render(template: &str, data: ConfirmUrlData<'_>) -> Result<String> {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let mut text = &rest[..start];
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(Error::invalid_argument(UNPARSABLE, "url_template: an action is not closed with }}"));
        };
        let mut action = &after[..end];
        rest = &after[end + 2..];
        // `{{- ` trims the space before the action, ` -}}` the space after.
        if let Some(a) = action.strip_prefix("- ") {
            text = text.trim_end();
            action = a;
        }
        let trim_after = action.ends_with(" -");
        if trim_after {
            action = &action[..action.len() - 2];
        }
        out.push_str(text);
        out.push_str(field(action.trim(), data)?);
        if trim_after {
            rest = rest.trim_start();
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn field<'a>(action: &str, data: ConfirmUrlData<'a>) -> Result<&'a str> {
    match action {
        ".UserID" => Ok(data.user_id),
        ".Code" => Ok(data.code),
        ".OrgID" => Ok(data.org_id),
        "" => Err(Error::invalid_argument(UNPARSABLE, "url_template: an action is empty")),
        other => Err(Error::invalid_argument(
            UNEXECUTABLE,
            format!("url_template: {other:?} is not one of .UserID, .Code and .OrgID"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATA: ConfirmUrlData<'static> = ConfirmUrlData { user_id: "u1", code: "ABC123", org_id: "o9" };

    #[test]
    fn fields_are_filled_in() {
        let got = render("https://app.example.com/v?u={{.UserID}}&c={{ .Code }}&o={{.OrgID}}", DATA).unwrap();
        assert_eq!(got, "https://app.example.com/v?u=u1&c=ABC123&o=o9");
        assert_eq!(render("https://x.example/plain", DATA).unwrap(), "https://x.example/plain");
        assert_eq!(render("a {{- .Code -}} b", DATA).unwrap(), "aABC123b");
        // Go's templates take a lone }} as text.
        assert_eq!(render("https://x.example/}}", DATA).unwrap(), "https://x.example/}}");
    }

    #[test]
    fn bad_templates_are_zitadels_errors() {
        for (template, id) in [
            ("https://x/{{.Code", UNPARSABLE),
            ("https://x/{{}}", UNPARSABLE),
            ("https://x/{{.Nope}}", UNEXECUTABLE),
            ("https://x/{{if .Code}}y{{end}}", UNEXECUTABLE),
        ] {
            let err = render(template, DATA).unwrap_err();
            assert_eq!((err.kind, err.id), (crate::ErrorKind::InvalidArgument, id), "{template}");
        }
    }
}
