//! The Management API's users, within the organization of the call
//! (`x-zitadel-orgid`, else the caller's own): reads and lists, their
//! states (deactivated, locked, removed), names, changes and memberships;
//! in the submodules the human users' profile, contacts, password, factors
//! and links (`human`) and the users' metadata (`metadata`).

mod codes;
mod human;
mod metadata;

pub(crate) use codes::{DrawnCode, draw_code, generator};
pub(crate) use human::{FirstCodes, NewHuman, new_human};
pub(crate) use metadata::metadata_set_event;

use burg_api::management::{
    DeactivateUserRequest, DeactivateUserResponse, GetUserByIdRequest, GetUserByIdResponse,
    GetUserByLoginNameGlobalRequest, GetUserByLoginNameGlobalResponse, IsUserUniqueRequest, IsUserUniqueResponse,
    ListUserChangesRequest, ListUserChangesResponse, ListUserMembershipsRequest, ListUserMembershipsResponse,
    ListUsersRequest, ListUsersResponse, LockUserRequest, LockUserResponse, ReactivateUserRequest,
    ReactivateUserResponse, RemoveUserRequest, RemoveUserResponse, UnlockUserRequest, UnlockUserResponse,
    UpdateUserNameRequest, UpdateUserNameResponse,
};
use burg_api::wkt::Timestamp;
use burg_api::zitadel::change::v1::Change;
use burg_api::zitadel::user::v1::{
    self as wire, Email, Human, Machine, Membership, Phone, Profile, SearchQuery, UserFieldName, membership,
    membership_query, search_query::Query,
};
use burg_domain::event::{Aggregate, NewEvent, aggregate};
use burg_domain::events::user as ue;
use burg_domain::policies::DomainPolicy;
use burg_domain::state::{UserState, UserType};
use burg_domain::{Error, Result};
use burg_store::Conn;
use burg_store::users::{UserFilter, UserOrder, UserRow};

use crate::list::{MAX_LIMIT, list_details, text_match, v1_page};
use crate::settings::Scope;
use crate::{App, Ctx, changed_details, details, retry};

/// ZITADEL's query answer for a user it does not find.
pub(crate) fn user_not_found(id: &str) -> Error {
    Error::not_found("QUERY-Dfbg2", format!("user {id:?} not found"))
}

/// The user aggregate of `user`.
pub(crate) fn user_aggregate(user: &UserRow) -> Aggregate {
    Aggregate::new(aggregate::USER, &user.id, &user.resource_owner)
}

/// The wire state of a stored one.
fn wire_state(state: UserState) -> wire::UserState {
    match state {
        UserState::Active => wire::UserState::Active,
        UserState::Inactive => wire::UserState::Inactive,
        UserState::Locked => wire::UserState::Locked,
        UserState::Initial => wire::UserState::Initial,
    }
}

pub(crate) fn to_profile(u: &UserRow) -> Profile {
    Profile {
        first_name: u.first_name.clone(),
        last_name: u.last_name.clone(),
        nick_name: u.nick_name.clone(),
        display_name: u.display_name.clone(),
        preferred_language: u.preferred_language.clone(),
        gender: u.gender,
        avatar_url: String::new(),
    }
}

/// How an organization's users log in: by their name alone, or (its
/// domain policy's `userLoginMustBeDomain`) by `name@domain` with each of
/// its verified domains, the primary one preferred.
pub(crate) struct LoginNames {
    /// Empty: by the name alone.
    domains: Vec<String>,
}

impl LoginNames {
    pub(crate) fn of(&self, user_name: &str) -> (Vec<String>, String) {
        if self.domains.is_empty() {
            return (vec![user_name.to_string()], user_name.to_string());
        }
        let names: Vec<String> = self.domains.iter().map(|d| format!("{user_name}@{d}")).collect();
        let preferred = names[0].clone();
        (names, preferred)
    }
}

/// A stored user on the wire, with its login names.
pub(crate) fn to_user(u: UserRow, login: &LoginNames) -> wire::User {
    let kind = match u.user_type {
        UserType::Human => wire::user::Type::Human(Human {
            profile: Some(to_profile(&u)),
            email: Some(Email { email: u.email.clone(), is_email_verified: u.email_verified }),
            phone: Some(Phone { phone: u.phone.clone(), is_phone_verified: u.phone_verified }),
            password_changed: None,
        }),
        UserType::Machine => wire::user::Type::Machine(Machine {
            name: u.machine_name.clone(),
            description: u.machine_description.clone(),
            has_secret: false,
            access_token_type: u.access_token_type,
        }),
    };
    let (login_names, preferred_login_name) = login.of(&u.username);
    wire::User {
        id: u.id.clone(),
        details: details(u.sequence, u.creation_date, u.change_date, &u.resource_owner),
        state: wire_state(u.state).into(),
        login_names,
        preferred_login_name,
        user_name: u.username,
        r#type: Some(kind),
    }
}

/// The store's filter of one of the wire's user queries.
fn user_filter(q: &SearchQuery) -> Result<Option<UserFilter>> {
    let Some(query) = &q.query else { return Ok(None) };
    let many = |qs: &[SearchQuery]| -> Result<Vec<UserFilter>> {
        let mut out = Vec::with_capacity(qs.len());
        for q in qs {
            if let Some(f) = user_filter(q)? {
                out.push(f);
            }
        }
        Ok(out)
    };
    Ok(Some(match query {
        Query::UserNameQuery(q) => UserFilter::UserName(text_match(&q.user_name, q.method)?),
        Query::FirstNameQuery(q) => UserFilter::FirstName(text_match(&q.first_name, q.method)?),
        Query::LastNameQuery(q) => UserFilter::LastName(text_match(&q.last_name, q.method)?),
        Query::NickNameQuery(q) => UserFilter::NickName(text_match(&q.nick_name, q.method)?),
        Query::DisplayNameQuery(q) => UserFilter::DisplayName(text_match(&q.display_name, q.method)?),
        Query::EmailQuery(q) => UserFilter::Email(text_match(&q.email_address, q.method)?),
        Query::LoginNameQuery(q) => UserFilter::LoginName(text_match(&q.login_name, q.method)?),
        Query::StateQuery(q) => match wire::UserState::try_from(q.state) {
            Ok(wire::UserState::Active) => UserFilter::State(UserState::Active),
            Ok(wire::UserState::Inactive) => UserFilter::State(UserState::Inactive),
            Ok(wire::UserState::Locked) => UserFilter::State(UserState::Locked),
            Ok(wire::UserState::Initial) => UserFilter::State(UserState::Initial),
            // States burg's users are never in.
            _ => UserFilter::InIds(Vec::new()),
        },
        Query::TypeQuery(q) => match wire::Type::try_from(q.r#type) {
            Ok(wire::Type::Human) => UserFilter::Type(UserType::Human),
            Ok(wire::Type::Machine) => UserFilter::Type(UserType::Machine),
            _ => return Ok(None),
        },
        Query::InUserIdsQuery(q) => UserFilter::InIds(q.user_ids.clone()),
        Query::InUserEmailsQuery(q) => UserFilter::InEmails(q.user_emails.clone()),
        Query::OrQuery(q) => UserFilter::Or(many(&q.queries)?),
        Query::AndQuery(q) => UserFilter::And(many(&q.queries)?),
        Query::NotQuery(q) => match q.query.as_deref().map(user_filter).transpose()?.flatten() {
            Some(f) => UserFilter::Not(Box::new(f)),
            None => return Ok(None),
        },
    }))
}

fn user_order(column: i32) -> UserOrder {
    match UserFieldName::try_from(column) {
        Ok(UserFieldName::UserName) => UserOrder::UserName,
        Ok(UserFieldName::FirstName) => UserOrder::FirstName,
        Ok(UserFieldName::LastName) => UserOrder::LastName,
        Ok(UserFieldName::NickName) => UserOrder::NickName,
        Ok(UserFieldName::DisplayName) => UserOrder::DisplayName,
        Ok(UserFieldName::Email) => UserOrder::Email,
        Ok(UserFieldName::State) => UserOrder::State,
        Ok(UserFieldName::Type) => UserOrder::Type,
        _ => UserOrder::Created,
    }
}

impl App {
    /// User `id` of the call's organization, read inside a write; absent
    /// (or of another organization): NotFound with `not_found`.
    pub(crate) async fn org_user(
        &self,
        conn: &mut Conn,
        ctx: &Ctx,
        id: &str,
        not_found: &'static str,
    ) -> Result<UserRow> {
        match burg_store::users::user(conn, &self.instance_id, id).await? {
            Some(u) if u.resource_owner == ctx.org() => Ok(u),
            _ => Err(Error::not_found(not_found, format!("user {id:?} not found"))),
        }
    }

    /// User `id` of the call's organization, for a read.
    pub(crate) async fn read_org_user(&self, ctx: &Ctx, id: &str) -> Result<UserRow> {
        match burg_store::users::user(self.db.pool(), &self.instance_id, id).await? {
            Some(u) if u.resource_owner == ctx.org() => Ok(u),
            _ => Err(user_not_found(id)),
        }
    }

    /// How the users of organization `org` log in.
    pub(crate) async fn login_names(&self, org: &str) -> Result<LoginNames> {
        let mut conn = self.db.acquire("USER-db082").await?;
        let policy = self.setting::<DomainPolicy>(&mut conn, Scope::Org(org)).await?.value;
        let domains = if policy.user_login_must_be_domain {
            burg_store::orgs::verified_domains(&mut *conn, &self.instance_id, org).await?
        } else {
            Vec::new()
        };
        Ok(LoginNames { domains })
    }

    pub async fn get_user_by_id(&self, ctx: &Ctx, req: GetUserByIdRequest) -> Result<GetUserByIdResponse> {
        let user = self.read_org_user(ctx, &req.id).await?;
        let login = self.login_names(&user.resource_owner).await?;
        Ok(GetUserByIdResponse { user: Some(to_user(user, &login)) })
    }

    /// The user whose login name is `loginName`, in any organization: its
    /// name where its organization's users log in by name, `name@domain`
    /// where they log in with a domain.
    pub async fn get_user_by_login_name_global(
        &self,
        _ctx: &Ctx,
        req: GetUserByLoginNameGlobalRequest,
    ) -> Result<GetUserByLoginNameGlobalResponse> {
        let mut found = Vec::new();
        for user in burg_store::users::by_user_name(&self.db, &self.instance_id, &req.login_name).await? {
            let login = self.login_names(&user.resource_owner).await?;
            if login.domains.is_empty() {
                found.push((user, login));
            }
        }
        if let Some((name, domain)) = req.login_name.rsplit_once('@') {
            let org = burg_store::orgs::with_verified_domain(self.db.pool(), &self.instance_id, domain).await?;
            if let Some(org) = org {
                let login = self.login_names(&org).await?;
                if !login.domains.is_empty()
                    && let Some(user) = burg_store::users::in_org_named(&self.db, &self.instance_id, &org, name).await?
                {
                    found.push((user, login));
                }
            }
        }
        if found.len() != 1 {
            return Err(user_not_found(&req.login_name));
        }
        Ok(GetUserByLoginNameGlobalResponse { user: found.pop().map(|(u, login)| to_user(u, &login)) })
    }

    pub async fn list_users(&self, ctx: &Ctx, req: ListUsersRequest) -> Result<ListUsersResponse> {
        let mut filters = Vec::with_capacity(req.queries.len());
        for q in &req.queries {
            if let Some(f) = user_filter(q)? {
                filters.push(f);
            }
        }
        let page = v1_page(req.query.as_ref())?;
        let order = user_order(req.sorting_column);
        let listed =
            burg_store::users::list_users(&self.db, &self.instance_id, Some(ctx.org()), &filters, order, page).await?;
        let login = self.login_names(ctx.org()).await?;
        Ok(ListUsersResponse {
            details: list_details(listed.total, 0, self.now()),
            sorting_column: req.sorting_column,
            result: listed.rows.into_iter().map(|u| to_user(u, &login)).collect(),
        })
    }

    /// Whether no user of the instance has the user name (or the email).
    pub async fn is_user_unique(&self, _ctx: &Ctx, req: IsUserUniqueRequest) -> Result<IsUserUniqueResponse> {
        let mut unique = true;
        if !req.user_name.is_empty() {
            let mut conn = self.db.acquire("USER-db080").await?;
            unique &= !burg_store::users::name_taken(&mut *conn, &self.instance_id, &req.user_name).await?;
        }
        if unique && !req.email.is_empty() {
            unique &= !burg_store::users::email_taken(&self.db, &self.instance_id, &req.email).await?;
        }
        Ok(IsUserUniqueResponse { is_unique: unique })
    }

    /// The user aggregate's events, as ZITADEL's change list shows them.
    pub async fn list_user_changes(&self, ctx: &Ctx, req: ListUserChangesRequest) -> Result<ListUserChangesResponse> {
        self.read_org_user(ctx, &req.user_id).await?;
        let q = req.query.unwrap_or_default();
        let limit = match i64::from(q.limit) {
            0 => MAX_LIMIT,
            n => n.min(MAX_LIMIT),
        };
        let sequence = i64::try_from(q.sequence).unwrap_or(i64::MAX);
        let rows = burg_store::events::changes(
            &self.db,
            &self.instance_id,
            aggregate::USER,
            &req.user_id,
            sequence,
            q.asc,
            limit,
        )
        .await?;
        let result = rows
            .into_iter()
            .map(|row| Change {
                change_date: Some(Timestamp::from_micros(row.event.created_at)),
                event_type: Some(crate::events::localized("EventTypes", &row.event.event_type)),
                sequence: row.event.sequence.max(0) as u64,
                editor_id: row.event.editor_user,
                editor_display_name: row.editor_name,
                resource_owner_id: row.event.resource_owner,
                editor_preferred_login_name: row.editor_login_name,
                editor_avatar_url: String::new(),
            })
            .collect();
        Ok(ListUserChangesResponse { result })
    }

    /// The user's memberships of the instance and of organizations.
    pub async fn list_user_memberships(
        &self,
        ctx: &Ctx,
        req: ListUserMembershipsRequest,
    ) -> Result<ListUserMembershipsResponse> {
        let user = self.read_org_user(ctx, &req.user_id).await?;
        let page = v1_page(req.query.as_ref())?;
        let rows = burg_store::users::memberships(&self.db, &self.instance_id, &user.id).await?;
        let keep = |m: &burg_store::users::MembershipRow| {
            req.queries.iter().all(|q| match &q.query {
                Some(membership_query::Query::OrgQuery(o)) => m.org_id.as_deref() == Some(o.org_id.as_str()),
                Some(membership_query::Query::IamQuery(i)) => !i.iam || m.org_id.is_none(),
                Some(membership_query::Query::ProjectQuery(_))
                | Some(membership_query::Query::ProjectGrantQuery(_)) => false,
                None => true,
            })
        };
        let matching: Vec<_> = rows.into_iter().filter(keep).collect();
        let total = matching.len() as i64;
        let result = page
            .of(matching)
            .map(|m| {
                let (owner, kind, display_name) = match m.org_id {
                    Some(org) => (org.clone(), membership::Type::OrgId(org), m.org_name),
                    None => (self.instance_id.clone(), membership::Type::Iam(true), String::new()),
                };
                Membership {
                    user_id: user.id.clone(),
                    details: details(m.sequence, m.creation_date, m.change_date, &owner),
                    roles: m.roles,
                    display_name,
                    r#type: Some(kind),
                }
            })
            .collect();
        Ok(ListUserMembershipsResponse { details: list_details(total, 0, self.now()), result })
    }

    pub async fn deactivate_user(&self, ctx: &Ctx, req: DeactivateUserRequest) -> Result<DeactivateUserResponse> {
        let events = self
            .change_user_state(ctx, &req.id, crate::shared_ids::COMMAND_3M9DS, |u| match u.state {
                UserState::Inactive => Err(Error::failed_precondition("COMMAND-5M0sf", "the user is inactive already")),
                // ZITADEL answers NotFound here.
                UserState::Initial => {
                    Err(Error::not_found("COMMAND-ke0fw", "a user in the initial state cannot be deactivated"))
                }
                _ => Ok(NewEvent::new(&user_aggregate(u), &ue::UserDeactivated {})?),
            })
            .await?;
        Ok(DeactivateUserResponse { details: changed_details(&events) })
    }

    pub async fn reactivate_user(&self, ctx: &Ctx, req: ReactivateUserRequest) -> Result<ReactivateUserResponse> {
        let events = self
            .change_user_state(ctx, &req.id, "COMMAND-4M0sd", |u| match u.state {
                UserState::Inactive => Ok(NewEvent::new(&user_aggregate(u), &ue::UserReactivated {})?),
                _ => Err(Error::failed_precondition("COMMAND-6M0sf", "the user is not inactive")),
            })
            .await?;
        Ok(ReactivateUserResponse { details: changed_details(&events) })
    }

    pub async fn lock_user(&self, ctx: &Ctx, req: LockUserRequest) -> Result<LockUserResponse> {
        let events = self
            .change_user_state(ctx, &req.id, "COMMAND-5M9fs", |u| match u.state {
                UserState::Active | UserState::Initial => Ok(NewEvent::new(&user_aggregate(u), &ue::UserLocked {})?),
                _ => Err(Error::failed_precondition("COMMAND-3NN8v", "the user must be active or initial")),
            })
            .await?;
        Ok(LockUserResponse { details: changed_details(&events) })
    }

    pub async fn unlock_user(&self, ctx: &Ctx, req: UnlockUserRequest) -> Result<UnlockUserResponse> {
        let events = self
            .change_user_state(ctx, &req.id, "COMMAND-M0dos", |u| match u.state {
                UserState::Locked => Ok(NewEvent::new(&user_aggregate(u), &ue::UserUnlocked {})?),
                _ => Err(Error::failed_precondition("COMMAND-4M0ds", "the user is not locked")),
            })
            .await?;
        Ok(UnlockUserResponse { details: changed_details(&events) })
    }

    /// One event on a user of the call's organization, chosen from its
    /// stored state.
    async fn change_user_state(
        &self,
        ctx: &Ctx,
        id: &str,
        not_found: &'static str,
        event: impl Fn(&UserRow) -> Result<NewEvent>,
    ) -> Result<Vec<burg_domain::event::Event>> {
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let user = self.org_user(tx.conn(), ctx, id, not_found).await?;
            let events = tx.push(vec![event(&user)?]).await?;
            tx.commit().await?;
            Ok(events)
        })
        .await
    }

    /// Removes the user; its memberships, grants, links, tokens and metadata
    /// go with it (`user.removed`, and each membership's and grant's
    /// `….cascade.removed`).
    pub async fn remove_user(&self, ctx: &Ctx, req: RemoveUserRequest) -> Result<RemoveUserResponse> {
        use burg_domain::events::{instance as ie, org as oe};
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let user = self.org_user(tx.conn(), ctx, &req.id, "COMMAND-m9od").await?;
            let mut events =
                vec![NewEvent::new(&user_aggregate(&user), &ue::UserRemoved { user_name: user.username.clone() })?];
            if burg_store::members::iam_roles(tx.conn(), &self.instance_id, &user.id).await?.is_some() {
                events.push(NewEvent::new(
                    &self.instance_aggregate(),
                    &ie::MemberCascadeRemoved { user_id: user.id.clone() },
                )?);
            }
            for org in burg_store::members::orgs_of_member(tx.conn(), &self.instance_id, &user.id).await? {
                let agg = Aggregate::new(aggregate::ORG, &org, &org);
                events.push(NewEvent::new(&agg, &oe::MemberCascadeRemoved { user_id: user.id.clone() })?);
            }
            // The import's documents that name the user: its grants and
            // project memberships, each removed by its cascade event.
            for doc in burg_store::users::user_documents(tx.conn(), &self.instance_id, &user.id).await? {
                let (aggregate, event_type) = match doc.kind.as_str() {
                    "user_grant" => (
                        Aggregate::new(aggregate::USER_GRANT, format!("{}_{}", doc.org_id, doc.key), &doc.org_id),
                        "user.grant.cascade.removed",
                    ),
                    "project_member" => (
                        Aggregate::new(aggregate::PROJECT, &doc.project_id, &doc.org_id),
                        "project.member.cascade.removed",
                    ),
                    _ => (
                        Aggregate::new(aggregate::PROJECT, &doc.project_id, &doc.org_id),
                        "project.grant.member.cascade.removed",
                    ),
                };
                let payload = serde_json::json!({"objectKind": doc.kind, "key": doc.key});
                events.push(NewEvent { aggregate, event_type, payload });
            }
            let stored = tx.push(events).await?;
            tx.commit().await?;
            Ok(RemoveUserResponse { details: changed_details(&stored[..1]) })
        })
        .await
    }

    pub async fn update_user_name(&self, ctx: &Ctx, req: UpdateUserNameRequest) -> Result<UpdateUserNameResponse> {
        let user_name = req.user_name.trim().to_string();
        if user_name.is_empty() {
            return Err(Error::invalid_argument("COMMAND-2N9fs", "`userName` is empty once trimmed"));
        }
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let user = self.org_user(tx.conn(), ctx, &req.user_id, "COMMAND-5N9ds").await?;
            if user.username == user_name {
                return Err(Error::failed_precondition("COMMAND-6m9gs", "`userName`: the user has this name"));
            }
            if !user.username.eq_ignore_ascii_case(&user_name) {
                self.require_unique_username(tx.conn(), &user_name).await?;
            }
            let event = ue::UsernameChanged { user_name: user_name.clone() };
            let events = tx.push(vec![NewEvent::new(&user_aggregate(&user), &event)?]).await?;
            tx.commit().await?;
            Ok(UpdateUserNameResponse { details: changed_details(&events) })
        })
        .await
    }
}
