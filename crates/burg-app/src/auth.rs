//! Who is calling, and what they may do.
//!
//! A bearer token is looked up by its SHA-256 among the personal access
//! tokens; its user must exist and be active, the token unexpired. The
//! user's instance roles (IAM members) grant permissions everywhere, its
//! organization roles within their organization.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use burg_domain::crypto::token_hash;
use burg_domain::permission::permissions_of;
use burg_domain::state::UserState;
use burg_domain::{Error, Result};

use crate::App;

/// An authenticated caller.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Principal {
    pub user_id: String,
    /// The organization the user belongs to.
    pub org_id: String,
    pub instance_permissions: BTreeSet<&'static str>,
    pub org_permissions: HashMap<String, BTreeSet<&'static str>>,
    /// Permissions held on one project or project grant only (a project
    /// member's or a project grant member's roles).
    pub object_permissions: Vec<ObjectPermissions>,
}

/// What a membership of one project (or project grant) lets its member do
/// there, in the calls of the organizations it counts in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectPermissions {
    pub object_id: String,
    pub orgs: Vec<String>,
    pub permissions: BTreeSet<&'static str>,
}

/// A call let through on a permission the caller holds on some projects or
/// project grants only (`ids`), as ZITADEL's `check_field_name`: the
/// request's `field` (its JSON name) must be one of them, or, for a list
/// without such a field, the list holds only them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectScope {
    pub field: Option<&'static str>,
    pub ids: Vec<String>,
}

impl Principal {
    /// The principal of burg's own start-up and command-line work: an
    /// instance owner (whoever runs the command owns the database).
    pub fn system() -> Self {
        Principal {
            user_id: "SYSTEM".into(),
            instance_permissions: permissions_of(["IAM_OWNER"]),
            ..Principal::default()
        }
    }

    /// Whether the caller holds `permission` on the instance, or in `org`.
    pub fn has(&self, permission: &str, org: Option<&str>) -> bool {
        if permission == "authenticated" || self.instance_permissions.contains(permission) {
            return true;
        }
        org.and_then(|o| self.org_permissions.get(o)).is_some_and(|p| p.contains(permission))
    }

    /// The projects or project grants on which the caller holds
    /// `permission` in the calls of organization `org`.
    pub fn object_ids(&self, permission: &str, org: &str) -> Vec<String> {
        self.object_permissions
            .iter()
            .filter(|o| o.permissions.contains(permission) && o.orgs.iter().any(|x| x == org))
            .map(|o| o.object_id.clone())
            .collect()
    }

    /// Fails with PermissionDenied unless the caller holds `permission`.
    pub fn require(&self, permission: &str, org: Option<&str>) -> Result<()> {
        if self.has(permission, org) {
            Ok(())
        } else {
            Err(Error::permission_denied("AUTH-perm01", format!("missing permission {permission}")))
        }
    }
}

/// A token's principal as the cache keeps it.
pub(crate) struct CachedToken {
    principal: Arc<Principal>,
    /// Microseconds since the epoch.
    expiration: i64,
}

/// A call: who makes it and through which API.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub principal: Arc<Principal>,
    /// The gRPC service that took the call; recorded as the events' editor.
    pub service: &'static str,
    /// The organization of an org-scoped call (`x-zitadel-orgid`), if given.
    pub org_id: Option<String>,
    /// The scheme and host the call was made to (`https://login.example.com`),
    /// for the URLs of answers; `None` off a request.
    pub origin: Option<String>,
    /// Set when the call is let through on project (grant) permissions only.
    pub scope: Option<ObjectScope>,
}

impl Ctx {
    /// Work burg does on its own behalf (start-up, command line).
    pub fn system(service: &'static str) -> Self {
        Ctx { principal: Arc::new(Principal::system()), service, org_id: None, origin: None, scope: None }
    }

    /// The organization an org-scoped call works on: the header's, or the
    /// caller's own.
    pub fn org(&self) -> &str {
        self.org_id.as_deref().unwrap_or(&self.principal.org_id)
    }

    /// The call as one on organization `org`, which a v2 RPC names in its
    /// request (`burg_api::routes::Route::org_in_request`), once the caller
    /// is found to hold `permission` there (or on the instance). The
    /// Management API's methods then work on `org`.
    pub fn in_org(&self, permission: &str, org: &str) -> Result<Ctx> {
        self.principal.require(permission, Some(org))?;
        Ok(Ctx { org_id: Some(org.to_string()), ..self.clone() })
    }
}

impl App {
    /// Resolves a bearer token to its principal.
    pub async fn authenticate(&self, token: &str) -> Result<Arc<Principal>> {
        let unauthenticated = || Error::unauthenticated("AUTH-tok01", "invalid or expired token");
        // (A JWT access token signed with a 4096-bit key is about 1,200
        // characters.)
        if token.is_empty() || token.len() > 4096 {
            return Err(unauthenticated());
        }
        let hash = token_hash(token);
        let generation = self.db.generation();
        if let Some(cached) = self.tokens.get(&hash, generation) {
            if cached.expiration <= self.now() {
                return Err(unauthenticated());
            }
            return Ok(cached.principal.clone());
        }
        let user =
            burg_store::users::token_user(&self.db, &self.instance_id, &hash).await?.ok_or_else(unauthenticated)?;
        let expiration = user.expiration;
        if expiration <= self.now() || user.state != UserState::Active {
            return Err(unauthenticated());
        }
        let principal = Arc::new(self.principal_of(user.user_id, user.org_id).await?);
        self.tokens.put(hash, generation, Arc::new(CachedToken { principal: principal.clone(), expiration }));
        Ok(principal)
    }

    async fn principal_of(&self, user_id: String, org_id: String) -> Result<Principal> {
        let roles = burg_store::members::roles_of_user(&self.db, &self.instance_id, &user_id).await?;
        let instance_permissions = permissions_of(roles.instance.iter().map(String::as_str));
        let mut org_permissions = HashMap::new();
        for (org, roles) in roles.orgs {
            org_permissions.insert(org, permissions_of(roles.iter().map(String::as_str)));
        }
        let object_permissions = roles
            .objects
            .into_iter()
            .map(|o| ObjectPermissions {
                permissions: burg_domain::permission::project_permissions_of(o.roles.iter().map(String::as_str)),
                object_id: o.object_id,
                orgs: o.orgs,
            })
            .filter(|o| !o.permissions.is_empty())
            .collect();
        Ok(Principal { user_id, org_id, instance_permissions, org_permissions, object_permissions })
    }
}
