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
    /// Latencies of the successful requests.
    pub latencies: Histogram,
    /// Resident memory of this process (server and load generator), MB,
    /// sampled every `seconds / 10`.
    pub rss_mb: Vec<f64>,
}

impl Report {
    pub fn rps(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    pub fn percentile(&self, p: f64) -> Duration {
        self.latencies.percentile(p)
    }

    /// Memory at the end over memory after the first tenth (warm-up).
    pub fn rss_growth(&self) -> f64 {
        match (self.rss_mb.get(1), self.rss_mb.last()) {
            (Some(start), Some(end)) if *start > 0.0 => end / start,
            _ => 1.0,
        }
    }
}

/// Latencies counted in fixed buckets, so that a long run costs no more
/// memory than a short one: 32 buckets per power of two of microseconds
/// (a reading is at most about 3% above the true value), up to about 70 min.
#[derive(Debug, Clone)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
}

const SUB_BUCKETS: u64 = 32;

impl Default for Histogram {
    fn default() -> Self {
        Histogram { counts: vec![0; (32 * SUB_BUCKETS) as usize], total: 0 }
    }
}

impl Histogram {
    pub fn record(&mut self, latency: Duration) {
        let index = Self::index(latency.as_micros().min(u32::MAX as u128) as u64);
        let last = self.counts.len() - 1;
        self.counts[index.min(last)] += 1;
        self.total += 1;
    }

    pub fn merge(&mut self, other: &Histogram) {
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
        self.total += other.total;
    }

    pub fn len(&self) -> u64 {
        self.total
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The latency below which a share `p` (0..=1) of the requests fall:
    /// the upper edge of the bucket holding that request.
    pub fn percentile(&self, p: f64) -> Duration {
        if self.total == 0 {
            return Duration::ZERO;
        }
        let rank = ((self.total - 1) as f64 * p.clamp(0.0, 1.0)).round() as u64;
        let mut seen = 0;
        for (index, count) in self.counts.iter().enumerate() {
            seen += count;
            if seen > rank {
                return Duration::from_micros(Self::upper(index as u64));
            }
        }
        Duration::from_micros(Self::upper(self.counts.len() as u64 - 1))
    }

    /// Values below `SUB_BUCKETS` get a bucket each; above, each power of
    /// two is split into `SUB_BUCKETS` equal buckets.
    fn index(micros: u64) -> usize {
        if micros < SUB_BUCKETS {
            return micros as usize;
        }
        let power = 63 - micros.leading_zeros() as u64; // ≥ 5
        let shift = power - SUB_BUCKETS.trailing_zeros() as u64;
        ((power - 4) * SUB_BUCKETS + ((micros >> shift) - SUB_BUCKETS)) as usize
    }

    fn upper(index: u64) -> u64 {
        if index < SUB_BUCKETS {
            return index;
        }
        let power = index / SUB_BUCKETS + 4;
        let shift = power - SUB_BUCKETS.trailing_zeros() as u64;
        (((index % SUB_BUCKETS) + SUB_BUCKETS + 1) << shift) - 1
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
        let client = server.client(protocol).await.without_transcript();
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
        let (latencies, errors, samples) = task.await.expect("a load worker");
        report.requests += latencies.len() + errors;
        report.errors += errors;
        report.latencies.merge(&latencies);
        report.error_samples.extend(samples.into_iter().take(3 - report.error_samples.len().min(3)));
    }
    report.elapsed = started.elapsed();
    report
}

/// A worker's latencies, its error count and its first few errors.
async fn worker(c: Client, n: usize, idp: String, stop: Arc<AtomicBool>) -> (Histogram, u64, Vec<String>) {
    let (mut latencies, mut errors, mut samples) = (Histogram::default(), 0, Vec::new());
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
            Ok(()) => latencies.record(t.elapsed()),
            Err(e) => {
                errors += 1;
                if samples.len() < 3 {
                    samples.push(format!("{:?}: {}", e.code, e.message));
                }
            }
        }
    }
    (latencies, errors, samples)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_ordered_and_tight() {
        let mut last = 0;
        for micros in (0..100_000u64).chain([1 << 31, u32::MAX as u64]) {
            let index = Histogram::index(micros);
            assert!(index >= last, "{micros}");
            last = index;
            let upper = Histogram::upper(index as u64);
            assert!(upper >= micros, "{micros} in a bucket ending at {upper}");
            assert!(upper as f64 <= micros as f64 * 1.032 + 1.0, "{micros} read as {upper}");
        }
        assert!(Histogram::index(u32::MAX as u64) < Histogram::default().counts.len());
    }

    #[test]
    fn histogram_percentiles() {
        let mut h = Histogram::default();
        for ms in 1..=100u64 {
            h.record(Duration::from_millis(ms));
        }
        assert_eq!(h.len(), 100);
        let p50 = h.percentile(0.5).as_micros() as f64;
        assert!((50_000.0..=52_500.0).contains(&p50), "{p50}");
        let p99 = h.percentile(0.99).as_micros() as f64;
        assert!((99_000.0..=102_000.0).contains(&p99), "{p99}");
        assert_eq!(Histogram::default().percentile(0.99), Duration::ZERO);
    }
}
