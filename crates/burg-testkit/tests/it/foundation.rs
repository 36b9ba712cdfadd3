//! The foundation: health, instance, events, auth and the error shapes, on
//! both backends and over REST and gRPC.

use std::sync::Arc;

use burg_api::admin::*;
use burg_testkit::{Client, Protocol, TestServer, in_process, matrix};
use tonic::Code;

matrix!(healthz_needs_no_token, my_instance, events_list_the_bootstrap, bad_tokens_are_unauthenticated, tokens_expire);

async fn healthz_needs_no_token(_s: Arc<TestServer>, c: Client) {
    let anonymous = c.with_token("");
    let _: HealthzResponse = anonymous.call("Healthz", HealthzRequest {}).await.expect("healthz");
}

async fn my_instance(s: Arc<TestServer>, c: Client) {
    let r: GetMyInstanceResponse = c.call("GetMyInstance", GetMyInstanceRequest {}).await.unwrap();
    let instance = r.instance.unwrap();
    assert_eq!(instance.id, s.app.instance_id());
    assert_eq!(instance.name, "burg");
    assert_eq!(instance.state, burg_api::zitadel::instance::v1::State::Running as i32);
    let details = instance.details.unwrap();
    assert!(details.sequence >= 5, "the instance aggregate has its bootstrap events");
    assert_eq!(details.resource_owner, instance.id);
    assert_eq!(instance.domains.len(), 1);
    assert!(instance.domains[0].primary && !instance.domains[0].generated, "as ZITADEL: the external domain");
}

async fn events_list_the_bootstrap(s: Arc<TestServer>, c: Client) {
    let r: ListEventsResponse =
        c.call("ListEvents", ListEventsRequest { asc: true, limit: 2, ..Default::default() }).await.unwrap();
    assert_eq!(r.events.len(), 2);
    let first = &r.events[0];
    assert_eq!(first.r#type.as_ref().unwrap().r#type, "instance.added");
    assert_eq!(first.aggregate.as_ref().unwrap().id, s.app.instance_id());
    assert_eq!(first.sequence, 1);
    let filtered: ListEventsResponse = c
        .call("ListEvents", ListEventsRequest { event_types: vec!["user.machine.added".into()], ..Default::default() })
        .await
        .unwrap();
    assert!(!filtered.events.is_empty());
    assert!(filtered.events.iter().all(|e| e.r#type.as_ref().unwrap().r#type == "user.machine.added"));
    let types: ListEventTypesResponse = c.call("ListEventTypes", ListEventTypesRequest {}).await.unwrap();
    assert!(types.event_types.iter().any(|t| t.r#type == "instance.added"));
    let aggs: ListAggregateTypesResponse = c.call("ListAggregateTypes", ListAggregateTypesRequest {}).await.unwrap();
    assert!(aggs.aggregate_types.iter().any(|t| t.r#type == "org"));
}

/// A token works until its expiration and not after, also when the
/// server holds it in its cache.
async fn tokens_expire(s: Arc<TestServer>, c: Client) {
    let roles = ["IAM_OWNER_VIEWER".to_string()];
    let sa = s.app.create_service_account(None, &roles, None, Some(60)).await.unwrap();
    let viewer = c.with_token(sa.token.expose());
    let ask = || viewer.call::<_, GetMyInstanceResponse>("GetMyInstance", GetMyInstanceRequest {});
    ask().await.expect("a new token works");
    s.clock.advance(55_000_000);
    ask().await.expect("five seconds before it expires, it works");
    s.clock.advance(10_000_000);
    let err = ask().await.unwrap_err();
    assert_eq!(err.code, Code::Unauthenticated, "expired");
    c.call::<_, GetMyInstanceResponse>("GetMyInstance", GetMyInstanceRequest {}).await.expect("a token without expiry");
}

async fn bad_tokens_are_unauthenticated(_s: Arc<TestServer>, c: Client) {
    for token in ["", "nope", "Bearer"] {
        let err = c
            .with_token(token)
            .call::<_, GetMyInstanceResponse>("GetMyInstance", GetMyInstanceRequest {})
            .await
            .unwrap_err();
        assert_eq!(err.code, Code::Unauthenticated, "token {token:?}");
        if c.protocol == Protocol::Rest {
            assert_eq!(err.http_status, Some(401));
        }
    }
}

matrix!(machine_users_and_tokens, iam_members);
in_process!(bad_input_is_refused_and_changes_nothing);

async fn bad_input_is_refused_and_changes_nothing(s: Arc<TestServer>, c: Client) {
    let before = s.event_count().await;
    let err = c
        .call::<_, SetDefaultLanguageResponse>(
            "SetDefaultLanguage",
            SetDefaultLanguageRequest { language: "xx".into() },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::InvalidArgument);
    assert!(err.message.contains("language"), "{}", err.message);
    let err = c
        .call::<_, SetDefaultLanguageResponse>(
            "SetDefaultLanguage",
            SetDefaultLanguageRequest { language: "en".into() },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::FailedPrecondition, "setting the same language changes nothing");
    let err = c
        .call::<_, AddIamMemberResponse>(
            "AddIAMMember",
            AddIamMemberRequest { user_id: "does-not-exist".into(), roles: vec!["IAM_OWNER".into()] },
        )
        .await
        .unwrap_err();
    // ZITADEL: a reference inside a write is a precondition.
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "INSTA-GSXOn"));
    let err = c
        .call::<_, AddIamMemberResponse>(
            "AddIAMMember",
            AddIamMemberRequest { user_id: String::new(), roles: vec!["IAM_OWNER".into()] },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::InvalidArgument);
    assert!(err.message.contains("AddIAMMemberRequest.UserId"), "{}", err.message);
    assert_eq!(s.event_count().await, before, "refused calls append no events");
    let lang: GetDefaultLanguageResponse = c.call("GetDefaultLanguage", GetDefaultLanguageRequest {}).await.unwrap();
    assert_eq!(lang.language, "en");
}

async fn machine_users_and_tokens(s: Arc<TestServer>, c: Client) {
    use burg_api::management::*;
    let user: AddMachineUserResponse = c
        .call(
            "AddMachineUser",
            AddMachineUserRequest { user_name: "robot".into(), name: "Robot".into(), ..Default::default() },
        )
        .await
        .unwrap();
    assert!(!user.user_id.is_empty());
    let dup = c
        .call::<_, AddMachineUserResponse>(
            "AddMachineUser",
            AddMachineUserRequest { user_name: "ROBOT".into(), name: "Robot".into(), ..Default::default() },
        )
        .await
        .unwrap_err();
    assert_eq!(dup.code, Code::AlreadyExists);
    let pat: AddPersonalAccessTokenResponse = c
        .call(
            "AddPersonalAccessToken",
            AddPersonalAccessTokenRequest { user_id: user.user_id.clone(), ..Default::default() },
        )
        .await
        .unwrap();
    assert!(pat.token.len() >= 40);
    // A valid token without a role may authenticate but not read the instance.
    let robot = c.with_token(&pat.token);
    // The Admin API's RPCs (the Management API has RPCs of these names too).
    let _: burg_api::admin::HealthzResponse = robot.call("Healthz", burg_api::admin::HealthzRequest {}).await.unwrap();
    let _: burg_api::admin::GetSupportedLanguagesResponse = robot
        .call("GetSupportedLanguages", burg_api::admin::GetSupportedLanguagesRequest {})
        .await
        .expect("any valid token");
    let err = robot.call::<_, GetMyInstanceResponse>("GetMyInstance", GetMyInstanceRequest {}).await.unwrap_err();
    assert_eq!(err.code, Code::PermissionDenied);
    if c.protocol == Protocol::Rest {
        assert_eq!(err.http_status, Some(403));
    }
    let list: ListPersonalAccessTokensResponse = c
        .call(
            "ListPersonalAccessTokens",
            ListPersonalAccessTokensRequest { user_id: user.user_id.clone(), ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(list.result.len(), 1);
    assert_eq!(list.result[0].id, pat.token_id);
    let _: RemovePersonalAccessTokenResponse = c
        .call(
            "RemovePersonalAccessToken",
            RemovePersonalAccessTokenRequest { user_id: user.user_id.clone(), token_id: pat.token_id.clone() },
        )
        .await
        .unwrap();
    let err = robot
        .call::<_, GetSupportedLanguagesResponse>("GetSupportedLanguages", GetSupportedLanguagesRequest {})
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::Unauthenticated, "a revoked token is refused at once");
    let _ = s;
}

async fn iam_members(s: Arc<TestServer>, c: Client) {
    use burg_api::management::*;
    let user: AddMachineUserResponse = c
        .call(
            "AddMachineUser",
            AddMachineUserRequest { user_name: "viewer".into(), name: "Viewer".into(), ..Default::default() },
        )
        .await
        .unwrap();
    let pat: AddPersonalAccessTokenResponse = c
        .call(
            "AddPersonalAccessToken",
            AddPersonalAccessTokenRequest { user_id: user.user_id.clone(), ..Default::default() },
        )
        .await
        .unwrap();
    let added: AddIamMemberResponse = c
        .call("AddIAMMember", AddIamMemberRequest { user_id: user.user_id.clone(), roles: vec!["IAM_OWNER".into()] })
        .await
        .unwrap();
    let details = added.details.unwrap();
    assert_eq!(details.resource_owner, s.app.instance_id());
    let member = c.with_token(&pat.token);
    let _: GetMyInstanceResponse = member.call("GetMyInstance", GetMyInstanceRequest {}).await.expect("now allowed");
    let dup = c
        .call::<_, AddIamMemberResponse>(
            "AddIAMMember",
            AddIamMemberRequest { user_id: user.user_id.clone(), roles: vec!["IAM_OWNER".into()] },
        )
        .await
        .unwrap_err();
    assert_eq!(dup.code, Code::AlreadyExists);
    let bad = c
        .call::<_, AddIamMemberResponse>(
            "AddIAMMember",
            AddIamMemberRequest { user_id: user.user_id.clone(), roles: vec!["NOT_A_ROLE".into()] },
        )
        .await
        .unwrap_err();
    assert_eq!(bad.code, Code::InvalidArgument);
    let list: ListIamMembersResponse = c.call("ListIAMMembers", ListIamMembersRequest::default()).await.unwrap();
    assert_eq!(list.details.unwrap().total_result, 2);
    assert!(list.result.iter().any(|m| m.user_id == user.user_id && m.roles == vec!["IAM_OWNER".to_string()]));
    let _: RemoveIamMemberResponse =
        c.call("RemoveIAMMember", RemoveIamMemberRequest { user_id: user.user_id.clone() }).await.unwrap();
    let err = member.call::<_, GetMyInstanceResponse>("GetMyInstance", GetMyInstanceRequest {}).await.unwrap_err();
    assert_eq!(err.code, Code::PermissionDenied, "removing the member takes the permission away at once");
    // As ZITADEL: removing someone who is no member succeeds, writing nothing.
    let before = s.event_count().await;
    let again: RemoveIamMemberResponse =
        c.call("RemoveIAMMember", RemoveIamMemberRequest { user_id: user.user_id.clone() }).await.unwrap();
    assert_eq!(again.details.unwrap().resource_owner, s.app.instance_id());
    assert_eq!(s.event_count().await, before);

    // As ZITADEL, nothing keeps an owner: the last IAM_OWNER may lose the
    // role and may go.
    let list: ListIamMembersResponse = c.call("ListIAMMembers", ListIamMembersRequest::default()).await.unwrap();
    assert_eq!(list.result.len(), 1);
    let owner = list.result[0].user_id.clone();
    let _: AddIamMemberResponse = c
        .call("AddIAMMember", AddIamMemberRequest { user_id: user.user_id.clone(), roles: vec!["IAM_OWNER".into()] })
        .await
        .unwrap();
    let _: UpdateIamMemberResponse = c
        .call(
            "UpdateIAMMember",
            UpdateIamMemberRequest { user_id: owner.clone(), roles: vec!["IAM_OWNER_VIEWER".into()] },
        )
        .await
        .unwrap();
    let _: RemoveIamMemberResponse = member
        .call("RemoveIAMMember", RemoveIamMemberRequest { user_id: user.user_id.clone() })
        .await
        .expect("the last owner removes itself");
    let members =
        s.app.list_iam_members(&burg_app::Ctx::system("test"), ListIamMembersRequest::default()).await.unwrap();
    let roles: Vec<(String, Vec<String>)> = members.result.into_iter().map(|m| (m.user_id, m.roles)).collect();
    assert_eq!(roles, [(owner, vec!["IAM_OWNER_VIEWER".to_string()])], "no owner is left");
}

/// gRPC tools (grpcurl, grpcui, Postman) find the services and their
/// messages through server reflection, without our .proto files.
#[tokio::test]
async fn grpc_reflection_lists_and_describes_the_services() {
    use tonic_reflection::pb::v1::ServerReflectionRequest;
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

    let s = TestServer::start(burg_testkit::Backend::Sqlite).await.unwrap();
    let channel = tonic::transport::Endpoint::from_shared(s.base_url()).unwrap().connect().await.unwrap();
    let mut client = ServerReflectionClient::new(channel);
    let ask = |m: MessageRequest| ServerReflectionRequest { host: String::new(), message_request: Some(m) };
    let requests = vec![
        ask(MessageRequest::ListServices(String::new())),
        ask(MessageRequest::FileContainingSymbol("zitadel.admin.v1.AdminService".into())),
    ];
    let mut answers = client.server_reflection_info(futures::stream::iter(requests)).await.unwrap().into_inner();
    let Some(MessageResponse::ListServicesResponse(list)) = answers.message().await.unwrap().unwrap().message_response
    else {
        panic!("the first answer lists services");
    };
    let names: Vec<&str> = list.service.iter().map(|s| s.name.as_str()).collect();
    assert!(names.contains(&"zitadel.admin.v1.AdminService"), "{names:?}");
    assert!(names.contains(&"zitadel.management.v1.ManagementService"), "{names:?}");
    let Some(MessageResponse::FileDescriptorResponse(files)) =
        answers.message().await.unwrap().unwrap().message_response
    else {
        panic!("the second answer holds file descriptors");
    };
    let text: Vec<u8> = files.file_descriptor_proto.concat();
    let has = |needle: &[u8]| text.windows(needle.len()).any(|w| w == needle);
    assert!(has(b"GetMyInstance") && has(b"zitadel/admin.proto"), "the admin service's file, with its methods");
}
