//! Organizations: `IsOrgUnique`, `GetOrgByID`, `ListOrgs`, `SetUpOrg`,
//! the default organization, `RemoveOrg` (of both APIs).

use burg_api::admin::set_up_org_request::{Human, User};
use burg_api::admin::{
    GetDefaultOrgRequest, GetDefaultOrgResponse, GetOrgByIdRequest, GetOrgByIdResponse, IsOrgUniqueRequest,
    IsOrgUniqueResponse, ListOrgsRequest, ListOrgsResponse, RemoveOrgRequest, RemoveOrgResponse, SetDefaultOrgRequest,
    SetDefaultOrgResponse, SetUpOrgRequest, SetUpOrgResponse,
};
use burg_api::object::ObjectDetails;
use burg_api::zitadel::org::v1::{Org, OrgFieldName, org_query::Query};
use burg_domain::crypto::MasterKey;
use burg_domain::event::{Aggregate, NewEvent, aggregate};
use burg_domain::events::{instance as ie, org as oe, user as ue};
use burg_domain::instance_settings::SecretGeneratorType;
use burg_domain::state::OrgState;
use burg_domain::{Error, Result, password, permission, phone, validate};
use burg_store::orgs::{OrgFilter, OrgOrder, OrgRow};
use burg_store::{Conn, Pooled};

use crate::list::{list_details, text_match, v1_page};
use crate::mgmt_user::DrawnCode;
use crate::{App, Ctx, added_details, changed_details, details, retry};

/// A `RemoveOrg` request of either API.
pub trait RemoveOrgCall {
    type Response;
    /// The organization to remove.
    fn org_id(&self, ctx: &Ctx) -> String;
    fn answer(details: Option<ObjectDetails>) -> Self::Response;
}

impl RemoveOrgCall for RemoveOrgRequest {
    type Response = RemoveOrgResponse;
    fn org_id(&self, _ctx: &Ctx) -> String {
        self.org_id.clone()
    }
    fn answer(details: Option<ObjectDetails>) -> RemoveOrgResponse {
        RemoveOrgResponse { details }
    }
}

impl RemoveOrgCall for burg_api::management::RemoveOrgRequest {
    type Response = burg_api::management::RemoveOrgResponse;
    fn org_id(&self, ctx: &Ctx) -> String {
        ctx.org().to_string()
    }
    fn answer(details: Option<ObjectDetails>) -> Self::Response {
        burg_api::management::RemoveOrgResponse { details }
    }
}

/// `zitadel.org.v1.Org` of a stored organization.
pub(crate) fn to_org(row: OrgRow) -> Org {
    Org {
        details: details(row.sequence, row.creation_date, row.change_date, &row.id),
        state: row.state.code() as i32,
        name: row.name,
        primary_domain: row.primary_domain,
        id: row.id,
    }
}

impl App {
    pub(crate) async fn find_org(&self, conn: &mut Conn, id: &str) -> Result<Option<OrgRow>> {
        burg_store::orgs::get(conn, &self.instance_id, id).await
    }

    pub(crate) async fn require_org(&self, conn: &mut Conn, id: &str) -> Result<OrgRow> {
        self.find_org(conn, id)
            .await?
            .ok_or_else(|| Error::not_found("ORG-nf002", format!("organization {id:?} not found")))
    }

    async fn pooled(&self) -> Result<Pooled> {
        self.db.acquire("ORG-db004").await
    }

    pub async fn is_org_unique(&self, _ctx: &Ctx, req: IsOrgUniqueRequest) -> Result<IsOrgUniqueResponse> {
        if req.name.is_empty() && req.domain.is_empty() {
            return Err(Error::invalid_argument("QUERY-DGqfd", "give `name` or `domain` (or both)"));
        }
        validate::len("name", &req.name, 0, 200)?;
        validate::len("domain", &req.domain, 0, 200)?;
        let mut conn = self.pooled().await?;
        let is_unique =
            self.org_name_free(&mut conn, &req.name).await? && self.org_domain_free(&mut conn, &req.domain).await?;
        Ok(IsOrgUniqueResponse { is_unique })
    }

    async fn org_name_free(&self, conn: &mut Conn, name: &str) -> Result<bool> {
        if name.is_empty() {
            return Ok(true);
        }
        Ok(!burg_store::orgs::name_taken(conn, &self.instance_id, name).await?)
    }

    async fn org_domain_free(&self, conn: &mut Conn, domain: &str) -> Result<bool> {
        if domain.is_empty() {
            return Ok(true);
        }
        Ok(!burg_store::orgs::verified_domain_taken(conn, &self.instance_id, domain).await?)
    }

    pub async fn get_org_by_id(&self, _ctx: &Ctx, req: GetOrgByIdRequest) -> Result<GetOrgByIdResponse> {
        let mut conn = self.pooled().await?;
        Ok(GetOrgByIdResponse { org: Some(to_org(self.require_org(&mut conn, &req.id).await?)) })
    }

    pub async fn list_orgs(&self, _ctx: &Ctx, req: ListOrgsRequest) -> Result<ListOrgsResponse> {
        let mut filters = Vec::with_capacity(req.queries.len());
        for q in &req.queries {
            match &q.query {
                Some(Query::NameQuery(n)) => filters.push(OrgFilter::Name(text_match(&n.name, n.method)?)),
                Some(Query::DomainQuery(d)) => filters.push(OrgFilter::PrimaryDomain(text_match(&d.domain, d.method)?)),
                Some(Query::StateQuery(s)) => filters.push(OrgFilter::State(OrgState::from_code(i64::from(s.state)))),
                Some(Query::IdQuery(i)) => filters.push(OrgFilter::Id(i.id.clone())),
                None => {}
            }
        }
        let order = match OrgFieldName::try_from(req.sorting_column).unwrap_or_default() {
            OrgFieldName::Name => OrgOrder::Name,
            OrgFieldName::Unspecified => OrgOrder::CreationDate,
        };
        let page = v1_page(req.query.as_ref())?;
        let listed = burg_store::orgs::list(&self.db, &self.instance_id, &filters, order, page).await?;
        let result = listed.rows.into_iter().map(to_org).collect();
        Ok(ListOrgsResponse {
            details: list_details(listed.total, 0, self.now()),
            sorting_column: req.sorting_column,
            result,
        })
    }

    pub async fn get_default_org(&self, _ctx: &Ctx, _req: GetDefaultOrgRequest) -> Result<GetDefaultOrgResponse> {
        let mut conn = self.pooled().await?;
        let id = self.instance_row(&mut *conn).await?.default_org_id;
        Ok(GetDefaultOrgResponse { org: Some(to_org(self.require_org(&mut conn, &id).await?)) })
    }

    pub async fn set_default_org(&self, ctx: &Ctx, req: SetDefaultOrgRequest) -> Result<SetDefaultOrgResponse> {
        if req.org_id.is_empty() {
            return Err(Error::invalid_argument("INST-SWffe", "`orgId` is required"));
        }
        validate::len("orgId", &req.org_id, 1, 200)?;
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            // A reference inside a write: ZITADEL's FailedPrecondition, one
            // answer for an unknown and an inactive organization.
            let active = self.find_org(tx.conn(), &req.org_id).await?.is_some_and(|o| o.state == OrgState::Active);
            if !active {
                return Err(Error::failed_precondition(
                    "INSTA-Wfe21",
                    format!("organization {:?} not found or not active", req.org_id),
                ));
            }
            if self.instance_row(tx.conn()).await?.default_org_id == req.org_id {
                return Err(crate::unchanged("INST-SDfw2", "default organization"));
            }
            let inst = Aggregate::new(aggregate::INSTANCE, &self.instance_id, &self.instance_id);
            let events =
                tx.push(vec![NewEvent::new(&inst, &ie::DefaultOrgSet { org_id: req.org_id.clone() })?]).await?;
            tx.commit().await?;
            Ok(SetDefaultOrgResponse { details: changed_details(&events) })
        })
        .await
    }

    /// As ZITADEL's `prepareRemoveOrg`: refuses the default organization
    /// and an unknown one, nothing else (the last instance owner's
    /// organization may go too). The Admin API names the organization, the
    /// Management API removes the call's own.
    pub async fn remove_org<R: RemoveOrgCall>(&self, ctx: &Ctx, req: R) -> Result<R::Response> {
        let org_id = req.org_id(ctx);
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            if self.instance_row(tx.conn()).await?.default_org_id == org_id {
                return Err(Error::failed_precondition("COMMA-wG9p1", "the default organization cannot be removed"));
            }
            let org = self
                .find_org(tx.conn(), &org_id)
                .await?
                .ok_or_else(|| Error::not_found("COMMA-aps2n", format!("organization {org_id:?} not found")))?;
            let agg = Aggregate::new(aggregate::ORG, &org.id, &org.id);
            let events = tx.push(vec![NewEvent::bare::<oe::OrgRemoved>(&agg)]).await?;
            tx.commit().await?;
            // As ZITADEL: the instance owns a removed organization.
            let details =
                changed_details(&events).map(|d| ObjectDetails { resource_owner: self.instance_id.clone(), ..d });
            Ok(R::answer(details))
        })
        .await
    }

    pub async fn set_up_org(&self, ctx: &Ctx, req: SetUpOrgRequest) -> Result<SetUpOrgResponse> {
        let org = req.org.clone().unwrap_or_default();
        validate::name("org.name", &org.name)?;
        validate::len("org.domain", &org.domain, 0, 200)?;
        // As ZITADEL's AddOrgCommand: the name is trimmed, and must not be
        // empty then.
        let name = org.name.trim().to_string();
        if name.is_empty() {
            return Err(Error::invalid_argument(crate::shared_ids::ORG_NAME_BLANK, "`org.name` is empty once trimmed"));
        }
        // And its custom domain (prepareAddOrgDomain).
        let custom_domain = org.domain.trim().to_string();
        if !org.domain.is_empty() && custom_domain.is_empty() {
            return Err(Error::invalid_argument(crate::shared_ids::DOMAIN_BLANK, "`org.domain` is empty once trimmed"));
        }
        let Some(User::Human(human)) = &req.user else {
            return Err(Error::invalid_argument("ORG-setup1", "`human` is required: the organization's first user"));
        };
        let human = NewHuman::from_request(human)?;
        let roles = if req.roles.is_empty() { vec!["ORG_OWNER".to_string()] } else { req.roles.clone() };
        if !permission::org_member_roles_valid(&roles) {
            return Err(Error::invalid_argument(
                "Org-4N8es",
                format!(
                    "`roles` must be organization roles (ORG_…), or SELF_MANAGEMENT_GLOBAL alone; given: {}",
                    roles.join(", ")
                ),
            ));
        }
        let hash = match &human.password {
            None => None,
            Some(plain) => {
                password::check_default_complexity(plain).map_err(|e| e.context("`human.password`"))?;
                Some(password::hash_plain(plain, self.config.password_cost)?)
            }
        };
        // The first codes of ZITADEL's AddHumanCommand (init mails
        // allowed): an initialization code unless the address is verified
        // and a password set, a phone code for an unverified number.
        let wants_init = !human.email_verified || human.password.is_none();
        let wants_phone = human.phone.as_ref().is_some_and(|(_, verified)| !verified);
        let init = match wants_init {
            true => Some(crate::mgmt_user::draw_code(self, SecretGeneratorType::InitCode).await?),
            false => None,
        };
        let phone = match wants_phone {
            true => Some(crate::mgmt_user::draw_code(self, SecretGeneratorType::VerifyPhoneCode).await?),
            false => None,
        };
        let answer = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let instance_domain = self.primary_instance_domain(tx.conn()).await?;
            let generated = validate::org_domain_name(&name, &instance_domain)?;
            if !self.org_name_free(tx.conn(), &name).await? {
                return Err(Error::already_exists("V3-DKcYh", format!("an organization named {name:?} exists")));
            }
            if !self.org_domain_free(tx.conn(), &custom_domain).await? {
                return Err(Error::already_exists("ORG-uniq2", format!("the domain {custom_domain:?} is taken")));
            }
            // As ZITADEL's userValidateDomain: a username that ends in a
            // domain another organization verified is not this one's to take.
            if let Some((_, domain)) = human.user_name.rsplit_once('@')
                && burg_store::orgs::verified_domain_taken(tx.conn(), &self.instance_id, domain).await?
            {
                return Err(Error::invalid_argument(
                    crate::shared_ids::USERNAME_DOMAIN_TAKEN,
                    format!("the username's domain {domain:?} belongs to another organization"),
                ));
            }
            self.require_unique_username(tx.conn(), &human.user_name).await?;
            let org_id = self.new_id();
            let user_id = self.new_id();
            let agg = Aggregate::new(aggregate::ORG, &org_id, &org_id);
            // ZITADEL's order: the organization with its generated domain,
            // the user, the membership, then the custom domain, added and
            // verified (the default domain policy does not ask to validate
            // it) but not made primary.
            let mut events = vec![
                NewEvent::new(&agg, &oe::OrgAdded { name: name.clone() })?,
                NewEvent::new(&agg, &oe::DomainAdded { domain: generated.clone() })?,
                NewEvent::new(&agg, &oe::DomainVerified { domain: generated.clone() })?,
                NewEvent::new(&agg, &oe::DomainPrimarySet { domain: generated })?,
            ];
            let codes = (init.as_ref(), phone.as_ref());
            events.extend(human_events(&self.key, &user_id, &org_id, &human, hash.as_deref(), codes)?);
            events.push(NewEvent::new(&agg, &oe::MemberAdded { user_id: user_id.clone(), roles: roles.clone() })?);
            if !custom_domain.is_empty() {
                events.push(NewEvent::new(&agg, &oe::DomainAdded { domain: custom_domain.clone() })?);
                events.push(NewEvent::new(&agg, &oe::DomainVerified { domain: custom_domain.clone() })?);
            }
            let stored = tx.push(events).await?;
            tx.commit().await?;
            Ok(SetUpOrgResponse { details: added_details(&stored), org_id, user_id })
        })
        .await?;
        if init.is_some() || phone.is_some() {
            self.send_first_codes(ctx, &answer.user_id, init.as_ref(), None, phone.as_ref()).await;
        }
        Ok(answer)
    }

    pub(crate) async fn primary_instance_domain(&self, conn: &mut Conn) -> Result<String> {
        let domain = burg_store::instance::primary_domain(conn, &self.instance_id).await?;
        Ok(domain.unwrap_or_else(|| self.config.external_domain.clone()))
    }
}

/// SetUpOrg's first user, checked and normalised as ZITADEL's
/// `AddHuman.Validate` does.
struct NewHuman {
    /// Trimmed.
    user_name: String,
    /// Trimmed.
    first_name: String,
    /// Trimmed.
    last_name: String,
    nick_name: String,
    /// As given, or made from the names when empty.
    display_name: String,
    /// A language tag in its canonical case, or `und`.
    preferred_language: String,
    gender: i32,
    email: String,
    email_verified: bool,
    /// In E.164, and whether it is verified.
    phone: Option<(String, bool)>,
    password: Option<String>,
}

impl NewHuman {
    fn from_request(human: &Human) -> Result<NewHuman> {
        // The proto's rules, on the values as given.
        validate::name("human.userName", &human.user_name)?;
        let profile = human.profile.clone().unwrap_or_default();
        validate::name("human.profile.firstName", &profile.first_name)?;
        validate::name("human.profile.lastName", &profile.last_name)?;
        validate::len("human.profile.nickName", &profile.nick_name, 0, 200)?;
        validate::len("human.profile.displayName", &profile.display_name, 0, 200)?;
        validate::len("human.profile.preferredLanguage", &profile.preferred_language, 0, 10)?;
        let email = human.email.clone().unwrap_or_default();
        if let Some(phone) = &human.phone {
            validate::len("human.phone.phone", &phone.phone, 1, 50)?;
            if !phone.phone.starts_with('+') {
                return Err(Error::invalid_argument("VALID-phn01", "`human.phone.phone` must start with `+`"));
            }
        }
        // Then ZITADEL's command: the email as given, the names trimmed.
        validate::email("human.email.email", &email.email)?;
        let user_name = human.user_name.trim().to_string();
        if user_name.is_empty() {
            return Err(Error::invalid_argument(
                crate::shared_ids::USER_NAME_BLANK,
                "`human.userName` is empty once trimmed",
            ));
        }
        let first_name = profile.first_name.trim().to_string();
        if first_name.is_empty() {
            return Err(Error::invalid_argument(
                crate::shared_ids::FIRST_NAME_BLANK,
                "`human.profile.firstName` is empty once trimmed",
            ));
        }
        let last_name = profile.last_name.trim().to_string();
        if last_name.is_empty() {
            return Err(Error::invalid_argument(
                crate::shared_ids::LAST_NAME_BLANK,
                "`human.profile.lastName` is empty once trimmed",
            ));
        }
        let display_name = if profile.display_name.trim().is_empty() {
            format!("{first_name} {last_name}")
        } else {
            profile.display_name.clone()
        };
        let phone = match &human.phone {
            Some(p) => Some((phone::normalize(&p.phone)?, p.is_phone_verified)),
            None => None,
        };
        Ok(NewHuman {
            user_name,
            first_name,
            last_name,
            nick_name: profile.nick_name,
            display_name,
            preferred_language: validate::preferred_language(&profile.preferred_language),
            gender: profile.gender,
            email: email.email,
            email_verified: email.is_email_verified,
            phone,
            password: (!human.password.is_empty()).then(|| human.password.clone()),
        })
    }
}

/// The events that create a human user.
fn human_events(
    key: &MasterKey,
    user_id: &str,
    org_id: &str,
    human: &NewHuman,
    hash: Option<&str>,
    (init, phone): (Option<&DrawnCode>, Option<&DrawnCode>),
) -> Result<Vec<NewEvent>> {
    let user = Aggregate::new(aggregate::USER, user_id, org_id);
    let mut events = vec![NewEvent::new(
        &user,
        &ue::HumanAdded {
            user_name: human.user_name.clone(),
            first_name: human.first_name.clone(),
            last_name: human.last_name.clone(),
            nick_name: human.nick_name.clone(),
            display_name: human.display_name.clone(),
            preferred_language: human.preferred_language.clone(),
            gender: human.gender,
            email: human.email.clone(),
            phone: human.phone.as_ref().map(|(p, _)| p.clone()).unwrap_or_default(),
            encoded_hash: hash.map(|h| key.seal_str(h)),
            change_required: false,
        },
    )?];
    if human.email_verified {
        events.push(NewEvent::new(&user, &ue::EmailVerified {})?);
    }
    // ZITADEL's order: the address, its code, then the phone or its code.
    if let Some(code) = init {
        events.push(NewEvent::new(&user, &code.init_added())?);
    }
    if human.phone.as_ref().is_some_and(|(_, verified)| *verified) {
        events.push(NewEvent::new(&user, &ue::PhoneVerified {})?);
    }
    if let Some(code) = phone {
        events.push(NewEvent::new(&user, &code.phone_added())?);
    }
    Ok(events)
}
