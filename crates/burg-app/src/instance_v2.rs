//! The instance's domains through the Instance API v2
//! (`zitadel.instance.v2.InstanceService`): trusted domains are the Admin
//! API's (same commands, same events); custom domains are the instance's
//! domains (`instance.domain.added` / `removed`, ZITADEL's
//! `AddInstanceDomain` and `RemoveInstanceDomain` checks). burg holds one
//! instance: an `instance_id` naming another is NotFound.

use burg_api::admin as a;
use burg_api::object::{ListDetails, ListQuery};
use burg_api::wkt::Timestamp;
use burg_api::zitadel::filter::v2::{PaginationRequest, PaginationResponse};
use burg_api::zitadel::instance::v1 as inst;
use burg_api::zitadel::instance::v2 as i2;
use burg_domain::event::NewEvent;
use burg_domain::events::instance::{DomainAdded, DomainRemoved};
use burg_domain::instance_settings::domain_runes_ok;
use burg_domain::{Error, Result};

use crate::{App, Ctx};

/// ZITADEL's v2 lists answer 100 items when the request names no limit.
const V2_DEFAULT_LIMIT: u32 = 100;

fn v1_query(p: Option<PaginationRequest>) -> (ListQuery, u64) {
    let p = p.unwrap_or_default();
    let limit = if p.limit == 0 { V2_DEFAULT_LIMIT } else { p.limit };
    (ListQuery { offset: p.offset, limit, asc: p.asc }, u64::from(limit))
}

fn pagination(details: Option<ListDetails>, applied_limit: u64) -> Option<PaginationResponse> {
    Some(PaginationResponse { total_result: details.map_or(0, |d| d.total_result), applied_limit })
}

fn v1_domain_query(d: Option<i2::DomainFilter>) -> Option<inst::DomainQuery> {
    d.map(|d| inst::DomainQuery { domain: d.domain, method: d.method })
}

impl App {
    /// Refuses an `instance_id` that is not this instance's (empty: this one).
    fn this_instance(&self, id: &str) -> Result<()> {
        let id = id.trim();
        if id.is_empty() || id == self.instance_id {
            Ok(())
        } else {
            Err(Error::not_found("INSTANCE-n0t01", format!("instance {id} not found")))
        }
    }

    pub async fn add_custom_domain(
        &self,
        ctx: &Ctx,
        r: i2::AddCustomDomainRequest,
    ) -> Result<i2::AddCustomDomainResponse> {
        self.this_instance(&r.instance_id)?;
        let domain = r.custom_domain.trim().to_string();
        if domain.is_empty() {
            return Err(Error::invalid_argument("INST-28nlD", "`custom_domain` must not be empty"));
        }
        if !domain_runes_ok(&domain) || domain.contains(':') {
            return Err(Error::invalid_argument(
                "INST-S3v3w",
                "`custom_domain` may contain only letters, digits, '.' and '-'",
            ));
        }
        let pushed = crate::in_tx!(self, ctx, |conn| {
            if burg_store::instance::has_domain(conn, &self.instance_id, &domain).await? {
                return Err(Error::already_exists(
                    "INST-i2nl",
                    format!("the instance has the domain {domain} already"),
                ));
            }
            Ok(vec![NewEvent::new(
                &self.instance_aggregate(),
                &DomainAdded { domain: domain.clone(), generated: false },
            )?])
        })?;
        Ok(i2::AddCustomDomainResponse { creation_date: pushed.last().map(|e| Timestamp::from_micros(e.created_at)) })
    }

    pub async fn remove_custom_domain(
        &self,
        ctx: &Ctx,
        r: i2::RemoveCustomDomainRequest,
    ) -> Result<i2::RemoveCustomDomainResponse> {
        self.this_instance(&r.instance_id)?;
        let domain = r.custom_domain.trim().to_string();
        if domain.is_empty() {
            return Err(Error::invalid_argument("INST-39nls", "`custom_domain` must not be empty"));
        }
        let pushed = crate::in_tx!(self, ctx, |conn| {
            let Some(generated) = burg_store::instance::domain_generated(conn, &self.instance_id, &domain).await?
            else {
                return Err(Error::not_found("INSTANCE-8ls9f", format!("the instance has no domain {domain}")));
            };
            if generated {
                return Err(Error::failed_precondition(
                    "INSTANCE-9hn3n",
                    format!("{domain} is the instance's generated domain and cannot be removed"),
                ));
            }
            Ok(vec![NewEvent::new(&self.instance_aggregate(), &DomainRemoved { domain: domain.clone() })?])
        })?;
        Ok(i2::RemoveCustomDomainResponse {
            deletion_date: pushed.last().map(|e| Timestamp::from_micros(e.created_at)),
        })
    }

    pub async fn list_custom_domains(
        &self,
        ctx: &Ctx,
        r: i2::ListCustomDomainsRequest,
    ) -> Result<i2::ListCustomDomainsResponse> {
        self.this_instance(&r.instance_id)?;
        let (query, applied) = v1_query(r.pagination);
        let queries = r
            .filters
            .into_iter()
            .map(|f| inst::DomainSearchQuery {
                query: f.filter.map(|f| match f {
                    i2::custom_domain_filter::Filter::DomainFilter(d) => {
                        inst::domain_search_query::Query::DomainQuery(v1_domain_query(Some(d)).unwrap_or_default())
                    }
                    i2::custom_domain_filter::Filter::GeneratedFilter(g) => {
                        inst::domain_search_query::Query::GeneratedQuery(inst::DomainGeneratedQuery { generated: g })
                    }
                    i2::custom_domain_filter::Filter::PrimaryFilter(p) => {
                        inst::domain_search_query::Query::PrimaryQuery(inst::DomainPrimaryQuery { primary: p })
                    }
                }),
            })
            .collect();
        // The v1 and v2 sorting columns have the same numbers.
        let request = a::ListInstanceDomainsRequest { query: Some(query), sorting_column: r.sorting_column, queries };
        let listed = self.list_instance_domains(ctx, request).await?;
        Ok(i2::ListCustomDomainsResponse {
            domains: listed
                .result
                .into_iter()
                .map(|d| i2::CustomDomain {
                    instance_id: self.instance_id.clone(),
                    creation_date: d.details.and_then(|d| d.creation_date),
                    domain: d.domain,
                    primary: d.primary,
                    generated: d.generated,
                })
                .collect(),
            pagination: pagination(listed.details, applied),
        })
    }

    pub async fn add_trusted_domain(
        &self,
        ctx: &Ctx,
        r: i2::AddTrustedDomainRequest,
    ) -> Result<i2::AddTrustedDomainResponse> {
        self.this_instance(&r.instance_id)?;
        let added = self
            .add_instance_trusted_domain(ctx, a::AddInstanceTrustedDomainRequest { domain: r.trusted_domain })
            .await?;
        Ok(i2::AddTrustedDomainResponse { creation_date: added.details.and_then(|d| d.creation_date) })
    }

    pub async fn remove_trusted_domain(
        &self,
        ctx: &Ctx,
        r: i2::RemoveTrustedDomainRequest,
    ) -> Result<i2::RemoveTrustedDomainResponse> {
        self.this_instance(&r.instance_id)?;
        let request = a::RemoveInstanceTrustedDomainRequest { domain: r.trusted_domain };
        let removed = self.remove_instance_trusted_domain(ctx, request).await?;
        Ok(i2::RemoveTrustedDomainResponse { deletion_date: removed.details.and_then(|d| d.change_date) })
    }

    pub async fn list_trusted_domains(
        &self,
        ctx: &Ctx,
        r: i2::ListTrustedDomainsRequest,
    ) -> Result<i2::ListTrustedDomainsResponse> {
        self.this_instance(&r.instance_id)?;
        let (query, applied) = v1_query(r.pagination);
        let sorting_column = match i2::TrustedDomainFieldName::try_from(r.sorting_column).unwrap_or_default() {
            i2::TrustedDomainFieldName::Domain => inst::DomainFieldName::Domain,
            i2::TrustedDomainFieldName::CreationDate => inst::DomainFieldName::CreationDate,
            i2::TrustedDomainFieldName::Unspecified => inst::DomainFieldName::Unspecified,
        } as i32;
        let queries = r
            .filters
            .into_iter()
            .map(|f| inst::TrustedDomainSearchQuery {
                query: f.filter.map(|i2::trusted_domain_filter::Filter::DomainFilter(d)| {
                    inst::trusted_domain_search_query::Query::DomainQuery(v1_domain_query(Some(d)).unwrap_or_default())
                }),
            })
            .collect();
        let request = a::ListInstanceTrustedDomainsRequest { query: Some(query), sorting_column, queries };
        let listed = self.list_instance_trusted_domains(ctx, request).await?;
        Ok(i2::ListTrustedDomainsResponse {
            trusted_domain: listed
                .result
                .into_iter()
                .map(|d| i2::TrustedDomain {
                    instance_id: self.instance_id.clone(),
                    creation_date: d.details.and_then(|d| d.creation_date),
                    domain: d.domain,
                })
                .collect(),
            pagination: pagination(listed.details, applied),
        })
    }
}
