//! Every fuzz target on its seeds, its regressions and random mutations:
//! 30 seconds each under CI, 3 seconds elsewhere, `BURG_FUZZ_SECONDS` to
//! choose. The long, coverage-guided runs use cargo-fuzz (`fuzz/`).

use std::time::Duration;

fn budget() -> Duration {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    let seconds =
        std::env::var("BURG_FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(if ci { 30 } else { 3 });
    Duration::from_secs(seconds)
}

fn smoke(name: &str) {
    let target = burg_fuzz::TARGETS.iter().find(|t| t.name == name).expect("a target of that name");
    let seed = std::env::var("BURG_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    let tried = burg_fuzz::smoke(target, budget(), seed);
    eprintln!("{name}: {tried} inputs, no panic (seed {seed})");
    assert!(tried > 100, "{name} ran too few inputs: {tried}");
}

#[test]
fn rest_request() {
    smoke("rest_request");
}

#[test]
fn grpc_request() {
    smoke("grpc_request");
}

#[test]
fn import_document() {
    smoke("import_document");
}

#[test]
fn saml_metadata() {
    smoke("saml_metadata");
}

#[test]
fn duration() {
    smoke("duration");
}

#[test]
fn password_hash() {
    smoke("password_hash");
}

/// A new target must be wired into the smoke run and into cargo-fuzz.
#[test]
fn every_target_is_smoked_and_has_a_cargo_fuzz_binary() {
    let this = include_str!("smoke.rs");
    let manifest = include_str!("../../../fuzz/Cargo.toml");
    for target in burg_fuzz::TARGETS {
        assert!(this.contains(&format!("smoke(\"{}\")", target.name)), "{} is not smoked", target.name);
        assert!(manifest.contains(&format!("name = \"{}\"", target.name)), "{} has no cargo-fuzz binary", target.name);
    }
}
