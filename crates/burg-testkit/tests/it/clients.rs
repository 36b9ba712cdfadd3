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

/// The v2 services of `clients.md` by the provider's prefix.
const V2_SERVICES: [(&str, &str); 9] = [
    ("settingsv2", "SettingsService"),
    ("featurev2", "FeatureService"),
    ("instancev2", "InstanceService"),
    ("projectv2", "ProjectService"),
    ("applicationv2", "ApplicationService"),
    ("orgv2", "OrganizationService"),
    ("userv2", "UserService"),
    ("actionv2", "ActionService"),
    ("webkeyv2", "WebKeyService"),
];

/// The v2 services of the provider that burg does not serve yet: users
/// (the provider falls back to v1) and actions v2.
const V2_NOT_YET: [&str; 2] = ["UserService", "ActionService"];

#[test]
fn every_v2_call_of_the_terraform_provider_is_served() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/api/clients.md");
    let Ok(text) = std::fs::read_to_string(&path) else {
        assert!(!burg_testkit::in_ci(), "clients.md is missing at {}", path.display());
        eprintln!("skipped: clients.md is not at {}", path.display());
        return;
    };
    let mut unserved = BTreeSet::new();
    let mut checked = 0;
    for line in text.lines().filter(|l| l.starts_with("| zitadel_")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        for call in cells[1].split(',').map(str::trim) {
            let Some((prefix, rpc)) = call.split_once(':').filter(|(p, _)| p.ends_with("v2")) else { continue };
            let (_, service) = V2_SERVICES
                .iter()
                .find(|(p, _)| *p == prefix)
                .unwrap_or_else(|| panic!("clients.md names a v2 service burg does not know: {call}"));
            if V2_NOT_YET.contains(service) {
                continue;
            }
            let route = ROUTES.iter().find(|r| r.service == *service && r.method == rpc);
            checked += 1;
            if !route.is_some_and(burg_server::serves) {
                unserved.insert(format!("{service}.{rpc} ({})", cells[0]));
            }
        }
    }
    assert!(checked >= 20, "{checked} v2 calls checked");
    assert!(unserved.is_empty(), "v2 RPCs the Terraform provider calls that burg does not serve: {unserved:?}");
}
