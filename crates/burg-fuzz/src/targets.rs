//! The targets and their seeds.

use burg_api::routes::{ROUTES, Route, decode_request_json, decode_request_proto};
use prost::Message;

/// Splits off the two bytes that pick a route.
fn pick(data: &[u8]) -> Option<(usize, &[u8])> {
    let ([high, low], rest) = data.split_first_chunk::<2>()?;
    Some((usize::from(u16::from_be_bytes([*high, *low])) % ROUTES.len(), rest))
}

/// The two bytes that pick route `index`.
fn route_bytes(index: usize) -> [u8; 2] {
    u16::try_from(index).unwrap_or_default().to_be_bytes()
}

/// The two bytes that pick an Admin API RPC.
fn admin_route(method: &str) -> [u8; 2] {
    route_bytes(Route::by_method("AdminService", method).map(|(i, _)| i).unwrap_or_default())
}

/// A REST call as the gateway sees it: the first two bytes pick the route,
/// the rest splits at 0xFF into body, path-parameter value and query string.
pub fn rest_request(data: &[u8]) {
    let Some((index, rest)) = pick(data) else { return };
    let route = &ROUTES[index];
    let mut parts = rest.splitn(3, |b| *b == 0xff);
    let body = parts.next().unwrap_or_default();
    let value = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let query = parts.next().map(|q| String::from_utf8_lossy(q).into_owned());
    let path: Vec<(String, String)> = route.path_fields.iter().map(|(f, ..)| (f.to_string(), value.clone())).collect();
    if let Ok(input) = burg_api::rest::rest_input(route, bytes::Bytes::copy_from_slice(body), &path, query.as_deref()) {
        let _ = decode_request_json(index, input);
    }
}

pub fn rest_request_seeds() -> Vec<Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = (0..ROUTES.len()).map(|i| [&route_bytes(i)[..], b"{}"].concat()).collect();
    let bodies: &[(&str, &str)] = &[
        (
            "SetUpOrg",
            r#"{"org":{"name":"Acme","domain":"acme.example"},"human":{"userName":"ada","profile":{"firstName":"A","lastName":"L"},"email":{"email":"a@example.com","isEmailVerified":true},"password":"Secr3t!pass"},"roles":["ORG_OWNER"]}"#,
        ),
        (
            "AddGenericOIDCProvider",
            r#"{"name":"Corp","issuer":"https://i.example","clientId":"c","clientSecret":"s","scopes":["openid"],"providerOptions":{"isLinkingAllowed":true,"autoLinking":"AUTO_LINKING_OPTION_EMAIL"},"isIdTokenMapping":true}"#,
        ),
        (
            "ListEvents",
            r#"{"sequence":"5","limit":10,"asc":true,"eventTypes":["org.added"],"range":{"since":"2024-01-01T00:00:00Z","until":"2030-01-01T00:00:00.5Z"}}"#,
        ),
        (
            "ListOrgs",
            r#"{"query":{"offset":"2","limit":5,"asc":true},"queries":[{"nameQuery":{"name":"a","method":"TEXT_QUERY_METHOD_CONTAINS_IGNORE_CASE"}}]}"#,
        ),
        (
            "UpdateLoginPolicy",
            r#"{"allowUsernamePassword":true,"passwordCheckLifetime":"864000s","passwordlessType":1}"#,
        ),
        (
            "ExportData",
            r#"{"orgIds":["1"],"withPasswords":true,"s3Output":{"path":"a","endpoint":"e","bucket":"b"},"timeout":"30s"}"#,
        ),
        (
            "ImportData",
            r#"{"dataOrgs":{"orgs":[{"orgId":"1","org":{"name":"X"},"userMetadata":[{"id":"2","key":"k","value":"dmFsdWU="}]}]},"timeout":"1m"}"#,
        ),
        ("AddSAMLProvider", r#"{"name":"S","metadataXml":"PD94bWw/Pg==","binding":"SAML_BINDING_POST"}"#),
    ];
    for (method, body) in bodies {
        seeds.push([&admin_route(method)[..], body.as_bytes()].concat());
    }
    seeds.push([&admin_route("GetProviderByID")[..], b"\xff123\xffid=1"].concat());
    seeds.push([&admin_route("IsOrgUnique")[..], b"\xff\xffname=Acme&domain=acme.example&x=%20"].concat());
    seeds
}

/// A gRPC call: the first two bytes pick the route, the rest is the message.
pub fn grpc_request(data: &[u8]) {
    let Some((index, rest)) = pick(data) else { return };
    let _ = decode_request_proto(index, rest);
}

pub fn grpc_request_seeds() -> Vec<Vec<u8>> {
    use burg_api::admin::*;
    let mut seeds: Vec<Vec<u8>> = (0..ROUTES.len()).map(|i| route_bytes(i).to_vec()).collect();
    let events =
        ListEventsRequest { sequence: 5, limit: 10, event_types: vec!["org.added".into()], ..Default::default() };
    seeds.push([admin_route("ListEvents").to_vec(), events.encode_to_vec()].concat());
    let org = SetUpOrgRequest {
        org: Some(set_up_org_request::Org { name: "Acme".into(), domain: String::new() }),
        roles: vec!["ORG_OWNER".into()],
        ..Default::default()
    };
    seeds.push([admin_route("SetUpOrg").to_vec(), org.encode_to_vec()].concat());
    let idp = AddGenericOidcProviderRequest {
        name: "Corp".into(),
        issuer: "https://i.example".into(),
        scopes: vec!["openid".into()],
        ..Default::default()
    };
    seeds.push([admin_route("AddGenericOIDCProvider").to_vec(), idp.encode_to_vec()].concat());
    seeds
}

/// An import document, decoded and checked as `ImportData` does first.
pub fn import_document(data: &[u8]) {
    let inline = burg_app::check_document(data);
    let file = burg_app::check_file_document(data, burg_app::DocumentFormat::Today);
    let _ = burg_app::check_file_document(data, burg_app::DocumentFormat::V1);
    // The two readers of today's format agree on what they accept.
    if let (Ok(a), Ok(b)) = (&inline, &file) {
        assert_eq!(a, b, "refusals of the inline and the file reader");
    }
}

pub fn import_document_seeds() -> Vec<Vec<u8>> {
    vec![
        br#"{"orgs":[]}"#.to_vec(),
        br#"{"orgs":[{"orgId":"310000000000000001","org":{"name":"Moved Org"},
  "humanUsers":[{"userId":"310000000000000002","user":{"userName":"ada","profile":{"firstName":"Ada","lastName":"Lovelace"},
    "email":{"email":"ada@example.com","isEmailVerified":true},"otpCode":"JBSWY3DPEHPK3PXP",
    "hashedPassword":{"value":"$2a$04$x1HxC91DV0gStsbF.0h3VeT6Yq8FjPjjYx1y0Vv6ZJ2s1OgNbzG6i"}}}],
  "machineUsers":[{"userId":"310000000000000005","user":{"userName":"bot","name":"Bot","accessTokenType":"ACCESS_TOKEN_TYPE_JWT"}}],
  "projects":[{"projectId":"310000000000000003","project":{"name":"Portal"}}],
  "projectRoles":[{"projectId":"310000000000000003","roleKey":"admin"}],
  "userMetadata":[{"id":"310000000000000002","key":"k","value":"dmFsdWU="}],
  "orgMembers":[{"userId":"310000000000000002","roles":["ORG_OWNER"]}],
  "userLinks":[{"userId":"310000000000000002","idpId":"310000000000000004","providedUserId":"ext"}],
  "domains":[{"orgId":"310000000000000001","domainName":"moved.example","isVerified":true,"isPrimary":true}],
  "loginPolicy":{"allowUsernamePassword":true,"passwordCheckLifetime":"864000s"},
  "oidcIdps":[{"idpId":"310000000000000004","idp":{"name":"Corp","clientId":"c","clientSecret":"s","issuer":"https://i.example"}}],
  "initMessages":[{"language":"de","title":"Hallo"}]}]}"#
            .to_vec(),
    ]
}

/// SAML metadata, and the PEM checks that IdP templates run.
pub fn saml_metadata(data: &[u8]) {
    let _ = burg_domain::idp::check_saml_metadata(data);
    let _ = burg_domain::idp::count_pem_certificates(data);
    let _ = burg_domain::idp::check_apple_private_key(data);
    let _ = burg_domain::pem::blocks(data);
}

pub fn saml_metadata_seeds() -> Vec<Vec<u8>> {
    vec![
        br#"<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/metadata">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#
            .to_vec(),
        br#"<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"><md:EntityDescriptor entityID="a"><md:IDPSSODescriptor/></md:EntityDescriptor></md:EntitiesDescriptor>"#.to_vec(),
        b"-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n".to_vec(),
        b"-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n".to_vec(),
    ]
}

/// Durations: burg's `timeout` reader, and the proto3-JSON Duration as a
/// request decodes it.
pub fn duration(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = burg_app::parse_duration("timeout", &text);
    if let Ok(quoted) = serde_json::to_string(&text) {
        let input = burg_api::json::JsonInput::Bytes(quoted.into());
        let _ = burg_api::json::decode::<burg_api::wkt::Duration>(input);
    }
}

pub fn duration_seeds() -> Vec<Vec<u8>> {
    ["1s", "1.5s", "3600s", "-1s", "1h", "10m", "0.000000001s", "315576000000s", "1h30m", ""]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect()
}

/// Password hashes as an import gives them.
pub fn password_hash(data: &[u8]) {
    let _ = burg_domain::password::recognize(&String::from_utf8_lossy(data));
}

pub fn password_hash_seeds() -> Vec<Vec<u8>> {
    [
        "$2a$04$x1HxC91DV0gStsbF.0h3VeT6Yq8FjPjjYx1y0Vv6ZJ2s1OgNbzG6i",
        "$2y$10$abcdefghijklmnopqrstuuZ3vV9p6d1c8cJ0o9uY1yQ3n1m2l4k5e",
        "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
        "$argon2i$v=19$m=4096,t=3,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNo",
        "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E",
        "$pbkdf2-sha256$29000$N2bMWYuRMgbA2Dsn5LxXiw$Qs2ywvUUGbqQwG5zMcSrKX7u9kLtZZUJ4QPbC2a7BYE",
        "$pbkdf2-sha512$25000$c2FsdA$aGFzaA",
        "$pbkdf2$131000$c2FsdA$aGFzaA",
        "$1$saltsalt$qjXMvbEw8oaL.CzflDugX/",
        "plain",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}
