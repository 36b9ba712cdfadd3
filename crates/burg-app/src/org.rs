//! Organizations: `IsOrgUnique`, `GetOrgByID`, `ListOrgs`, `SetUpOrg`,
//! the default organization, `RemoveOrg`.

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
use burg_domain::state::OrgState;
use burg_domain::{Error, Result, password, permission, validate};
use burg_store::orgs::{OrgFilter, OrgOrder, OrgRow};
use burg_store::{Conn, Pooled};

use crate::bootstrap::domain_label;
use crate::list::{list_details, page, text_match};
use crate::{App, Ctx, details, details_of, retry};

/// `zitadel.org.v1.Org` of a stored organization.
fn to_org(row: OrgRow) -> Org {
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
        let page = page(req.query.as_ref());
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
            // A reference inside a write: ZITADEL's FailedPrecondition.
            let org = self.find_org(tx.conn(), &req.org_id).await?.ok_or_else(|| {
                Error::failed_precondition("INSTA-Wfe21", format!("organization {:?} not found", req.org_id))
            })?;
            if org.state != OrgState::Active {
                return Err(Error::failed_precondition("ORG-def01", "the default organization must be active"));
            }
            if self.instance_row(tx.conn()).await?.default_org_id == req.org_id {
                return Err(crate::unchanged("ORG-def02", "default organization"));
            }
            let inst = Aggregate::new(aggregate::INSTANCE, &self.instance_id, &self.instance_id);
            let events =
                tx.push(vec![NewEvent::new(&inst, &ie::DefaultOrgSet { org_id: req.org_id.clone() })?]).await?;
            tx.commit().await?;
            Ok(SetDefaultOrgResponse { details: details_of(&events) })
        })
        .await
    }

    pub async fn remove_org(&self, ctx: &Ctx, req: RemoveOrgRequest) -> Result<RemoveOrgResponse> {
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = self.require_org(tx.conn(), &req.org_id).await?;
            if self.instance_row(tx.conn()).await?.default_org_id == req.org_id {
                return Err(Error::failed_precondition("ORG-rem01", "the default organization cannot be removed"));
            }
            self.keep_an_owner(tx.conn(), crate::member::Leaving::Org(&org.id)).await?;
            let agg = Aggregate::new(aggregate::ORG, &org.id, &org.id);
            let events = tx.push(vec![NewEvent::bare::<oe::OrgRemoved>(&agg)]).await?;
            tx.commit().await?;
            // As ZITADEL: the instance owns a removed organization.
            let details = details_of(&events).map(|d| ObjectDetails { resource_owner: self.instance_id.clone(), ..d });
            Ok(RemoveOrgResponse { details })
        })
        .await
    }

    pub async fn set_up_org(&self, ctx: &Ctx, req: SetUpOrgRequest) -> Result<SetUpOrgResponse> {
        let org = req.org.clone().unwrap_or_default();
        validate::name("org.name", &org.name)?;
        validate::len("org.domain", &org.domain, 0, 200)?;
        let Some(User::Human(human)) = &req.user else {
            return Err(Error::invalid_argument("ORG-setup1", "`human` is required: the organization's first user"));
        };
        check_human(human)?;
        let roles = if req.roles.is_empty() { vec!["ORG_OWNER".to_string()] } else { req.roles.clone() };
        for role in &roles {
            if !permission::org_roles().any(|r| r == role) {
                return Err(Error::invalid_argument(
                    "ORG-setup2",
                    format!("`roles`: {role:?} is not an organization role"),
                ));
            }
        }
        let hash = if human.password.is_empty() {
            None
        } else {
            password::check_default_complexity(&human.password).map_err(|e| e.context("`human.password`"))?;
            Some(password::hash_plain(&human.password, self.config.password_cost)?)
        };
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            if !self.org_name_free(tx.conn(), &org.name).await? {
                return Err(Error::already_exists("ORG-uniq1", format!("an organization named {:?} exists", org.name)));
            }
            if !self.org_domain_free(tx.conn(), &org.domain).await? {
                return Err(Error::already_exists("ORG-uniq2", format!("the domain {:?} is taken", org.domain)));
            }
            let instance_domain = self.primary_instance_domain(tx.conn()).await?;
            let org_id = self.new_id();
            let user_id = self.new_id();
            let agg = Aggregate::new(aggregate::ORG, &org_id, &org_id);
            let generated = format!("{}.{}", domain_label(&org.name), instance_domain);
            let mut events = vec![
                NewEvent::new(&agg, &oe::OrgAdded { name: org.name.clone() })?,
                NewEvent::new(&agg, &oe::DomainAdded { domain: generated.clone() })?,
                NewEvent::new(&agg, &oe::DomainVerified { domain: generated.clone() })?,
                NewEvent::new(&agg, &oe::DomainPrimarySet { domain: generated })?,
            ];
            if !org.domain.is_empty() {
                events.push(NewEvent::new(&agg, &oe::DomainAdded { domain: org.domain.clone() })?);
                events.push(NewEvent::new(&agg, &oe::DomainVerified { domain: org.domain.clone() })?);
                events.push(NewEvent::new(&agg, &oe::DomainPrimarySet { domain: org.domain.clone() })?);
            }
            events.extend(human_events(&self.key, &user_id, &org_id, human, hash.as_deref())?);
            events.push(NewEvent::new(&agg, &oe::MemberAdded { user_id: user_id.clone(), roles: roles.clone() })?);
            let stored = tx.push(events).await?;
            tx.commit().await?;
            let details = stored.iter().filter(|e| e.aggregate_id == org_id).cloned().collect::<Vec<_>>();
            Ok(SetUpOrgResponse { details: details_of(&details), org_id, user_id })
        })
        .await
    }

    async fn primary_instance_domain(&self, conn: &mut Conn) -> Result<String> {
        let domain = burg_store::instance::primary_domain(conn, &self.instance_id).await?;
        Ok(domain.unwrap_or_else(|| self.config.external_domain.clone()))
    }
}

fn check_human(human: &Human) -> Result<()> {
    validate::name("human.userName", &human.user_name)?;
    let profile = human.profile.clone().unwrap_or_default();
    validate::name("human.profile.firstName", &profile.first_name)?;
    validate::name("human.profile.lastName", &profile.last_name)?;
    validate::len("human.profile.nickName", &profile.nick_name, 0, 200)?;
    validate::len("human.profile.displayName", &profile.display_name, 0, 200)?;
    validate::len("human.profile.preferredLanguage", &profile.preferred_language, 0, 10)?;
    let email = human.email.clone().unwrap_or_default();
    validate::email("human.email.email", &email.email)?;
    if let Some(phone) = &human.phone {
        validate::len("human.phone.phone", &phone.phone, 0, 50)?;
    }
    Ok(())
}

/// The events that create a human user.
fn human_events(
    key: &MasterKey,
    user_id: &str,
    org_id: &str,
    human: &Human,
    hash: Option<&str>,
) -> Result<Vec<NewEvent>> {
    let user = Aggregate::new(aggregate::USER, user_id, org_id);
    let profile = human.profile.clone().unwrap_or_default();
    let email = human.email.clone().unwrap_or_default();
    let phone = human.phone.clone().unwrap_or_default();
    let display_name = if profile.display_name.is_empty() {
        format!("{} {}", profile.first_name, profile.last_name)
    } else {
        profile.display_name.clone()
    };
    let mut events = vec![NewEvent::new(
        &user,
        &ue::HumanAdded {
            user_name: human.user_name.clone(),
            first_name: profile.first_name,
            last_name: profile.last_name,
            nick_name: profile.nick_name,
            display_name,
            preferred_language: profile.preferred_language,
            gender: profile.gender,
            email: email.email,
            phone: phone.phone.clone(),
            encoded_hash: hash.map(|h| key.seal_str(h)),
            change_required: false,
        },
    )?];
    if email.is_email_verified {
        events.push(NewEvent::new(&user, &ue::EmailVerified {})?);
    }
    if phone.is_phone_verified && !phone.phone.is_empty() {
        events.push(NewEvent::new(&user, &ue::PhoneVerified {})?);
    }
    Ok(events)
}
