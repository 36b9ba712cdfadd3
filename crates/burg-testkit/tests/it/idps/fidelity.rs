//! ZITADEL's answers, case by case (issue 17): what is trimmed and what is
//! stored as sent, the ids of fields that are empty, enum numbers the API
//! does not define, keys, CAs and SAML metadata read as ZITADEL reads
//! them, and what reads answer by default.

use std::sync::Arc;

use burg_api::admin::*;
use burg_api::idp::{self as pb, provider_config::Config as C};
use burg_testkit::{ApiError, Client, Protocol, TestServer, in_process, matrix};
use serde_json::json;
use tonic::Code;

use super::cases::*;
use super::saml::serve_document;

matrix!(
    secrets_are_trimmed_on_add_only,
    update_ids_are_trimmed,
    fields_are_stored_as_zitadel_stores_them,
    ldap_root_ca_timeout_and_attributes,
    saml_answers_and_metadata,
    providers_are_listed_in_the_order_they_were_added,
);
in_process!(empty_fields_answer_each_kind_s_id, apple_keys_are_read_as_zitadel_reads_them, get_and_list_errors);

/// Keys made with `openssl genpkey` / `openssl ecparam` for these tests.
const P384_PKCS8: &str = "-----BEGIN PRIVATE KEY-----
MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDDTjiQef0QBIrIcE+jY
1zQFIjTv0QK4EbRsKsnH6xx3emHt3AzH6YtCyXDRvp+lmIehZANiAAR3q0XBSLJC
LZK4qp78BOyphXX5dwZKAz98BouKeQskcIJfa8PQhdW5mQEYaEY1i4oMGN2K4vVF
6h9zfcu7WgHwdkikOb9iOUdpokPIVtFShNKOmCkG4nZqlfZSiNWmSDM=
-----END PRIVATE KEY-----
";
const P256_SEC1: &str = "-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIDAB0M/YZgVUSsQZtB/+BQBK+LaH81VArABq4y2ibwXAoAoGCCqGSM49
AwEHoUQDQgAEwFMABonSpiPd44uEnSu71XRT3kx7utx86yUMoW8XNJE2yuwymUJf
PCWDjxEGBOEMK9NhR3+4uLtHJ3+W+rJ1fQ==
-----END EC PRIVATE KEY-----
";

/// SAML metadata as a group of entities: a service provider first, then
/// the identity provider; and text after the root, which is not read.
const ENTITIES_METADATA: &str = r#"<?xml version="1.0"?>
<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">
  <md:EntityDescriptor entityID="https://sp.example.com"><md:SPSSODescriptor/></md:EntityDescriptor>
  <md:EntityDescriptor entityID="https://idp.example.com"><md:IDPSSODescriptor/></md:EntityDescriptor>
</md:EntitiesDescriptor>
trailing text that is not XML <"#;

/// An `EntityDescriptor` outside the SAML metadata namespace.
const NO_NAMESPACE_METADATA: &str =
    r#"<EntityDescriptor entityID="https://idp.example.com"><IDPSSODescriptor/></EntityDescriptor>"#;

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn branch(p: &pb::Provider) -> C {
    p.config.clone().unwrap().config.unwrap()
}

fn assert_refused(result: Result<impl std::fmt::Debug, ApiError>, id: &str, what: &str) {
    let err = result.expect_err(what);
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, id), "{what}: {err:?}");
}

/// The secret a stored template holds, opened with the server's master key.
async fn stored_secret(s: &TestServer, id: &str) -> String {
    let config: String = sqlx::query_scalar("SELECT config FROM idp_templates WHERE id = $1")
        .bind(id)
        .fetch_one(s.app.db().pool())
        .await
        .unwrap();
    let config: serde_json::Value = serde_json::from_str(&config).unwrap();
    let sealed =
        ["clientSecret", "bindPassword"].iter().find_map(|f| config["config"].get(*f).cloned()).expect("a secret");
    let sealed: burg_domain::crypto::Sealed = serde_json::from_value(sealed).unwrap();
    let key = burg_domain::crypto::MasterKey::from_secret(&s.master_key).unwrap();
    String::from_utf8(key.open(&sealed).unwrap()).unwrap()
}

/// The kinds with a client secret or bind password, and its JSON name.
const SECRET_KINDS: [(Kind, &str); 9] = [
    (Kind::Oidc, "clientSecret"),
    (Kind::OAuth, "clientSecret"),
    (Kind::Azure, "clientSecret"),
    (Kind::Google, "clientSecret"),
    (Kind::GitHub, "clientSecret"),
    (Kind::GitHubEs, "clientSecret"),
    (Kind::GitLab, "clientSecret"),
    (Kind::GitLabSelfHosted, "clientSecret"),
    (Kind::Ldap, "bindPassword"),
];

/// C4: an add trims its secret and stores the trimmed value; an update
/// stores a given secret as sent.
async fn secrets_are_trimmed_on_add_only(s: Arc<TestServer>, c: Client) {
    for (kind, field) in SECRET_KINDS {
        let mut add = add_json(kind);
        add[field] = json!("  padded-secret\t ");
        let id = add_from_json(&c, kind, add).await.unwrap_or_else(|e| panic!("{kind:?}: {e:?}"));
        assert_eq!(stored_secret(&s, &id).await, "padded-secret", "{kind:?}");
        let mut update = update_json(kind, &id);
        update[field] = json!("  new secret  ");
        update_from_json(&c, kind, update).await.unwrap();
        assert_eq!(stored_secret(&s, &id).await, "  new secret  ", "{kind:?}: an update's secret is as sent");
    }
}

/// C5: updates and the certificate regeneration use their id trimmed.
async fn update_ids_are_trimmed(_s: Arc<TestServer>, c: Client) {
    for kind in ALL {
        let id = add_from_json(&c, kind, add_json(kind)).await.unwrap();
        let mut update = update_json(kind, &format!("  {id} "));
        update["name"] = json!("renamed");
        let details = update_from_json(&c, kind, update).await.unwrap_or_else(|e| panic!("{kind:?}: {e:?}"));
        let after = get(&c, &id).await.unwrap();
        assert_eq!(after.name, "renamed", "{kind:?}");
        assert_eq!(after.details.unwrap().sequence, details.sequence);
        if kind == Kind::Saml {
            let regenerated: RegenerateSamlProviderCertificateResponse = c
                .call(
                    "RegenerateSAMLProviderCertificate",
                    RegenerateSamlProviderCertificateRequest { id: format!(" {id}  ") },
                )
                .await
                .unwrap();
            assert!(regenerated.details.unwrap().sequence > details.sequence);
        }
    }
}

/// C10, C5 and C4: a required field that is empty once trimmed (a list:
/// empty) answers the id ZITADEL gives it, on add and on update; a blank
/// update id answers each kind's id. Nothing is stored.
async fn empty_fields_answer_each_kind_s_id(_s: Arc<TestServer>, c: Client) {
    // (kind, JSON field, add id, update id); secrets are trimmed on add only.
    let cases: &[(Kind, &str, &str, Option<&str>)] = &[
        (Kind::Oidc, "name", "INST-Sgtj5", Some("INST-Dvf4f")),
        (Kind::Oidc, "issuer", "INST-Hz6zj", Some("INST-BDfr3")),
        (Kind::Oidc, "clientId", "INST-fb5jm", Some("INST-Db3bs")),
        (Kind::Oidc, "clientSecret", "INST-Sfdf4", None),
        (Kind::OAuth, "name", "INST-D32ef", Some("INST-Sf3gh")),
        (Kind::OAuth, "clientId", "INST-Dbgzf", Some("INST-SHJ3ui")),
        (Kind::OAuth, "authorizationEndpoint", "INST-B23bs", Some("INST-SVrgh")),
        (Kind::OAuth, "tokenEndpoint", "INST-D2gj8", Some("INST-DJKeio")),
        (Kind::OAuth, "userEndpoint", "INST-Fb8jk", Some("INST-ILSJi")),
        (Kind::OAuth, "idAttribute", "INST-sdf3f", Some("INST-JKD3h")),
        (Kind::OAuth, "clientSecret", "INST-DF4ga", None),
        (Kind::Jwt, "name", "INST-JLKef", Some("INST-JKLS2")),
        (Kind::Jwt, "issuer", "INST-WNJK3", Some("INST-JKs3f")),
        (Kind::Jwt, "jwtEndpoint", "INST-NJKSD", Some("INST-NJKS2")),
        (Kind::Jwt, "keysEndpoint", "INST-NJKE3", Some("INST-SJk2d")),
        (Kind::Jwt, "headerName", "INST-2rlks", Some("INST-SJK2f")),
        (Kind::Azure, "name", "INST-sdf3g", Some("INST-fh3h1")),
        (Kind::Azure, "clientId", "INST-Fhbr2", Some("INST-dmitg")),
        (Kind::Azure, "clientSecret", "INST-Dzh3g", None),
        (Kind::GitHub, "clientId", "INST-Jdsgf", Some("INST-fdh5z")),
        (Kind::GitHub, "clientSecret", "INST-dsgz3", None),
        (Kind::GitLab, "clientId", "INST-adsg2", Some("INST-D12t6")),
        (Kind::GitLab, "clientSecret", "INST-GD1j2", None),
        (Kind::Google, "clientId", "INST-D3fvs", Some("INST-ds432")),
        (Kind::Google, "clientSecret", "INST-W2vqs", None),
        (Kind::GitHubEs, "name", "INST-Dg4td", Some("INST-shj42")),
        (Kind::GitHubEs, "clientId", "INST-dgj53", Some("INST-sdh73")),
        (Kind::GitHubEs, "authorizationEndpoint", "INST-sani2", Some("INST-acx2w")),
        (Kind::GitHubEs, "tokenEndpoint", "INST-agj42", Some("INST-dgj6q")),
        (Kind::GitHubEs, "userEndpoint", "INST-sd5hn", Some("INST-ybj62")),
        (Kind::GitHubEs, "clientSecret", "INST-Ghjjs", None),
        (Kind::GitLabSelfHosted, "name", "INST-jw4ZT", Some("INST-DG4H")),
        (Kind::GitLabSelfHosted, "issuer", "INST-AST4S", Some("INST-SD4eb")),
        (Kind::GitLabSelfHosted, "clientId", "INST-DBZHJ", Some("INST-GHWE3")),
        (Kind::GitLabSelfHosted, "clientSecret", "INST-SDGJ4", None),
        (Kind::Ldap, "name", "INST-SAfdd", Some("INST-Sffgd")),
        (Kind::Ldap, "baseDn", "INST-sv31s", Some("INST-vb3ss")),
        (Kind::Ldap, "bindDn", "INST-sdgf4", Some("INST-hbere")),
        (Kind::Ldap, "userBase", "INST-SAD5n", Some("INST-DG45z")),
        (Kind::Ldap, "servers", "INST-SAx905n", Some("INST-SAx945n")),
        (Kind::Ldap, "userObjectClasses", "INST-S1x905n", Some("INST-S1x605n")),
        (Kind::Ldap, "userFilters", "INST-aAx905n", Some("INST-aAx901n")),
        (Kind::Ldap, "bindPassword", "INST-AEG2w", None),
        (Kind::Apple, "clientId", "INST-jkn3w", Some("INST-SFm4l")),
        (Kind::Apple, "teamId", "INST-Ffg32", Some("INST-SG34t")),
        (Kind::Apple, "keyId", "INST-GDjm5", Some("INST-Gh4z2")),
        (Kind::Saml, "name", "INST-o07zjotgnd", Some("INST-q2s9rak7o9")),
    ];
    let update_id_empty = [
        (Kind::OAuth, "INST-SAffg"),
        (Kind::Oidc, "INST-SAfd3"),
        (Kind::Jwt, "INST-HUe3q"),
        (Kind::Azure, "INST-SAgh2"),
        (Kind::GitHub, "INST-sdf4h"),
        (Kind::GitHubEs, "INST-sdfh3"),
        (Kind::GitLab, "INST-HJK91"),
        (Kind::GitLabSelfHosted, "INST-SAFG4"),
        (Kind::Google, "INST-S32t1"),
        (Kind::Ldap, "INST-Dgdbs"),
        (Kind::Apple, "INST-FRHBH"),
        (Kind::Saml, "INST-7o3rq1owpm"),
    ];
    let mut ids = std::collections::HashMap::new();
    for kind in ALL {
        ids.insert(kind, add_from_json(&c, kind, add_json(kind)).await.unwrap());
    }
    let blank = |field: &str| match field {
        "servers" | "userObjectClasses" | "userFilters" => json!([]),
        "teamId" | "keyId" => json!(" ".repeat(10)),
        _ => json!(" \t "),
    };
    for &(kind, field, add_id, update_id) in cases {
        // An empty LDAP list breaks the proto's `min_items: 1` first, before
        // the command's own id (as in ZITADEL, whose interceptor validates).
        let is_list = matches!(field, "servers" | "userObjectClasses" | "userFilters");
        let (add_id, update_id) =
            if is_list { ("VALID-rules", update_id.map(|_| "VALID-rules")) } else { (add_id, update_id) };
        let mut add = add_json(kind);
        add[field] = blank(field);
        assert_refused(add_from_json(&c, kind, add).await, add_id, &format!("{kind:?} add {field}"));
        if let Some(update_id) = update_id {
            let mut update = update_json(kind, &ids[&kind]);
            update[field] = blank(field);
            assert_refused(update_from_json(&c, kind, update).await, update_id, &format!("{kind:?} update {field}"));
        }
    }
    for (kind, id) in update_id_empty {
        let update = update_json(kind, "   ");
        assert_refused(update_from_json(&c, kind, update).await, id, &format!("{kind:?} update id"));
    }
    let regenerate = c
        .call::<_, RegenerateSamlProviderCertificateResponse>(
            "RegenerateSAMLProviderCertificate",
            RegenerateSamlProviderCertificateRequest { id: "  ".into() },
        )
        .await;
    assert_refused(regenerate, "INST-7de108gqya", "regenerate id");
    let all: ListProvidersResponse = c.call("ListProviders", ListProvidersRequest::default()).await.unwrap();
    assert_eq!(all.details.unwrap().total_result, ALL.len() as u64, "nothing refused was stored");
}

/// C6, C7, C8 and the Azure tenant: only the fields ZITADEL requires are
/// trimmed; lists, attributes and tenant ids are stored as sent; URLs are
/// not checked for form; enum numbers the API does not define are taken as
/// ZITADEL's converters take them.
async fn fields_are_stored_as_zitadel_stores_them(_s: Arc<TestServer>, c: Client) {
    let mut oidc = add_json(Kind::Oidc);
    oidc["name"] = json!("  Spaced  ");
    oidc["issuer"] = json!(" issuer.example ");
    oidc["clientId"] = json!(" client ");
    oidc["scopes"] = json!([" ", " openid "]);
    let id = add_from_json(&c, Kind::Oidc, oidc).await.unwrap();
    let read = get(&c, &id).await.unwrap();
    assert_eq!(read.name, "Spaced");
    let C::Oidc(o) = branch(&read) else { panic!() };
    assert_eq!((o.issuer.as_str(), o.client_id.as_str()), ("issuer.example", "client"));
    assert_eq!(o.scopes, vec![" ", " openid "], "scopes are stored as sent");

    let mut jwt = add_json(Kind::Jwt);
    jwt["jwtEndpoint"] = json!("not a url");
    jwt["keysEndpoint"] = json!("ftp://keys.example ");
    let id = add_from_json(&c, Kind::Jwt, jwt).await.unwrap();
    let C::Jwt(j) = branch(&get(&c, &id).await.unwrap()) else { panic!() };
    assert_eq!((j.jwt_endpoint.as_str(), j.keys_endpoint.as_str()), ("not a url", "ftp://keys.example"));

    let mut apple = add_json(Kind::Apple);
    apple["teamId"] = json!(" ABCDEFGHI");
    apple["keyId"] = json!("KEYIDKEYI ");
    let id = add_from_json(&c, Kind::Apple, apple).await.unwrap();
    let C::Apple(a) = branch(&get(&c, &id).await.unwrap()) else { panic!() };
    assert_eq!((a.team_id.as_str(), a.key_id.as_str()), ("ABCDEFGHI", "KEYIDKEYI"), "ten as sent, nine stored");

    for tenant in ["  tenant  ".to_string(), String::new(), "t".repeat(300)] {
        let mut azure = add_json(Kind::Azure);
        azure["tenant"] = json!({"tenantId": tenant});
        let id = add_from_json(&c, Kind::Azure, azure).await.unwrap();
        let C::AzureAd(a) = branch(&get(&c, &id).await.unwrap()) else { panic!() };
        assert_eq!(a.tenant.unwrap().r#type, Some(pb::azure_ad_tenant::Type::TenantId(tenant)));
    }

    if c.protocol == Protocol::Grpc {
        // Numbers the API does not define (our JSON cannot carry them).
        let mut oidc = add_json(Kind::Oidc);
        oidc["providerOptions"] = json!({"isLinkingAllowed": true});
        let mut request: AddGenericOidcProviderRequest = serde_json::from_value(oidc).unwrap();
        request.provider_options.as_mut().unwrap().auto_linking = 9;
        let added: AddGenericOidcProviderResponse = c.call("AddGenericOIDCProvider", request).await.unwrap();
        let options = get(&c, &added.id).await.unwrap().config.unwrap().options.unwrap();
        assert_eq!((options.auto_linking, options.is_linking_allowed), (0, true), "unspecified");

        let azure = AddAzureAdProviderRequest {
            name: "Azure".into(),
            client_id: "c".into(),
            client_secret: "s".into(),
            tenant: Some(pb::AzureAdTenant { r#type: Some(pb::azure_ad_tenant::Type::TenantType(7)) }),
            ..Default::default()
        };
        let added: AddAzureAdProviderResponse = c.call("AddAzureADProvider", azure).await.unwrap();
        let C::AzureAd(a) = branch(&get(&c, &added.id).await.unwrap()) else { panic!() };
        let common = pb::azure_ad_tenant::Type::TenantType(pb::AzureAdTenantType::Common as i32);
        assert_eq!(a.tenant.unwrap().r#type, Some(common), "the common tenant");

        let saml = AddSamlProviderRequest {
            name: "SAML".into(),
            metadata: Some(add_saml_provider_request::Metadata::MetadataXml(SAML_METADATA.into())),
            binding: 7,
            name_id_format: Some(9),
            signature_algorithm: Some(9),
            ..Default::default()
        };
        let added: AddSamlProviderResponse = c.call("AddSAMLProvider", saml).await.unwrap();
        let C::Saml(s) = branch(&get(&c, &added.id).await.unwrap()) else { panic!() };
        assert_eq!((s.binding, s.name_id_format, s.signature_algorithm), (0, 0, Some(0)), "unspecified");
    }
}

/// L2, the LDAP timeout and attributes, and an update's empty root CA.
async fn ldap_root_ca_timeout_and_attributes(_s: Arc<TestServer>, c: Client) {
    let cert = burg_domain::idp::generate_sp_key_pair("1", 1024).unwrap().certificate_pem;
    let other = burg_domain::idp::generate_sp_key_pair("2", 1024).unwrap().certificate_pem;
    let broken = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";
    // A comment, a broken certificate and a key are skipped: one is enough.
    let bundle = format!("our CA:\n{broken}{P256_SEC1}{cert}");

    let mut ldap = add_json(Kind::Ldap);
    ldap["rootCa"] = json!(b64(bundle.as_bytes()));
    ldap["timeout"] = json!("-5s");
    ldap["servers"] = json!([" ldaps://l.example ", "https://not-ldap.example"]);
    ldap["attributes"] = json!({"idAttribute": " uid ", "emailAttribute": ""});
    let id = add_from_json(&c, Kind::Ldap, ldap).await.unwrap();
    let C::Ldap(l) = branch(&get(&c, &id).await.unwrap()) else { panic!() };
    assert_eq!(l.root_ca, bundle.as_bytes(), "stored as given");
    assert_eq!(l.timeout, Some(burg_api::wkt::Duration { seconds: -5, nanos: 0 }), "any duration");
    assert_eq!(l.servers, vec![" ldaps://l.example ", "https://not-ldap.example"]);
    assert_eq!(l.attributes.unwrap().id_attribute, " uid ");

    // An update without a root CA keeps the stored one; a zero timeout is none.
    let mut update = update_json(Kind::Ldap, &id);
    update["timeout"] = json!("0s");
    update_from_json(&c, Kind::Ldap, update).await.unwrap();
    let C::Ldap(l) = branch(&get(&c, &id).await.unwrap()) else { panic!() };
    assert_eq!(l.root_ca, bundle.as_bytes(), "the stored CA stays");
    assert_eq!(l.timeout, None, "a zero timeout is answered as none");
    let mut update = update_json(Kind::Ldap, &id);
    update["rootCa"] = json!(b64(other.as_bytes()));
    update_from_json(&c, Kind::Ldap, update).await.unwrap();
    let C::Ldap(l) = branch(&get(&c, &id).await.unwrap()) else { panic!() };
    assert_eq!(l.root_ca, other.as_bytes(), "a given CA replaces it");

    // No good certificate at all.
    for bad in [broken.to_string(), format!("{P256_SEC1}text")] {
        let mut ldap = add_json(Kind::Ldap);
        ldap["rootCa"] = json!(b64(bad.as_bytes()));
        assert_refused(add_from_json(&c, Kind::Ldap, ldap).await, "INST-cwqVVdBwKt", "add rootCa");
        let mut update = update_json(Kind::Ldap, &id);
        update["rootCa"] = json!(b64(bad.as_bytes()));
        assert_refused(update_from_json(&c, Kind::Ldap, update).await, "INST-cwqVVdBwKt", "update rootCa");
    }
}

/// S3, S4, S5, the metadata errors of add and update, the metadata URL
/// out of the comparison, and the service provider's certificate.
async fn saml_answers_and_metadata(s: Arc<TestServer>, c: Client) {
    use add_saml_provider_request::Metadata as Add;
    use update_saml_provider_request::Metadata as Update;
    let add = |metadata: Option<Add>| AddSamlProviderRequest { name: "SAML".into(), metadata, ..Default::default() };
    let update = |id: &str, metadata: Option<Update>| UpdateSamlProviderRequest {
        id: id.into(),
        name: "SAML".into(),
        metadata,
        ..Default::default()
    };
    let added: AddSamlProviderResponse =
        c.call("AddSAMLProvider", add(Some(Add::MetadataXml(ENTITIES_METADATA.into())))).await.unwrap();
    let id = added.id;
    let read = get(&c, &id).await.unwrap();
    let C::Saml(saml) = branch(&read) else { panic!() };
    assert_eq!(saml.metadata_xml, ENTITIES_METADATA.as_bytes(), "the document as given");
    assert_eq!(saml.name_id_format, pb::SamlNameIdFormat::Persistent as i32, "persistent when none is stored");
    assert_eq!(saml.transient_mapping_attribute_name.as_deref(), Some(""));
    assert_eq!(saml.federated_logout_enabled, Some(false));
    assert_eq!(saml.signature_algorithm, Some(pb::SamlSignatureAlgorithm::SamlSignatureUnspecified as i32));
    if c.protocol == Protocol::Rest {
        let body: serde_json::Value = burg_testkit::http_client()
            .get(format!("{}/admin/v1/idps/templates/{id}", c.base_url()))
            .bearer_auth(c.token())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let saml = &body["idp"]["config"]["saml"];
        assert_eq!(saml["transientMappingAttributeName"], "", "{saml}");
        assert_eq!(saml["federatedLogoutEnabled"], false, "{saml}");
        assert_eq!(saml["signatureAlgorithm"], "SAML_SIGNATURE_UNSPECIFIED", "{saml}");
        assert_eq!(saml["nameIdFormat"], "SAML_NAME_ID_FORMAT_PERSISTENT", "{saml}");
    }

    // The same document by URL changes nothing: the URL is not kept.
    let url = serve_document(ENTITIES_METADATA).await;
    let same: UpdateSamlProviderResponse =
        c.call("UpdateSAMLProvider", update(&id, Some(Update::MetadataUrl(url)))).await.unwrap();
    assert_eq!(same.details.unwrap().sequence, read.details.unwrap().sequence, "no event");

    // The service provider's certificate names it: O=burg, CN=burg SP <id>.
    let certificate = s.app.saml_sp_certificate(&id).await.unwrap();
    let der = burg_domain::pem::first_block(certificate.as_bytes()).unwrap().bytes;
    for name in ["burg".to_string(), format!("burg SP {id}")] {
        assert!(der.windows(name.len()).any(|w| w == name.as_bytes()), "{name} in the subject");
    }

    // What is refused, with the ids of add and update.
    let not_metadata = serve_document(NO_NAMESPACE_METADATA).await;
    let nothing_there = "http://127.0.0.1:9/metadata".to_string();
    let adds: [(Option<Add>, &str); 6] = [
        (None, "INST-3bi3esi16t"),
        (Some(Add::MetadataUrl(String::new())), "INST-3bi3esi16t"),
        (Some(Add::MetadataXml(vec![])), "INST-SF3rwhgh"),
        (Some(Add::MetadataXml(NO_NAMESPACE_METADATA.into())), "INST-SF3rwhgh"),
        (Some(Add::MetadataUrl(not_metadata.clone())), "INST-SF3rwhgh"),
        (Some(Add::MetadataUrl(nothing_there.clone())), "INST-8vam1khq22"),
    ];
    for (metadata, expected) in adds {
        let what = format!("add {metadata:?}");
        assert_refused(c.call::<_, AddSamlProviderResponse>("AddSAMLProvider", add(metadata)).await, expected, &what);
    }
    let updates: [(Option<Update>, &str); 6] = [
        (None, "INST-iw1rxnf4sf"),
        (Some(Update::MetadataUrl(String::new())), "INST-iw1rxnf4sf"),
        (Some(Update::MetadataXml(vec![])), "INST-dsfj3kl2"),
        (Some(Update::MetadataXml(NO_NAMESPACE_METADATA.into())), "INST-dsfj3kl2"),
        (Some(Update::MetadataUrl(not_metadata)), "INST-dsfj3kl2"),
        (Some(Update::MetadataUrl(nothing_there)), "INST-iijz4h01if"),
    ];
    for (metadata, expected) in updates {
        let what = format!("update {metadata:?}");
        let result = c.call::<_, UpdateSamlProviderResponse>("UpdateSAMLProvider", update(&id, metadata)).await;
        assert_refused(result, expected, &what);
    }
}

/// ZITADEL's ListProviders has no order; burg answers in the order the
/// providers were added, whatever `asc` says.
async fn providers_are_listed_in_the_order_they_were_added(_s: Arc<TestServer>, c: Client) {
    let mut added = Vec::new();
    for name in ["b", "a", "c"] {
        let mut jwt = add_json(Kind::Jwt);
        jwt["name"] = json!(name);
        added.push(add_from_json(&c, Kind::Jwt, jwt).await.unwrap());
    }
    for asc in [false, true] {
        let request = ListProvidersRequest {
            query: Some(burg_api::object::ListQuery { asc, ..Default::default() }),
            ..Default::default()
        };
        let listed: ListProvidersResponse = c.call("ListProviders", request).await.unwrap();
        let ids: Vec<String> = listed.result.into_iter().map(|p| p.id).collect();
        assert_eq!(ids, added, "asc: {asc}");
    }
}

/// A1: PKCS#8 ECDSA keys on any curve Go knows, the first PEM block only;
/// SEC1 and other keys refused with the ids of add and update.
async fn apple_keys_are_read_as_zitadel_reads_them(_s: Arc<TestServer>, c: Client) {
    let with_key = |json: &mut serde_json::Value, key: &str| json["privateKey"] = json!(b64(key.as_bytes()));
    let mut apple = add_json(Kind::Apple);
    with_key(&mut apple, &format!("Key downloaded from Apple:\n{P384_PKCS8}"));
    let id = add_from_json(&c, Kind::Apple, apple).await.unwrap();
    for (key, what) in [(P256_SEC1.to_string(), "SEC1"), (format!("{P256_SEC1}{}", apple_key()), "SEC1 first")] {
        let mut apple = add_json(Kind::Apple);
        with_key(&mut apple, &key);
        assert_refused(add_from_json(&c, Kind::Apple, apple).await, "INST-Fk38d", what);
        let mut update = update_json(Kind::Apple, &id);
        with_key(&mut update, &key);
        assert_refused(update_from_json(&c, Kind::Apple, update).await, "INST-eWSDf", what);
    }
    let mut update = update_json(Kind::Apple, &id);
    with_key(&mut update, &apple_key());
    update_from_json(&c, Kind::Apple, update).await.unwrap();
}

/// GetProviderByID's not found and a ListProviders query without a field.
async fn get_and_list_errors(_s: Arc<TestServer>, c: Client) {
    let err = get(&c, "404404").await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "QUERY-SAFrt"));
    let request = ListProvidersRequest { queries: vec![ProviderQuery { query: None }], ..Default::default() };
    let err = c.call::<_, ListProvidersResponse>("ListProviders", request).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "ADMIN-Dr2aa"));
}

/// RegenerateSAMLProviderCertificate looks for the provider before it
/// makes a key: with keys that take long to make, an unknown or non-SAML
/// id is answered at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regenerate_looks_for_the_provider_first() {
    let config = burg_app::AppConfig { saml_key_bits: 8192, ..burg_testkit::test_app_config() };
    let Some(s) = TestServer::start_or_skip_with(burg_testkit::Backend::Sqlite, config).await else { return };
    let c = s.client(Protocol::Grpc).await;
    let jwt = add_from_json(&c, Kind::Jwt, add_json(Kind::Jwt)).await.unwrap();
    for id in [jwt, "404404".to_string()] {
        let started = std::time::Instant::now();
        let err = c
            .call::<_, RegenerateSamlProviderCertificateResponse>(
                "RegenerateSAMLProviderCertificate",
                RegenerateSamlProviderCertificateRequest { id },
            )
            .await
            .unwrap_err();
        assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "INST-76dbwsv9vm"));
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "no key was made: {:?}", started.elapsed());
    }
    s.stop().await;
}
