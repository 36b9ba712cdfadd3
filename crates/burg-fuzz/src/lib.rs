//! Fuzz targets: every decoder that a request or a document goes through
//! before burg acts on it. A target takes arbitrary bytes and must return;
//! a panic is a bug.
//!
//! Two runners use them. `fuzz/` at the repository root is a cargo-fuzz
//! project (libFuzzer, coverage-guided; the long runs in RELIABILITY.md).
//! [`smoke`] runs on stable Rust inside the test suite: the seeds, the
//! inputs that once failed (`regressions/<target>/`), then random mutations
//! of them for a time budget.
// A dependency nothing uses fails the lints (unit tests use dev-dependencies).
#![cfg_attr(not(test), deny(unused_crate_dependencies))]

use std::time::{Duration, Instant};

use rand::{RngExt, SeedableRng};

pub mod targets;

/// One fuzz target.
pub struct Target {
    pub name: &'static str,
    pub run: fn(&[u8]),
    /// Valid (or nearly valid) inputs to start from.
    pub seeds: fn() -> Vec<Vec<u8>>,
}

/// Every target, by the name its cargo-fuzz binary has.
pub const TARGETS: &[Target] = &[
    Target { name: "rest_request", run: targets::rest_request, seeds: targets::rest_request_seeds },
    Target { name: "grpc_request", run: targets::grpc_request, seeds: targets::grpc_request_seeds },
    Target { name: "import_document", run: targets::import_document, seeds: targets::import_document_seeds },
    Target { name: "saml_metadata", run: targets::saml_metadata, seeds: targets::saml_metadata_seeds },
    Target { name: "duration", run: targets::duration, seeds: targets::duration_seeds },
    Target { name: "password_hash", run: targets::password_hash, seeds: targets::password_hash_seeds },
];

/// Inputs that once made a target fail, kept as files under
/// `regressions/<target>/`.
pub fn regressions(target: &Target) -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions").join(target.name);
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.flatten() {
            if let Ok(bytes) = std::fs::read(entry.path()) {
                found.push((entry.file_name().to_string_lossy().into_owned(), bytes));
            }
        }
    }
    found.sort();
    found
}

/// Fragments that tend to reach corners of JSON, protobuf and XML parsers.
const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b",",
    b":",
    b"null",
    b"true",
    b"-1",
    b"0",
    b"1e999",
    b"-9223372036854775809",
    b"18446744073709551616",
    b"\"\\ud800\"",
    b"\\u0000",
    b"\"1.5s\"",
    b"\"-315576000001s\"",
    b"<",
    b">",
    b"</",
    b"<!DOCTYPE x [<!ENTITY a \"aaaa\">]>",
    b"&a;",
    b"$2a$",
    b"$argon2id$",
    b"=",
    b"&",
    b"%ff",
    b"\xff\xff\xff\xff\x0f",
    b"\x0a\x80\x80\x80\x80\x10",
    b"\x12\x00",
];

/// Changes `input` in one random way.
fn mutate(rng: &mut rand::rngs::StdRng, input: &mut Vec<u8>, other: &[u8]) {
    let at = |rng: &mut rand::rngs::StdRng, len: usize| rng.random_range(0..=len);
    match rng.random_range(0..7) {
        0 if !input.is_empty() => {
            let i = rng.random_range(0..input.len());
            input[i] ^= 1 << rng.random_range(0..8);
        }
        1 => {
            let i = at(rng, input.len());
            input.insert(i, rng.random());
        }
        2 if !input.is_empty() => {
            let start = rng.random_range(0..input.len());
            let end = (start + rng.random_range(1..16)).min(input.len());
            input.drain(start..end);
        }
        3 if !input.is_empty() => {
            let start = rng.random_range(0..input.len());
            let end = (start + rng.random_range(1..64)).min(input.len());
            let copy = input[start..end].to_vec();
            let i = at(rng, input.len());
            input.splice(i..i, copy);
        }
        4 if !other.is_empty() => {
            let cut = at(rng, input.len());
            let from = rng.random_range(0..other.len());
            input.truncate(cut);
            input.extend_from_slice(&other[from..]);
        }
        5 => {
            let token = TOKENS[rng.random_range(0..TOKENS.len())];
            let i = at(rng, input.len());
            input.splice(i..i, token.iter().copied());
        }
        _ => {
            let cut = at(rng, input.len());
            input.truncate(cut);
        }
    }
}

/// Runs `target` on its seeds and regressions, then on random mutations of
/// them until `budget` has passed. Answers how many inputs it tried. A
/// panic names the input (hex) before it goes on.
pub fn smoke(target: &Target, budget: Duration, seed: u64) -> u64 {
    let run = |input: &[u8]| {
        let outcome = std::panic::catch_unwind(|| (target.run)(input));
        if let Err(panic) = outcome {
            eprintln!(
                "{} panicked on input (hex) {}; keep it as a file under regressions/{}/",
                target.name,
                input.iter().map(|b| format!("{b:02x}")).collect::<String>(),
                target.name
            );
            std::panic::resume_unwind(panic);
        }
    };
    let mut corpus = (target.seeds)();
    corpus.extend(regressions(target).into_iter().map(|(_, bytes)| bytes));
    for input in &corpus {
        run(input);
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let started = Instant::now();
    let mut tried = corpus.len() as u64;
    while started.elapsed() < budget {
        let mut input = corpus[rng.random_range(0..corpus.len())].clone();
        let other = corpus[rng.random_range(0..corpus.len())].clone();
        for _ in 0..rng.random_range(1..8) {
            mutate(&mut rng, &mut input, &other);
        }
        run(&input);
        tried += 1;
        // Inputs that still decode are good starting points.
        if tried.is_multiple_of(64) && corpus.len() < 4096 {
            corpus.push(input);
        }
    }
    tried
}
