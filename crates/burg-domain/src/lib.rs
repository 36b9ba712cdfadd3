//! burg's domain: the rules, without IO.
//!
//! Ids, the clock, the error type every layer speaks, events and their
//! payloads, input validation, roles and permissions, sealing secrets
//! with the master key, and the named states and types the read tables
//! store as numbers. Nothing here touches the network, the disk or the
//! database; the store and the app layer do that.
// A dependency nothing uses fails the lints (unit tests use dev-dependencies).
#![cfg_attr(not(test), deny(unused_crate_dependencies))]

pub mod app;
pub mod clock;
pub mod crypto;
pub mod error;
pub mod event;
pub mod feature;
#[macro_use]
pub mod events;
pub mod id;
pub mod idp;
pub mod idp_config;
pub mod idp_events;
pub mod instance_settings;
pub mod jwt;
pub mod label_policy;
pub mod machine_key;
pub mod notify;
pub mod password;
pub mod pem;
pub mod permission;
pub mod phone;
pub mod policies;
pub mod settings;
pub mod state;
pub mod texts;
pub mod url_template;
pub mod validate;
pub mod web_key;

pub use clock::{Clock, ShiftedClock, SystemClock};
pub use error::{Error, ErrorKind, Result};
pub use id::IdGenerator;
