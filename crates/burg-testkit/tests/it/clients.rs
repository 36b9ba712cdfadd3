//! What real clients call (`../shared/api/clients.md`: every resource of
//! ZITADEL's Terraform provider and the RPCs it calls) is served.

use std::collections::BTreeSet;
use std::path::Path;

use burg_api::routes::ROUTES;

/// `(service, rpc)` of every v1 call of `clients.md` (`A:` the Admin API,
/// `M:` the Management API), with the resources that make it.
fn v1_calls(text: &str) -> Vec<(&'static str, String, String)> {
    let mut calls = Vec::new();
    for line in text.lines().filter(|l| l.starts_with("| zitadel_")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let [resource, rpcs] = cells[..] else { panic!("a row of two cells: {line}") };
        for call in rpcs.split(',').map(str::trim) {
            let (service, rpc) = match call.split_once(':') {
                Some(("A", rpc)) => ("AdminService", rpc),
                Some(("M", rpc)) => ("ManagementService", rpc),
                _ => continue, // a v2 service
            };
            calls.push((service, rpc.to_string(), resource.to_string()));
        }
    }
    calls
}

#[test]
fn every_admin_call_of_the_terraform_provider_is_served() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/api/clients.md");
    let Ok(text) = std::fs::read_to_string(&path) else {
        assert!(!burg_testkit::in_ci(), "clients.md is missing at {}", path.display());
        eprintln!("skipped: clients.md is not at {}", path.display());
        return;
    };
    let calls = v1_calls(&text);
    assert!(calls.len() > 100, "clients.md names {} v1 calls", calls.len());
    let mut unknown = BTreeSet::new();
    let mut unserved = BTreeSet::new();
    for (service, rpc, resource) in &calls {
        match ROUTES.iter().find(|r| r.service == *service && r.method == rpc) {
            None => {
                unknown.insert(format!("{service}.{rpc} ({resource})"));
            }
            Some(route) if *service == "AdminService" && !burg_server::serves(route) => {
                unserved.insert(format!("{rpc} ({resource})"));
            }
            Some(_) => {}
        }
    }
    assert!(unknown.is_empty(), "RPCs clients.md names that the proto lacks: {unknown:?}");
    assert!(unserved.is_empty(), "Admin RPCs the Terraform provider calls that burg does not serve: {unserved:?}");
}

/// Every `orgv2:` call of `clients.md` (the Organization API v2, which
/// Terraform's organization resources call first, AddOrganization with no
/// v1 fallback) is served.
#[test]
fn every_organization_v2_call_of_the_terraform_provider_is_served() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/api/clients.md");
    let Ok(text) = std::fs::read_to_string(&path) else {
        assert!(!burg_testkit::in_ci(), "clients.md is missing at {}", path.display());
        eprintln!("skipped: clients.md is not at {}", path.display());
        return;
    };
    let mut calls = BTreeSet::new();
    for line in text.lines().filter(|l| l.starts_with("| zitadel_")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        for call in cells[1].split(',').map(str::trim) {
            if let Some(rpc) = call.strip_prefix("orgv2:") {
                calls.insert(rpc.to_string());
            }
        }
    }
    assert!(calls.len() >= 12, "clients.md names {} orgv2 calls: {calls:?}", calls.len());
    let unserved: Vec<&String> = calls
        .iter()
        .filter(|rpc| {
            !ROUTES
                .iter()
                .any(|r| r.service == "OrganizationService" && r.method == rpc.as_str() && burg_server::serves(r))
        })
        .collect();
    assert!(unserved.is_empty(), "orgv2 RPCs the Terraform provider calls that burg does not serve: {unserved:?}");
}
