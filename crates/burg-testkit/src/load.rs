//! A bounded mixed load against a test server this process started: half
//! the connections REST, half gRPC, each asking in a loop: 80% reads
//! (GetProviderByID, ListOrgs, GetMyInstance), 20% writes (an IdP template
//! update, a new machine user). It stops by itself after the given time.
//!
//! Used by the `load` benchmark (60 s) and by a short test in the suite.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use burg_api::admin::*;
use burg_api::management::{AddMachineUserRequest, AddMachineUserResponse};

use crate::{Client, Protocol, TestServer};

/// What one load run saw.
#[derive(Debug, Default)]
pub struct Report {
    pub requests: u64,
    pub errors: u64,
    /// The first few errors, for a message.
    pub error_samples: Vec<String>,
    pub elapsed: Duration,
    /// Sorted.
    pub latencies: Vec<Duration>,
    /// Resident memory of this process (server and load generator), MB,
    /// sampled every `seconds / 10`.
    pub rss_mb: Vec<f64>,
}

impl Report {
    pub fn rps(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    pub fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[i]
    }

    /// Memory at the end over memory after the first tenth (warm-up).
    pub fn rss_growth(&self) -> f64 {
        match (self.rss_mb.get(1), self.rss_mb.last()) {
            (Some(start), Some(end)) if *start > 0.0 => end / start,
            _ => 1.0,
        }
    }
}

/// This process's resident memory in MB (Linux), NaN elsewhere.
pub fn rss_mb() -> f64 {
    status_mb("VmRSS")
}

/// A memory line of `/proc/self/status` (`VmRSS`, `VmHWM`, …) in MB; NaN
/// where there is none.
pub fn status_mb(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.strip_prefix(field).is_some_and(|rest| rest.starts_with(':')))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// Runs the mixed load on `server` over `connections` connections for
/// `duration`.
pub async fn mixed(server: &TestServer, connections: usize, duration: Duration) -> Report {
    let admin = server.client(Protocol::Rest).await;
    let idp: AddGenericOidcProviderResponse = admin
        .call(
            "AddGenericOIDCProvider",
            AddGenericOidcProviderRequest {
                name: "load".into(),
                issuer: "https://issuer.example.com".into(),
                client_id: "c".into(),
                client_secret: "s".into(),
                ..Default::default()
            },
        )
        .await
        .expect("an IdP to read and write");
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for n in 0..connections {
        let protocol = if n % 2 == 0 { Protocol::Rest } else { Protocol::Grpc };
        let client = server.client(protocol).await;
        let (stop, idp) = (stop.clone(), idp.id.clone());
        tasks.push(tokio::spawn(async move { worker(client, n, idp, stop).await }));
    }
    let mut rss = vec![rss_mb()];
    let tick = duration / 10;
    while started.elapsed() < duration {
        tokio::time::sleep(tick.min(duration.saturating_sub(started.elapsed()))).await;
        rss.push(rss_mb());
    }
    stop.store(true, Ordering::Relaxed);
    let mut report = Report { rss_mb: rss, ..Report::default() };
    for task in tasks {
        let (latencies, errors) = task.await.expect("a load worker");
        report.requests += latencies.len() as u64 + errors.len() as u64;
        report.errors += errors.len() as u64;
        report.latencies.extend(latencies);
        report.error_samples.extend(errors.into_iter().take(3 - report.error_samples.len().min(3)));
    }
    report.elapsed = started.elapsed();
    report.latencies.sort();
    report
}

async fn worker(c: Client, n: usize, idp: String, stop: Arc<AtomicBool>) -> (Vec<Duration>, Vec<String>) {
    let (mut latencies, mut errors) = (Vec::new(), Vec::new());
    let mut i = 0u64;
    while !stop.load(Ordering::Relaxed) {
        i += 1;
        let t = Instant::now();
        let outcome = match i % 10 {
            0 => c
                .call::<_, UpdateGenericOidcProviderResponse>(
                    "UpdateGenericOIDCProvider",
                    UpdateGenericOidcProviderRequest {
                        id: idp.clone(),
                        name: format!("load-{n}-{i}"),
                        issuer: "https://issuer.example.com".into(),
                        client_id: "c".into(),
                        ..Default::default()
                    },
                )
                .await
                .map(drop),
            5 => c
                .call::<_, AddMachineUserResponse>(
                    "AddMachineUser",
                    AddMachineUserRequest {
                        user_name: format!("load-{n}-{i}"),
                        name: "L".into(),
                        ..Default::default()
                    },
                )
                .await
                .map(drop),
            1 | 4 | 7 => c.call::<_, ListOrgsResponse>("ListOrgs", ListOrgsRequest::default()).await.map(drop),
            2 | 8 => c.call::<_, GetMyInstanceResponse>("GetMyInstance", GetMyInstanceRequest {}).await.map(drop),
            _ => c
                .call::<_, GetProviderByIdResponse>("GetProviderByID", GetProviderByIdRequest { id: idp.clone() })
                .await
                .map(drop),
        };
        match outcome {
            Ok(()) => latencies.push(t.elapsed()),
            Err(e) => errors.push(format!("{:?}: {}", e.code, e.message)),
        }
    }
    (latencies, errors)
}
