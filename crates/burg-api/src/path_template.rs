//! The one rule for REST path templates such as
//! `/orgs/{org_id}/members/{user_id}`, shared by the build script (the route
//! table and the OpenAPI documents) and the server's router.
//!
//! A parameter is `{field}` (one segment) or `{field=**}` (the rest of the
//! path, slashes included, as grpc-gateway reads it; only as the last
//! segment).

/// The names of a template's parameters, in order.
pub fn params(template: &str) -> Vec<&str> {
    template.split('/').filter_map(param).map(|(name, _)| name).collect()
}

/// The template with its parameters numbered: `/orgs/{p0}/members/{p1}`,
/// and a rest-of-path parameter as the router's catch-all `{*p1}`.
/// Routes of one shape may name their parameters differently (`/orgs/{id}`,
/// `/orgs/{org_id}`); they are one path, and parameters bind by position.
pub fn positional(template: &str) -> String {
    let mut n = 0;
    template
        .split('/')
        .map(|segment| match param(segment) {
            Some((_, rest)) => {
                n += 1;
                format!("{{{}p{}}}", if rest { "*" } else { "" }, n - 1)
            }
            None => segment.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The template with every parameter as a plain `{field}`, as OpenAPI
/// writes paths.
pub fn plain(template: &str) -> String {
    fill(template, |name| format!("{{{name}}}"))
}

/// The template with each parameter replaced by `value(name)`.
pub fn fill(template: &str, mut value: impl FnMut(&str) -> String) -> String {
    template
        .split('/')
        .map(|segment| match param(segment) {
            Some((name, _)) => value(name),
            None => segment.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// `("org_id", false)` of the segment `{org_id}`, `("key", true)` of
/// `{key=**}`.
fn param(segment: &str) -> Option<(&str, bool)> {
    let inner = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}'))?;
    Some(match inner.split_once('=') {
        Some((name, pattern)) => (name, pattern == "**"),
        None => (inner, false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_bind_by_position() {
        assert_eq!(params("/orgs/{org_id}/members/{user_id}"), vec!["org_id", "user_id"]);
        assert_eq!(positional("/orgs/{org_id}/members/{user_id}"), "/orgs/{p0}/members/{p1}");
        assert_eq!(positional("/orgs/{id}"), positional("/orgs/{org_id}"));
        assert_eq!(positional("/orgs/_search"), "/orgs/_search");
    }

    #[test]
    fn a_rest_of_path_parameter_is_a_catch_all() {
        let template = "/projects/{project_id}/roles/{role_key=**}";
        assert_eq!(params(template), vec!["project_id", "role_key"]);
        assert_eq!(positional(template), "/projects/{p0}/roles/{*p1}");
        assert_eq!(plain(template), "/projects/{project_id}/roles/{role_key}");
        assert_eq!(fill(template, |name| name.to_uppercase()), "/projects/PROJECT_ID/roles/ROLE_KEY");
    }
}
