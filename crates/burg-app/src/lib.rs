//! burg's use cases.
//!
//! One module per RPC family. A write validates its input, reads the state
//! it needs inside its write transaction, decides which events to append,
//! and answers with `details` taken from those events; a read queries the
//! projections. Requests and answers are the wire messages of `burg-api`:
//! the gRPC and REST front ends both call these same functions.
//!
//! This crate knows nothing of HTTP or gRPC transport, and never logs a
//! secret: plaintext secrets only pass through [`burg_domain::crypto`].
// A dependency nothing uses fails the lints (unit tests use dev-dependencies).
#![cfg_attr(not(test), deny(unused_crate_dependencies))]

mod apps;
mod auth;
mod bootstrap;
mod cache;
pub mod egress;
mod events;
mod features;
mod general;
mod idp;
mod instance;
mod instance_settings;
mod instance_v2;
mod label_policy;
mod list;
mod machine;
mod member;
pub mod memory;
mod mgmt_actions;
mod mgmt_org;
mod mgmt_policies;
mod mgmt_texts;
mod mgmt_user;
mod notify;
pub mod oidc;
mod operations;
mod org;
mod org_v2;
mod policies;
mod policy;
mod project;
mod project_grant;
mod restrictions;
pub mod settings;
mod texts;
mod transfer;
mod user;
mod user_grant;
mod user_v2;
mod v2_projects;
mod web_keys;

use std::future::Future;
use std::sync::Arc;

pub use auth::{Ctx, ObjectScope, Principal};
pub use bootstrap::Bootstrap;
use burg_api::object::ObjectDetails;
use burg_api::wkt::Timestamp;
use burg_domain::crypto::MasterKey;
use burg_domain::event::Event;
use burg_domain::{Clock, Error, ErrorKind, IdGenerator, Result};
use burg_store::{Db, Editor, WriteTx};
pub use label_policy::{ServedAsset, UploadRefused};
pub use mgmt_org::DomainCheck;
pub use org::RemoveOrgCall;
pub use transfer::{
    DocumentFormat, IMPORT_EXISTS_ID, IMPORT_ORG_EXISTS_ID, ImportMode, TransferDir, check_document,
    check_file_document, parse_duration,
};
pub use user::ServiceAccount;

/// Settings of the instance that burg creates on first start.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Name of the instance created on first start.
    pub instance_name: String,
    /// The instance's generated domain (also the default org's domain suffix).
    pub external_domain: String,
    /// Name of the default organization created on first start.
    pub default_org_name: String,
    /// bcrypt cost for plain passwords (4–31).
    pub password_cost: u32,
    /// RSA key size of SAML service-provider keys (ZITADEL uses 4096).
    pub saml_key_bits: usize,
    /// Where local export outputs and import inputs live.
    pub transfer_dir: TransferDir,
    /// Told how far exports and imports have come (the command line's
    /// progress bars).
    pub progress: Progress,
    /// A new instance is created without its default organization and
    /// IAM_OWNER service account; [`App::finish_setup`] adds them later
    /// (an import into a new data directory brings the organizations).
    pub defer_setup: bool,
    /// Which outbound connections may be made (S3, GCS, SAML metadata, …).
    pub egress: egress::Policy,
    /// How organization domains' challenges are looked for.
    pub domain_check: DomainCheck,
    /// The base URL of Twilio's REST API, which SMS of a Twilio provider
    /// are posted to (tests point it at a local server).
    pub twilio_api: String,
}

/// What an export or an import tells its [`Progress`] listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tick {
    /// What the work holds: an export's chosen organizations and their
    /// users when it starts, an import's once its document is checked.
    Planned { orgs: u64, users: u64 },
    /// Users of the finished organizations (an export: exported so far).
    Users(u64),
    /// Organizations finished.
    Orgs(u64),
    /// Users of the organization being imported that were worked on so far.
    OrgUsers(u64),
    /// Users an import wrote so far (not those that were there already).
    Written(u64),
}

/// A progress listener.
#[derive(Clone, Default)]
pub struct Progress(pub Option<Arc<dyn Fn(Tick) + Send + Sync>>);

impl Progress {
    pub(crate) fn tell(&self, tick: Tick) {
        if let Some(f) = &self.0 {
            f(tick);
        }
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Progress(listening)" } else { "Progress(none)" })
    }
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            instance_name: "burg".into(),
            external_domain: "localhost".into(),
            default_org_name: "burg".into(),
            password_cost: 12,
            saml_key_bits: 4096,
            transfer_dir: TransferDir::default(),
            progress: Progress::default(),
            defer_setup: false,
            egress: egress::Policy::default(),
            domain_check: DomainCheck::default(),
            twilio_api: "https://api.twilio.com".into(),
        }
    }
}

/// Everything a use case needs: the database, the master key, time and ids.
pub struct App {
    pub(crate) db: Db,
    pub(crate) key: MasterKey,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) ids: IdGenerator,
    pub(crate) instance_id: String,
    pub(crate) config: AppConfig,
    /// Every outbound connection goes through it (see [`egress`]).
    pub(crate) egress: egress::Egress,
    /// Principals by token hash.
    pub(crate) tokens: cache::GenCache<Arc<auth::CachedToken>>,
    /// Identity-provider templates by id.
    pub(crate) templates: cache::GenCache<Arc<idp::Stored>>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("instance_id", &self.instance_id).finish_non_exhaustive()
    }
}

impl App {
    pub fn instance_id(&self) -> &str {
        &self.instance_id
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn now(&self) -> i64 {
        self.clock.now_micros()
    }

    pub(crate) fn new_id(&self) -> String {
        self.ids.next(self.clock.as_ref())
    }

    /// The instance's aggregate, which its settings and providers are
    /// events of.
    pub(crate) fn instance_aggregate(&self) -> burg_domain::event::Aggregate {
        use burg_domain::event::{Aggregate, aggregate};
        Aggregate::new(aggregate::INSTANCE, &self.instance_id, &self.instance_id)
    }

    /// Starts a write on behalf of `ctx`.
    pub(crate) async fn begin(&self, ctx: &Ctx) -> Result<WriteTx> {
        let editor = Editor { user_id: ctx.principal.user_id.clone(), service: ctx.service.to_string() };
        self.db.begin_write(&self.instance_id, editor, self.now()).await
    }
}

impl App {
    /// `Healthz`: answers when the process serves.
    pub async fn healthz(
        &self,
        _ctx: &Ctx,
        _req: burg_api::admin::HealthzRequest,
    ) -> Result<burg_api::admin::HealthzResponse> {
        Ok(burg_api::admin::HealthzResponse {})
    }

    /// Whether the database answers (readiness).
    pub async fn ping(&self) -> Result<()> {
        self.db.ping().await
    }
}

/// ZITADEL's error ids that two of burg's paths give, because one command
/// of ZITADEL's stands behind both (an RPC and the import).
pub(crate) mod shared_ids {
    /// `checkUserExists`: AddOrg's caller, an imported grant's or member's user.
    pub(crate) const USER_NOT_FOUND: &str = "COMMAND-uXHNj";
    /// `AddUserGrant`: no user or project named (the RPC, an imported grant).
    pub(crate) const USER_GRANT_INVALID: &str = "COMMAND-kVfMa";
    /// `AddProjectMember`: an id or the roles missing (the RPC's roles, an
    /// imported member's ids and roles).
    pub(crate) const PROJECT_MEMBER_INVALID: &str = "PROJECT-W8m4l";
    /// `AddProjectGrantMember`: the same for a grant's member.
    pub(crate) const GRANT_MEMBER_INVALID: &str = "PROJECT-8fi7G";
    /// `SetTriggerActions`: the trigger runs these actions already (the
    /// RPC, an imported trigger without actions).
    pub(crate) const TRIGGER_UNCHANGED: &str = "COMMAND-Nfh52";
    /// `AddMachine`: a user with the machine's id exists (AddMachineUser,
    /// an imported machine).
    pub(crate) const MACHINE_ID_TAKEN: &str = "COMMAND-k2una";
    /// `AddUserMachineKey`: no such machine user in the organization (the
    /// RPC, an imported key).
    pub(crate) const MACHINE_KEY_USER_NOT_FOUND: &str = "COMMAND-bnipwm1";
    /// `AddOrgMemberCommand`: the user does not exist.
    pub(crate) const MEMBER_USER_NOT_FOUND: &str = "ORG-GoXOn";
    /// `AddOrgMemberCommand`: no user or no role given.
    pub(crate) const MEMBER_INVALID: &str = "ORG-4Mlfs";
    /// `AddOrgMemberCommand`: the user is a member already.
    pub(crate) const MEMBER_EXISTS: &str = "ORG-poWwe";
    /// `prepareAddOrgDomain`: a domain that is blank once trimmed.
    pub(crate) const DOMAIN_BLANK: &str = "ORG-r3h4J";
    /// `AddProjectWithID` on an id a project has.
    pub(crate) const PROJECT_EXISTS: &str = "COMMAND-opamwu";
    /// `AddOIDCApplicationWithID` on an id an application has.
    pub(crate) const APP_EXISTS: &str = "PROJECT-lxowmp";
    /// `AddAPIApplicationWithID`: an app with the id exists (AddAPIApp, an
    /// imported API app).
    pub(crate) const API_APP_EXISTS: &str = "PROJECT-mabu12";
    /// `prepareAddOrgDomain` on a domain the organization has.
    pub(crate) const DOMAIN_ON_ORG: &str = "V2-e1wse";
    /// `SetPrimaryOrgDomain` on a domain that is not verified.
    pub(crate) const DOMAIN_NOT_VERIFIED: &str = "ORG-Ggd32";
    /// A machine's token or key that is not there (ZITADEL's one id for
    /// both removals).
    pub(crate) const MACHINE_CREDENTIAL_NOT_FOUND: &str = "COMMAND-4m77G";
    /// `emailWriteModel`: no such user (a change of the address, a code).
    pub(crate) const EMAIL_USER_NOT_FOUND: &str = "COMMAND-0Pe4r";
    /// ZITADEL's id of a missing user's deactivation and of an address
    /// that is verified already.
    pub(crate) const COMMAND_3M9DS: &str = "COMMAND-3M9ds";
    /// `GetAuthNKeyByID`: no such key (a machine user's or an app's).
    pub(crate) const KEY_NOT_FOUND: &str = "QUERY-Dgr3g";
    /// `Project.IsValid`: a project without a name (the RPC, an imported
    /// project).
    pub(crate) const PROJECT_INVALID: &str = "PROJECT-IOVCC";
    /// `setUserMetadata`: an empty key or value (the RPCs, imported
    /// metadata); `BulkSetUserMetadata` with none.
    pub(crate) const USER_METADATA_INVALID: &str = "META-2m00f";
    /// `Errors.Project.Invalid` / `Errors.Project.App.Invalid` of ZITADEL's
    /// project and application changes.
    pub(crate) const PROJECT_OR_APP_INVALID: &str = "COMMAND-4m9vS";
    /// `ValidateExpirationDate`: a token's or key's expiry in the past.
    pub(crate) const EXPIRY_IN_PAST: &str = "DOMAIN-dv3t5";
    /// A machine key's public key that is not one.
    pub(crate) const NOT_A_PUBLIC_KEY: &str = "COMMAND-5F3h1";
    /// `AddInstanceMember`: the user does not exist (an RPC and the
    /// instance section of an import).
    pub(crate) const IAM_MEMBER_USER_NOT_FOUND: &str = "INSTA-GSXOn";
    /// `addProjectMember`: the user is a member of the project already.
    pub(crate) const PROJECT_MEMBER_EXISTS: &str = "PROJECT-PtXi1";
    /// `projectMemberWriteModelByID`, `projectGrantWriteModelByID`: no such
    /// member or grant of the project.
    pub(crate) const PROJECT_PART_NOT_FOUND: &str = "PROJECT-D8JxR";
    /// `Errors.NoChangesFound` of ZITADEL's project and profile changes.
    pub(crate) const NO_CHANGES: &str = "COMMAND-2M0fs";
    /// `Errors.*.NotFound` of ZITADEL's project commands and profile change.
    pub(crate) const NOT_FOUND_3M9SD: &str = "COMMAND-3M9sd";
    /// `projectGrantMemberWriteModelByID`: no such member (ZITADEL's import
    /// reports a repeated grant member with it too).
    pub(crate) const GRANT_MEMBER_NOT_FOUND: &str = "PROJECT-37fug";
    /// `AddIDPToDefaultLoginPolicy`: the provider does not exist.
    pub(crate) const POLICY_IDP_NOT_FOUND: &str = "INSTANCE-m8fsd";
    /// `AddOrgDomainPolicy`: the organization has its own (the RPC, an
    /// imported policy).
    pub(crate) const ORG_DOMAIN_POLICY_EXISTS: &str = "ORG-1M8ds";
    /// `AddLockoutPolicy`: the organization has its own (the RPC, an
    /// imported policy).
    pub(crate) const ORG_LOCKOUT_POLICY_EXISTS: &str = "ORG-0olDf";
    /// `setOrgMetadata`: a key or value is missing.
    pub(crate) const ORG_METADATA_INVALID: &str = "META-2ml0f";
    /// `RemoveOrgMetadata`, `RemoveUserMetadata`: no key given.
    pub(crate) const METADATA_KEY_MISSING: &str = "META-2n0f1";
    /// `BulkRemove…Metadata`: no keys given.
    pub(crate) const METADATA_NO_KEYS: &str = "META-9mw2d";
    /// A human's user name, blank once trimmed (SetUpOrg, AddHumanUser).
    pub(crate) const USER_NAME_BLANK: &str = "V2-zzad3";
    /// `Profile.Validate`: the first name, blank once trimmed.
    pub(crate) const FIRST_NAME_BLANK: &str = "USER-UCej2";
    /// `Profile.Validate`: the last name, blank once trimmed.
    pub(crate) const LAST_NAME_BLANK: &str = "USER-4hB7d";
    /// `AddOrgCommand`: an organization name that is blank once trimmed
    /// (SetUpOrg, AddOrganization).
    pub(crate) const ORG_NAME_BLANK: &str = "ORG-mruNY";
    /// `userValidateDomain`: a username in a domain another organization
    /// verified (SetUpOrg, AddOrganization).
    pub(crate) const USERNAME_DOMAIN_TAKEN: &str = "COMMAND-SFd21";
    /// `BulkSetOrgMetadata`: no metadata given (the Management API's and
    /// the Organization API v2's).
    pub(crate) const METADATA_NO_DATA: &str = "META-9mm2d";
}

/// How long a write keeps trying while other writers win its aggregate.
const RETRY_FOR: std::time::Duration = std::time::Duration::from_secs(5);

/// Runs a write again when a concurrent writer got to the same aggregate
/// first (PostgreSQL), after a random pause that doubles up to 50 ms, so
/// that many writers on one aggregate take turns instead of colliding
/// again; other errors return at once.
/// One write: begins a transaction, runs the body with its connection
/// (`$conn`, a `&mut Conn`; a `return Err` inside gives up), pushes the
/// events the body answers and commits, retried as `retry` says. The body
/// answers `Result<Vec<NewEvent>>` and the write the stored events; with
/// `-> out` it answers `Result<(Vec<NewEvent>, T)>` and the write
/// `(events, T)`.
macro_rules! in_tx {
    ($app:expr, $ctx:expr, |$conn:ident| -> out $body:block) => {
        $crate::retry(|| async {
            let mut tx = $app.begin($ctx).await?;
            let (events, out) = {
                let $conn = tx.conn();
                $body
            }?;
            let pushed = tx.push(events).await?;
            tx.commit().await?;
            Ok((pushed, out))
        })
        .await
    };
    ($app:expr, $ctx:expr, |$conn:ident| $body:block) => {
        $crate::retry(|| async {
            let mut tx = $app.begin($ctx).await?;
            let events = {
                let $conn = tx.conn();
                $body
            }?;
            let pushed = tx.push(events).await?;
            tx.commit().await?;
            Ok(pushed)
        })
        .await
    };
}
pub(crate) use in_tx;

pub(crate) async fn retry<T, F, Fut>(mut attempt: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let started = std::time::Instant::now();
    let mut pause_micros: u64 = 1000;
    loop {
        match attempt().await {
            Err(e) if e.kind == ErrorKind::Aborted && started.elapsed() < RETRY_FOR => {
                let jitter = rand::random_range(0..=pause_micros);
                tokio::time::sleep(std::time::Duration::from_micros(jitter)).await;
                pause_micros = (pause_micros * 2).min(50_000);
            }
            other => return other,
        }
    }
}

/// `details` of an answer to a write that adds an object, as ZITADEL's add
/// converters (`DomainToAddDetailsPb`) give them: the last event's sequence,
/// its time as `creationDate` only, and its resource owner.
pub(crate) fn added_details(events: &[Event]) -> Option<ObjectDetails> {
    let last = events.last()?;
    Some(ObjectDetails {
        sequence: last.sequence as u64,
        creation_date: Some(Timestamp::from_micros(last.created_at)),
        change_date: None,
        resource_owner: last.resource_owner.clone(),
    })
}

/// `details` of an answer to a write that changes or removes something, as
/// ZITADEL's change converters (`DomainToChangeDetailsPb`) give them: the
/// last event's sequence, its time as `changeDate` only, and its resource
/// owner.
pub(crate) fn changed_details(events: &[Event]) -> Option<ObjectDetails> {
    let last = events.last()?;
    Some(ObjectDetails {
        sequence: last.sequence as u64,
        creation_date: None,
        change_date: Some(Timestamp::from_micros(last.created_at)),
        resource_owner: last.resource_owner.clone(),
    })
}

/// The change flavour of `details` for a write that found nothing to
/// change: the object's own sequence and change date.
pub(crate) fn unchanged_details(sequence: i64, changed: i64, owner: &str) -> Option<ObjectDetails> {
    Some(ObjectDetails {
        sequence: sequence.max(0) as u64,
        creation_date: None,
        change_date: Some(Timestamp::from_micros(changed)),
        resource_owner: owner.to_string(),
    })
}

/// `details` of an object read from a projection row.
pub(crate) fn details(sequence: i64, created: i64, changed: i64, owner: &str) -> Option<ObjectDetails> {
    Some(ObjectDetails {
        sequence: sequence.max(0) as u64,
        creation_date: Some(Timestamp::from_micros(created)),
        change_date: Some(Timestamp::from_micros(changed)),
        resource_owner: owner.to_string(),
    })
}

/// v1 `details` in the v2 APIs' shape (`zitadel.object.v2.Details`).
pub(crate) fn details_v2(d: Option<ObjectDetails>) -> Option<burg_api::zitadel::object::v2::Details> {
    d.map(|d| burg_api::zitadel::object::v2::Details {
        sequence: d.sequence,
        change_date: d.change_date,
        resource_owner: d.resource_owner,
        creation_date: d.creation_date,
    })
}

/// Used where an answer has no events because nothing changed.
pub(crate) fn unchanged(id: &'static str, what: &str) -> Error {
    Error::failed_precondition(id, format!("{what}: nothing to change"))
}
