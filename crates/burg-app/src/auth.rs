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
use burg_domain::{Error, Result};
use sqlx::Row;

use crate::App;

/// An authenticated caller.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Principal {
    pub user_id: String,
    /// The organization the user belongs to.
    pub org_id: String,
    pub instance_permissions: BTreeSet<&'static str>,
    pub org_permissions: HashMap<String, BTreeSet<&'static str>>,
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
}

impl Ctx {
    /// Work burg does on its own behalf (start-up, command line).
    pub fn system(service: &'static str) -> Self {
        Ctx { principal: Arc::new(Principal::system()), service, org_id: None }
    }

    /// The organization an org-scoped call works on: the header's, or the
    /// caller's own.
    pub fn org(&self) -> &str {
        self.org_id.as_deref().unwrap_or(&self.principal.org_id)
    }
}

impl App {
    /// Resolves a bearer token to its principal.
    pub async fn authenticate(&self, token: &str) -> Result<Arc<Principal>> {
        let unauthenticated = || Error::unauthenticated("AUTH-tok01", "invalid or expired token");
        if token.is_empty() || token.len() > 512 {
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
        let row = sqlx::query(
            "SELECT p.user_id, p.expiration, u.resource_owner, u.state FROM personal_access_tokens p \
             JOIN users u ON u.instance_id = p.instance_id AND u.id = p.user_id \
             WHERE p.token_hash = $1 AND p.instance_id = $2",
        )
        .bind(&hash)
        .bind(&self.instance_id)
        .fetch_optional(self.db.pool())
        .await
        .map_err(|e| db_err("AUTH-db001", e))?
        .ok_or_else(unauthenticated)?;
        let user_id: String = row.try_get("user_id").map_err(|e| db_err("AUTH-db002", e))?;
        let expiration: i64 = row.try_get("expiration").map_err(|e| db_err("AUTH-db003", e))?;
        let org_id: String = row.try_get("resource_owner").map_err(|e| db_err("AUTH-db004", e))?;
        let state: i64 = row.try_get("state").map_err(|e| db_err("AUTH-db005", e))?;
        if expiration <= self.now() || state != 1 {
            return Err(unauthenticated());
        }
        let principal = Arc::new(self.principal_of(user_id, org_id).await?);
        self.tokens.put(hash, generation, Arc::new(CachedToken { principal: principal.clone(), expiration }));
        Ok(principal)
    }

    async fn principal_of(&self, user_id: String, org_id: String) -> Result<Principal> {
        let iam_roles: Option<String> =
            sqlx::query_scalar("SELECT roles FROM iam_members WHERE instance_id = $1 AND user_id = $2")
                .bind(&self.instance_id)
                .bind(&user_id)
                .fetch_optional(self.db.pool())
                .await
                .map_err(|e| db_err("AUTH-db006", e))?;
        let roles = parse_roles(iam_roles.as_deref());
        let instance_permissions = permissions_of(roles.iter().map(String::as_str));
        let rows = sqlx::query("SELECT org_id, roles FROM org_members WHERE instance_id = $1 AND user_id = $2")
            .bind(&self.instance_id)
            .bind(&user_id)
            .fetch_all(self.db.pool())
            .await
            .map_err(|e| db_err("AUTH-db007", e))?;
        let mut org_permissions = HashMap::new();
        for row in rows {
            let org: String = row.try_get("org_id").map_err(|e| db_err("AUTH-db008", e))?;
            let roles: String = row.try_get("roles").map_err(|e| db_err("AUTH-db009", e))?;
            let roles = parse_roles(Some(&roles));
            org_permissions.insert(org, permissions_of(roles.iter().map(String::as_str)));
        }
        Ok(Principal { user_id, org_id, instance_permissions, org_permissions })
    }
}

pub(crate) fn parse_roles(json: Option<&str>) -> Vec<String> {
    json.and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default()
}

/// A database error on a read path: logged with its cause, answered as
/// Internal without it.
pub(crate) fn db_err(id: &'static str, err: sqlx::Error) -> Error {
    tracing::error!(error_id = id, error = %err, "database error");
    Error::internal(id, "database error")
}
