//! The wire form of a stored template: every field but the secrets. The
//! config branch comes from the kind's declaration in `kinds/`.

use burg_api::idp as pb;
use burg_domain::idp;
use burg_domain::state::IdpOwnerType;
use burg_domain::{Error, Result};

use super::kinds;
use super::store::{Stored, stored_details};

pub(super) fn to_pb_options(o: &idp::Options) -> pb::Options {
    pb::Options {
        is_linking_allowed: o.is_linking_allowed,
        is_creation_allowed: o.is_creation_allowed,
        is_auto_creation: o.is_auto_creation,
        is_auto_update: o.is_auto_update,
        auto_linking: o.auto_linking,
    }
}

/// `zitadel.idp.v1.Provider` of a stored template.
pub(super) fn to_provider(s: &Stored) -> Result<pb::Provider> {
    let t = &s.template;
    let config = kinds::wire(&t.config).ok_or_else(|| {
        Error::internal("IDP-wire01", format!("identity provider {} has no wire form for its kind", t.id))
    })?;
    Ok(pb::Provider {
        id: t.id.clone(),
        details: stored_details(s),
        state: pb::IdpState::Active as i32,
        name: t.name.clone(),
        owner: match s.owner {
            IdpOwnerType::System => pb::IdpOwnerType::System as i32,
            IdpOwnerType::Org => pb::IdpOwnerType::Org as i32,
        },
        r#type: t.kind().provider_type(),
        config: Some(pb::ProviderConfig { options: Some(to_pb_options(&t.options)), config: Some(config) }),
    })
}
