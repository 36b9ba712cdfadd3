//! Settings only the instance holds: the OIDC settings and the security
//! policy (settings, `settings.rs`), the secret generators and the trusted
//! domains, with the checks and error ids of ZITADEL's commands
//! (`internal/command/instance_oidc_settings.go`,
//! `instance_policy_security.go`, `instance_secret_generator.go`,
//! `instance_trusted_domain.go`).

use burg_api::admin as a;
use burg_api::object::ObjectDetails;
use burg_api::wkt::{Duration, Timestamp};
use burg_api::zitadel::instance::v1::{self as inst, DomainFieldName, trusted_domain_search_query};
use burg_api::zitadel::settings::v1::{self as pb, SecretGeneratorType as ApiType, secret_generator_query};
use burg_api::zitadel::settings::v2 as settings_v2;
use burg_domain::event::NewEvent;
use burg_domain::instance_settings::{
    GeneratorConfig, OidcSettings, SecretGeneratorAdded, SecretGeneratorChanged, SecretGeneratorType, SecurityPolicy,
    TrustedDomainAdded, TrustedDomainRemoved, domain_runes_ok,
};
use burg_domain::settings::Setting;
use burg_domain::{Error, Result};
use burg_store::instance_settings::{SecretGeneratorRow, TrustedDomainOrder};

use crate::list::{list_details, text_match, v1_page};
use crate::settings::Scope;
use crate::{App, Ctx, added_details, changed_details, details, retry};

const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// A Go duration (nanoseconds) on the wire.
fn duration(nanos: i64) -> Option<Duration> {
    Some(Duration { seconds: nanos.div_euclid(NANOS_PER_SECOND), nanos: nanos.rem_euclid(NANOS_PER_SECOND) as i32 })
}

/// A wire duration as a Go duration (`AsDuration`, which saturates).
fn nanos(d: Option<Duration>) -> i64 {
    d.map_or(0, |d| d.seconds.saturating_mul(NANOS_PER_SECOND).saturating_add(i64::from(d.nanos)))
}

/// The details ZITADEL answers for a setting it has no row of: every
/// member zero, the dates Go's zero time (0001-01-01).
fn zero_details() -> Option<ObjectDetails> {
    let zero = Timestamp { seconds: -62_135_596_800, nanos: 0 };
    Some(ObjectDetails {
        sequence: 0,
        creation_date: Some(zero),
        change_date: Some(zero),
        resource_owner: String::new(),
    })
}

/// The API's generator type as ZITADEL's domain type (`SecretGeneratorTypeToDomain`).
fn domain_type(api: i32) -> Option<SecretGeneratorType> {
    use SecretGeneratorType::*;
    Some(match ApiType::try_from(api).ok()? {
        ApiType::InitCode => InitCode,
        ApiType::VerifyEmailCode => VerifyEmailCode,
        ApiType::VerifyPhoneCode => VerifyPhoneCode,
        ApiType::PasswordResetCode => PasswordResetCode,
        ApiType::PasswordlessInitCode => PasswordlessInitCode,
        ApiType::AppSecret => AppSecret,
        ApiType::OtpSms => OtpSms,
        ApiType::OtpEmail => OtpEmail,
        ApiType::Unspecified => return None,
    })
}

/// A domain type on the API (`SecretGeneratorTypeToPb`): the types the API
/// does not name (the domain verification, …) are unspecified.
fn api_type(code: i64) -> ApiType {
    use SecretGeneratorType::*;
    match SecretGeneratorType::from_code(code) {
        Some(InitCode) => ApiType::InitCode,
        Some(VerifyEmailCode) => ApiType::VerifyEmailCode,
        Some(VerifyPhoneCode) => ApiType::VerifyPhoneCode,
        Some(PasswordResetCode) => ApiType::PasswordResetCode,
        Some(PasswordlessInitCode) => ApiType::PasswordlessInitCode,
        Some(AppSecret) => ApiType::AppSecret,
        Some(OtpSms) => ApiType::OtpSms,
        Some(OtpEmail) => ApiType::OtpEmail,
        Some(VerifyDomain | InviteCode | SigningKey) | None => ApiType::Unspecified,
    }
}

fn generator_pb(row: SecretGeneratorRow, owner: &str) -> pb::SecretGenerator {
    let c = row.config;
    pb::SecretGenerator {
        generator_type: api_type(row.generator_type) as i32,
        details: details(row.sequence, row.creation_date, row.change_date, owner),
        length: u32::try_from(c.length).unwrap_or(u32::MAX),
        expiry: duration(c.expiry),
        include_lower_letters: c.include_lower_letters,
        include_upper_letters: c.include_upper_letters,
        include_digits: c.include_digits,
        include_symbols: c.include_symbols,
    }
}

/// ZITADEL's trusted-domain check: trimmed, 1 to 253 bytes, the
/// characters of a domain (and a port); `ids` are the ids of the two
/// failures.
fn trusted_domain(domain: &str, ids: [&'static str; 2]) -> Result<String> {
    let domain = domain.trim();
    if domain.is_empty() || domain.len() > 253 {
        return Err(Error::invalid_argument(ids[0], "`domain` must have 1 to 253 characters"));
    }
    if !domain_runes_ok(domain) {
        return Err(Error::invalid_argument(ids[1], "`domain` may contain only letters, digits, '.', '-' and ':'"));
    }
    Ok(domain.to_string())
}

impl App {
    pub async fn get_oidc_settings(
        &self,
        _ctx: &Ctx,
        _r: a::GetOidcSettingsRequest,
    ) -> Result<a::GetOidcSettingsResponse> {
        let current = self.read_setting::<OidcSettings>(Scope::Instance).await?;
        let s = current.value;
        Ok(a::GetOidcSettingsResponse {
            settings: Some(pb::OidcSettings {
                details: current.details,
                access_token_lifetime: duration(s.access_token_lifetime),
                id_token_lifetime: duration(s.id_token_lifetime),
                refresh_token_idle_expiration: duration(s.refresh_token_idle_expiration),
                refresh_token_expiration: duration(s.refresh_token_expiration),
            }),
        })
    }

    pub async fn add_oidc_settings(
        &self,
        ctx: &Ctx,
        r: a::AddOidcSettingsRequest,
    ) -> Result<a::AddOidcSettingsResponse> {
        let value = OidcSettings {
            access_token_lifetime: nanos(r.access_token_lifetime),
            id_token_lifetime: nanos(r.id_token_lifetime),
            refresh_token_idle_expiration: nanos(r.refresh_token_idle_expiration),
            refresh_token_expiration: nanos(r.refresh_token_expiration),
        };
        if !value.complete() {
            return Err(Error::invalid_argument("INST-10s82j", "every lifetime of the OIDC settings must be set"));
        }
        let details = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            if self.own_setting::<OidcSettings>(tx.conn(), Scope::Instance).await?.is_some() {
                return Err(Error::already_exists("INST-0aaj1o", "the instance has its OIDC settings already"));
            }
            let events = tx.push(value.added_events(&self.instance_aggregate())?).await?;
            tx.commit().await?;
            Ok(added_details(&events))
        })
        .await?;
        Ok(a::AddOidcSettingsResponse { details })
    }

    pub async fn update_oidc_settings(
        &self,
        ctx: &Ctx,
        r: a::UpdateOidcSettingsRequest,
    ) -> Result<a::UpdateOidcSettingsResponse> {
        let next = OidcSettings {
            access_token_lifetime: nanos(r.access_token_lifetime),
            id_token_lifetime: nanos(r.id_token_lifetime),
            refresh_token_idle_expiration: nanos(r.refresh_token_idle_expiration),
            refresh_token_expiration: nanos(r.refresh_token_expiration),
        };
        if !next.complete() {
            return Err(Error::invalid_argument("INST-10sxks", "every lifetime of the OIDC settings must be set"));
        }
        let details =
            self.change_setting(ctx, Scope::Instance, |_| next.clone(), "COMMAND-0pk2nu", "INST-90s32oj").await?;
        Ok(a::UpdateOidcSettingsResponse { details })
    }

    pub async fn get_security_policy(
        &self,
        _ctx: &Ctx,
        _r: a::GetSecurityPolicyRequest,
    ) -> Result<a::GetSecurityPolicyResponse> {
        let mut conn = self.db.acquire("SETTING-db06").await?;
        // Until it is first set, the policy is the zero value (ZITADEL's
        // query answers an empty row).
        let row =
            burg_store::settings::load(&mut conn, &self.instance_id, &self.instance_id, SecurityPolicy::KIND).await?;
        let (policy, details) = match row {
            Some(row) => {
                let policy: SecurityPolicy = serde_json::from_str(&row.data).map_err(|e| {
                    Error::internal("SETTING-dec4", format!("the stored security policy is unreadable: {e}"))
                })?;
                (policy, details(row.sequence, row.creation_date, row.change_date, &row.owner_id))
            }
            None => (SecurityPolicy::default(), zero_details()),
        };
        Ok(a::GetSecurityPolicyResponse {
            policy: Some(pb::SecurityPolicy {
                details,
                enable_iframe_embedding: policy.enable_iframe_embedding,
                allowed_origins: policy.allowed_origins,
                enable_impersonation: policy.enable_impersonation,
            }),
        })
    }

    pub async fn set_security_policy(
        &self,
        ctx: &Ctx,
        r: a::SetSecurityPolicyRequest,
    ) -> Result<a::SetSecurityPolicyResponse> {
        let details = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let current = self.own_setting::<SecurityPolicy>(tx.conn(), Scope::Instance).await?.unwrap_or_default();
            // Only what the Admin API can say changes (SetLegacySecurityPolicy).
            let next = SecurityPolicy {
                enable_iframe_embedding: r.enable_iframe_embedding,
                allowed_origins: r.allowed_origins.clone(),
                enable_impersonation: r.enable_impersonation,
            };
            if next == current {
                return Err(crate::unchanged("POLICY-EWsf3", SecurityPolicy::NAME));
            }
            let events = tx.push(current.changed_events(&self.instance_aggregate(), &next)?).await?;
            tx.commit().await?;
            Ok(changed_details(&events))
        })
        .await?;
        Ok(a::SetSecurityPolicyResponse { details })
    }

    pub async fn list_secret_generators(
        &self,
        _ctx: &Ctx,
        r: a::ListSecretGeneratorsRequest,
    ) -> Result<a::ListSecretGeneratorsResponse> {
        let mut only = None;
        for q in &r.queries {
            match &q.query {
                // A type the domain does not know matches no generator.
                Some(secret_generator_query::Query::TypeQuery(t)) => {
                    only = Some(domain_type(t.generator_type).map_or(0, |t| i64::from(t.code())));
                }
                None => {
                    return Err(Error::invalid_argument(
                        "ORG-fm9es",
                        "a secret generator query must say what it matches",
                    ));
                }
            }
        }
        // No sorting column: in the order of the setup, whatever `asc` says
        // (ZITADEL's query has no order either).
        let page = burg_store::list::Page { asc: true, ..v1_page(r.query.as_ref())? };
        let listed =
            burg_store::instance_settings::list_secret_generators(&self.db, &self.instance_id, only, page).await?;
        let result = listed.rows.into_iter().map(|row| generator_pb(row, &self.instance_id)).collect();
        let seq = self.instance_row(self.db.pool()).await?.sequence;
        Ok(a::ListSecretGeneratorsResponse { details: list_details(listed.total, seq, self.now()), result })
    }

    pub async fn get_secret_generator(
        &self,
        _ctx: &Ctx,
        r: a::GetSecretGeneratorRequest,
    ) -> Result<a::GetSecretGeneratorResponse> {
        let code = domain_type(r.generator_type).map_or(0, |t| i64::from(t.code()));
        let row = burg_store::instance_settings::secret_generator(self.db.pool(), &self.instance_id, code)
            .await?
            .ok_or_else(|| Error::not_found("QUERY-m9wff", "secret generator not found"))?;
        Ok(a::GetSecretGeneratorResponse { secret_generator: Some(generator_pb(row, &self.instance_id)) })
    }

    /// Changes a generator; one the instance lacks is added with the
    /// request's values (ZITADEL's `ChangeSecretGeneratorConfig`).
    pub async fn update_secret_generator(
        &self,
        ctx: &Ctx,
        r: a::UpdateSecretGeneratorRequest,
    ) -> Result<a::UpdateSecretGeneratorResponse> {
        let ty = domain_type(r.generator_type)
            .ok_or_else(|| Error::invalid_argument("COMMAND-33k9f", "`generatorType` must be a defined type"))?;
        let next = GeneratorConfig {
            length: u64::from(r.length),
            expiry: nanos(r.expiry),
            include_lower_letters: r.include_lower_letters,
            include_upper_letters: r.include_upper_letters,
            include_digits: r.include_digits,
            include_symbols: r.include_symbols,
        };
        let on = self.instance_aggregate();
        let details = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let stored =
                burg_store::instance_settings::secret_generator(tx.conn(), &self.instance_id, i64::from(ty.code()))
                    .await?;
            let event = match stored {
                None => NewEvent::new(&on, &SecretGeneratorAdded::new(ty, next))?,
                Some(row) => match SecretGeneratorChanged::between(ty, &row.config, &next) {
                    Some(change) => NewEvent::new(&on, &change)?,
                    None => return Err(crate::unchanged("COMMAND-m0o3f", "secret generator")),
                },
            };
            let events = tx.push(vec![event]).await?;
            tx.commit().await?;
            Ok(changed_details(&events))
        })
        .await?;
        Ok(a::UpdateSecretGeneratorResponse { details })
    }

    pub async fn list_instance_trusted_domains(
        &self,
        _ctx: &Ctx,
        r: a::ListInstanceTrustedDomainsRequest,
    ) -> Result<a::ListInstanceTrustedDomainsResponse> {
        let mut filters = Vec::with_capacity(r.queries.len());
        for q in &r.queries {
            if let Some(trusted_domain_search_query::Query::DomainQuery(d)) = &q.query {
                filters.push(text_match(&d.domain, d.method)?);
            }
        }
        let order = match DomainFieldName::try_from(r.sorting_column).unwrap_or_default() {
            DomainFieldName::Domain => TrustedDomainOrder::Domain,
            _ => TrustedDomainOrder::CreationDate,
        };
        let page = v1_page(r.query.as_ref())?;
        let listed =
            burg_store::instance_settings::list_trusted_domains(&self.db, &self.instance_id, &filters, order, page)
                .await?;
        let result = listed
            .rows
            .into_iter()
            .map(|row| inst::TrustedDomain {
                details: details(row.sequence, row.creation_date, row.creation_date, &self.instance_id),
                domain: row.domain,
            })
            .collect();
        let seq = self.instance_row(self.db.pool()).await?.sequence;
        Ok(a::ListInstanceTrustedDomainsResponse {
            details: list_details(listed.total, seq, self.now()),
            sorting_column: r.sorting_column,
            result,
        })
    }

    pub async fn add_instance_trusted_domain(
        &self,
        ctx: &Ctx,
        r: a::AddInstanceTrustedDomainRequest,
    ) -> Result<a::AddInstanceTrustedDomainResponse> {
        let domain = trusted_domain(&r.domain, ["COMMA-Stk21", "COMMA-S3v3w"])?;
        let details = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            if burg_store::instance_settings::trusts(tx.conn(), &self.instance_id, &domain).await? {
                return Err(Error::failed_precondition("COMMA-hg42a", format!("{domain} is trusted already")));
            }
            let event = NewEvent::new(&self.instance_aggregate(), &TrustedDomainAdded { domain: domain.clone() })?;
            let events = tx.push(vec![event]).await?;
            tx.commit().await?;
            Ok(added_details(&events))
        })
        .await?;
        Ok(a::AddInstanceTrustedDomainResponse { details })
    }

    pub async fn remove_instance_trusted_domain(
        &self,
        ctx: &Ctx,
        r: a::RemoveInstanceTrustedDomainRequest,
    ) -> Result<a::RemoveInstanceTrustedDomainResponse> {
        let domain = trusted_domain(&r.domain, ["COMMA-ajAzwu", "COMMA-lfs3Te"])?;
        let details = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            if !burg_store::instance_settings::trusts(tx.conn(), &self.instance_id, &domain).await? {
                return Err(Error::not_found("COMMA-de3z9", format!("{domain} is not a trusted domain")));
            }
            let event = NewEvent::new(&self.instance_aggregate(), &TrustedDomainRemoved { domain: domain.clone() })?;
            let events = tx.push(vec![event]).await?;
            tx.commit().await?;
            Ok(changed_details(&events))
        })
        .await?;
        Ok(a::RemoveInstanceTrustedDomainResponse { details })
    }
}

/// The security policy as the Settings API v2 has it: the same setting and
/// the same command as the Admin API's (ZITADEL's `SetSecurityPolicy`).
impl App {
    pub async fn get_security_settings(
        &self,
        ctx: &Ctx,
        _r: settings_v2::GetSecuritySettingsRequest,
    ) -> Result<settings_v2::GetSecuritySettingsResponse> {
        let policy = self.get_security_policy(ctx, a::GetSecurityPolicyRequest {}).await?.policy.unwrap_or_default();
        Ok(settings_v2::GetSecuritySettingsResponse {
            details: crate::details_v2(policy.details),
            settings: Some(settings_v2::SecuritySettings {
                embedded_iframe: Some(settings_v2::EmbeddedIframeSettings {
                    enabled: policy.enable_iframe_embedding,
                    allowed_origins: policy.allowed_origins,
                }),
                enable_impersonation: policy.enable_impersonation,
            }),
        })
    }

    pub async fn set_security_settings(
        &self,
        ctx: &Ctx,
        r: settings_v2::SetSecuritySettingsRequest,
    ) -> Result<settings_v2::SetSecuritySettingsResponse> {
        let iframe = r.embedded_iframe.unwrap_or_default();
        let request = a::SetSecurityPolicyRequest {
            enable_iframe_embedding: iframe.enabled,
            allowed_origins: iframe.allowed_origins,
            enable_impersonation: r.enable_impersonation,
        };
        let details = self.set_security_policy(ctx, request).await?.details;
        Ok(settings_v2::SetSecuritySettingsResponse { details: crate::details_v2(details) })
    }
}
