//! Every kind added, read, listed, updated and deleted; names; the JSON
//! keys of a provider; permissions.

use std::sync::Arc;

use burg_api::admin::*;
use burg_api::idp as pb;
use burg_testkit::{ApiError, Client, Protocol, TestServer, matrix};
use tonic::Code;

use super::cases::*;

matrix!(every_kind_round_trips, names_are_stored_as_given);

/// The sealed secret of a stored template, as the read table holds it.
async fn stored_secret(s: &TestServer, id: &str) -> serde_json::Value {
    let config: String = sqlx::query_scalar("SELECT config FROM idp_templates WHERE id = $1")
        .bind(id)
        .fetch_one(s.app.db().pool())
        .await
        .unwrap();
    let config: serde_json::Value = serde_json::from_str(&config).unwrap();
    let c = &config["config"];
    for field in ["clientSecret", "bindPassword", "privateKey", "key"] {
        if !c[field].is_null() {
            assert!(c[field]["Crypted"].is_string(), "sealed");
            return c[field].clone();
        }
    }
    serde_json::Value::Null
}

async fn every_kind_round_trips(s: Arc<TestServer>, c: Client) {
    for kind in ALL {
        let name = format!("{kind:?} provider");
        let id = add(&c, kind, &name, "s3cret-value").await.unwrap_or_else(|e| panic!("{kind:?}: {e:?}"));

        let idp = get(&c, &id).await.unwrap();
        assert_eq!(idp.id, id);
        assert_eq!(idp.name, name);
        assert_eq!(idp.r#type, kind.provider_type() as i32, "{kind:?}");
        assert_eq!(idp.state, pb::IdpState::Active as i32);
        assert_eq!(idp.owner, pb::IdpOwnerType::System as i32);
        let details = idp.details.clone().unwrap();
        assert!(details.sequence > 0 && details.creation_date.is_some());
        let config = idp.config.clone().unwrap();
        assert_eq!(config.options, options(), "{kind:?}");
        let branch = config.config.unwrap();
        check_added(kind, &branch);

        let listed: ListProvidersResponse = c
            .call(
                "ListProviders",
                ListProvidersRequest {
                    queries: vec![ProviderQuery {
                        query: Some(provider_query::Query::IdpNameQuery(pb::IdpNameQuery {
                            name: name.to_uppercase(),
                            method: burg_api::object::TextQueryMethod::EqualsIgnoreCase as i32,
                        })),
                    }],
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(listed.details.unwrap().total_result, 1, "{kind:?}");
        assert_eq!(listed.result[0], idp, "list and get agree");

        let sealed_before = stored_secret(&s, &id).await;
        let renamed = format!("{kind:?} renamed");
        let updated = update(&c, kind, &id, &renamed, "").await.unwrap_or_else(|e| panic!("{kind:?}: {e:?}"));
        assert_eq!(stored_secret(&s, &id).await, sealed_before, "{kind:?}: an empty secret keeps the old one");
        assert!(updated.sequence > details.sequence);
        let after = get(&c, &id).await.unwrap();
        assert_eq!(after.name, renamed);
        assert_eq!(after.details.unwrap().sequence, updated.sequence);
        let after_branch = after.config.unwrap().config.unwrap();
        assert_ne!(scopes_of(&after_branch), scopes_of(&branch), "{kind:?}: the update reached the config");

        // The same update again changes nothing: no event, the same details.
        let again = update(&c, kind, &id, &renamed, "").await.unwrap();
        assert_eq!(again.sequence, updated.sequence, "{kind:?}: a no-op update writes no event");
        if kind.takes_a_new_secret() {
            let sealed = stored_secret(&s, &id).await;
            let changed = update(&c, kind, &id, &renamed, "a-new-secret").await.unwrap();
            assert!(changed.sequence > again.sequence, "{kind:?}: a new secret is a change");
            assert_ne!(stored_secret(&s, &id).await, sealed, "{kind:?}");
        }

        let deleted: DeleteProviderResponse =
            c.call("DeleteProvider", DeleteProviderRequest { id: id.clone() }).await.unwrap();
        assert!(deleted.details.unwrap().sequence > updated.sequence);
        let gone = get(&c, &id).await.unwrap_err();
        assert_eq!(gone.code, Code::NotFound, "{kind:?}");
        let gone = c.call::<_, DeleteProviderResponse>("DeleteProvider", DeleteProviderRequest { id }).await;
        assert_eq!(gone.unwrap_err().code, Code::NotFound);
    }
    let all: ListProvidersResponse = c.call("ListProviders", ListProvidersRequest::default()).await.unwrap();
    assert_eq!(all.details.unwrap().total_result, 0);
    assert_eq!(s.unlisted_event_types(&c).await, Vec::<String>::new(), "ListEventTypes names every kind's events");
}

/// As ZITADEL: names are neither unique nor invented.
async fn names_are_stored_as_given(_s: Arc<TestServer>, c: Client) {
    let first = add(&c, Kind::Oidc, "Corporate", "secret").await.unwrap();
    let same = add(&c, Kind::GitHubEs, "corporate", "secret").await.unwrap();
    assert_ne!(first, same);
    let other = add(&c, Kind::Jwt, "Other", "").await.unwrap();
    update(&c, Kind::Jwt, &other, "CORPORATE", "").await.unwrap();
    assert_eq!(get(&c, &other).await.unwrap().name, "CORPORATE");

    // Google, GitHub, GitLab and Apple may go without a name: it stays
    // empty, and two unnamed providers of a kind live side by side.
    for kind in [Kind::Google, Kind::GitHub, Kind::GitLab, Kind::Apple] {
        for _ in 0..2 {
            let id = add(&c, kind, "", "secret").await.unwrap();
            assert_eq!(get(&c, &id).await.unwrap().name, "");
        }
    }
    // Others must have one.
    let err = add(&c, Kind::OAuth, "", "secret").await.unwrap_err();
    assert_eq!(err.code, Code::InvalidArgument);
    assert!(err.message.contains("AddGenericOAuthProviderRequest.Name"), "{}", err.message);
}

/// The JSON of GetProviderByID has exactly the keys and enum spellings of
/// ZITADEL's API reference.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_json_has_the_reference_keys() {
    let Some(s) = TestServer::start_or_skip(burg_testkit::Backend::Sqlite).await else { return };
    let c = s.client(Protocol::Rest).await;
    let reference: serde_json::Value = serde_json::from_str(include_str!("../../fixtures/provider_keys.json")).unwrap();
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    let expected = |name: &str| -> Vec<String> {
        let mut k: Vec<String> =
            reference[name].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
        k.sort();
        k
    };
    for kind in ALL {
        let id = add(&c, kind, &format!("{kind:?}"), "secret").await.unwrap();
        let body: serde_json::Value = burg_testkit::http_client()
            .get(format!("{}/admin/v1/idps/templates/{id}", s.base_url()))
            .bearer_auth(&s.admin_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let idp = &body["idp"];
        assert_eq!(keys(&body), vec!["idp"]);
        assert_eq!(keys(idp), expected("idp"), "{kind:?}");
        assert_eq!(keys(&idp["details"]), expected("details"));
        assert_eq!(idp["state"], "IDP_STATE_ACTIVE");
        assert_eq!(idp["owner"], "IDP_OWNER_TYPE_SYSTEM");
        let type_name = pb::ProviderType::try_from(kind.provider_type() as i32).unwrap().as_str_name();
        assert_eq!(idp["type"], type_name);
        assert!(idp["details"]["sequence"].is_string(), "64-bit integers are strings");
        let config = &idp["config"];
        let mut config_keys = keys(config);
        config_keys.retain(|k| k != "options");
        assert_eq!(config_keys, vec![kind.branch().to_string()], "exactly one branch");
        assert_eq!(keys(&config["options"]), expected("options"));
        assert_eq!(config["options"]["autoLinking"], "AUTO_LINKING_OPTION_EMAIL");
        let branch = &config[kind.branch()];
        assert_eq!(keys(branch), expected(kind.branch()), "{kind:?}");
        match kind {
            Kind::Ldap => {
                assert_eq!(keys(&branch["attributes"]), expected("ldapAttributes"));
                assert_eq!(branch["timeout"], "10s");
            }
            Kind::Saml => {
                assert_eq!(branch["binding"], "SAML_BINDING_POST");
                assert_eq!(branch["nameIdFormat"], "SAML_NAME_ID_FORMAT_PERSISTENT");
            }
            Kind::Azure => assert_eq!(branch["tenant"], serde_json::json!({"tenantId": "tenant-1234"})),
            _ => {}
        }
    }
    s.stop().await;
}

/// Permissions: reading needs `iam.idp.read`, writing `iam.idp.write`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewers_read_owners_write() {
    let Some(s) = TestServer::start_or_skip(burg_testkit::Backend::Sqlite).await else { return };
    let admin = s.client(Protocol::Grpc).await;
    let id = add(&admin, Kind::Google, "Readable", "secret").await.unwrap();
    let viewer = admin.with_token(&s.token_with_roles(&["IAM_OWNER_VIEWER"]).await);
    assert_eq!(get(&viewer, &id).await.unwrap().name, "Readable");
    let err = add(&viewer, Kind::Google, "Nope", "secret").await.unwrap_err();
    assert_eq!(err.code, Code::PermissionDenied);
    let err = c_delete(&viewer, &id).await.unwrap_err();
    assert_eq!(err.code, Code::PermissionDenied);
    let stranger = admin.with_token(&s.token_with_roles(&["IAM_USER_MANAGER"]).await);
    assert_eq!(get(&stranger, &id).await.unwrap_err().code, Code::PermissionDenied);
    s.stop().await;
}

async fn c_delete(c: &Client, id: &str) -> Result<DeleteProviderResponse, ApiError> {
    c.call("DeleteProvider", DeleteProviderRequest { id: id.into() }).await
}
