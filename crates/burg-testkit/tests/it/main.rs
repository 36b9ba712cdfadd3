#![recursion_limit = "512"]
//! burg's integration tests: real servers, real databases, real clients.
//! One test binary (it links once); one module per area.

mod admin;
mod authz;
mod clients;
mod concurrency;
mod egress;
mod events;
mod fidelity;
mod foundation;
mod idps;
mod label_policy;
mod limits;
mod mgmt_actions;
mod mgmt_apps;
mod mgmt_idps;
mod mgmt_machines;
mod mgmt_notify;
mod mgmt_orgs;
mod mgmt_policies;
mod mgmt_projects;
mod mgmt_texts;
mod mgmt_user_grants;
mod mgmt_users;
mod notify;
mod oidc;
mod old_store;
mod openapi;
mod org_v2;
mod orgs;
mod policies;
mod rules;
mod schema;
mod settings;
mod settings_more;
mod terraform;
mod texts;
mod transfer;
mod transfer_instance;
mod user_v2;
mod v2;
mod web_keys;
mod wire;
mod zitadel_node;
mod zitadel_rust;
