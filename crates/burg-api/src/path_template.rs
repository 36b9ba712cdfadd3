//! The one rule for REST path templates such as
//! `/orgs/{org_id}/members/{user_id}`, shared by the build script (the route
//! table and the OpenAPI documents) and the server's router.

/// The names of a template's parameters, in order.
pub fn params(template: &str) -> Vec<&str> {
    template.split('/').filter_map(param).collect()
}

/// The template with its parameters numbered: `/orgs/{p0}/members/{p1}`.
/// Routes of one shape may name their parameters differently (`/orgs/{id}`,
/// `/orgs/{org_id}`); they are one path, and parameters bind by position.
pub fn positional(template: &str) -> String {
    let mut n = 0;
    template
        .split('/')
        .map(|segment| match param(segment) {
            Some(_) => {
                n += 1;
                format!("{{p{}}}", n - 1)
            }
            None => segment.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// `org_id` of the segment `{org_id}`.
fn param(segment: &str) -> Option<&str> {
    segment.strip_prefix('{').and_then(|s| s.strip_suffix('}'))
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
}
