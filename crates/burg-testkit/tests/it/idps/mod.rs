//! Identity-provider templates through the Admin API: all twelve kinds,
//! migration, login-policy links, SAML certificates, validation, secrets.
//! `cases` holds each kind's requests and expectations; the other modules
//! are the tests, one concern each.

pub mod cases;
mod fidelity;
mod kinds;
mod legacy;
mod links;
mod migrate;
mod nodes;
mod saml;
mod secrets;
mod validation;

use burg_testkit::TestServer;
pub use cases::SAML_METADATA;

pub fn admin_ctx(s: &TestServer) -> burg_app::Ctx {
    {
        let _ = s;
        burg_app::Ctx::system("test")
    }
}
