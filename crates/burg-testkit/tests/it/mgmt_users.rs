//! The Management API's users: human users added and imported, read,
//! listed, changed, locked and removed; their metadata, factors, links,
//! memberships and changes; users brought by ImportData, changed here and
//! exported again.

use std::sync::Arc;

use burg_api::admin::{
    AddCustomDomainPolicyRequest, AddCustomDomainPolicyResponse, DataOrg, ExportDataRequest, ExportDataResponse,
    ImportDataOrg, ImportDataRequest, ImportDataResponse, SetUpOrgResponse, import_data_request,
};
use burg_api::management::*;
use burg_api::zitadel::metadata::v1::{MetadataKeyQuery, MetadataQuery, metadata_query};
use burg_api::zitadel::user::v1::{
    self as wire, AndQuery, EmailQuery, FirstNameQuery, InUserIdQuery, NotQuery, OrQuery, StateQuery, TypeQuery,
    UserNameQuery, search_query::Query,
};
use burg_api::zitadel::v1::ListQuery;
use burg_testkit::{Client, TestServer, in_process, matrix};
use serde_json::json;
use tonic::Code;

use crate::orgs::setup_request;

matrix!(
    a_human_is_added_read_changed_and_removed,
    users_are_listed_by_every_query,
    metadata_is_set_listed_and_removed,
    imported_users_are_changed_and_exported,
);
in_process!(bad_requests_change_nothing, an_org_owner_manages_its_own_users_only);

async fn set_up(c: &Client, name: &str) -> SetUpOrgResponse {
    c.call("SetUpOrg", setup_request(name)).await.unwrap()
}

fn human_request(user_name: &str, first: &str, email: &str) -> AddHumanUserRequest {
    AddHumanUserRequest {
        user_name: user_name.into(),
        profile: Some(add_human_user_request::Profile {
            first_name: first.into(),
            last_name: "Lovelace".into(),
            preferred_language: "de".into(),
            ..Default::default()
        }),
        email: Some(add_human_user_request::Email { email: email.into(), is_email_verified: true }),
        phone: Some(add_human_user_request::Phone { phone: "+41 79 123 45 67".into(), is_phone_verified: false }),
        initial_password: "Secr3t-Passw0rd!".into(),
    }
}

async fn add(c: &Client, user_name: &str, first: &str, email: &str) -> String {
    let added: AddHumanUserResponse = c.call("AddHumanUser", human_request(user_name, first, email)).await.unwrap();
    added.user_id
}

async fn get(c: &Client, id: &str) -> wire::User {
    let got: GetUserByIdResponse = c.call("GetUserByID", GetUserByIdRequest { id: id.into() }).await.unwrap();
    got.user.unwrap()
}

fn human(u: &wire::User) -> &wire::Human {
    match u.r#type.as_ref() {
        Some(wire::user::Type::Human(h)) => h,
        other => panic!("not a human user: {other:?}"),
    }
}

async fn change_types(c: &Client, id: &str) -> Vec<String> {
    let changes: ListUserChangesResponse =
        c.call("ListUserChanges", ListUserChangesRequest { user_id: id.into(), query: None }).await.unwrap();
    let mut types: Vec<String> = changes.result.iter().map(|ch| ch.event_type.clone().unwrap().key).collect();
    types.reverse();
    types
}

async fn a_human_is_added_read_changed_and_removed(_s: Arc<TestServer>, c: Client) {
    let org = set_up(&c, "Users").await;
    let o = c.with_org(&org.org_id);
    let id = add(&o, "ada", "Ada", "ada@lovelace.example").await;
    let user = get(&o, &id).await;
    assert_eq!((user.user_name.as_str(), user.state), ("ada", wire::UserState::Active as i32));
    assert_eq!((user.login_names.clone(), user.preferred_login_name.as_str()), (vec!["ada".to_string()], "ada"));
    assert_eq!(user.details.as_ref().unwrap().resource_owner, org.org_id);
    let h = human(&user);
    let profile = h.profile.as_ref().unwrap();
    assert_eq!(
        (profile.first_name.as_str(), profile.last_name.as_str(), profile.display_name.as_str()),
        ("Ada", "Lovelace", "Ada Lovelace")
    );
    assert_eq!(profile.preferred_language, "de");
    assert_eq!(
        h.email.as_ref().unwrap(),
        &wire::Email { email: "ada@lovelace.example".into(), is_email_verified: true }
    );
    assert_eq!(h.phone.as_ref().unwrap(), &wire::Phone { phone: "+41791234567".into(), is_phone_verified: false });

    let found: GetUserByLoginNameGlobalResponse =
        c.call("GetUserByLoginNameGlobal", GetUserByLoginNameGlobalRequest { login_name: "ADA".into() }).await.unwrap();
    assert_eq!(found.user.unwrap().id, id);
    let unique: IsUserUniqueResponse =
        o.call("IsUserUnique", IsUserUniqueRequest { user_name: "Ada".into(), email: String::new() }).await.unwrap();
    assert!(!unique.is_unique);
    let unique: IsUserUniqueResponse = o
        .call("IsUserUnique", IsUserUniqueRequest { user_name: "bob".into(), email: "ADA@lovelace.example".into() })
        .await
        .unwrap();
    assert!(!unique.is_unique);
    let unique: IsUserUniqueResponse = o
        .call("IsUserUnique", IsUserUniqueRequest { user_name: "bob".into(), email: "bob@example.com".into() })
        .await
        .unwrap();
    assert!(unique.is_unique);

    // Profile, email and phone.
    let update = UpdateHumanProfileRequest {
        user_id: id.clone(),
        first_name: "Augusta".into(),
        last_name: "Lovelace".into(),
        nick_name: "countess".into(),
        display_name: "Augusta Ada".into(),
        preferred_language: "en".into(),
        gender: wire::Gender::Female as i32,
    };
    let _: UpdateHumanProfileResponse = o.call("UpdateHumanProfile", update.clone()).await.unwrap();
    let got: GetHumanProfileResponse =
        o.call("GetHumanProfile", GetHumanProfileRequest { user_id: id.clone() }).await.unwrap();
    let p = got.profile.unwrap();
    assert_eq!(
        (p.first_name.as_str(), p.nick_name.as_str(), p.display_name.as_str(), p.preferred_language.as_str(), p.gender),
        ("Augusta", "countess", "Augusta Ada", "en", wire::Gender::Female as i32)
    );
    let same = o.call::<_, UpdateHumanProfileResponse>("UpdateHumanProfile", update).await.unwrap_err();
    assert_eq!((same.code, same.id.as_str()), (Code::FailedPrecondition, "COMMAND-2M0fs"));

    let _: UpdateHumanEmailResponse = o
        .call(
            "UpdateHumanEmail",
            UpdateHumanEmailRequest {
                user_id: id.clone(),
                email: "augusta@example.com".into(),
                is_email_verified: false,
            },
        )
        .await
        .unwrap();
    let email: GetHumanEmailResponse =
        o.call("GetHumanEmail", GetHumanEmailRequest { user_id: id.clone() }).await.unwrap();
    assert_eq!(email.email.unwrap(), wire::Email { email: "augusta@example.com".into(), is_email_verified: false });
    let _: UpdateHumanPhoneResponse = o
        .call(
            "UpdateHumanPhone",
            UpdateHumanPhoneRequest { user_id: id.clone(), phone: "+41 79 765 43 21".into(), is_phone_verified: true },
        )
        .await
        .unwrap();
    let phone: GetHumanPhoneResponse =
        o.call("GetHumanPhone", GetHumanPhoneRequest { user_id: id.clone() }).await.unwrap();
    assert_eq!(phone.phone.unwrap(), wire::Phone { phone: "+41797654321".into(), is_phone_verified: true });
    let _: RemoveHumanPhoneResponse =
        o.call("RemoveHumanPhone", RemoveHumanPhoneRequest { user_id: id.clone() }).await.unwrap();
    let phone: GetHumanPhoneResponse =
        o.call("GetHumanPhone", GetHumanPhoneRequest { user_id: id.clone() }).await.unwrap();
    assert_eq!(phone.phone.unwrap(), wire::Phone::default());
    let again =
        o.call::<_, RemoveHumanPhoneResponse>("RemoveHumanPhone", RemoveHumanPhoneRequest { user_id: id.clone() });
    assert_eq!(again.await.unwrap_err().id, "COMMAND-p6rsc");
    let _: RemoveHumanAvatarResponse =
        o.call("RemoveHumanAvatar", RemoveHumanAvatarRequest { user_id: id.clone() }).await.unwrap();

    // Password.
    let _: SetHumanPasswordResponse = o
        .call(
            "SetHumanPassword",
            SetHumanPasswordRequest {
                user_id: id.clone(),
                password: "An0ther-Secret".into(),
                no_change_required: true,
            },
        )
        .await
        .unwrap();
    let _: SetHumanInitialPasswordResponse = o
        .call(
            "SetHumanInitialPassword",
            SetHumanInitialPasswordRequest { user_id: id.clone(), password: "Th1rd-Secret".into() },
        )
        .await
        .unwrap();
    let weak = o
        .call::<_, SetHumanPasswordResponse>(
            "SetHumanPassword",
            SetHumanPasswordRequest { user_id: id.clone(), password: "weakweak".into(), no_change_required: true },
        )
        .await
        .unwrap_err();
    assert_eq!((weak.code, weak.id.as_str()), (Code::InvalidArgument, "DOMAIN-VoaRj"));

    // States.
    let state = |u: wire::User| wire::UserState::try_from(u.state).unwrap();
    let _: LockUserResponse = o.call("LockUser", LockUserRequest { id: id.clone() }).await.unwrap();
    assert_eq!(state(get(&o, &id).await), wire::UserState::Locked);
    let err = o.call::<_, LockUserResponse>("LockUser", LockUserRequest { id: id.clone() }).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-3NN8v"));
    let _: UnlockUserResponse = o.call("UnlockUser", UnlockUserRequest { id: id.clone() }).await.unwrap();
    let err = o.call::<_, UnlockUserResponse>("UnlockUser", UnlockUserRequest { id: id.clone() }).await.unwrap_err();
    assert_eq!(err.id, "COMMAND-4M0ds");
    let _: DeactivateUserResponse = o.call("DeactivateUser", DeactivateUserRequest { id: id.clone() }).await.unwrap();
    assert_eq!(state(get(&o, &id).await), wire::UserState::Inactive);
    let err = o.call::<_, DeactivateUserResponse>("DeactivateUser", DeactivateUserRequest { id: id.clone() });
    assert_eq!(err.await.unwrap_err().id, "COMMAND-5M0sf");
    let _: ReactivateUserResponse = o.call("ReactivateUser", ReactivateUserRequest { id: id.clone() }).await.unwrap();
    assert_eq!(state(get(&o, &id).await), wire::UserState::Active);
    let err = o.call::<_, ReactivateUserResponse>("ReactivateUser", ReactivateUserRequest { id: id.clone() });
    assert_eq!(err.await.unwrap_err().id, "COMMAND-6M0sf");

    // Name.
    let _: UpdateUserNameResponse = o
        .call("UpdateUserName", UpdateUserNameRequest { user_id: id.clone(), user_name: "augusta".into() })
        .await
        .unwrap();
    assert_eq!(get(&o, &id).await.user_name, "augusta");
    let taken = o
        .call::<_, UpdateUserNameResponse>(
            "UpdateUserName",
            UpdateUserNameRequest { user_id: id.clone(), user_name: "ADMIN-users".into() },
        )
        .await
        .unwrap_err();
    assert_eq!((taken.code, taken.id.as_str()), (Code::AlreadyExists, "V3-DKcYh"));

    // Memberships: the user is made an org member, then removed.
    let _: AddOrgMemberResponse = o
        .call("AddOrgMember", AddOrgMemberRequest { user_id: id.clone(), roles: vec!["ORG_USER_MANAGER".into()] })
        .await
        .unwrap();
    let ms: ListUserMembershipsResponse = o
        .call("ListUserMemberships", ListUserMembershipsRequest { user_id: id.clone(), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(ms.result.len(), 1);
    assert_eq!(ms.result[0].roles, ["ORG_USER_MANAGER"]);
    assert_eq!(ms.result[0].display_name, "Users");
    assert_eq!(ms.result[0].r#type, Some(wire::membership::Type::OrgId(org.org_id.clone())));

    let types = change_types(&o, &id).await;
    assert_eq!(
        types,
        [
            "EventTypes.user.human.added",
            "EventTypes.user.human.email.verified",
            "EventTypes.user.human.phone.code.added",
            "EventTypes.user.human.profile.changed",
            "EventTypes.user.human.email.changed",
            // An unverified address gets a code (ZITADEL's ChangeHumanEmail).
            "EventTypes.user.human.email.code.added",
            "EventTypes.user.human.phone.changed",
            "EventTypes.user.human.phone.verified",
            "EventTypes.user.human.phone.removed",
            "EventTypes.user.human.avatar.removed",
            "EventTypes.user.human.password.changed",
            "EventTypes.user.human.password.changed",
            "EventTypes.user.locked",
            "EventTypes.user.unlocked",
            "EventTypes.user.deactivated",
            "EventTypes.user.reactivated",
            "EventTypes.user.username.changed",
        ]
    );

    let removed: RemoveUserResponse = o.call("RemoveUser", RemoveUserRequest { id: id.clone() }).await.unwrap();
    assert_eq!(removed.details.unwrap().resource_owner, org.org_id);
    let gone =
        o.call::<_, GetUserByIdResponse>("GetUserByID", GetUserByIdRequest { id: id.clone() }).await.unwrap_err();
    assert_eq!((gone.code, gone.id.as_str()), (Code::NotFound, "QUERY-Dfbg2"));
    let members: ListOrgMembersResponse = o.call("ListOrgMembers", ListOrgMembersRequest::default()).await.unwrap();
    assert!(members.result.iter().all(|m| m.user_id != id));
    // The name is free again.
    let unique: IsUserUniqueResponse = o
        .call("IsUserUnique", IsUserUniqueRequest { user_name: "augusta".into(), email: String::new() })
        .await
        .unwrap();
    assert!(unique.is_unique);
}

fn q(query: Query) -> wire::SearchQuery {
    wire::SearchQuery { query: Some(query) }
}

async fn names(c: &Client, queries: Vec<wire::SearchQuery>) -> Vec<String> {
    let listed: ListUsersResponse = c
        .call(
            "ListUsers",
            ListUsersRequest {
                query: Some(ListQuery { offset: 0, limit: 0, asc: true }),
                sorting_column: wire::UserFieldName::UserName as i32,
                queries,
            },
        )
        .await
        .unwrap();
    assert_eq!(listed.details.unwrap().total_result, listed.result.len() as u64);
    listed.result.into_iter().map(|u| u.user_name).collect()
}

async fn users_are_listed_by_every_query(_s: Arc<TestServer>, c: Client) {
    let org = set_up(&c, "Listing").await;
    let other = set_up(&c, "Elsewhere").await;
    let o = c.with_org(&org.org_id);
    let ada = add(&o, "ada", "Ada", "ada@example.com").await;
    let bob = add(&o, "bob", "Bob", "bob@example.org").await;
    let _carl = add(&o, "carl", "Carl", "carl@example.org").await;
    add(&c.with_org(&other.org_id), "dora", "Dora", "dora@example.com").await;
    let _: DeactivateUserResponse = o.call("DeactivateUser", DeactivateUserRequest { id: bob.clone() }).await.unwrap();
    let _: AddMachineUserResponse = o
        .call(
            "AddMachineUser",
            AddMachineUserRequest { user_name: "robot".into(), name: "Robot".into(), ..Default::default() },
        )
        .await
        .unwrap();

    use burg_api::zitadel::v1::TextQueryMethod as M;
    assert_eq!(names(&o, vec![]).await, ["ada", "admin-listing", "bob", "carl", "robot"]);
    let by_name = |v: &str, m: M| q(Query::UserNameQuery(UserNameQuery { user_name: v.into(), method: m as i32 }));
    assert_eq!(names(&o, vec![by_name("A", M::StartsWithIgnoreCase)]).await, ["ada", "admin-listing"]);
    assert_eq!(names(&o, vec![by_name("a", M::Contains)]).await, ["ada", "admin-listing", "carl"]);
    let first =
        q(Query::FirstNameQuery(FirstNameQuery { first_name: "bob".into(), method: M::EqualsIgnoreCase as i32 }));
    assert_eq!(names(&o, vec![first]).await, ["bob"]);
    let email = q(Query::EmailQuery(EmailQuery { email_address: ".org".into(), method: M::EndsWith as i32 }));
    assert_eq!(names(&o, vec![email.clone()]).await, ["bob", "carl"]);
    let inactive = q(Query::StateQuery(StateQuery { state: wire::UserState::Inactive as i32 }));
    assert_eq!(names(&o, vec![inactive.clone()]).await, ["bob"]);
    let machines = q(Query::TypeQuery(TypeQuery { r#type: wire::Type::Machine as i32 }));
    assert_eq!(names(&o, vec![machines.clone()]).await, ["robot"]);
    let ids = q(Query::InUserIdsQuery(InUserIdQuery { user_ids: vec![ada.clone(), bob.clone(), "404".into()] }));
    assert_eq!(names(&o, vec![ids.clone()]).await, ["ada", "bob"]);
    let emails = q(Query::InUserEmailsQuery(wire::InUserEmailsQuery { user_emails: vec!["CARL@example.org".into()] }));
    assert_eq!(names(&o, vec![emails]).await, ["carl"]);
    let or = q(Query::OrQuery(OrQuery { queries: vec![inactive.clone(), machines] }));
    assert_eq!(names(&o, vec![or]).await, ["bob", "robot"]);
    let not = q(Query::NotQuery(Box::new(NotQuery { query: Some(Box::new(inactive)) })));
    let and = q(Query::AndQuery(AndQuery { queries: vec![email, not] }));
    assert_eq!(names(&o, vec![and]).await, ["carl"]);
    let login = q(Query::LoginNameQuery(wire::LoginNameQuery { login_name: "carl".into(), method: M::Equals as i32 }));
    assert_eq!(names(&o, vec![login]).await, ["carl"]);

    // Where users log in with a domain, their login names carry it.
    let _: AddCustomDomainPolicyResponse = c
        .call(
            "AddCustomDomainPolicy",
            AddCustomDomainPolicyRequest {
                org_id: org.org_id.clone(),
                user_login_must_be_domain: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let user = get(&o, &ada).await;
    assert_eq!(user.login_names, ["ada@listing.localhost"]);
    assert_eq!(user.preferred_login_name, "ada@listing.localhost");
    let found: GetUserByLoginNameGlobalResponse = c
        .call(
            "GetUserByLoginNameGlobal",
            GetUserByLoginNameGlobalRequest { login_name: "ada@listing.localhost".into() },
        )
        .await
        .unwrap();
    assert_eq!(found.user.unwrap().id, ada);
    let err = c
        .call::<_, GetUserByLoginNameGlobalResponse>(
            "GetUserByLoginNameGlobal",
            GetUserByLoginNameGlobalRequest { login_name: "ada".into() },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::NotFound);
    let dora: GetUserByLoginNameGlobalResponse = c
        .call("GetUserByLoginNameGlobal", GetUserByLoginNameGlobalRequest { login_name: "dora".into() })
        .await
        .unwrap();
    assert_eq!(dora.user.unwrap().login_names, ["dora"]);

    // Paged, newest first by name.
    let page: ListUsersResponse = o
        .call(
            "ListUsers",
            ListUsersRequest {
                query: Some(ListQuery { offset: 1, limit: 2, asc: false }),
                sorting_column: wire::UserFieldName::UserName as i32,
                queries: vec![],
            },
        )
        .await
        .unwrap();
    assert_eq!(page.details.unwrap().total_result, 5);
    let got: Vec<&str> = page.result.iter().map(|u| u.user_name.as_str()).collect();
    assert_eq!(got, ["carl", "bob"]);
}

async fn metadata_is_set_listed_and_removed(_s: Arc<TestServer>, c: Client) {
    let org = set_up(&c, "Meta").await;
    let o = c.with_org(&org.org_id);
    let id = add(&o, "mia", "Mia", "mia@example.com").await;
    let set: SetUserMetadataResponse = o
        .call("SetUserMetadata", SetUserMetadataRequest { id: id.clone(), key: "team".into(), value: b"blue".to_vec() })
        .await
        .unwrap();
    assert_eq!(set.id, id);
    let _: BulkSetUserMetadataResponse = o
        .call(
            "BulkSetUserMetadata",
            BulkSetUserMetadataRequest {
                id: id.clone(),
                metadata: vec![
                    bulk_set_user_metadata_request::Metadata { key: "floor".into(), value: b"3".to_vec() },
                    bulk_set_user_metadata_request::Metadata { key: "team".into(), value: b"red".to_vec() },
                ],
            },
        )
        .await
        .unwrap();
    let got: GetUserMetadataResponse =
        o.call("GetUserMetadata", GetUserMetadataRequest { id: id.clone(), key: "team".into() }).await.unwrap();
    assert_eq!(got.metadata.unwrap().value, b"red");
    let listed: ListUserMetadataResponse =
        o.call("ListUserMetadata", ListUserMetadataRequest { id: id.clone(), ..Default::default() }).await.unwrap();
    let pairs: Vec<(String, Vec<u8>)> = listed.result.into_iter().map(|m| (m.key, m.value)).collect();
    assert_eq!(pairs, [("floor".to_string(), b"3".to_vec()), ("team".to_string(), b"red".to_vec())]);
    let key = MetadataQuery {
        query: Some(metadata_query::Query::KeyQuery(MetadataKeyQuery { key: "fl".into(), method: 2 })),
    };
    let listed: ListUserMetadataResponse = o
        .call("ListUserMetadata", ListUserMetadataRequest { id: id.clone(), query: None, queries: vec![key] })
        .await
        .unwrap();
    assert_eq!(listed.result.len(), 1);
    assert_eq!(listed.result[0].key, "floor");

    let _: RemoveUserMetadataResponse =
        o.call("RemoveUserMetadata", RemoveUserMetadataRequest { id: id.clone(), key: "floor".into() }).await.unwrap();
    let err = o
        .call::<_, GetUserMetadataResponse>(
            "GetUserMetadata",
            GetUserMetadataRequest { id: id.clone(), key: "floor".into() },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::NotFound);
    let _: BulkRemoveUserMetadataResponse = o
        .call("BulkRemoveUserMetadata", BulkRemoveUserMetadataRequest { id: id.clone(), keys: vec!["team".into()] })
        .await
        .unwrap();
    let listed: ListUserMetadataResponse =
        o.call("ListUserMetadata", ListUserMetadataRequest { id: id.clone(), ..Default::default() }).await.unwrap();
    assert!(listed.result.is_empty());
    // ZITADEL's events: the key, and the value's bytes in base64.
    let events: burg_api::admin::ListEventsResponse = c
        .call(
            "ListEvents",
            burg_api::admin::ListEventsRequest {
                aggregate_id: id.clone(),
                event_types: vec!["user.metadata.set".into(), "user.metadata.removed".into()],
                asc: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let written: Vec<(String, serde_json::Value)> = events
        .events
        .iter()
        .map(|e| {
            let kind = e.r#type.as_ref().map(|t| t.r#type.clone()).unwrap_or_default();
            (kind, serde_json::to_value(e.payload.clone().unwrap_or_default()).unwrap())
        })
        .collect();
    assert_eq!(
        written,
        [
            ("user.metadata.set".to_string(), serde_json::json!({"key": "team", "value": "Ymx1ZQ=="})),
            ("user.metadata.set".to_string(), serde_json::json!({"key": "floor", "value": "Mw=="})),
            ("user.metadata.set".to_string(), serde_json::json!({"key": "team", "value": "cmVk"})),
            ("user.metadata.removed".to_string(), serde_json::json!({"key": "floor"})),
            ("user.metadata.removed".to_string(), serde_json::json!({"key": "team"})),
        ]
    );

    // Removing the user removes its metadata.
    let _: SetUserMetadataResponse = o
        .call("SetUserMetadata", SetUserMetadataRequest { id: id.clone(), key: "k".into(), value: b"v".to_vec() })
        .await
        .unwrap();
    let _: RemoveUserResponse = o.call("RemoveUser", RemoveUserRequest { id: id.clone() }).await.unwrap();
    let exported: ExportDataResponse = c
        .call(
            "ExportData",
            ExportDataRequest { org_ids: vec![org.org_id.clone()], timeout: "1m".into(), ..Default::default() },
        )
        .await
        .unwrap();
    assert!(exported.orgs[0].user_metadata.is_empty());
}

async fn imported_users_are_changed_and_exported(_s: Arc<TestServer>, c: Client) {
    let org_id = "372000000000000001";
    let user_id = "372000000000000002";
    let doc: DataOrg = serde_json::from_value(json!({
        "orgId": org_id,
        "org": {"name": "Brought"},
        "humanUsers": [{"userId": user_id, "user": {"userName": "imp", "profile": {"firstName": "I", "lastName": "M"},
            "email": {"email": "imp@example.com", "isEmailVerified": true},
            "phone": {"phone": "+41791112233", "isPhoneVerified": true},
            "otpCode": "JBSWY3DPEHPK3PXP"}}],
        "machineUsers": [{"userId": "372000000000000003", "user": {"userName": "bot", "name": "Bot"}},
            {"userId": "372000000000000004", "user": {"userName": "leaver", "name": "Leaver"}}],
        "userMetadata": [{"id": user_id, "key": "dept", "value": "c2FsZXM="}],
        "projects": [{"projectId": "372000000000000009", "project": {"name": "Shop"}}],
        "projectRoles": [{"projectId": "372000000000000009", "roleKey": "buyer", "displayName": "Buyer"}],
        "userGrants": [{"projectId": "372000000000000009", "userId": "372000000000000004", "roleKeys": ["buyer"]},
            {"projectId": "372000000000000009", "userId": user_id, "roleKeys": ["buyer"]}],
        "projectMembers": [{"projectId": "372000000000000009", "userId": "372000000000000004", "roles": ["PROJECT_OWNER"]}],
    }))
    .unwrap();
    let report: ImportDataResponse = c
        .call(
            "ImportData",
            ImportDataRequest {
                data: Some(import_data_request::Data::DataOrgs(ImportDataOrg {
                    orgs: vec![doc],
                    ..Default::default()
                })),
                timeout: "1m".into(),
            },
        )
        .await
        .unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let i = c.with_org(org_id);

    let user = get(&i, user_id).await;
    assert_eq!(user.user_name, "imp");
    assert_eq!(human(&user).phone.as_ref().unwrap().phone, "+41791112233");
    let factors: ListHumanAuthFactorsResponse =
        i.call("ListHumanAuthFactors", ListHumanAuthFactorsRequest { user_id: user_id.into() }).await.unwrap();
    assert_eq!(factors.result.len(), 1);
    assert!(matches!(factors.result[0].r#type, Some(wire::auth_factor::Type::Otp(_))));
    let md: GetUserMetadataResponse =
        i.call("GetUserMetadata", GetUserMetadataRequest { id: user_id.into(), key: "dept".into() }).await.unwrap();
    assert_eq!(md.metadata.unwrap().value, b"sales");
    let machine = get(&i, "372000000000000003").await;
    assert!(matches!(machine.r#type, Some(wire::user::Type::Machine(ref m)) if m.name == "Bot"));

    // Changes through the Management API.
    let _: RemoveHumanAuthFactorOtpResponse =
        i.call("RemoveHumanAuthFactorOTP", RemoveHumanAuthFactorOtpRequest { user_id: user_id.into() }).await.unwrap();
    let factors: ListHumanAuthFactorsResponse =
        i.call("ListHumanAuthFactors", ListHumanAuthFactorsRequest { user_id: user_id.into() }).await.unwrap();
    assert!(factors.result.is_empty());
    let _: UpdateHumanProfileResponse = i
        .call(
            "UpdateHumanProfile",
            UpdateHumanProfileRequest {
                user_id: user_id.into(),
                first_name: "Imogen".into(),
                last_name: "M".into(),
                display_name: "Imogen M".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let _: SetUserMetadataResponse = i
        .call(
            "SetUserMetadata",
            SetUserMetadataRequest { id: user_id.into(), key: "dept".into(), value: b"ops".to_vec() },
        )
        .await
        .unwrap();
    let _: UpdateUserNameResponse = i
        .call("UpdateUserName", UpdateUserNameRequest { user_id: user_id.into(), user_name: "imogen".into() })
        .await
        .unwrap();
    let _: LockUserResponse = i.call("LockUser", LockUserRequest { id: "372000000000000003".into() }).await.unwrap();
    // Removing a user takes its grant and project membership along.
    let _: RemoveUserResponse =
        i.call("RemoveUser", RemoveUserRequest { id: "372000000000000004".into() }).await.unwrap();

    let exported: ExportDataResponse = c
        .call(
            "ExportData",
            ExportDataRequest { org_ids: vec![org_id.into()], timeout: "1m".into(), ..Default::default() },
        )
        .await
        .unwrap();
    let org = serde_json::to_value(&exported.orgs[0]).unwrap();
    let u = &org["humanUsers"][0];
    assert_eq!(u["userId"], user_id);
    assert_eq!(u["user"]["userName"], "imogen");
    assert_eq!(u["user"]["profile"]["firstName"], "Imogen");
    assert_eq!(u["user"]["profile"]["displayName"], "Imogen M");
    assert!(u["user"].get("otpCode").is_none_or(|v| v == ""), "{u}");
    assert_eq!(org["userMetadata"], json!([{"id": user_id, "key": "dept", "value": "b3Bz"}]));
    let machines: Vec<&str> =
        org["machineUsers"].as_array().unwrap().iter().map(|m| m["userId"].as_str().unwrap()).collect();
    assert_eq!(machines, ["372000000000000003"]);
    let grants: Vec<&str> =
        org["userGrants"].as_array().unwrap().iter().map(|g| g["userId"].as_str().unwrap()).collect();
    assert_eq!(grants, [user_id]);
    assert!(org.get("projectMembers").is_none_or(|m| m.as_array().is_some_and(Vec::is_empty)), "{org}");
}

async fn bad_requests_change_nothing(_s: Arc<TestServer>, c: Client) {
    let org = set_up(&c, "Strict").await;
    let o = c.with_org(&org.org_id);
    let err_id = |e: burg_testkit::ApiError| (e.code, e.id);
    let id = add(&o, "sam", "Sam", "sam@example.com").await;

    let mut blank = human_request("  ", "Sam", "x@example.com");
    let err = o.call::<_, AddHumanUserResponse>("AddHumanUser", blank.clone()).await.unwrap_err();
    assert_eq!(err_id(err), (Code::InvalidArgument, "V2-zzad3".into()));
    blank.user_name = "other".into();
    blank.profile.as_mut().unwrap().first_name = " ".into();
    let err = o.call::<_, AddHumanUserResponse>("AddHumanUser", blank).await.unwrap_err();
    assert_eq!(err_id(err), (Code::InvalidArgument, "USER-UCej2".into()));
    let err = o.call::<_, AddHumanUserResponse>("AddHumanUser", human_request("SAM", "Sam", "s@example.com"));
    assert_eq!(err_id(err.await.unwrap_err()), (Code::AlreadyExists, "V3-DKcYh".into()));
    let mut weak = human_request("weak", "Weak", "w@example.com");
    weak.initial_password = "password".into();
    let err = o.call::<_, AddHumanUserResponse>("AddHumanUser", weak).await.unwrap_err();
    assert_eq!(err_id(err), (Code::InvalidArgument, "DOMAIN-VoaRj".into()));
    let bad_hash = ImportHumanUserRequest {
        user_name: "hashed".into(),
        profile: Some(import_human_user_request::Profile {
            first_name: "H".into(),
            last_name: "H".into(),
            ..Default::default()
        }),
        email: Some(import_human_user_request::Email { email: "h@example.com".into(), is_email_verified: true }),
        hashed_password: Some(import_human_user_request::HashedPassword { value: "plain".into() }),
        ..Default::default()
    };
    let err = o.call::<_, ImportHumanUserResponse>("ImportHumanUser", bad_hash.clone()).await.unwrap_err();
    assert_eq!(err.code, Code::InvalidArgument);
    // A good hash, an OTP secret and a passwordless request are kept.
    let mut good = bad_hash;
    good.hashed_password = Some(import_human_user_request::HashedPassword {
        value: "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy".into(),
    });
    good.otp_code = "JBSWY3DPEHPK3PXP".into();
    good.request_passwordless_registration = true;
    let imported: ImportHumanUserResponse = o.call("ImportHumanUser", good).await.unwrap();
    // The passwordless registration comes back as its link, as ZITADEL's.
    let registration = imported.passwordless_registration.expect("a passwordless registration link");
    assert!(registration.link.contains(&format!("userID={}", imported.user_id)), "{}", registration.link);
    assert!(registration.expiration.is_some_and(|e| e.seconds > 0));
    assert_eq!(registration.lifetime, registration.expiration);
    let factors: ListHumanAuthFactorsResponse = o
        .call("ListHumanAuthFactors", ListHumanAuthFactorsRequest { user_id: imported.user_id.clone() })
        .await
        .unwrap();
    assert_eq!(factors.result.len(), 1);

    let nobody = "404".to_string();
    let err = o.call::<_, GetUserByIdResponse>("GetUserByID", GetUserByIdRequest { id: nobody.clone() }).await;
    assert_eq!(err_id(err.unwrap_err()), (Code::NotFound, "QUERY-Dfbg2".into()));
    let err = o.call::<_, LockUserResponse>("LockUser", LockUserRequest { id: nobody.clone() }).await;
    assert_eq!(err_id(err.unwrap_err()), (Code::NotFound, "COMMAND-5M9fs".into()));
    let err = o.call::<_, RemoveUserResponse>("RemoveUser", RemoveUserRequest { id: nobody.clone() }).await;
    assert_eq!(err_id(err.unwrap_err()), (Code::NotFound, "COMMAND-m9od".into()));
    let err = o.call::<_, UpdateUserNameResponse>(
        "UpdateUserName",
        UpdateUserNameRequest { user_id: id.clone(), user_name: " ".into() },
    );
    assert_eq!(err_id(err.await.unwrap_err()), (Code::InvalidArgument, "COMMAND-2N9fs".into()));
    let err = o.call::<_, UpdateUserNameResponse>(
        "UpdateUserName",
        UpdateUserNameRequest { user_id: id.clone(), user_name: "sam".into() },
    );
    assert_eq!(err_id(err.await.unwrap_err()), (Code::FailedPrecondition, "COMMAND-6m9gs".into()));
    let err = o.call::<_, UpdateHumanEmailResponse>(
        "UpdateHumanEmail",
        UpdateHumanEmailRequest { user_id: id.clone(), email: "sam@example.com".into(), is_email_verified: true },
    );
    assert_eq!(err_id(err.await.unwrap_err()), (Code::FailedPrecondition, "COMMAND-2b7fM".into()));
    let err = o.call::<_, RemoveHumanAuthFactorOtpResponse>(
        "RemoveHumanAuthFactorOTP",
        RemoveHumanAuthFactorOtpRequest { user_id: id.clone() },
    );
    assert_eq!(err_id(err.await.unwrap_err()), (Code::NotFound, "COMMAND-Hd9sd".into()));
    let err = o.call::<_, RemoveHumanAuthFactorOtpsmsResponse>(
        "RemoveHumanAuthFactorOTPSMS",
        RemoveHumanAuthFactorOtpsmsRequest { user_id: id.clone() },
    );
    assert_eq!(err_id(err.await.unwrap_err()), (Code::NotFound, "COMMAND-Sr3h3".into()));
    let err = o.call::<_, RemoveHumanAuthFactorOtpEmailResponse>(
        "RemoveHumanAuthFactorOTPEmail",
        RemoveHumanAuthFactorOtpEmailRequest { user_id: id.clone() },
    );
    assert_eq!(err_id(err.await.unwrap_err()), (Code::NotFound, "COMMAND-b312D".into()));
    let err = o.call::<_, RemoveHumanAuthFactorU2fResponse>(
        "RemoveHumanAuthFactorU2F",
        RemoveHumanAuthFactorU2fRequest { user_id: id.clone(), token_id: "t".into() },
    );
    assert_eq!(err_id(err.await.unwrap_err()), (Code::NotFound, "COMMAND-DAfb2".into()));
    let err = o.call::<_, RemoveHumanLinkedIdpResponse>(
        "RemoveHumanLinkedIDP",
        RemoveHumanLinkedIdpRequest { user_id: id.clone(), idp_id: "i".into(), linked_user_id: "x".into() },
    );
    assert_eq!(err_id(err.await.unwrap_err()), (Code::NotFound, "COMMAND-1M9xR".into()));
    let err = o.call::<_, BulkSetUserMetadataResponse>(
        "BulkSetUserMetadata",
        BulkSetUserMetadataRequest { id: id.clone(), metadata: vec![] },
    );
    assert_eq!(err_id(err.await.unwrap_err()), (Code::FailedPrecondition, "META-2m00f".into()));
    let err = o.call::<_, RemoveUserMetadataResponse>(
        "RemoveUserMetadata",
        RemoveUserMetadataRequest { id: id.clone(), key: "none".into() },
    );
    assert_eq!(err_id(err.await.unwrap_err()), (Code::NotFound, "META-ncnw3".into()));
    let machine: AddMachineUserResponse = o
        .call("AddMachineUser", AddMachineUserRequest { user_name: "m".into(), name: "M".into(), ..Default::default() })
        .await
        .unwrap();
    let err = o.call::<_, GetHumanProfileResponse>(
        "GetHumanProfile",
        GetHumanProfileRequest { user_id: machine.user_id.clone() },
    );
    assert_eq!(err.await.unwrap_err().code, Code::NotFound);

    // Nothing of that was written.
    let types = change_types(&o, &id).await;
    assert_eq!(
        types,
        [
            "EventTypes.user.human.added",
            "EventTypes.user.human.email.verified",
            "EventTypes.user.human.phone.code.added"
        ]
    );
}

async fn an_org_owner_manages_its_own_users_only(s: Arc<TestServer>, c: Client) {
    let a = set_up(&c, "Alpha").await;
    let b = set_up(&c, "Beta").await;
    let in_b = add(&c.with_org(&b.org_id), "beta-user", "Bea", "bea@example.com").await;
    let owner = s.app.create_service_account(Some("alpha-owner"), &["ORG_OWNER".into()], Some(&a.org_id), None).await;
    let owner = c.with_token(owner.unwrap().token.expose());
    let mine = add(&owner, "alpha-user", "Al", "al@example.com").await;
    assert_eq!(get(&owner, &mine).await.details.unwrap().resource_owner, a.org_id);
    // A user of another organization is not found in the caller's own.
    let err = owner.call::<_, GetUserByIdResponse>("GetUserByID", GetUserByIdRequest { id: in_b.clone() }).await;
    assert_eq!(err.unwrap_err().code, Code::NotFound);
    let err = owner.call::<_, LockUserResponse>("LockUser", LockUserRequest { id: in_b.clone() }).await;
    assert_eq!(err.unwrap_err().code, Code::NotFound);
    // And the other organization is not the owner's to name.
    let elsewhere = owner.with_org(&b.org_id);
    let err = elsewhere.call::<_, LockUserResponse>("LockUser", LockUserRequest { id: in_b.clone() }).await;
    assert_eq!(err.unwrap_err().code, Code::PermissionDenied);
    let listed: ListUsersResponse = owner.call("ListUsers", ListUsersRequest::default()).await.unwrap();
    assert!(listed.result.iter().all(|u| u.details.as_ref().unwrap().resource_owner == a.org_id));
    let viewer = c.with_token(&s.token_with_roles(&["IAM_OWNER_VIEWER"]).await).with_org(&b.org_id);
    assert_eq!(get(&viewer, &in_b).await.user_name, "beta-user");
    let err = viewer.call::<_, LockUserResponse>("LockUser", LockUserRequest { id: in_b.clone() }).await;
    assert_eq!(err.unwrap_err().code, Code::PermissionDenied);
    assert_eq!(get(&c.with_org(&b.org_id), &in_b).await.state, wire::UserState::Active as i32);
}
