//! Organizations through the Organization API v2
//! (`zitadel.org.v2.OrganizationService`): the RPCs Terraform's
//! `zitadel_org`, `zitadel_organization`, `…_domain` and `…_metadata`
//! resources call. Each names its organization in the request; the
//! caller's permission is checked in that organization (an instance role
//! holds it everywhere) as ZITADEL's `CheckPermissionOrganization*` do,
//! after the request's own shape, and the Management API's methods do the
//! work, so objects, events and error ids are the v1 ones. The lists show
//! only what the caller may read (`org.read`), as ZITADEL filters them:
//! an organization out of reach lists empty rather than refused.
//! `AddOrganization` is ZITADEL's `SetUpOrg` with its admins: existing
//! users made members, or new human users (`zitadel.user.v2`'s
//! `AddHumanUserRequest`) added with the organization in one write.

use std::collections::HashSet;

use burg_api::management as m;
use burg_api::object::ListQuery;
use burg_api::wkt::Timestamp;
use burg_api::zitadel::filter::v2::PaginationResponse;
use burg_api::zitadel::metadata::v1 as md1;
use burg_api::zitadel::metadata::v2 as md2;
use burg_api::zitadel::object::v2 as obj2;
use burg_api::zitadel::org::v2 as o2;
use burg_api::zitadel::user::v2 as u2;
use burg_domain::event::{Aggregate, NewEvent, aggregate};
use burg_domain::events::org as oe;
use burg_domain::events::user::{EmailCodeAdded, PhoneCodeAdded};
use burg_domain::instance_settings::SecretGeneratorType;
use burg_domain::permission::org_member_roles_valid;
use burg_domain::state::OrgState;
use burg_domain::url_template::{ConfirmUrlData, render};
use burg_domain::{Error, ErrorKind, Result, password, validate};
use burg_store::Conn;
use burg_store::list::Page;
use burg_store::orgs::{DomainFilter, DomainOrder, OrgFilter, OrgOrder};

use crate::list::{MAX_LIMIT, text_match, v2_page};
use crate::mgmt_org::org_aggregate;
use crate::mgmt_user::{DrawnCode, NewHuman, draw_code, metadata_set_event, new_human};
use crate::org::to_org;
use crate::{App, Ctx, changed_details, details_v2, in_tx, shared_ids};

/// Permissions the RPCs check (ZITADEL's `domain.Permission*`).
const ORG_CREATE: &str = "org.create";
const ORG_READ: &str = "org.read";
const ORG_WRITE: &str = "org.write";
const ORG_DELETE: &str = "org.delete";

/// `AddHumanCommand`: a user with the given id exists.
const USER_EXISTS: &str = "COMMAND-k2unb";

/// What a new admin's email or phone gets when it is not verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Code {
    /// Verified, or no phone: no code.
    None,
    /// A code is stored and sent through the active provider.
    Send,
    /// A code is stored and answered (`return_code`).
    Return,
}

/// A new human admin, checked.
struct HumanAdmin {
    user_id: Option<String>,
    human: NewHuman,
    email_code: Code,
    /// The caller's template for the email code's link (`send_code`).
    url_template: String,
    phone_code: Code,
    metadata: Vec<(String, Vec<u8>)>,
}

enum AdminUser {
    Existing(String),
    Human(Box<HumanAdmin>),
}

struct Admin {
    user: AdminUser,
    roles: Vec<String>,
}

/// A human admin as written: its id, codes, and whether the email code is
/// to be sent.
struct CreatedHuman {
    user_id: String,
    email: Option<DrawnCode>,
    phone: Option<DrawnCode>,
    email_code: Code,
    url_template: String,
    phone_code: Code,
}

fn admin_of(i: usize, admin: &o2::add_organization_request::Admin) -> Result<Admin> {
    use o2::add_organization_request::admin::UserType;
    let roles = if admin.roles.is_empty() { vec!["ORG_OWNER".to_string()] } else { admin.roles.clone() };
    if !org_member_roles_valid(&roles) {
        return Err(Error::invalid_argument(
            "Org-4N8es",
            format!(
                "`admins[{i}].roles` must be organization roles (ORG_…), or SELF_MANAGEMENT_GLOBAL alone; given: {}",
                roles.join(", ")
            ),
        ));
    }
    let user = match &admin.user_type {
        Some(UserType::UserId(id)) if id.trim().is_empty() => {
            return Err(Error::invalid_argument(shared_ids::MEMBER_INVALID, format!("`admins[{i}].userId` is empty")));
        }
        Some(UserType::UserId(id)) => AdminUser::Existing(id.clone()),
        Some(UserType::Human(h)) => AdminUser::Human(Box::new(human_admin(i, h)?)),
        None => {
            return Err(Error::unimplemented(
                "ORGv2-SD2r1",
                format!("`admins[{i}]` names no user: give `userId` (an existing user) or `human` (a new one)"),
            ));
        }
    };
    Ok(Admin { user, roles })
}

fn human_admin(i: usize, h: &u2::AddHumanUserRequest) -> Result<HumanAdmin> {
    use u2::add_human_user_request::PasswordType;
    use u2::{set_human_email, set_human_phone};
    let at = |e: Error| e.context(format!("`admins[{i}].human`"));
    let profile = h.profile.clone().unwrap_or_default();
    let email = h.email.clone().unwrap_or_default();
    let (email_verified, email_code) = match &email.verification {
        Some(set_human_email::Verification::IsVerified(true)) => (true, Code::None),
        Some(set_human_email::Verification::ReturnCode(_)) => (false, Code::Return),
        _ => (false, Code::Send),
    };
    let url_template = match &email.verification {
        Some(set_human_email::Verification::SendCode(s)) => s.url_template.clone().unwrap_or_default(),
        _ => String::new(),
    };
    if !url_template.is_empty() {
        let data = ConfirmUrlData { user_id: "userID", code: "code", org_id: "orgID" };
        render(&url_template, data).map_err(at)?;
    }
    let phone = h.phone.clone().filter(|p| !p.phone.trim().is_empty());
    let (phone_verified, phone_code) = match phone.as_ref().map(|p| &p.verification) {
        None => (false, Code::None),
        Some(Some(set_human_phone::Verification::IsVerified(true))) => (true, Code::None),
        Some(Some(set_human_phone::Verification::ReturnCode(_))) => (false, Code::Return),
        Some(_) => (false, Code::Send),
    };
    // As ZITADEL's AddHuman: without a username, the email is the username.
    let user_name = h.username.clone().filter(|u| !u.trim().is_empty()).unwrap_or_else(|| email.email.clone());
    let mut human = new_human(
        &user_name,
        &profile.given_name,
        &profile.family_name,
        profile.nick_name.as_deref().unwrap_or_default(),
        profile.display_name.as_deref().unwrap_or_default(),
        profile.preferred_language.as_deref().unwrap_or_default(),
        profile.gender.unwrap_or_default(),
        &email.email,
        email_verified,
        phone.as_ref().map(|p| (p.phone.as_str(), phone_verified)),
    )
    .map_err(at)?;
    match &h.password_type {
        Some(PasswordType::Password(p)) => {
            human.password = Some(p.password.clone());
            human.change_required = p.change_required;
        }
        Some(PasswordType::HashedPassword(p)) => {
            password::recognize(&p.hash).map_err(|e| e.context(format!("`admins[{i}].human.hashedPassword.hash`")))?;
            human.hashed_password = Some(p.hash.clone());
            human.change_required = p.change_required;
        }
        None => {}
    }
    human.otp_code = h.totp_secret.clone().filter(|s| !s.is_empty());
    human.idps = h.idp_links.iter().map(|l| (l.idp_id.clone(), l.user_id.clone(), l.user_name.clone())).collect();
    let metadata = h.metadata.iter().map(|m| (m.key.clone(), m.value.clone())).collect();
    let user_id = h.user_id.clone().filter(|id| !id.is_empty());
    Ok(HumanAdmin { user_id, human, email_code, url_template, phone_code, metadata })
}

/// `zitadel.org.v2.Organization` of a stored organization.
fn organization(row: burg_store::orgs::OrgRow) -> o2::Organization {
    let org = to_org(row);
    o2::Organization {
        id: org.id,
        details: details_v2(org.details),
        // v1 and v2 number the states alike.
        state: org.state,
        name: org.name,
        primary_domain: org.primary_domain,
    }
}

/// The page of `ListOrganizations` (`zitadel.object.v2.ListQuery`, read as
/// ZITADEL's `ListQueryToQuery`: no limit is the most, 1000).
fn list_page(query: Option<&obj2::ListQuery>) -> Page {
    let q = query.cloned().unwrap_or_default();
    let limit = match i64::from(q.limit) {
        0 => MAX_LIMIT,
        n => n.min(MAX_LIMIT),
    };
    Page { offset: i64::try_from(q.offset).unwrap_or(i64::MAX), limit, asc: q.asc }
}

fn pagination(total: u64, page: &Page) -> Option<PaginationResponse> {
    Some(PaginationResponse { total_result: total, applied_limit: page.limit.max(0) as u64 })
}

impl App {
    /// Whether the call may read organization `org`.
    fn may_read_org(ctx: &Ctx, org: &str) -> bool {
        ctx.principal.has(ORG_READ, Some(org))
    }

    pub async fn add_organization(
        &self,
        ctx: &Ctx,
        r: o2::AddOrganizationRequest,
    ) -> Result<o2::AddOrganizationResponse> {
        // ZITADEL's CheckPermissionOrganizationCreate: on the instance
        // (an organization's role does not reach an organization to be).
        ctx.principal.require(ORG_CREATE, None)?;
        let name = r.name.trim().to_string();
        if name.is_empty() {
            return Err(Error::invalid_argument(shared_ids::ORG_NAME_BLANK, "`name` is empty once trimmed"));
        }
        // `organization_id` wins over the deprecated `org_id`.
        #[allow(deprecated)]
        let given_id = r.organization_id.clone().or(r.org_id.clone()).filter(|id| !id.is_empty());
        let admins = r.admins.iter().enumerate().map(|(i, a)| admin_of(i, a)).collect::<Result<Vec<_>>>()?;
        // The codes are drawn before the write: it reads the generators.
        let mut codes = Vec::with_capacity(admins.len());
        for admin in &admins {
            let AdminUser::Human(h) = &admin.user else {
                codes.push((None, None));
                continue;
            };
            let email = match h.email_code {
                Code::None => None,
                _ => Some(draw_code(self, SecretGeneratorType::VerifyEmailCode).await?),
            };
            let phone = match h.phone_code {
                Code::None => None,
                _ => Some(draw_code(self, SecretGeneratorType::VerifyPhoneCode).await?),
            };
            codes.push((email, phone));
        }
        let (stored, (org_id, created)) = in_tx!(self, ctx, |conn| -> out {
            let org_id = match &given_id {
                Some(id) => {
                    if burg_store::events::aggregate_exists(&mut *conn, &self.instance_id, aggregate::ORG, id).await? {
                        return Err(Error::failed_precondition(
                            "COMMAND-poaj2",
                            format!("an organization with the id {id:?} exists or existed"),
                        ));
                    }
                    id.clone()
                }
                None => self.new_id(),
            };
            let mut events = self.new_org_events(conn, &org_id, &name).await?;
            let mut created = Vec::new();
            let mut members = HashSet::new();
            let mut user_names = HashSet::new();
            for (i, (admin, (email, phone))) in admins.iter().zip(&codes).enumerate() {
                let user_id = match &admin.user {
                    AdminUser::Existing(id) => {
                        self.require_user(conn, id).await.map_err(|e| {
                            if e.kind == ErrorKind::NotFound {
                                Error::failed_precondition(
                                    shared_ids::MEMBER_USER_NOT_FOUND,
                                    format!("`admins[{i}].userId`: user {id:?} not found"),
                                )
                            } else {
                                e
                            }
                        })?;
                        id.clone()
                    }
                    AdminUser::Human(h) => {
                        if !user_names.insert(h.human.user_name.to_lowercase()) {
                            return Err(Error::already_exists(
                                "V3-DKcYh",
                                format!("`admins[{i}].human`: the username {:?} is given twice", h.human.user_name),
                            ));
                        }
                        let user_id = h.user_id.clone().unwrap_or_else(|| self.new_id());
                        events.extend(self.human_admin_events(conn, i, &org_id, &user_id, h, email, phone).await?);
                        created.push(CreatedHuman {
                            user_id: user_id.clone(),
                            email: email.clone(),
                            phone: phone.clone(),
                            email_code: h.email_code,
                            url_template: h.url_template.clone(),
                            phone_code: h.phone_code,
                        });
                        user_id
                    }
                };
                if !members.insert(user_id.clone()) {
                    return Err(Error::already_exists(
                        shared_ids::MEMBER_EXISTS,
                        format!("`admins[{i}]`: user {user_id:?} is named twice"),
                    ));
                }
                let member = oe::MemberAdded { user_id, roles: admin.roles.clone() };
                events.push(NewEvent::new(&org_aggregate(&org_id), &member)?);
            }
            Ok((events, (org_id, created)))
        })?;
        let mut created_admins = Vec::with_capacity(created.len());
        for c in created {
            let email = c.email.as_ref().filter(|_| c.email_code == Code::Send);
            let phone = c.phone.as_ref().filter(|_| c.phone_code == Code::Send);
            if email.is_some() || phone.is_some() {
                self.send_admin_codes(ctx, &c.user_id, email, &c.url_template, phone).await;
            }
            let answered =
                |code: Code, drawn: Option<DrawnCode>| drawn.filter(|_| code == Code::Return).map(|d| d.clear);
            created_admins.push(o2::add_organization_response::CreatedAdmin {
                user_id: c.user_id,
                email_code: answered(c.email_code, c.email),
                phone_code: answered(c.phone_code, c.phone),
            });
        }
        Ok(o2::AddOrganizationResponse {
            details: details_v2(changed_details(&stored)),
            organization_id: org_id,
            created_admins,
        })
    }

    /// ZITADEL's `AddOrgCommand`: the organization with its generated
    /// domain, verified and primary.
    async fn new_org_events(&self, conn: &mut Conn, org_id: &str, name: &str) -> Result<Vec<NewEvent>> {
        let instance_domain = self.primary_instance_domain(conn).await?;
        let generated = validate::org_domain_name(name, &instance_domain)?;
        self.require_free_org_name(conn, name).await?;
        if burg_store::orgs::verified_domain_taken(&mut *conn, &self.instance_id, &generated).await? {
            return Err(Error::already_exists("V3-DKcYh", format!("the domain {generated:?} is taken")));
        }
        let agg = org_aggregate(org_id);
        Ok(vec![
            NewEvent::new(&agg, &oe::OrgAdded { name: name.to_string() })?,
            NewEvent::new(&agg, &oe::DomainAdded { domain: generated.clone() })?,
            NewEvent::new(&agg, &oe::DomainVerified { domain: generated.clone() })?,
            NewEvent::new(&agg, &oe::DomainPrimarySet { domain: generated })?,
        ])
    }

    /// The events of a new human admin of the new organization `org_id`
    /// (ZITADEL's `AddHumanCommand` with the codes drawn for it).
    #[allow(clippy::too_many_arguments)]
    async fn human_admin_events(
        &self,
        conn: &mut Conn,
        i: usize,
        org_id: &str,
        user_id: &str,
        h: &HumanAdmin,
        email: &Option<DrawnCode>,
        phone: &Option<DrawnCode>,
    ) -> Result<Vec<NewEvent>> {
        if burg_store::users::get(&mut *conn, &self.instance_id, user_id).await?.is_some() {
            return Err(Error::failed_precondition(
                USER_EXISTS,
                format!("`admins[{i}].human.userId`: a user with the id {user_id:?} exists"),
            ));
        }
        // As ZITADEL's userValidateDomain: a username in a domain another
        // organization verified is not this one's to take.
        if let Some((_, domain)) = h.human.user_name.rsplit_once('@')
            && burg_store::orgs::verified_domain_taken(&mut *conn, &self.instance_id, domain).await?
        {
            return Err(Error::invalid_argument(
                shared_ids::USERNAME_DOMAIN_TAKEN,
                format!("`admins[{i}].human.username`: the domain {domain:?} belongs to another organization"),
            ));
        }
        self.require_unique_username(conn, &h.human.user_name).await?;
        let field = format!("admins[{i}].human.password.password");
        let mut events = self.human_events(conn, org_id, user_id, &h.human, &field).await?;
        let agg = Aggregate::new(aggregate::USER, user_id, org_id);
        if let Some(code) = email {
            let added = EmailCodeAdded {
                url_template: h.url_template.clone(),
                code_returned: h.email_code == Code::Return,
                ..code.email_added()
            };
            events.push(NewEvent::new(&agg, &added)?);
        }
        if let Some(code) = phone {
            let added = PhoneCodeAdded { code_returned: h.phone_code == Code::Return, ..code.phone_added() };
            events.push(NewEvent::new(&agg, &added)?);
        }
        for (key, value) in &h.metadata {
            events.push(metadata_set_event(agg.clone(), key, value)?);
        }
        Ok(events)
    }

    /// Sends a new admin its email code (with a link made from the
    /// caller's template, when given) and phone code, after the write (a
    /// failure is logged: the organization exists already).
    async fn send_admin_codes(
        &self,
        ctx: &Ctx,
        user_id: &str,
        email: Option<&DrawnCode>,
        url_template: &str,
        phone: Option<&DrawnCode>,
    ) {
        let sent = async {
            let user = burg_store::users::user(self.db.pool(), &self.instance_id, user_id)
                .await?
                .ok_or_else(|| Error::internal("ORG-v2snd", "the new admin is not stored"))?;
            if let Some(code) = email {
                if url_template.is_empty() {
                    self.send_email_code(ctx, &user, &code.clear, code.expiry).await?;
                } else {
                    let data = ConfirmUrlData { user_id: &user.id, code: &code.clear, org_id: &user.resource_owner };
                    let link = render(url_template, data)?;
                    self.send_email_code_linked(&user, &code.clear, code.expiry, link).await?;
                }
            }
            match phone {
                Some(code) => self.send_phone_code(&user, &code.clear, code.expiry).await,
                None => Ok(()),
            }
        };
        if let Err(e) = sent.await {
            tracing::warn!(error_id = e.id, "the new admin's email code was not sent: {}", e.message);
        }
    }

    pub async fn update_organization(
        &self,
        ctx: &Ctx,
        r: o2::UpdateOrganizationRequest,
    ) -> Result<o2::UpdateOrganizationResponse> {
        let ctx = ctx.in_org(ORG_WRITE, &r.organization_id)?;
        let updated = self.update_org(&ctx, m::UpdateOrgRequest { name: r.name }).await?;
        Ok(o2::UpdateOrganizationResponse {
            change_date: updated.details.and_then(|d| d.creation_date.or(d.change_date)),
        })
    }

    /// As ZITADEL's v2 `RemoveOrg` (`mustExist` false): an organization
    /// that does not exist (any more) is no error and answers no date.
    pub async fn delete_organization(
        &self,
        ctx: &Ctx,
        r: o2::DeleteOrganizationRequest,
    ) -> Result<o2::DeleteOrganizationResponse> {
        let exists = {
            let mut conn = self.db.acquire("ORG-db050").await?;
            self.find_org(&mut conn, &r.organization_id).await?.is_some()
        };
        if !exists {
            return Ok(o2::DeleteOrganizationResponse { deletion_date: None });
        }
        let ctx = ctx.in_org(ORG_DELETE, &r.organization_id)?;
        let removed = self.remove_org(&ctx, burg_api::admin::RemoveOrgRequest { org_id: r.organization_id }).await?;
        Ok(o2::DeleteOrganizationResponse { deletion_date: removed.details.and_then(|d| d.change_date) })
    }

    /// The organizations the caller may read that match every query.
    pub async fn list_organizations(
        &self,
        ctx: &Ctx,
        r: o2::ListOrganizationsRequest,
    ) -> Result<o2::ListOrganizationsResponse> {
        use o2::search_query::Query;
        let mut filters = Vec::with_capacity(r.queries.len() + 1);
        for (i, q) in r.queries.iter().enumerate() {
            filters.push(match &q.query {
                Some(Query::NameQuery(n)) => OrgFilter::Name(text_match(&n.name, n.method)?),
                // ZITADEL's v2 domain query: any verified domain.
                Some(Query::DomainQuery(d)) => OrgFilter::VerifiedDomain(text_match(&d.domain, d.method)?),
                Some(Query::StateQuery(s)) => OrgFilter::State(OrgState::from_code(i64::from(s.state))),
                Some(Query::IdQuery(id)) => OrgFilter::Id(id.id.clone()),
                Some(Query::DefaultQuery(_)) => OrgFilter::Id(self.instance_row(self.db.pool()).await?.default_org_id),
                None => {
                    return Err(Error::invalid_argument(
                        "ORG-vR9nC",
                        format!(
                            "`queries[{i}]` names no query: give one of nameQuery, domainQuery, stateQuery, \
                             idQuery, defaultQuery"
                        ),
                    ));
                }
            });
        }
        // Only what the caller may read: all with an instance role, else
        // the organizations its roles grant `org.read` in.
        if !ctx.principal.has(ORG_READ, None) {
            let readable = ctx
                .principal
                .org_permissions
                .iter()
                .filter(|(_, permissions)| permissions.contains(ORG_READ))
                .map(|(org, _)| org.clone())
                .collect();
            filters.push(OrgFilter::Ids(readable));
        }
        let column = o2::OrganizationFieldName::try_from(r.sorting_column).unwrap_or_default();
        let order = match column {
            o2::OrganizationFieldName::Name => OrgOrder::Name,
            _ => OrgOrder::CreationDate,
        };
        let mut page = list_page(r.query.as_ref());
        // `asc` orders by the sorting column; without one ZITADEL orders
        // by nothing, burg by creation, oldest first.
        page.asc |= column == o2::OrganizationFieldName::Unspecified;
        let listed = burg_store::orgs::list(&self.db, &self.instance_id, &filters, order, page).await?;
        Ok(o2::ListOrganizationsResponse {
            details: Some(obj2::ListDetails {
                total_result: listed.total.max(0) as u64,
                processed_sequence: 0,
                timestamp: Some(Timestamp::from_micros(self.now())),
            }),
            sorting_column: r.sorting_column,
            result: listed.rows.into_iter().map(organization).collect(),
        })
    }

    pub async fn add_organization_domain(
        &self,
        ctx: &Ctx,
        r: o2::AddOrganizationDomainRequest,
    ) -> Result<o2::AddOrganizationDomainResponse> {
        let ctx = ctx.in_org(ORG_WRITE, &r.organization_id)?;
        let added = self.add_org_domain(&ctx, m::AddOrgDomainRequest { domain: r.domain }).await?;
        Ok(o2::AddOrganizationDomainResponse { creation_date: added.details.and_then(|d| d.creation_date) })
    }

    pub async fn delete_organization_domain(
        &self,
        ctx: &Ctx,
        r: o2::DeleteOrganizationDomainRequest,
    ) -> Result<o2::DeleteOrganizationDomainResponse> {
        let ctx = ctx.in_org(ORG_WRITE, &r.organization_id)?;
        let removed = self.remove_org_domain(&ctx, m::RemoveOrgDomainRequest { domain: r.domain }).await?;
        Ok(o2::DeleteOrganizationDomainResponse { deletion_date: removed.details.and_then(|d| d.change_date) })
    }

    pub async fn generate_organization_domain_validation(
        &self,
        ctx: &Ctx,
        r: o2::GenerateOrganizationDomainValidationRequest,
    ) -> Result<o2::GenerateOrganizationDomainValidationResponse> {
        let ctx = ctx.in_org(ORG_WRITE, &r.organization_id)?;
        // v1 and v2 number the validation types alike.
        let request = m::GenerateOrgDomainValidationRequest { domain: r.domain, r#type: r.r#type };
        let generated = self.generate_org_domain_validation(&ctx, request).await?;
        Ok(o2::GenerateOrganizationDomainValidationResponse { token: generated.token, url: generated.url })
    }

    /// The organization's domains, when the caller may read it (else none).
    pub async fn list_organization_domains(
        &self,
        ctx: &Ctx,
        r: o2::ListOrganizationDomainsRequest,
    ) -> Result<o2::ListOrganizationDomainsResponse> {
        use o2::domain_search_filter::Filter;
        let mut page = v2_page(r.pagination.as_ref())?;
        let mut filters = Vec::with_capacity(r.filters.len());
        for (i, f) in r.filters.iter().enumerate() {
            match &f.filter {
                Some(Filter::DomainFilter(d)) => filters.push(DomainFilter::Name(text_match(&d.domain, d.method)?)),
                None => {
                    return Err(Error::invalid_argument(
                        "ORG-Ags89",
                        format!("`filters[{i}]` names no filter: give domainFilter"),
                    ));
                }
            }
        }
        let column = o2::DomainFieldName::try_from(r.sorting_column).unwrap_or_default();
        let order = match column {
            o2::DomainFieldName::CreationDate => DomainOrder::CreationDate,
            _ => DomainOrder::Name,
        };
        // `asc` orders by the sorting column; without one, by name.
        page.asc |= column == o2::DomainFieldName::Unspecified;
        if !Self::may_read_org(ctx, &r.organization_id) {
            return Ok(o2::ListOrganizationDomainsResponse { pagination: pagination(0, &page), domains: Vec::new() });
        }
        let listed =
            burg_store::orgs::list_domains(&self.db, &self.instance_id, &r.organization_id, &filters, order, page)
                .await?;
        Ok(o2::ListOrganizationDomainsResponse {
            pagination: pagination(listed.total.max(0) as u64, &page),
            domains: listed
                .rows
                .into_iter()
                .map(|d| o2::Domain {
                    organization_id: d.org_id,
                    domain: d.domain,
                    is_verified: d.is_verified,
                    is_primary: d.is_primary,
                    validation_type: d.validation_type.code() as i32,
                })
                .collect(),
        })
    }

    pub async fn verify_organization_domain(
        &self,
        ctx: &Ctx,
        r: o2::VerifyOrganizationDomainRequest,
    ) -> Result<o2::VerifyOrganizationDomainResponse> {
        let ctx = ctx.in_org(ORG_WRITE, &r.organization_id)?;
        let verified = self.validate_org_domain(&ctx, m::ValidateOrgDomainRequest { domain: r.domain }).await?;
        Ok(o2::VerifyOrganizationDomainResponse { change_date: verified.details.and_then(|d| d.change_date) })
    }

    pub async fn set_organization_metadata(
        &self,
        ctx: &Ctx,
        r: o2::SetOrganizationMetadataRequest,
    ) -> Result<o2::SetOrganizationMetadataResponse> {
        if r.metadata.is_empty() {
            return Err(Error::failed_precondition(shared_ids::METADATA_NO_DATA, "`metadata` is empty"));
        }
        let ctx = ctx.in_org(ORG_WRITE, &r.organization_id)?;
        let metadata = r
            .metadata
            .into_iter()
            .map(|m| m::bulk_set_org_metadata_request::Metadata { key: m.key, value: m.value })
            .collect();
        let set = self.bulk_set_org_metadata(&ctx, m::BulkSetOrgMetadataRequest { metadata }).await?;
        Ok(o2::SetOrganizationMetadataResponse { set_date: set.details.and_then(|d| d.change_date) })
    }

    /// The organization's metadata, when the caller may read it (else none).
    pub async fn list_organization_metadata(
        &self,
        ctx: &Ctx,
        r: o2::ListOrganizationMetadataRequest,
    ) -> Result<o2::ListOrganizationMetadataResponse> {
        use md2::metadata_search_filter::Filter;
        let page = v2_page(r.pagination.as_ref())?;
        let mut queries = Vec::with_capacity(r.filters.len());
        for (i, f) in r.filters.iter().enumerate() {
            match &f.filter {
                // v1 and v2 number the text methods alike.
                Some(Filter::KeyFilter(k)) => queries.push(md1::MetadataQuery {
                    query: Some(md1::metadata_query::Query::KeyQuery(md1::MetadataKeyQuery {
                        key: k.key.clone(),
                        method: k.method,
                    })),
                }),
                None => {
                    return Err(Error::invalid_argument(
                        "METAD-fdg23",
                        format!("`filters[{i}]` names no filter: give keyFilter"),
                    ));
                }
            }
        }
        if !Self::may_read_org(ctx, &r.organization_id) {
            return Ok(o2::ListOrganizationMetadataResponse { pagination: pagination(0, &page), metadata: Vec::new() });
        }
        let ctx = ctx.in_org(ORG_READ, &r.organization_id)?;
        // The request names no order: by key, ascending.
        let query = ListQuery { offset: page.offset.max(0) as u64, limit: page.limit.max(0) as u32, asc: true };
        let listed = self.list_org_metadata(&ctx, m::ListOrgMetadataRequest { query: Some(query), queries }).await?;
        Ok(o2::ListOrganizationMetadataResponse {
            pagination: pagination(listed.details.map_or(0, |d| d.total_result), &page),
            metadata: listed
                .result
                .into_iter()
                .map(|m| {
                    let details = m.details.unwrap_or_default();
                    md2::Metadata {
                        creation_date: details.creation_date,
                        change_date: details.change_date,
                        key: m.key,
                        value: m.value,
                    }
                })
                .collect(),
        })
    }

    pub async fn delete_organization_metadata(
        &self,
        ctx: &Ctx,
        r: o2::DeleteOrganizationMetadataRequest,
    ) -> Result<o2::DeleteOrganizationMetadataResponse> {
        if r.keys.is_empty() {
            return Err(Error::failed_precondition(shared_ids::METADATA_NO_KEYS, "`keys` is empty"));
        }
        let ctx = ctx.in_org(ORG_WRITE, &r.organization_id)?;
        let removed = self.bulk_remove_org_metadata(&ctx, m::BulkRemoveOrgMetadataRequest { keys: r.keys }).await?;
        Ok(o2::DeleteOrganizationMetadataResponse { deletion_date: removed.details.and_then(|d| d.change_date) })
    }
}
