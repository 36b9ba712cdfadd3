//! burg's wire layer.
//!
//! Owns the messages and services generated from `proto/` (prost + tonic),
//! their proto3-JSON mapping (pbjson, with ZITADEL's gateway conventions),
//! the REST route table read from the `google.api.http` options, and the
//! one error shape both protocols share. It knows nothing of storage or of
//! how an RPC is answered.
// A dependency nothing uses fails the lints (unit tests use dev-dependencies).
#![cfg_attr(not(test), deny(unused_crate_dependencies))]

pub mod error;
pub mod json;
pub mod path_template;
pub mod rest;
pub mod routes;
pub mod validate;
pub mod wkt;

/// The bytes of the compiled `FileDescriptorSet` (with options), for
/// reflection and documentation tools.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/descriptor.bin"));

/// The OpenAPI (swagger 2.0) document of each service, generated with the
/// route table: (file name, JSON).
pub const OPENAPI: &[(&str, &str)] = &[
    ("admin.swagger.json", include_str!(concat!(env!("OUT_DIR"), "/admin.swagger.json"))),
    ("management.swagger.json", include_str!(concat!(env!("OUT_DIR"), "/management.swagger.json"))),
];

macro_rules! include_package {
    ($file:literal) => {
        include!(concat!(env!("OUT_DIR"), "/", $file, ".rs"));
        include!(concat!(env!("OUT_DIR"), "/", $file, ".serde.rs"));
    };
}

#[allow(clippy::all, clippy::pedantic, missing_docs, rustdoc::all)]
pub mod zitadel {
    pub mod v1 {
        include_package!("zitadel.v1");
        pub mod v1 {
            include_package!("zitadel.v1.v1");
        }
    }
    pub mod object {
        pub mod v2 {
            include_package!("zitadel.object.v2");
        }
    }
    pub mod filter {
        pub mod v2 {
            include_package!("zitadel.filter.v2");
        }
    }
    pub mod feature {
        pub mod v2 {
            include_package!("zitadel.feature.v2");
        }
    }
    pub mod webkey {
        pub mod v2 {
            include_package!("zitadel.webkey.v2");
        }
    }
    pub mod admin {
        pub mod v1 {
            include_package!("zitadel.admin.v1");
        }
    }
    pub mod management {
        pub mod v1 {
            include_package!("zitadel.management.v1");
        }
    }
    pub mod idp {
        pub mod v1 {
            include_package!("zitadel.idp.v1");
        }
    }
    pub mod org {
        pub mod v1 {
            include_package!("zitadel.org.v1");
        }
        pub mod v2 {
            include_package!("zitadel.org.v2");
        }
    }
    pub mod policy {
        pub mod v1 {
            include_package!("zitadel.policy.v1");
        }
    }
    pub mod text {
        pub mod v1 {
            include_package!("zitadel.text.v1");
        }
    }
    pub mod app {
        pub mod v1 {
            include_package!("zitadel.app.v1");
        }
    }
    pub mod project {
        pub mod v1 {
            include_package!("zitadel.project.v1");
        }
        pub mod v2 {
            include_package!("zitadel.project.v2");
        }
    }
    pub mod application {
        pub mod v2 {
            include_package!("zitadel.application.v2");
        }
    }
    pub mod user {
        pub mod v1 {
            include_package!("zitadel.user.v1");
        }
        pub mod v2 {
            include_package!("zitadel.user.v2");
        }
    }
    pub mod member {
        pub mod v1 {
            include_package!("zitadel.member.v1");
        }
    }
    pub mod instance {
        pub mod v1 {
            include_package!("zitadel.instance.v1");
        }
        pub mod v2 {
            include_package!("zitadel.instance.v2");
        }
    }
    pub mod event {
        pub mod v1 {
            include_package!("zitadel.event.v1");
        }
    }
    pub mod action {
        pub mod v1 {
            include_package!("zitadel.action.v1");
        }
    }
    pub mod change {
        pub mod v1 {
            include_package!("zitadel.change.v1");
        }
    }
    pub mod metadata {
        pub mod v1 {
            include_package!("zitadel.metadata.v1");
        }
        pub mod v2 {
            include_package!("zitadel.metadata.v2");
        }
    }
    pub mod milestone {
        pub mod v1 {
            include_package!("zitadel.milestone.v1");
        }
    }
    pub mod settings {
        pub mod v1 {
            include_package!("zitadel.settings.v1");
        }
        pub mod v2 {
            include_package!("zitadel.settings.v2");
        }
    }
    pub mod authn {
        pub mod v1 {
            include_package!("zitadel.authn.v1");
        }
    }
}

#[allow(clippy::all, clippy::pedantic, missing_docs, rustdoc::all)]
pub mod google {
    pub mod api {
        include!(concat!(env!("OUT_DIR"), "/google.api.rs"));
    }
}

pub use zitadel::admin::v1 as admin;
pub use zitadel::idp::v1 as idp;
pub use zitadel::management::v1 as management;
pub use zitadel::v1 as object;
