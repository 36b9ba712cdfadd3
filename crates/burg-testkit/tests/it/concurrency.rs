//! Many writers at once: no lost update, per-aggregate sequences without
//! gaps, uniqueness held under races, and readers that never see half of a
//! write.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use burg_api::admin::*;
use burg_api::idp as pb;
use burg_api::management::{AddMachineUserRequest, AddMachineUserResponse};
use burg_testkit::{Client, TestServer, matrix};
use tonic::Code;

matrix!(fifty_writers_on_one_idp_template, fifty_writers_in_one_org);

const WRITERS: usize = 50;
const ROUNDS: usize = 3;

async fn fifty_writers_on_one_idp_template(s: Arc<TestServer>, c: Client) {
    let added: AddGenericOidcProviderResponse = c
        .call(
            "AddGenericOIDCProvider",
            AddGenericOidcProviderRequest {
                name: "w-start".into(),
                issuer: "https://issuer.example.com".into(),
                client_id: "c-w-start".into(),
                client_secret: "s".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let id = added.id.clone();
    // Instance IdP templates live on the instance aggregate, as in ZITADEL.
    let base = added.details.unwrap().sequence;

    // Readers check that name and client id always belong to one write.
    let stop = Arc::new(AtomicBool::new(false));
    let mut readers = Vec::new();
    for _ in 0..4 {
        let (c, id, stop) = (c.clone(), id.clone(), stop.clone());
        readers.push(tokio::spawn(async move {
            let mut reads = 0;
            while !stop.load(Ordering::Relaxed) {
                let got: GetProviderByIdResponse =
                    c.call("GetProviderByID", GetProviderByIdRequest { id: id.clone() }).await.unwrap();
                let idp = got.idp.unwrap();
                let Some(pb::provider_config::Config::Oidc(oidc)) = idp.config.unwrap().config else {
                    panic!("not an OIDC template")
                };
                assert_eq!(format!("c-{}", idp.name), oidc.client_id, "a read saw half of a write");
                reads += 1;
            }
            reads
        }));
    }

    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let (c, id) = (c.clone(), id.clone());
        writers.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for round in 0..ROUNDS {
                let name = format!("w{w}-r{round}");
                let done: UpdateGenericOidcProviderResponse = c
                    .call(
                        "UpdateGenericOIDCProvider",
                        UpdateGenericOidcProviderRequest {
                            id: id.clone(),
                            name: name.clone(),
                            issuer: "https://issuer.example.com".into(),
                            client_id: format!("c-{name}"),
                            ..Default::default()
                        },
                    )
                    .await
                    .unwrap_or_else(|e| panic!("writer {w}: {e:?}"));
                acknowledged.push((done.details.unwrap().sequence, name));
            }
            acknowledged
        }));
    }
    let mut acknowledged = Vec::new();
    for w in writers {
        acknowledged.extend(w.await.unwrap());
    }
    stop.store(true, Ordering::Relaxed);
    for r in readers {
        assert!(r.await.unwrap() > 0);
    }

    // Every acknowledged write is an event at the sequence it was told, in
    // an unbroken run after the template's creation.
    acknowledged.sort();
    let sequences: Vec<u64> = acknowledged.iter().map(|(s, _)| *s).collect();
    let expected: Vec<u64> = (base + 1..=base + (WRITERS * ROUNDS) as u64).collect();
    assert_eq!(sequences, expected, "one sequence per write, no gaps");
    let events: ListEventsResponse = c
        .call(
            "ListEvents",
            ListEventsRequest {
                aggregate_id: s.app.instance_id().to_string(),
                aggregate_types: vec!["instance".into()],
                sequence: base,
                asc: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(events.events.len(), WRITERS * ROUNDS);
    for (event, n) in events.events.iter().zip(base + 1..) {
        assert_eq!(event.sequence, n);
        assert_eq!(event.r#type.as_ref().unwrap().r#type, "instance.idp.oidc.changed");
    }
    for (sequence, name) in &acknowledged {
        let event = &events.events[(*sequence - base) as usize - 1];
        let payload = serde_json::to_string(event.payload.as_ref().unwrap()).unwrap();
        assert!(payload.contains(&format!("\"{name}\"")), "the write acknowledged at {sequence} is {name}: {payload}");
    }
    // The last write wins, whole.
    let (_, last) = acknowledged.last().unwrap();
    let got: GetProviderByIdResponse = c.call("GetProviderByID", GetProviderByIdRequest { id }).await.unwrap();
    assert_eq!(&got.idp.unwrap().name, last);
}

async fn fifty_writers_in_one_org(_s: Arc<TestServer>, c: Client) {
    let org: SetUpOrgResponse = c.call("SetUpOrg", crate::orgs::setup_request("Crowded")).await.unwrap();
    let c = c.with_org(&org.org_id);
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let c = c.clone();
        writers.push(tokio::spawn(async move {
            // Everyone races for one name, then adds one of its own.
            let raced = c
                .call::<_, AddMachineUserResponse>(
                    "AddMachineUser",
                    AddMachineUserRequest { user_name: "contested".into(), name: "R".into(), ..Default::default() },
                )
                .await;
            let own = c
                .call::<_, AddMachineUserResponse>(
                    "AddMachineUser",
                    AddMachineUserRequest { user_name: format!("own-{w}"), name: "R".into(), ..Default::default() },
                )
                .await
                .unwrap_or_else(|e| panic!("writer {w}: {e:?}"));
            (raced.map(|r| r.user_id).map_err(|e| e.code), own.user_id)
        }));
    }
    let mut winners = 0;
    let mut ids = std::collections::HashSet::new();
    for w in writers {
        let (raced, own) = w.await.unwrap();
        match raced {
            Ok(id) => {
                winners += 1;
                assert!(ids.insert(id));
            }
            Err(code) => assert_eq!(code, Code::AlreadyExists),
        }
        assert!(ids.insert(own));
    }
    assert_eq!(winners, 1, "exactly one writer gets a contested user name");
    let events: ListEventsResponse = c
        .call(
            "ListEvents",
            ListEventsRequest {
                resource_owner: org.org_id.clone(),
                event_types: vec!["user.machine.added".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(events.events.len(), WRITERS + 1, "every acknowledged user, once");
    let users: std::collections::HashSet<String> =
        events.events.iter().map(|e| e.aggregate.as_ref().unwrap().id.clone()).collect();
    assert_eq!(users, ids);
}

/// The load benchmark's mix, short: 16 connections for 3 seconds, no
/// errors (`cargo bench --bench load` runs it at 64 for 60 s).
async fn short_mixed_load_has_no_errors(backend: burg_testkit::Backend) {
    let Some(s) = TestServer::start_or_skip(backend).await else { return };
    let report = burg_testkit::load::mixed(&s, 16, std::time::Duration::from_secs(3)).await;
    assert_eq!(report.errors, 0, "{:?}", report.error_samples);
    assert!(report.requests > 100, "{} requests", report.requests);
    eprintln!(
        "{backend:?}: {:.0} requests/s, p99 {:?}, RSS {:?} MB",
        report.rps(),
        report.percentile(0.99),
        report.rss_mb
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_mixed_load_sqlite() {
    short_mixed_load_has_no_errors(burg_testkit::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_mixed_load_postgres() {
    short_mixed_load_has_no_errors(burg_testkit::Backend::Postgres).await;
}
