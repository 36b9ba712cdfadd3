//! Organizations through the Admin API.

use std::sync::Arc;

use burg_api::admin::set_up_org_request::{self as setup, human};
use burg_api::admin::*;
use burg_api::zitadel::org::v1::{OrgNameQuery, OrgQuery, OrgState, org_query};
use burg_testkit::{Client, TestServer, matrix};
use tonic::Code;

matrix!(set_up_get_list_and_remove_orgs);

pub fn setup_request(name: &str) -> SetUpOrgRequest {
    SetUpOrgRequest {
        org: Some(setup::Org { name: name.into(), domain: String::new() }),
        user: Some(setup::User::Human(setup::Human {
            user_name: format!("admin-{}", name.to_lowercase()),
            profile: Some(human::Profile { first_name: "Ada".into(), last_name: "Admin".into(), ..Default::default() }),
            email: Some(human::Email { email: "ada@example.com".into(), is_email_verified: true }),
            phone: None,
            password: "Secr3t-Passw0rd!".into(),
        })),
        roles: vec![],
    }
}

async fn set_up_get_list_and_remove_orgs(_s: Arc<TestServer>, c: Client) {
    let created: SetUpOrgResponse = c.call("SetUpOrg", setup_request("Acme")).await.unwrap();
    assert!(!created.org_id.is_empty() && !created.user_id.is_empty());
    assert_eq!(created.details.as_ref().unwrap().resource_owner, created.org_id);

    let dup = c.call::<_, SetUpOrgResponse>("SetUpOrg", setup_request("acme")).await.unwrap_err();
    assert_eq!(dup.code, Code::AlreadyExists);
    let mut weak = setup_request("Weak");
    if let Some(setup::User::Human(h)) = &mut weak.user {
        h.password = "short".into();
    }
    let err = c.call::<_, SetUpOrgResponse>("SetUpOrg", weak).await.unwrap_err();
    assert_eq!(err.code, Code::InvalidArgument);
    assert!(err.message.contains("password"), "{}", err.message);

    let got: GetOrgByIdResponse = c.call("GetOrgByID", GetOrgByIdRequest { id: created.org_id.clone() }).await.unwrap();
    let org = got.org.unwrap();
    assert_eq!(org.name, "Acme");
    assert_eq!(org.state, OrgState::Active as i32);
    assert_eq!(org.primary_domain, "acme.localhost");

    let unique: IsOrgUniqueResponse =
        c.call("IsOrgUnique", IsOrgUniqueRequest { name: "ACME".into(), domain: String::new() }).await.unwrap();
    assert!(!unique.is_unique);
    let unique: IsOrgUniqueResponse = c
        .call("IsOrgUnique", IsOrgUniqueRequest { name: "Other".into(), domain: "acme.localhost".into() })
        .await
        .unwrap();
    assert!(!unique.is_unique, "a verified domain is taken");
    let unique: IsOrgUniqueResponse = c
        .call("IsOrgUnique", IsOrgUniqueRequest { name: "Other".into(), domain: "other.example".into() })
        .await
        .unwrap();
    assert!(unique.is_unique);

    let list: ListOrgsResponse = c
        .call(
            "ListOrgs",
            ListOrgsRequest {
                queries: vec![OrgQuery {
                    query: Some(org_query::Query::NameQuery(OrgNameQuery { name: "ac".into(), method: 3 })),
                }],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(list.details.unwrap().total_result, 1);
    assert_eq!(list.result[0].id, created.org_id);
    let all: ListOrgsResponse = c.call("ListOrgs", ListOrgsRequest::default()).await.unwrap();
    assert_eq!(all.result.len(), 2, "the default org and Acme");

    let default: GetDefaultOrgResponse = c.call("GetDefaultOrg", GetDefaultOrgRequest {}).await.unwrap();
    let default_id = default.org.unwrap().id;
    let err =
        c.call::<_, RemoveOrgResponse>("RemoveOrg", RemoveOrgRequest { org_id: default_id.clone() }).await.unwrap_err();
    assert_eq!(err.code, Code::FailedPrecondition);
    let _: SetDefaultOrgResponse =
        c.call("SetDefaultOrg", SetDefaultOrgRequest { org_id: created.org_id.clone() }).await.unwrap();
    let default: GetDefaultOrgResponse = c.call("GetDefaultOrg", GetDefaultOrgRequest {}).await.unwrap();
    assert_eq!(default.org.unwrap().id, created.org_id);
    let _: SetDefaultOrgResponse =
        c.call("SetDefaultOrg", SetDefaultOrgRequest { org_id: default_id.clone() }).await.unwrap();

    let _: RemoveOrgResponse = c.call("RemoveOrg", RemoveOrgRequest { org_id: created.org_id.clone() }).await.unwrap();
    let err = c
        .call::<_, GetOrgByIdResponse>("GetOrgByID", GetOrgByIdRequest { id: created.org_id.clone() })
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::NotFound);
    let unique: IsOrgUniqueResponse =
        c.call("IsOrgUnique", IsOrgUniqueRequest { name: "Acme".into(), domain: String::new() }).await.unwrap();
    assert!(unique.is_unique, "a removed org frees its name");
}

/// A new organization named after `name` with its first human user; the
/// user's id.
pub async fn human_user(c: &Client, name: &str) -> String {
    let created: SetUpOrgResponse = c.call("SetUpOrg", setup_request(name)).await.unwrap();
    created.user_id
}
