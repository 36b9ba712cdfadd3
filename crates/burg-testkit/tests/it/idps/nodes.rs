//! Two nodes on one database, each with its caches.

use burg_api::admin::*;
use burg_testkit::{Protocol, TestServer};
use tonic::Code;

use super::cases::*;

/// Two burg nodes on one PostgreSQL database: what one writes, the other
/// serves, even after it cached the old state (its caches learn of the
/// write through PostgreSQL's notifications).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_node_sees_writes_despite_its_caches() {
    let Some(a) = TestServer::start_or_skip(burg_testkit::Backend::Postgres).await else { return };
    let b = TestServer::start_on(
        burg_testkit::Backend::Postgres,
        tempfile::tempdir().unwrap(),
        a.database_url.clone(),
        a.master_key.clone(),
        None,
    )
    .await
    .unwrap();
    let on_a = a.client(Protocol::Grpc).await;
    let on_b = b.client_with_token(Protocol::Grpc, &a.admin_token).await;
    let id = add(&on_a, Kind::Google, "Shared", "secret").await.unwrap();
    assert_eq!(get(&on_b, &id).await.unwrap().name, "Shared");
    assert_eq!(get(&on_b, &id).await.unwrap().name, "Shared", "now cached on b");

    update(&on_a, Kind::Google, &id, "Renamed on a", "").await.unwrap();
    let started = std::time::Instant::now();
    let mut seen = String::new();
    while started.elapsed() < std::time::Duration::from_secs(2) {
        seen = get(&on_b, &id).await.unwrap().name;
        if seen == "Renamed on a" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    assert_eq!(seen, "Renamed on a", "b caught up");
    eprintln!("b saw a's write {:?} after it was answered", started.elapsed());

    // A token removed on one node stops working on the other.
    let viewer = on_a.with_token(&a.token_with_roles(&["IAM_OWNER_VIEWER"]).await);
    let viewer_on_b = on_b.with_token(viewer.token());
    get(&viewer_on_b, &id).await.unwrap();
    let members: ListIamMembersResponse = on_a.call("ListIAMMembers", ListIamMembersRequest::default()).await.unwrap();
    let viewer_id = members
        .result
        .iter()
        .find(|m| m.roles == vec!["IAM_OWNER_VIEWER".to_string()])
        .map(|m| m.user_id.clone())
        .unwrap();
    let _: RemoveIamMemberResponse =
        on_a.call("RemoveIAMMember", RemoveIamMemberRequest { user_id: viewer_id }).await.unwrap();
    let started = std::time::Instant::now();
    let mut code = Code::Ok;
    while started.elapsed() < std::time::Duration::from_secs(2) {
        match get(&viewer_on_b, &id).await {
            Ok(_) => tokio::time::sleep(std::time::Duration::from_millis(1)).await,
            Err(e) => {
                code = e.code;
                break;
            }
        }
    }
    assert_eq!(code, Code::PermissionDenied, "b dropped the cached permissions");
    b.stop().await;
    a.stop().await;
}
