//! Azure AD (Microsoft Entra ID), with its tenant.

use burg_api::admin as a;
use burg_api::idp::{self as pb, provider_config::Config as C};
use burg_domain::Result;
use burg_domain::idp::{self, Config, Kind};

use super::super::fields::{self, Secret};
use super::super::{Draft, IdpKind, provider_rpcs};
use crate::App;

pub(crate) struct Azure;

/// What add and update share.
struct Fields {
    name: String,
    client_id: String,
    client_secret: Secret<String>,
    tenant: Option<pb::AzureAdTenant>,
    email_verified: bool,
    scopes: Vec<String>,
    provider_options: Option<pb::Options>,
}

/// ZITADEL's error ids for the fields that are empty once trimmed.
struct EmptyIds {
    name: &'static str,
    client_id: &'static str,
}

/// Also the ids of a migration from generic OIDC, which takes an add.
const ADD: EmptyIds = EmptyIds { name: "INST-sdf3g", client_id: "INST-Fhbr2" };
const UPDATE: EmptyIds = EmptyIds { name: "INST-fh3h1", client_id: "INST-dmitg" };
/// The client secret of an add, empty once trimmed.
const SECRET_EMPTY: &str = "INST-Dzh3g";

fn draft(ids: &EmptyIds, f: Fields) -> Result<Draft> {
    Ok(Draft {
        name: fields::required("name", f.name, ids.name)?,
        config: Config::Azure {
            client_id: fields::required("clientId", f.client_id, ids.client_id)?,
            client_secret: fields::placeholder(),
            tenant: tenant(f.tenant),
            email_verified: f.email_verified,
            scopes: fields::scopes(f.scopes)?,
        },
        secret: fields::secret("clientSecret", f.client_secret, fields::SECRET_MAX)?,
        options: fields::options(f.provider_options),
    })
}

/// The stored tenant: one of the named tenants, or a tenant id stored as
/// given (empty included). As ZITADEL's converter: no tenant, or a tenant
/// type the API does not define, is the common tenant.
fn tenant(tenant: Option<pb::AzureAdTenant>) -> String {
    use pb::azure_ad_tenant::Type;
    match tenant.and_then(|t| t.r#type) {
        Some(Type::TenantType(t)) => match pb::AzureAdTenantType::try_from(t) {
            Ok(pb::AzureAdTenantType::Organisations) => idp::AZURE_ORGANIZATIONS.into(),
            Ok(pb::AzureAdTenantType::Consumers) => idp::AZURE_CONSUMERS.into(),
            Ok(pb::AzureAdTenantType::Common) | Err(_) => idp::AZURE_COMMON.into(),
        },
        Some(Type::TenantId(id)) => id,
        None => idp::AZURE_COMMON.into(),
    }
}

fn to_pb_tenant(tenant: &str) -> pb::AzureAdTenant {
    use pb::azure_ad_tenant::Type;
    let kind = match tenant {
        idp::AZURE_COMMON => Type::TenantType(pb::AzureAdTenantType::Common as i32),
        idp::AZURE_ORGANIZATIONS => Type::TenantType(pb::AzureAdTenantType::Organisations as i32),
        idp::AZURE_CONSUMERS => Type::TenantType(pb::AzureAdTenantType::Consumers as i32),
        id => Type::TenantId(id.to_string()),
    };
    pb::AzureAdTenant { r#type: Some(kind) }
}

impl IdpKind for Azure {
    const KIND: Kind = Kind::Azure;
    const UPDATE_NOT_FOUND: &'static str = "INST-BHz3q";
    const UPDATE_ID_EMPTY: &'static str = "INST-SAgh2";
    type Add = a::AddAzureAdProviderRequest;
    type Update = a::UpdateAzureAdProviderRequest;

    fn update_id(r: &Self::Update) -> &str {
        &r.id
    }

    async fn draft_add(_app: &App, r: Self::Add) -> Result<Draft> {
        draft(
            &ADD,
            Fields {
                name: r.name,
                client_id: r.client_id,
                client_secret: Secret::required(r.client_secret, SECRET_EMPTY),
                tenant: r.tenant,
                email_verified: r.email_verified,
                scopes: r.scopes,
                provider_options: r.provider_options,
            },
        )
    }

    async fn draft_update(_app: &App, r: Self::Update) -> Result<Draft> {
        draft(
            &UPDATE,
            Fields {
                name: r.name,
                client_id: r.client_id,
                client_secret: Secret::keep_if_empty(r.client_secret),
                tenant: r.tenant,
                email_verified: r.email_verified,
                scopes: r.scopes,
                provider_options: r.provider_options,
            },
        )
    }

    fn wire(config: &Config) -> Option<C> {
        let Config::Azure { client_id, tenant, email_verified, scopes, .. } = config else {
            return None;
        };
        Some(C::AzureAd(pb::AzureAdConfig {
            client_id: client_id.clone(),
            tenant: Some(to_pb_tenant(tenant)),
            email_verified: *email_verified,
            scopes: scopes.clone(),
        }))
    }
}

provider_rpcs!(
    Azure,
    add_azure_ad_provider(AddAzureAdProviderRequest) -> AddAzureAdProviderResponse,
    update_azure_ad_provider(UpdateAzureAdProviderRequest) -> UpdateAzureAdProviderResponse,
    mgmt_add_azure_ad_provider, mgmt_update_azure_ad_provider,
);
