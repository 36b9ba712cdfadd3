//! Users through the management API: machine users and their personal
//! access tokens (the bearer tokens burg accepts).

use burg_api::management::{
    AddMachineUserRequest, AddMachineUserResponse, AddPersonalAccessTokenRequest, AddPersonalAccessTokenResponse,
    ListPersonalAccessTokensRequest, ListPersonalAccessTokensResponse, RemovePersonalAccessTokenRequest,
    RemovePersonalAccessTokenResponse,
};
use burg_api::wkt::Timestamp;
use burg_api::zitadel::user::v1::{AccessTokenType, PersonalAccessToken};
use burg_domain::crypto::{new_token, token_hash};
use burg_domain::event::{Aggregate, NewEvent, aggregate};
use burg_domain::events::{EventTime, user as ue};
use burg_domain::state::{OrgState, UserType};
use burg_domain::{Error, ErrorKind, Result, validate};
use burg_store::Conn;
use burg_store::users::UserRef;

use crate::bootstrap::NO_EXPIRY;
use crate::list::{list_details, v1_page};
use crate::{App, Ctx, added_details, changed_details, details, retry};

/// The scopes of a personal access token, as ZITADEL gives them.
pub(crate) const PAT_SCOPES: [&str; 3] =
    ["openid", "urn:zitadel:iam:user:metadata", "urn:zitadel:iam:user:resourceowner"];

impl App {
    /// The user, or NotFound.
    pub(crate) async fn require_user(&self, conn: &mut Conn, user_id: &str) -> Result<UserRef> {
        burg_store::users::get(conn, &self.instance_id, user_id)
            .await?
            .ok_or_else(|| Error::not_found("USER-nf001", format!("user {user_id:?} not found")))
    }

    /// The user within the call's organization, or NotFound.
    async fn require_org_user(&self, conn: &mut Conn, ctx: &Ctx, user_id: &str) -> Result<UserRef> {
        let user = self.require_user(conn, user_id).await?;
        if user.resource_owner != ctx.org() {
            return Err(Error::not_found(
                "USER-nf002",
                format!("user {user_id:?} not found in organization {}", ctx.org()),
            ));
        }
        Ok(user)
    }

    pub(crate) async fn require_active_org(&self, conn: &mut Conn, org_id: &str) -> Result<()> {
        match burg_store::orgs::state(conn, &self.instance_id, org_id).await? {
            None => Err(Error::not_found("ORG-nf001", format!("organization {org_id:?} not found"))),
            Some(OrgState::Active) => Ok(()),
            Some(OrgState::Inactive) => {
                Err(Error::failed_precondition("ORG-ina01", format!("organization {org_id:?} is not active")))
            }
        }
    }

    pub async fn add_machine_user(&self, ctx: &Ctx, req: AddMachineUserRequest) -> Result<AddMachineUserResponse> {
        validate::name("userName", &req.user_name)?;
        validate::name("name", &req.name)?;
        validate::len("description", &req.description, 0, 500)?;
        if AccessTokenType::try_from(req.access_token_type).is_err() {
            return Err(Error::invalid_argument("USER-mac01", "`accessTokenType` is not a known token type"));
        }
        if let Some(id) = &req.user_id {
            validate::len("userId", id, 0, 200)?;
        }
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            self.require_active_org(tx.conn(), &org).await?;
            let user_id = req.user_id.clone().filter(|id| !id.is_empty()).unwrap_or_else(|| self.new_id());
            if self.require_user(tx.conn(), &user_id).await.is_ok() {
                return Err(Error::failed_precondition(
                    crate::shared_ids::MACHINE_ID_TAKEN,
                    format!("a user with id {user_id:?} exists"),
                ));
            }
            self.require_unique_username(tx.conn(), &req.user_name).await?;
            let user = Aggregate::new(aggregate::USER, &user_id, &org);
            let event = ue::MachineAdded {
                user_name: req.user_name.clone(),
                name: req.name.clone(),
                description: req.description.clone(),
                access_token_type: req.access_token_type,
            };
            let events = tx.push(vec![NewEvent::new(&user, &event)?]).await?;
            tx.commit().await?;
            Ok(AddMachineUserResponse { user_id, details: changed_details(&events) })
        })
        .await
    }

    /// Fails with AlreadyExists unless no user of the instance has
    /// `user_name`, in any case: ZITADEL's username constraint under the
    /// default domain policy (`UserLoginMustBeDomain` false).
    pub(crate) async fn require_unique_username(&self, conn: &mut Conn, user_name: &str) -> Result<()> {
        if burg_store::users::name_taken(conn, &self.instance_id, user_name).await? {
            return Err(Error::already_exists("V3-DKcYh", format!("the username {user_name:?} is taken")));
        }
        Ok(())
    }

    pub async fn add_personal_access_token(
        &self,
        ctx: &Ctx,
        req: AddPersonalAccessTokenRequest,
    ) -> Result<AddPersonalAccessTokenResponse> {
        let expiration = match req.expiration_date {
            Some(t) if t.to_micros() <= self.now() => {
                return Err(Error::invalid_argument(
                    crate::shared_ids::EXPIRY_IN_PAST,
                    "`expirationDate` must be in the future",
                ));
            }
            Some(t) => t.to_micros(),
            None => NO_EXPIRY,
        };
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            // A reference inside a write: ZITADEL's FailedPrecondition.
            let user = self.require_org_user(tx.conn(), ctx, &req.user_id).await.map_err(|e| {
                if e.kind == ErrorKind::NotFound {
                    Error::failed_precondition("COMMAND-Dggw2", format!("user {:?} not found", req.user_id))
                } else {
                    e
                }
            })?;
            if user.user_type != UserType::Machine {
                return Err(Error::failed_precondition(
                    "COMMAND-Df2f1",
                    "personal access tokens are for machine users",
                ));
            }
            let token = new_token();
            let token_id = self.new_id();
            let agg = Aggregate::new(aggregate::USER, &req.user_id, &user.resource_owner);
            let event = ue::PersonalAccessTokenAdded {
                token_id: token_id.clone(),
                expiration: EventTime(expiration),
                scopes: PAT_SCOPES.iter().map(|s| s.to_string()).collect(),
                token_hash: token_hash(&token),
            };
            let events = tx.push(vec![NewEvent::new(&agg, &event)?]).await?;
            tx.commit().await?;
            Ok(AddPersonalAccessTokenResponse { token_id, token, details: added_details(&events) })
        })
        .await
    }

    pub async fn list_personal_access_tokens(
        &self,
        ctx: &Ctx,
        req: ListPersonalAccessTokensRequest,
    ) -> Result<ListPersonalAccessTokensResponse> {
        validate::len("userId", &req.user_id, 0, 200)?;
        // As ZITADEL: the tokens of that user in the caller's organization;
        // none (an empty list) for a user it does not know.
        let owner = ctx.org().to_string();
        let page = v1_page(req.query.as_ref())?;
        let listed = burg_store::users::list_tokens(&self.db, &self.instance_id, &owner, &req.user_id, page).await?;
        let result = listed
            .rows
            .into_iter()
            .map(|t| PersonalAccessToken {
                id: t.id,
                details: details(t.sequence, t.creation_date, t.change_date, &owner),
                expiration_date: Some(Timestamp::from_micros(t.expiration)),
                scopes: t.scopes,
            })
            .collect();
        Ok(ListPersonalAccessTokensResponse { details: list_details(listed.total, 0, self.now()), result })
    }

    pub async fn remove_personal_access_token(
        &self,
        ctx: &Ctx,
        req: RemovePersonalAccessTokenRequest,
    ) -> Result<RemovePersonalAccessTokenResponse> {
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let user = self.require_org_user(tx.conn(), ctx, &req.user_id).await?;
            if !burg_store::users::has_token(tx.conn(), &self.instance_id, &req.user_id, &req.token_id).await? {
                return Err(Error::not_found(
                    crate::shared_ids::MACHINE_CREDENTIAL_NOT_FOUND,
                    format!("token {:?} not found", req.token_id),
                ));
            }
            let agg = Aggregate::new(aggregate::USER, &req.user_id, &user.resource_owner);
            let event = ue::PersonalAccessTokenRemoved { token_id: req.token_id.clone() };
            let events = tx.push(vec![NewEvent::new(&agg, &event)?]).await?;
            tx.commit().await?;
            Ok(RemovePersonalAccessTokenResponse { details: changed_details(&events) })
        })
        .await
    }
}

/// A service account made by [`App::create_service_account`].
#[derive(Debug)]
pub struct ServiceAccount {
    pub user_id: String,
    pub user_name: String,
    pub token: burg_domain::crypto::SecretString,
}

impl App {
    /// Creates a machine user holding `roles` (instance roles, or
    /// organization roles in `org`, by default the default organization)
    /// with a personal access token. For operators and tests.
    pub async fn create_service_account(
        &self,
        user_name: Option<&str>,
        roles: &[String],
        org: Option<&str>,
        expires_in_secs: Option<u64>,
    ) -> Result<ServiceAccount> {
        use burg_domain::events::{instance as ie, org as oe};
        use burg_domain::permission::{SYSTEM_OWNER, instance_roles, org_member_roles_valid};
        // SYSTEM_OWNER is held on the instance like the IAM_* roles; only
        // this path grants it.
        let (iam, org_level): (Vec<String>, Vec<String>) =
            roles.iter().cloned().partition(|r| r.starts_with("IAM_") || r == SYSTEM_OWNER);
        for r in &iam {
            if !instance_roles().any(|k| k == r) && r != SYSTEM_OWNER {
                return Err(Error::invalid_argument("USER-sa001", format!("unknown instance role {r:?}")));
            }
        }
        if !org_member_roles_valid(&org_level) {
            return Err(Error::invalid_argument(
                "USER-sa002",
                format!("organization roles must be ORG_… roles, or SELF_MANAGEMENT_GLOBAL alone: {org_level:?}"),
            ));
        }
        let ctx = Ctx::system("burg.cli");
        retry(|| async {
            let mut tx = self.begin(&ctx).await?;
            let default_org = self.instance_row(tx.conn()).await?.default_org_id;
            let user_org = org.map(str::to_string).unwrap_or(default_org);
            self.require_active_org(tx.conn(), &user_org).await?;
            let user_id = self.new_id();
            let user_name = user_name.map(str::to_string).unwrap_or_else(|| format!("sa-{user_id}"));
            validate::name("name", &user_name)?;
            self.require_unique_username(tx.conn(), &user_name).await?;
            let token = new_token();
            let expiration = match expires_in_secs {
                Some(s) => self.now().saturating_add(i64::try_from(s).unwrap_or(i64::MAX).saturating_mul(1_000_000)),
                None => NO_EXPIRY,
            };
            let user = Aggregate::new(aggregate::USER, &user_id, &user_org);
            let inst = Aggregate::new(aggregate::INSTANCE, &self.instance_id, &self.instance_id);
            let org_agg = Aggregate::new(aggregate::ORG, &user_org, &user_org);
            let mut events = vec![
                NewEvent::new(
                    &user,
                    &ue::MachineAdded {
                        user_name: user_name.clone(),
                        name: user_name.clone(),
                        description: "created by `burg token create`".into(),
                        access_token_type: 0,
                    },
                )?,
                NewEvent::new(
                    &user,
                    &ue::PersonalAccessTokenAdded {
                        token_id: self.new_id(),
                        expiration: EventTime(expiration),
                        scopes: PAT_SCOPES.iter().map(|s| s.to_string()).collect(),
                        token_hash: token_hash(&token),
                    },
                )?,
            ];
            if !iam.is_empty() {
                events.push(NewEvent::new(&inst, &ie::MemberAdded { user_id: user_id.clone(), roles: iam.clone() })?);
            }
            if !org_level.is_empty() {
                events.push(NewEvent::new(
                    &org_agg,
                    &oe::MemberAdded { user_id: user_id.clone(), roles: org_level.clone() },
                )?);
            }
            tx.push(events).await?;
            tx.commit().await?;
            Ok(ServiceAccount { user_id, user_name, token: burg_domain::crypto::SecretString(token) })
        })
        .await
    }
}
