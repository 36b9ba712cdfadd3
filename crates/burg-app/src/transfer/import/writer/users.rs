//! Human and machine users, and the document's user links: a batch at a
//! time, the stored users or links of a batch looked up together.

use std::collections::{HashMap, HashSet};

use burg_api::admin::ImportDataSuccessUserLinks;
use burg_domain::crypto::MasterKey;
use burg_domain::event::{Aggregate, NewEvent, aggregate};
use burg_domain::events::user as ue;
use burg_domain::instance_settings::{GeneratorConfig, SecretGeneratorType};
use burg_domain::policies::{DomainPolicy, PasswordComplexityPolicy};
use burg_domain::settings::Setting;
use burg_domain::{Error, Result, password, phone, validate};
use burg_store::transfer::import::{self as stored, StoredUser};
use burg_store::tuning::Statistics;
use serde_json::Value;

use super::super::super::{Kind, at, list, text_at};
use super::super::doc::{OrgDoc, Reading};
use super::{OrgWriter, Stored};
use crate::mgmt_user::{DrawnCode, FirstCodes, generator};
use crate::{App, Tick};

/// The two lists of users.
#[derive(Debug, Clone, Copy)]
enum Users {
    Human,
    Machine,
}

impl Users {
    fn json(self) -> &'static str {
        match self {
            Users::Human => "humanUsers",
            Users::Machine => "machineUsers",
        }
    }

    fn kind(self) -> Kind {
        match self {
            Users::Human => Kind::HumanUser,
            Users::Machine => Kind::MachineUser,
        }
    }
}

/// The first codes of a user the import adds: sent once its organization
/// is committed.
pub(crate) struct Drawn {
    pub(crate) user_id: String,
    pub(crate) init: Option<DrawnCode>,
    pub(crate) email: Option<DrawnCode>,
    pub(crate) phone: Option<DrawnCode>,
}

/// The instance's generators of the first codes, read once per
/// organization.
struct Generators {
    init: GeneratorConfig,
    email: GeneratorConfig,
    phone: GeneratorConfig,
}

/// One user link of the document.
struct Link {
    user_id: String,
    idp_id: String,
    external: String,
    display_name: String,
}

impl App {
    /// The users, humans first: a user stored under the same id in this
    /// organization with the same name is the same; another there refuses
    /// it, and so does its name taken in this organization.
    pub(super) async fn write_users(&self, w: &mut OrgWriter<'_>, org: &OrgDoc) -> Result<()> {
        let org_id = org.org_id();
        let mut statistics = Statistics::default();
        let mut seen = 0;
        let generators = Generators {
            init: generator(self, SecretGeneratorType::InitCode).await?,
            email: generator(self, SecretGeneratorType::VerifyEmailCode).await?,
            phone: generator(self, SecretGeneratorType::VerifyPhoneCode).await?,
        };
        let complexity: PasswordComplexityPolicy = self.import_setting(w, org, "passwordComplexityPolicy").await?;
        // Usernames are unique in the organization when its domain policy
        // makes them login names in its domains, else in the instance (the
        // scope of ZITADEL's username constraint).
        let names_of = self.import_setting::<DomainPolicy>(w, org, "domainPolicy").await?.user_login_must_be_domain;
        for users in [Users::Human, Users::Machine] {
            let mut batches = org.batches(users.json(), Reading::Json, |u| u);
            while let Some(batch) = batches.next() {
                w.tally.settle();
                seen += batch.len() as u64;
                self.config.progress.tell(Tick::OrgUsers(seen));
                statistics.before_users(w.tx, batch.len()).await?;
                let known = stored::users(w.tx, batch.iter().map(|u| text_at(u, "userId"))).await?;
                // Ids of users removed before are ZITADEL's "already existing".
                let unknown =
                    batch.iter().map(|u| text_at(u, "userId")).filter(|id| !id.is_empty() && !known.contains_key(*id));
                let removed = stored::with_history(w.tx, aggregate::USER, unknown).await?;
                let names = batch.iter().map(|u| text_at(u, "user.userName").trim());
                let taken = stored::taken_user_names(w.tx, names_of.then_some(org_id), names).await?;
                for mut u in batch {
                    if w.room().await? {
                        statistics.after_write(w.tx).await?;
                    }
                    if text_at(&u, "userId").is_empty()
                        && let Some(fields) = u.as_object_mut()
                    {
                        // As ZITADEL's commands: a user without an id gets one.
                        fields.insert("userId".into(), Value::String(self.new_id()));
                    }
                    let u = &u;
                    let user_id = text_at(u, "userId");
                    let found = match stored_user(w, &known, &removed, org_id, users, u) {
                        Ok(found) => found,
                        Err(e) => {
                            w.user_failed(users.kind(), user_id, e);
                            self.otp_apart(w, u, false).await?;
                            continue;
                        }
                    };
                    let same = matches!(found, Stored::Same);
                    if !w.settle(users.kind(), user_id, found) {
                        self.otp_apart(w, u, same).await?;
                        continue;
                    }
                    let events = match users {
                        Users::Human => {
                            human_events(&self.key, self.config.password_cost, org_id, u, &generators, &complexity)
                        }
                        Users::Machine => machine_event(org_id, u).map(|added| (added, Vec::new(), None)),
                    };
                    let links = match users {
                        Users::Human => human_links(w, u).await?,
                        Users::Machine => Ok(()),
                    };
                    let events = events.and_then(|e| links.map(|_| e));
                    let user_name = text_at(u, "user.userName").trim().to_lowercase();
                    let name_taken = taken.contains(&user_name) || w.name_written(&user_name);
                    let events = events.and_then(|e| match name_taken {
                        // ZITADEL's unique constraint on the username.
                        true => Err(Error::already_exists("V3-DKcYh", "Errors.User.AlreadyExists")),
                        false => Ok(e),
                    });
                    match events.and_then(|e| Ok((e, state_event(org_id, u)?))) {
                        Ok(((added, rest, drawn), state)) => {
                            w.add_user(added, rest, state);
                            w.drawn.extend(drawn);
                        }
                        Err(e) => {
                            // Refused by its command alone: ZITADEL's
                            // import reports the user and goes on.
                            w.user_failed(users.kind(), user_id, e);
                            self.otp_apart(w, u, false).await?;
                            continue;
                        }
                    }
                    w.user_written(user_id, user_name);
                    if !text_at(u, "user.otpCode").is_empty() {
                        w.first_time(Kind::HumanUserOtp, user_id);
                    }
                    for link in list(u, "user.idps") {
                        // A link of the document given again is taken.
                        let pair = format!("{}\0{}", text_at(link, "configId"), text_at(link, "externalUserId"));
                        w.first_time(Kind::UserLink, &pair);
                    }
                    match users {
                        Users::Human => w.tally.org.human_user_ids.push(user_id.to_string()),
                        Users::Machine => w.tally.org.machine_user_ids.push(user_id.to_string()),
                    }
                }
            }
            w.merge_users();
        }
        Ok(())
    }

    /// The document's own list of user links: a link stored for the same
    /// IdP and external id is the same when it is the same user's.
    pub(super) async fn write_links(&self, w: &mut OrgWriter<'_>, org: &OrgDoc) -> Result<()> {
        let org_id = org.org_id();
        let mut links = org.batches("userLinks", Reading::Json, |l| Link {
            user_id: text_at(&l, "userId").to_string(),
            idp_id: text_at(&l, "idpId").to_string(),
            external: text_at(&l, "providedUserId").to_string(),
            display_name: text_at(&l, "providedUserName").to_string(),
        });
        while let Some(batch) = links.next() {
            w.tally.settle();
            let known = stored::links(w.tx, batch.iter().map(|l| (l.idp_id.as_str(), l.external.as_str()))).await?;
            for l in batch {
                w.room().await?;
                let id = format!("{}_{}", l.user_id, l.idp_id);
                let found = link_stored(w, &known, &l).await?;
                if !w.settle(Kind::UserLink, &id, found) {
                    continue;
                }
                let agg = Aggregate::new(aggregate::USER, &l.user_id, org_id);
                let e = ue::ExternalIdpAdded {
                    idp_config_id: l.idp_id.clone(),
                    user_id: l.external.clone(),
                    display_name: l.display_name.clone(),
                };
                w.add(NewEvent::new(&agg, &e)?);
                w.tally.org.user_links.push(ImportDataSuccessUserLinks {
                    user_id: l.user_id,
                    external_user_id: l.external,
                    display_name: l.display_name,
                    idp_id: l.idp_id,
                });
            }
        }
        Ok(())
    }
}

impl App {
    /// After human `u` was not written: ZITADEL imports its OTP secret apart
    /// (`ImportHumanTOTP`) into the organization's user under the id, if it
    /// has one (`COMMAND-uXHNj` if not), unless that user's secret is ready
    /// (AE `COMMAND-do9se`; not reported for the `same` user stored with
    /// the same content, which an import again finds as it left it).
    async fn otp_apart(&self, w: &mut OrgWriter<'_>, u: &Value, same: bool) -> Result<()> {
        let user_id = text_at(u, "userId");
        let otp = text_at(u, "user.otpCode");
        if otp.is_empty() {
            return Ok(());
        }
        if !w.user_here(user_id).await? {
            let e = super::no_such_user(crate::shared_ids::USER_NOT_FOUND);
            w.settle(Kind::HumanUserOtp, user_id, Stored::Skipped(e));
            return Ok(());
        }
        // Written by this import with a secret, or stored with one.
        let ready = !w.first_time(Kind::HumanUserOtp, user_id)
            || (!w.user_ids.contains(user_id) && stored::has_otp(w.tx, user_id).await?);
        if ready && same {
            return Ok(());
        }
        if ready {
            let e = Error::already_exists("COMMAND-do9se", "Errors.User.MFA.OTP.AlreadyReady");
            w.settle(Kind::HumanUserOtp, user_id, Stored::Skipped(e));
            return Ok(());
        }
        let agg = Aggregate::new(aggregate::USER, user_id, &w.org.id);
        let added = ue::OtpAdded { otp_secret: Some(self.key.seal(otp.as_bytes())) };
        w.rest.push(NewEvent::new(&agg, &added)?);
        w.rest.push(NewEvent::new(&agg, &ue::OtpVerified {})?);
        Ok(())
    }
}

/// Checks the links of human `u` as ImportHuman's `addUserIDPLink` does,
/// each in turn: both ids given, the provider stored (for any owner) or
/// the organization's, and one that lets users be created. `Err` inside
/// when the user cannot be written.
async fn human_links(w: &mut OrgWriter<'_>, u: &Value) -> Result<Result<()>> {
    for link in list(u, "user.idps") {
        let (idp_id, external) = (text_at(link, "configId"), text_at(link, "externalUserId"));
        if idp_id.is_empty() || external.is_empty() {
            let e = "`humanUsers.user.idps` needs `configId` and `externalUserId`";
            return Ok(Err(Error::invalid_argument("COMMAND-6m9Kd", e)));
        }
        match w.idp(idp_id).await? {
            None => return Ok(Err(Error::failed_precondition("COMMAND-39nfs", "Errors.IDPConfig.NotExisting"))),
            Some(idp) if !idp.creation_allowed => {
                let e = "Errors.ExternalIDP.CreationNotAllowed";
                return Ok(Err(Error::failed_precondition("COMMAND-SJI3g", e)));
            }
            Some(_) => {}
        }
    }
    Ok(Ok(()))
}

/// What becomes of link `l` (`known`: the stored links of its batch, to
/// their users), as ZITADEL's `AddUserIDPLink` decides in its order: an
/// id is needed, the user must be one of this organization, the provider
/// this organization's or the instance's, and the provider's user not
/// linked yet (the same link stored is the same).
async fn link_stored(w: &mut OrgWriter<'_>, known: &HashMap<(String, String), String>, l: &Link) -> Result<Stored> {
    if l.user_id.is_empty() {
        return Ok(Stored::Skipped(Error::invalid_argument("COMMAND-03j8f", "`userLinks.userId` is empty")));
    }
    if !w.user_here(&l.user_id).await? {
        return Ok(Stored::Skipped(super::no_such_user("COMMAND-vzktar7b7f")));
    }
    if !w.idp(&l.idp_id).await?.is_some_and(|idp| idp.here) {
        return Ok(Stored::Skipped(Error::failed_precondition("COMMAND-39nf2", "Errors.IDPConfig.NotExisting")));
    }
    // ZITADEL's unique constraint on the provider's user.
    let taken = || Stored::Skipped(Error::already_exists("V3-DKcYh", "Errors.User.ExternalIDP.AlreadyExists"));
    Ok(match known.get(&(l.idp_id.clone(), l.external.clone())) {
        Some(owner) if *owner == l.user_id => Stored::Same,
        Some(_) => taken(),
        None if !w.first_time(Kind::UserLink, &format!("{}\0{}", l.idp_id, l.external)) => taken(),
        None => Stored::Absent,
    })
}

/// What is stored under the id of user `u` of organization `org` (one of
/// `users`); `known`: the stored users of its batch. An id stored for the
/// same user (same organization and name) is the same user; any other
/// stored, removed (`removed`: the batch's ids with history), or written
/// before in this document, is ZITADEL's "already existing" (the user exists: what names it still finds it). `Err` when
/// the user cannot be written at all.
fn stored_user(
    w: &OrgWriter<'_>,
    known: &HashMap<String, StoredUser>,
    removed: &HashSet<String>,
    org: &str,
    users: Users,
    u: &Value,
) -> Result<Stored> {
    let id = text_at(u, "userId");
    let exists = match users {
        Users::Human => Error::failed_precondition("COMMAND-ziuna", "Errors.User.AlreadyExisting"),
        Users::Machine => {
            Error::failed_precondition(crate::shared_ids::MACHINE_ID_TAKEN, "Errors.User.AlreadyExisting")
        }
    };
    if let Some(user) = known.get(id) {
        let same = user.org_id == org && user.user_name.eq_ignore_ascii_case(text_at(u, "user.userName").trim());
        return Ok(if same { Stored::Same } else { Stored::Skipped(exists) });
    }
    Ok(if w.user_written_before(id) || removed.contains(id) { Stored::Skipped(exists) } else { Stored::Absent })
}

impl App {
    /// The organization's setting `S` for its users, as ZITADEL imports the
    /// policies before the users: the document's own (its member
    /// `document_member`), else the one stored for the organization or the
    /// instance's.
    pub(super) async fn import_setting<S: Setting>(
        &self,
        w: &mut OrgWriter<'_>,
        org: &OrgDoc,
        document_member: &str,
    ) -> Result<S> {
        if let Some(doc) = org.value(document_member).filter(Value::is_object)
            && let Ok(setting) = crate::mgmt_policies::imported::setting_of_document(S::KIND, &doc.to_string())
            && let Ok(policy) = serde_json::from_value(setting)
        {
            return Ok(policy);
        }
        Ok(self.setting::<S>(w.tx.conn(), crate::settings::Scope::Org(org.org_id())).await?.value)
    }
}

/// The events of one imported human user: the user added, and the rest,
/// with the codes ZITADEL's `ImportHuman` gives it first (drawn from
/// `generators`, sealed in the events); `cost`: of hashing a plain password.
fn human_events(
    key: &MasterKey,
    cost: u32,
    org: &str,
    u: &Value,
    generators: &Generators,
    complexity: &PasswordComplexityPolicy,
) -> Result<(NewEvent, Vec<NewEvent>, Option<Drawn>)> {
    let user_id = text_at(u, "userId");
    let agg = Aggregate::new(aggregate::USER, user_id, org);
    // ZITADEL's `Human.Normalize`, in its order (the username is trimmed
    // later there; a blank one is refused here as an empty one).
    let user_name = text_at(u, "user.userName").trim();
    if user_name.is_empty() {
        return Err(Error::invalid_argument("COMMAND-00p2b", "`humanUsers.user.userName` is empty"));
    }
    if text_at(u, "user.profile.firstName").is_empty() {
        return Err(Error::invalid_argument("PROFILE-RF5z2", "`humanUsers.user.profile.firstName` is empty"));
    }
    if text_at(u, "user.profile.lastName").is_empty() {
        return Err(Error::invalid_argument("PROFILE-DSUkN", "`humanUsers.user.profile.lastName` is empty"));
    }
    let email = text_at(u, "user.email.email").trim();
    validate::email("humanUsers.user.email.email", email)?;
    let phone = match text_at(u, "user.phone.phone") {
        "" => String::new(),
        given => phone::normalize(given).map_err(|e| e.context("`humanUsers.user.phone.phone`"))?,
    };
    // A plain password meets the organization's complexity policy and may
    // have to be changed; an imported hash never has to (ZITADEL's
    // `createAddHumanEvent`).
    let (hash, change_required) = match (text_at(u, "user.hashedPassword.value"), text_at(u, "user.password")) {
        ("", "") => (None, false),
        ("", plain) => {
            complexity.check(plain).map_err(|e| e.context("`humanUsers.user.password`"))?;
            (Some(password::hash_plain(plain, cost)?), flag(u, "user.passwordChangeRequired"))
        }
        (hash, _) => {
            password::recognize(hash).map_err(|e| {
                Error::invalid_argument(e.id, format!("`humanUsers.user.hashedPassword.value`: {}", e.message))
            })?;
            (Some(hash.to_string()), false)
        }
    };
    let gender = enum_number(at(u, "user.profile.gender"), burg_api::zitadel::user::v1::Gender::from_str_name);
    let added = ue::HumanAdded {
        user_name: user_name.into(),
        first_name: text_at(u, "user.profile.firstName").into(),
        last_name: text_at(u, "user.profile.lastName").into(),
        nick_name: text_at(u, "user.profile.nickName").into(),
        display_name: display_name(u),
        preferred_language: validate::preferred_language(text_at(u, "user.profile.preferredLanguage")),
        gender,
        email: email.into(),
        phone,
        encoded_hash: hash.map(|h| key.seal(h.as_bytes())),
        change_required,
    };
    let first = FirstCodes::imported(
        flag(u, "user.email.isEmailVerified"),
        added.encoded_hash.is_none(),
        flag(u, "user.requestPasswordlessRegistration"),
        list(u, "user.idps").next().is_some(),
        !added.phone.is_empty() && !flag(u, "user.phone.isPhoneVerified"),
    );
    let added = NewEvent::new(&agg, &added)?;
    let mut events = Vec::new();
    if flag(u, "user.email.isEmailVerified") && !first.drops_email_verified() {
        events.push(NewEvent::new(&agg, &ue::EmailVerified {})?);
    }
    if flag(u, "user.phone.isPhoneVerified") {
        events.push(NewEvent::new(&agg, &ue::PhoneVerified {})?);
    }
    let (init, email, phone) = first.wanted();
    let draw = |wanted: bool, generator: &GeneratorConfig| wanted.then(|| DrawnCode::draw(key, generator));
    let drawn = Drawn {
        user_id: user_id.to_string(),
        init: draw(init, &generators.init),
        email: draw(email, &generators.email),
        phone: draw(phone, &generators.phone),
    };
    if let Some(code) = &drawn.init {
        events.push(NewEvent::new(&agg, &code.init_added())?);
    }
    if let Some(code) = &drawn.email {
        events.push(NewEvent::new(&agg, &code.email_added())?);
    }
    if let Some(code) = &drawn.phone {
        events.push(NewEvent::new(&agg, &code.phone_added())?);
    }
    let otp = text_at(u, "user.otpCode");
    if !otp.is_empty() {
        events.push(NewEvent::new(&agg, &ue::OtpAdded { otp_secret: Some(key.seal(otp.as_bytes())) })?);
        events.push(NewEvent::new(&agg, &ue::OtpVerified {})?);
    }
    if flag(u, "user.requestPasswordlessRegistration") {
        events.push(NewEvent::new(&agg, &ue::PasswordlessCodeRequested {})?);
    }
    for idp in list(u, "user.idps") {
        let e = ue::ExternalIdpAdded {
            idp_config_id: text_at(idp, "configId").into(),
            user_id: text_at(idp, "externalUserId").into(),
            display_name: text_at(idp, "displayName").into(),
        };
        events.push(NewEvent::new(&agg, &e)?);
    }
    let any = drawn.init.is_some() || drawn.email.is_some() || drawn.phone.is_some();
    Ok((added, events, any.then_some(drawn)))
}

/// The event of one imported machine user.
fn machine_event(org: &str, m: &Value) -> Result<NewEvent> {
    // ZITADEL's `AddMachine`: name, then username.
    if text_at(m, "user.name").trim().is_empty() {
        return Err(Error::invalid_argument("COMMAND-bs9Ds", "`machineUsers.user.name` is empty"));
    }
    if text_at(m, "user.userName").trim().is_empty() {
        return Err(Error::invalid_argument("COMMAND-bm9Ds", "`machineUsers.user.userName` is empty"));
    }
    let agg = Aggregate::new(aggregate::USER, text_at(m, "userId"), org);
    let added = ue::MachineAdded {
        user_name: text_at(m, "user.userName").trim().into(),
        name: text_at(m, "user.name").into(),
        description: text_at(m, "user.description").into(),
        access_token_type: enum_number(
            at(m, "user.accessTokenType"),
            burg_api::zitadel::user::v1::AccessTokenType::from_str_name,
        ),
    };
    NewEvent::new(&agg, &added)
}

/// The display name ZITADEL's `Human.EnsureDisplayName` gives an imported
/// user: the one given, else first and last name, else the email address,
/// else the username.
fn display_name(u: &Value) -> String {
    let (given, first, last) = (
        text_at(u, "user.profile.displayName"),
        text_at(u, "user.profile.firstName"),
        text_at(u, "user.profile.lastName"),
    );
    let email = text_at(u, "user.email.email").trim();
    match () {
        _ if !given.is_empty() => given.to_string(),
        _ if !first.is_empty() && !last.is_empty() => format!("{first} {last}"),
        _ if !email.is_empty() => email.to_string(),
        _ => text_at(u, "user.userName").to_string(),
    }
}

/// The event of an imported user's `state` (PR #9992 of ZITADEL's
/// `ImportHuman` and `AddMachine`): inactive users are deactivated, locked
/// ones locked; every other state adds nothing.
fn state_event(org: &str, u: &Value) -> Result<Option<NewEvent>> {
    use burg_api::zitadel::user::v1::UserState;
    let agg = Aggregate::new(aggregate::USER, text_at(u, "userId"), org);
    match UserState::try_from(enum_number(at(u, "state"), UserState::from_str_name)) {
        Ok(UserState::Inactive) => NewEvent::new(&agg, &ue::UserDeactivated {}).map(Some),
        Ok(UserState::Locked) => NewEvent::new(&agg, &ue::UserLocked {}).map(Some),
        _ => Ok(None),
    }
}

fn flag(v: &Value, path: &str) -> bool {
    at(v, path).and_then(Value::as_bool).unwrap_or(false)
}

/// A proto enum written by name or by number.
fn enum_number<E: Into<i32>>(v: Option<&Value>, by_name: fn(&str) -> Option<E>) -> i32 {
    match v {
        Some(Value::String(name)) => by_name(name).map(Into::into).unwrap_or_default(),
        Some(Value::Number(n)) => n.as_i64().unwrap_or_default() as i32,
        _ => 0,
    }
}
