//! An organization's domains: add, list, remove, make primary, and prove
//! one by a challenge (`GenerateOrgDomainValidation`, `ValidateOrgDomain`).

use burg_api::management::{
    AddOrgDomainRequest, AddOrgDomainResponse, GenerateOrgDomainValidationRequest, GenerateOrgDomainValidationResponse,
    ListOrgDomainsRequest, ListOrgDomainsResponse, RemoveOrgDomainRequest, RemoveOrgDomainResponse,
    SetPrimaryOrgDomainRequest, SetPrimaryOrgDomainResponse, ValidateOrgDomainRequest, ValidateOrgDomainResponse,
};
use burg_api::zitadel::org::v1::{Domain, domain_search_query::Query};
use burg_domain::crypto::Sealed;
use burg_domain::event::NewEvent;
use burg_domain::events::org as oe;
use burg_domain::policies::DomainPolicy;
use burg_domain::state::DomainValidationType;
use burg_domain::{Error, Result};
use burg_store::orgs::{DomainFilter, DomainOrder, DomainRow};

use super::dns::TxtAnswer;
use super::org_aggregate;
use crate::egress::{find_refusal, read_capped, refused};
use crate::list::{list_details, text_match, v1_page};
use crate::settings::Scope;
use crate::{App, Ctx, added_details, changed_details, details, retry};

/// How burg looks for a domain's challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainCheck {
    /// The scheme of the HTTP challenge's URL: ZITADEL's `https`; tests
    /// serve it over `http`.
    pub http_scheme: String,
    /// The name server (host, port) asked for DNS challenges over TCP; the
    /// first of `/etc/resolv.conf` when `None`.
    pub name_server: Option<(String, u16)>,
}

impl Default for DomainCheck {
    fn default() -> Self {
        DomainCheck { http_scheme: "https".into(), name_server: None }
    }
}

/// ZITADEL's ids given in more than one place here.
const NOT_ON_ORG: &str = "ORG-GDfA3";
const NOT_ON_ORG_TO_VALIDATE: &str = "ORG-Sjdi3";

fn already_verified() -> Error {
    Error::failed_precondition("ORG-HGw21", "the domain is verified already")
}

fn no_match(domain: &str) -> Error {
    Error::not_found("ORG-GH422", format!("the challenge of {domain:?} does not match"))
}

/// The length of a challenge token (ZITADEL's `DomainVerification`
/// generator: 32 letters and digits).
const TOKEN_LEN: usize = 32;
const TOKEN_CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/// The most of a challenge answer burg reads.
const ANSWER_CAP: usize = 4096;

fn to_domain(row: DomainRow) -> Domain {
    Domain {
        details: details(row.sequence, row.creation_date, row.change_date, &row.org_id),
        org_id: row.org_id,
        domain_name: row.domain,
        is_verified: row.is_verified,
        is_primary: row.is_primary,
        validation_type: row.validation_type.code() as i32,
    }
}

fn new_token() -> String {
    (0..TOKEN_LEN).map(|_| TOKEN_CHARS[rand::random_range(0..TOKEN_CHARS.len())] as char).collect()
}

impl App {
    fn challenge_url(&self, domain: &str, token: &str, kind: DomainValidationType) -> String {
        match kind {
            DomainValidationType::Dns => format!("_zitadel-challenge.{domain}"),
            _ => {
                format!("{}://{domain}/.well-known/zitadel-challenge/{token}.txt", self.config.domain_check.http_scheme)
            }
        }
    }

    pub async fn add_org_domain(&self, ctx: &Ctx, req: AddOrgDomainRequest) -> Result<AddOrgDomainResponse> {
        let domain = req.domain.trim().to_string();
        if domain.is_empty() {
            return Err(Error::invalid_argument(crate::shared_ids::DOMAIN_BLANK, "`domain` is empty once trimmed"));
        }
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = self.org_of_write(tx.conn(), ctx.org()).await?;
            if burg_store::orgs::domain(tx.conn(), &self.instance_id, &org.id, &domain).await?.is_some() {
                return Err(Error::already_exists(
                    crate::shared_ids::DOMAIN_ON_ORG,
                    format!("the organization has the domain {domain:?}"),
                ));
            }
            let policy = self.setting::<DomainPolicy>(tx.conn(), Scope::Org(&org.id)).await?.value;
            let agg = org_aggregate(&org.id);
            let mut events = vec![NewEvent::new(&agg, &oe::DomainAdded { domain: domain.clone() })?];
            // Without validation the domain is verified at once, which only
            // one organization may be.
            if !policy.validate_org_domains {
                if burg_store::orgs::domain_verified_elsewhere(tx.conn(), &self.instance_id, &org.id, &domain).await? {
                    return Err(Error::already_exists("V3-DKcYh", format!("the domain {domain:?} is taken")));
                }
                events.push(NewEvent::new(&agg, &oe::DomainVerified { domain: domain.clone() })?);
            }
            let stored = tx.push(events).await?;
            tx.commit().await?;
            Ok(AddOrgDomainResponse { details: added_details(&stored) })
        })
        .await
    }

    pub async fn list_org_domains(&self, ctx: &Ctx, req: ListOrgDomainsRequest) -> Result<ListOrgDomainsResponse> {
        let mut filters = Vec::with_capacity(req.queries.len());
        for q in &req.queries {
            if let Some(Query::DomainNameQuery(n)) = &q.query {
                filters.push(DomainFilter::Name(text_match(&n.name, n.method)?));
            }
        }
        let page = v1_page(req.query.as_ref())?;
        let listed =
            burg_store::orgs::list_domains(&self.db, &self.instance_id, ctx.org(), &filters, DomainOrder::Name, page)
                .await?;
        Ok(ListOrgDomainsResponse {
            details: list_details(listed.total, 0, self.now()),
            result: listed.rows.into_iter().map(to_domain).collect(),
        })
    }

    /// A domain of the call's organization, or NotFound with `id`.
    async fn org_domain(
        &self,
        conn: &mut burg_store::Conn,
        ctx: &Ctx,
        domain: &str,
        id: &'static str,
    ) -> Result<DomainRow> {
        burg_store::orgs::domain(conn, &self.instance_id, ctx.org(), domain)
            .await?
            .ok_or_else(|| Error::not_found(id, format!("the organization has no domain {domain:?}")))
    }

    /// As ZITADEL: the primary domain stays; a verified one may go.
    pub async fn remove_org_domain(&self, ctx: &Ctx, req: RemoveOrgDomainRequest) -> Result<RemoveOrgDomainResponse> {
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let row = self.org_domain(tx.conn(), ctx, &req.domain, NOT_ON_ORG).await?;
            if row.is_primary {
                return Err(Error::failed_precondition("ORG-Sjdi3", "the primary domain cannot be removed"));
            }
            let agg = org_aggregate(&row.org_id);
            let events = tx.push(vec![NewEvent::new(&agg, &oe::DomainRemoved { domain: row.domain })?]).await?;
            tx.commit().await?;
            Ok(RemoveOrgDomainResponse { details: changed_details(&events) })
        })
        .await
    }

    pub async fn set_primary_org_domain(
        &self,
        ctx: &Ctx,
        req: SetPrimaryOrgDomainRequest,
    ) -> Result<SetPrimaryOrgDomainResponse> {
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let row = self.org_domain(tx.conn(), ctx, &req.domain, NOT_ON_ORG).await?;
            if !row.is_verified {
                return Err(Error::failed_precondition(
                    crate::shared_ids::DOMAIN_NOT_VERIFIED,
                    "only a verified domain can be primary",
                ));
            }
            let agg = org_aggregate(&row.org_id);
            let events = tx.push(vec![NewEvent::new(&agg, &oe::DomainPrimarySet { domain: row.domain })?]).await?;
            tx.commit().await?;
            Ok(SetPrimaryOrgDomainResponse { details: changed_details(&events) })
        })
        .await
    }

    /// A new challenge for an unverified domain: the token (kept sealed in
    /// the event) and where to put it.
    pub async fn generate_org_domain_validation(
        &self,
        ctx: &Ctx,
        req: GenerateOrgDomainValidationRequest,
    ) -> Result<GenerateOrgDomainValidationResponse> {
        let kind = match DomainValidationType::from_code(i64::from(req.r#type)) {
            Some(k @ (DomainValidationType::Http | DomainValidationType::Dns)) => k,
            _ => return Err(Error::invalid_argument("ORG-Gsw31", "`type` must be HTTP or DNS")),
        };
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let row = self.org_domain(tx.conn(), ctx, &req.domain, "ORG-AGD31").await?;
            if row.is_verified {
                return Err(already_verified());
            }
            let token = new_token();
            let url = self.challenge_url(&row.domain, &token, kind);
            let agg = org_aggregate(&row.org_id);
            let event = oe::DomainVerificationAdded {
                domain: row.domain.clone(),
                validation_type: kind.code() as i32,
                validation_code: Some(self.key.seal_str(&token)),
            };
            tx.push(vec![NewEvent::new(&agg, &event)?]).await?;
            tx.commit().await?;
            Ok(GenerateOrgDomainValidationResponse { token, url })
        })
        .await
    }

    /// Looks for the domain's challenge; verified when found, else a
    /// `verification.failed` event and the check's error.
    pub async fn validate_org_domain(
        &self,
        ctx: &Ctx,
        req: ValidateOrgDomainRequest,
    ) -> Result<ValidateOrgDomainResponse> {
        // The challenge is looked for outside the write: it may take seconds.
        let (row, token) = {
            let mut conn = self.db.acquire("ORG-db021").await?;
            let row = self.org_domain(&mut conn, ctx, &req.domain, NOT_ON_ORG_TO_VALIDATE).await?;
            if row.is_verified {
                return Err(already_verified());
            }
            if row.validation_code.is_empty() || row.validation_type == DomainValidationType::Unspecified {
                return Err(Error::failed_precondition(
                    "ORG-SFBB3",
                    "the domain has no challenge: call GenerateOrgDomainValidation first",
                ));
            }
            let sealed: Sealed = serde_json::from_str(&row.validation_code)
                .map_err(|e| Error::internal("ORG-vc001", format!("the stored challenge is unreadable: {e}")))?;
            let token = self.key.open_string(&sealed)?;
            (row, token)
        };
        let checked = match row.validation_type {
            DomainValidationType::Dns => self.check_dns_challenge(&row.domain, token.expose()).await,
            _ => self.check_http_challenge(&row.domain, token.expose()).await,
        };
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let current = self.org_domain(tx.conn(), ctx, &req.domain, NOT_ON_ORG_TO_VALIDATE).await?;
            let agg = org_aggregate(&current.org_id);
            if let Err(e) = &checked {
                tx.push(vec![NewEvent::new(&agg, &oe::DomainVerificationFailed { domain: current.domain.clone() })?])
                    .await?;
                tx.commit().await?;
                return Err(e.clone());
            }
            if current.is_verified {
                return Err(already_verified());
            }
            if burg_store::orgs::domain_verified_elsewhere(
                tx.conn(),
                &self.instance_id,
                &current.org_id,
                &current.domain,
            )
            .await?
            {
                return Err(Error::already_exists("V3-DKcYh", format!("the domain {:?} is taken", current.domain)));
            }
            let events =
                tx.push(vec![NewEvent::new(&agg, &oe::DomainVerified { domain: current.domain.clone() })?]).await?;
            tx.commit().await?;
            Ok(ValidateOrgDomainResponse { details: changed_details(&events) })
        })
        .await
    }

    /// ZITADEL's `ValidateDomainHTTP`: the file must hold exactly the token.
    async fn check_http_challenge(&self, domain: &str, token: &str) -> Result<()> {
        let url = self.challenge_url(domain, token, DomainValidationType::Http);
        let request = self.egress.documents().request(reqwest::Method::GET, &url).map_err(|r| refused("domain", &r))?;
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => {
                if let Some(r) = find_refusal(&e) {
                    return Err(refused("domain", r));
                }
                return Err(Error::internal("HTTP-BH42h", format!("cannot fetch the challenge of {domain:?}")));
            }
        };
        match response.status() {
            reqwest::StatusCode::OK => {}
            reqwest::StatusCode::NOT_FOUND => {
                return Err(Error::not_found("ORG-F4zhw", format!("the challenge of {domain:?} is not found")));
            }
            status => {
                return Err(Error::internal(
                    "HTTP-G2zsw",
                    format!("the challenge of {domain:?} answered HTTP {}", status.as_u16()),
                ));
            }
        }
        let body = read_capped(response, ANSWER_CAP).await.map_err(|_| no_match(domain))?;
        if body == token.as_bytes() { Ok(()) } else { Err(no_match(domain)) }
    }

    /// ZITADEL's `ValidateDomainDNS`: a TXT record of
    /// `_zitadel-challenge.<domain>` must be the token.
    async fn check_dns_challenge(&self, domain: &str, token: &str) -> Result<()> {
        let server = match &self.config.domain_check.name_server {
            Some(server) => server.clone(),
            None => super::dns::system_name_server().ok_or_else(|| {
                Error::internal(super::dns::DNS_FAILED, "no name server is configured (/etc/resolv.conf)")
            })?,
        };
        let name = self.challenge_url(domain, token, DomainValidationType::Dns);
        match self.egress.lookup_txt((&server.0, server.1), &name).await? {
            TxtAnswer::Records(records) if records.iter().any(|r| r == token) => Ok(()),
            TxtAnswer::Records(records) if !records.is_empty() => {
                Err(Error::not_found("ORG-G28if", format!("no TXT record of {name} holds the token")))
            }
            _ => Err(Error::not_found("ORG-G241f", format!("{name} has no TXT record"))),
        }
    }
}
