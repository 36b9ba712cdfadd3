//! The instance's default policies of the Admin API other than the login
//! policy (`policy.rs`): each a setting (`settings.rs`) with its wire
//! mapping and the checks and error ids of ZITADEL's commands
//! (`internal/command/instance_policy_*.go`). The proto's own rules are
//! checked before these are called.

use burg_api::admin as a;
use burg_api::zitadel::policy::v1 as pb;
use burg_domain::policies::PasswordComplexityPolicy;
use burg_domain::{Error, Result};

use crate::settings::{Current, Scope};
use crate::{App, Ctx};

fn complexity_pb(c: Current<PasswordComplexityPolicy>) -> pb::PasswordComplexityPolicy {
    let p = c.value;
    pb::PasswordComplexityPolicy {
        details: c.details,
        min_length: p.min_length,
        has_uppercase: p.has_uppercase,
        has_lowercase: p.has_lowercase,
        has_number: p.has_number,
        has_symbol: p.has_symbol,
        is_default: c.is_default,
    }
}

impl App {
    pub async fn get_password_complexity_policy(
        &self,
        _ctx: &Ctx,
        _r: a::GetPasswordComplexityPolicyRequest,
    ) -> Result<a::GetPasswordComplexityPolicyResponse> {
        let current = self.read_setting::<PasswordComplexityPolicy>(Scope::Instance).await?;
        Ok(a::GetPasswordComplexityPolicyResponse { policy: Some(complexity_pb(current)) })
    }

    pub async fn update_password_complexity_policy(
        &self,
        ctx: &Ctx,
        r: a::UpdatePasswordComplexityPolicyRequest,
    ) -> Result<a::UpdatePasswordComplexityPolicyResponse> {
        let min_length = u64::from(r.min_length);
        // domain.PasswordComplexityPolicy.IsValid
        if min_length == 0 || min_length > PasswordComplexityPolicy::MAX_MIN_LENGTH {
            return Err(Error::invalid_argument(
                "MODEL-Lsp0e",
                format!("minLength must be between 1 and {}", PasswordComplexityPolicy::MAX_MIN_LENGTH),
            ));
        }
        let next = PasswordComplexityPolicy {
            min_length,
            has_lowercase: r.has_lowercase,
            has_uppercase: r.has_uppercase,
            has_number: r.has_number,
            has_symbol: r.has_symbol,
        };
        let details =
            self.change_setting(ctx, Scope::Instance, |_| next.clone(), "INSTANCE-9jlsf", "INSTANCE-0oPew").await?;
        Ok(a::UpdatePasswordComplexityPolicyResponse { details })
    }
}
