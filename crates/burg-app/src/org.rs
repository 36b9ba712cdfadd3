//! Organizations: `IsOrgUnique`, `GetOrgByID`, `ListOrgs`, `SetUpOrg`,
//! the default organization, `RemoveOrg`.

use burg_api::admin::set_up_org_request::{Human, User};
use burg_api::admin::{
    GetDefaultOrgRequest, GetDefaultOrgResponse, GetOrgByIdRequest, GetOrgByIdResponse, IsOrgUniqueRequest,
    IsOrgUniqueResponse, ListOrgsRequest, ListOrgsResponse, RemoveOrgRequest, RemoveOrgResponse, SetDefaultOrgRequest,
    SetDefaultOrgResponse, SetUpOrgRequest, SetUpOrgResponse,
};
use burg_api::object::ObjectDetails;
use burg_api::zitadel::org::v1::{Org, OrgFieldName, OrgState, org_query::Query};
use burg_domain::crypto::MasterKey;
use burg_domain::event::{Aggregate, NewEvent, aggregate};
use burg_domain::events::{instance as ie, org as oe, user as ue};
use burg_domain::{Error, Result, password, permission, validate};
use burg_store::Sql;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::auth::db_err;
use crate::bootstrap::domain_label;
use crate::list::{Page, list_details, push_text_match};
use crate::{App, Ctx, details, details_of, retry};

const ORG_COLUMNS: &str = "id, name, state, primary_domain, sequence, creation_date, change_date";

fn org_from_row(row: &AnyRow) -> Result<Org> {
    let s = |c: &str| -> Result<String> { row.try_get(c).map_err(|e| db_err("ORG-db001", e)) };
    let n = |c: &str| -> Result<i64> { row.try_get(c).map_err(|e| db_err("ORG-db002", e)) };
    let id = s("id")?;
    Ok(Org {
        details: details(n("sequence")?, n("creation_date")?, n("change_date")?, &id),
        state: n("state")? as i32,
        name: s("name")?,
        primary_domain: s("primary_domain")?,
        id,
    })
}

impl App {
    pub(crate) async fn find_org(&self, conn: &mut sqlx::AnyConnection, id: &str) -> Result<Option<Org>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ORG_COLUMNS} FROM orgs WHERE instance_id = $1 AND id = $2"
        )))
        .bind(&self.instance_id)
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(|e| db_err("ORG-db003", e))?;
        row.as_ref().map(org_from_row).transpose()
    }

    pub(crate) async fn require_org(&self, conn: &mut sqlx::AnyConnection, id: &str) -> Result<Org> {
        self.find_org(conn, id)
            .await?
            .ok_or_else(|| Error::not_found("ORG-nf002", format!("organization {id:?} not found")))
    }

    async fn pooled(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>> {
        self.db.pool().acquire().await.map_err(|e| db_err("ORG-db004", e))
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

    async fn org_name_free(&self, conn: &mut sqlx::AnyConnection, name: &str) -> Result<bool> {
        if name.is_empty() {
            return Ok(true);
        }
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orgs WHERE instance_id = $1 AND lower(name) = lower($2)")
            .bind(&self.instance_id)
            .bind(name)
            .fetch_one(conn)
            .await
            .map_err(|e| db_err("ORG-db005", e))?;
        Ok(n == 0)
    }

    async fn org_domain_free(&self, conn: &mut sqlx::AnyConnection, domain: &str) -> Result<bool> {
        if domain.is_empty() {
            return Ok(true);
        }
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM org_domains WHERE instance_id = $1 AND lower(domain) = lower($2) AND is_verified = 1",
        )
        .bind(&self.instance_id)
        .bind(domain)
        .fetch_one(conn)
        .await
        .map_err(|e| db_err("ORG-db006", e))?;
        Ok(n == 0)
    }

    pub async fn get_org_by_id(&self, _ctx: &Ctx, req: GetOrgByIdRequest) -> Result<GetOrgByIdResponse> {
        let mut conn = self.pooled().await?;
        Ok(GetOrgByIdResponse { org: Some(self.require_org(&mut conn, &req.id).await?) })
    }

    pub async fn list_orgs(&self, _ctx: &Ctx, req: ListOrgsRequest) -> Result<ListOrgsResponse> {
        let mut filter = Sql::new(" FROM orgs WHERE instance_id = ");
        filter.bind(&self.instance_id);
        let backend = self.db.backend();
        for q in &req.queries {
            match &q.query {
                Some(Query::NameQuery(n)) => push_text_match(&mut filter, backend, "name", &n.name, n.method)?,
                Some(Query::DomainQuery(d)) => {
                    push_text_match(&mut filter, backend, "primary_domain", &d.domain, d.method)?
                }
                Some(Query::StateQuery(s)) => {
                    filter.push(" AND state = ").bind(i64::from(s.state));
                }
                Some(Query::IdQuery(i)) => {
                    filter.push(" AND id = ").bind(&i.id);
                }
                None => {}
            }
        }
        let order = match OrgFieldName::try_from(req.sorting_column).unwrap_or_default() {
            OrgFieldName::Name => "name",
            OrgFieldName::Unspecified => "creation_date",
        };
        let (total, rows) = self
            .count_and_fetch(
                "SELECT COUNT(*)",
                &format!("SELECT {ORG_COLUMNS}"),
                filter,
                Page::of(req.query.as_ref()),
                order,
            )
            .await?;
        let result = rows.iter().map(org_from_row).collect::<Result<Vec<_>>>()?;
        Ok(ListOrgsResponse { details: list_details(total, 0, self.now()), sorting_column: req.sorting_column, result })
    }

    pub async fn get_default_org(&self, _ctx: &Ctx, _req: GetDefaultOrgRequest) -> Result<GetDefaultOrgResponse> {
        let mut conn = self.pooled().await?;
        let id = self.instance_row(&mut *conn).await?.default_org_id;
        Ok(GetDefaultOrgResponse { org: Some(self.require_org(&mut conn, &id).await?) })
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
            if org.state != OrgState::Active as i32 {
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
            let events = tx.push(vec![NewEvent::new(&agg, &oe::OrgRemoved { name: org.name.clone() })?]).await?;
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

    async fn primary_instance_domain(&self, conn: &mut sqlx::AnyConnection) -> Result<String> {
        let domain: Option<String> = sqlx::query_scalar(
            "SELECT domain FROM instance_domains WHERE instance_id = $1 ORDER BY is_primary DESC, creation_date LIMIT 1",
        )
        .bind(&self.instance_id)
        .fetch_optional(conn)
        .await
        .map_err(|e| db_err("ORG-db007", e))?;
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
