//! Data for the benchmarks: an import document of any size, written as
//! it is generated so that the generator stays small.

use std::io::Write;
use std::path::Path;

use serde_json::json;

/// The organizations of a [`document`].
pub const ORGS: u64 = 10;

/// The id of organization `o` of a [`document`]; its users' ids are this
/// plus their number in the organization.
pub fn org_id(o: u64) -> u64 {
    400_000_000_000_000_000u64 + o * 10_000_000
}

/// Writes an import document with `users` users over ten organizations: each human
/// with metadata, a user grant and an IdP link; one project with roles and
/// apps per thousand users. Usernames are unique in the instance.
pub fn document(path: &Path, users: u64) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    out.write_all(b"{\"orgs\":[").unwrap();
    let per_org = users / ORGS;
    for o in 0..ORGS {
        let base = org_id(o);
        let project = |p: u64| (base + 9_000_000 + p).to_string();
        let projects = per_org.div_ceil(1000);
        let mut org = json!({
            "orgId": base.to_string(),
            "org": {"name": format!("Bench Org {o}")},
            "domains": [{"orgId": base.to_string(), "domainName": format!("bench{o}.example.com"), "isVerified": true, "isPrimary": true}],
            "loginPolicy": {"allowUsernamePassword": true, "passwordCheckLifetime": "864000s"},
            "oidcIdps": [{"idpId": (base + 8_999_999).to_string(), "idp": {"name": "Corp", "clientId": "c", "issuer": "https://corp.example.com"}}],
        });
        let mut p = Vec::new();
        let mut roles = Vec::new();
        let mut apps = Vec::new();
        for i in 0..projects {
            p.push(json!({"projectId": project(i), "project": {"name": format!("Project {i}")}}));
            roles.push(json!({"projectId": project(i), "roleKey": "user", "displayName": "User"}));
            roles.push(json!({"projectId": project(i), "roleKey": "admin", "displayName": "Admin"}));
            apps.push(
                json!({"appId": (base + 8_000_000 + i).to_string(), "app": {"projectId": project(i), "name": "Web",
                "redirectUris": ["https://app.example.com/cb"], "responseTypes": ["OIDC_RESPONSE_TYPE_CODE"]}}),
            );
        }
        org["projects"] = json!(p);
        org["projectRoles"] = json!(roles);
        org["oidcApps"] = json!(apps);
        // Users go out as the org is written, so the generator stays small too.
        let head = serde_json::to_string(&org).unwrap();
        out.write_all(&head.as_bytes()[..head.len() - 1]).unwrap();
        let sections: [(&str, &dyn Fn(u64) -> serde_json::Value); 4] = [
            ("humanUsers", &|u| {
                json!({"userId": (base + u).to_string(), "user": {
                "userName": format!("user{}", o * per_org + u), "profile": {"firstName": "First", "lastName": format!("Last {u}")},
                "email": {"email": format!("user{u}@bench{o}.example.com"), "isEmailVerified": true},
                "hashedPassword": {"value": "$2a$04$x1HxC91DV0gStsbF.0h3VeT6Yq8FjPjjYx1y0Vv6ZJ2s1OgNbzG6i"}}})
            }),
            ("userMetadata", &|u| json!({"id": (base + u).to_string(), "key": "department", "value": "c2FsZXM="})),
            (
                "userGrants",
                &|u| json!({"userId": (base + u).to_string(), "projectId": project(u / 1000), "roleKeys": ["user"]}),
            ),
            (
                "userLinks",
                &|u| json!({"userId": (base + u).to_string(), "idpId": (base + 8_999_999).to_string(), "providedUserId": format!("ext{u}")}),
            ),
        ];
        for (name, item) in sections {
            write!(out, ",\"{name}\":[").unwrap();
            for u in 0..per_org {
                if u > 0 {
                    out.write_all(b",").unwrap();
                }
                serde_json::to_writer(&mut out, &item(u)).unwrap();
            }
            out.write_all(b"]").unwrap();
        }
        out.write_all(if o + 1 < ORGS { b"}," } else { b"}" }).unwrap();
    }
    out.write_all(b"]}").unwrap();
}
