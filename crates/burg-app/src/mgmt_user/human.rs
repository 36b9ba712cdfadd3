//! Human users: added and imported, their profile, email, phone, avatar,
//! password, second factors, passwordless tokens and identity-provider
//! links.

use burg_api::management::{
    AddHumanUserRequest, AddHumanUserResponse, GetHumanEmailRequest, GetHumanEmailResponse, GetHumanPhoneRequest,
    GetHumanPhoneResponse, GetHumanProfileRequest, GetHumanProfileResponse, ImportHumanUserRequest,
    ImportHumanUserResponse, ListHumanAuthFactorsRequest, ListHumanAuthFactorsResponse, ListHumanLinkedIdPsRequest,
    ListHumanLinkedIdPsResponse, ListHumanPasswordlessRequest, ListHumanPasswordlessResponse,
    RemoveHumanAuthFactorOtpEmailRequest, RemoveHumanAuthFactorOtpEmailResponse, RemoveHumanAuthFactorOtpRequest,
    RemoveHumanAuthFactorOtpResponse, RemoveHumanAuthFactorOtpsmsRequest, RemoveHumanAuthFactorOtpsmsResponse,
    RemoveHumanAuthFactorU2fRequest, RemoveHumanAuthFactorU2fResponse, RemoveHumanAvatarRequest,
    RemoveHumanAvatarResponse, RemoveHumanLinkedIdpRequest, RemoveHumanLinkedIdpResponse,
    RemoveHumanPasswordlessRequest, RemoveHumanPasswordlessResponse, RemoveHumanPhoneRequest, RemoveHumanPhoneResponse,
    SetHumanInitialPasswordRequest, SetHumanInitialPasswordResponse, SetHumanPasswordRequest, SetHumanPasswordResponse,
    UpdateHumanEmailRequest, UpdateHumanEmailResponse, UpdateHumanPhoneRequest, UpdateHumanPhoneResponse,
    UpdateHumanProfileRequest, UpdateHumanProfileResponse, import_human_user_response,
};
use burg_api::wkt::Duration;
use burg_api::zitadel::idp::v1::IdpUserLink;
use burg_api::zitadel::user::v1::{AuthFactor, AuthFactorOtp, AuthFactorState, Email, Phone, auth_factor};
use burg_domain::event::{Aggregate, Event, NewEvent, aggregate};
use burg_domain::events::user as ue;
use burg_domain::instance_settings::SecretGeneratorType;
use burg_domain::policies::PasswordComplexityPolicy;
use burg_domain::state::UserType;
use burg_domain::{Error, Result, password, phone, validate};
use burg_store::Conn;
use burg_store::users::UserRow;

use super::{DrawnCode, to_profile, user_aggregate};
use crate::list::{list_details, v1_page};
use crate::settings::Scope;
use crate::{App, Ctx, added_details, changed_details, details, retry};

/// `ChangeHumanPhone`'s and `SetPassword`'s user not found.
const PHONE_USER_NOT_FOUND: &str = "COMMAND-3M0fs";
/// `RemoveHumanPhone`'s user not found (also of the factors burg keeps none of).
const USER_GONE: &str = "COMMAND-3M9fs";
/// `HumanRemoveTOTP`: no authenticator app set up.
const NO_OTP: &str = "COMMAND-Hd9sd";
/// `removeHumanWebAuthN`: no such token.
const NO_WEBAUTHN: &str = "COMMAND-DAfb2";
/// `RemoveUserIDPLink`: no such link.
const NO_LINK: &str = "COMMAND-1M9xR";

/// What AddHumanUser and ImportHumanUser (and the Organization API v2's
/// new admins) ask for, checked.
pub(crate) struct NewHuman {
    pub(crate) user_name: String,
    pub(crate) first_name: String,
    pub(crate) last_name: String,
    pub(crate) nick_name: String,
    pub(crate) display_name: String,
    pub(crate) preferred_language: String,
    pub(crate) gender: i32,
    pub(crate) email: String,
    pub(crate) email_verified: bool,
    pub(crate) phone: Option<(String, bool)>,
    /// A plain password, checked against the complexity policy later.
    pub(crate) password: Option<String>,
    /// An imported hash.
    pub(crate) hashed_password: Option<String>,
    pub(crate) change_required: bool,
    pub(crate) passwordless: bool,
    pub(crate) otp_code: Option<String>,
    /// (identity provider, external user id, display name)
    pub(crate) idps: Vec<(String, String, String)>,
}

/// The codes a user added through the v1 API is given at once, as
/// ZITADEL's commands decide: an initialization code puts the user in the
/// initial state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FirstCodes {
    init: bool,
    email: bool,
    phone: bool,
    /// ZITADEL's import leaves a verified address unverified when it sends
    /// an initialization code (the code verifies it).
    drop_email_verified: bool,
}

impl FirstCodes {
    /// AddHumanUser (`AddHuman` with init mails allowed): an
    /// initialization code unless the address is verified and a password
    /// is set; a phone code for an unverified number.
    pub(crate) fn of_added(h: &NewHuman) -> FirstCodes {
        let init = h.idps.is_empty() && (!h.email_verified || (!h.passwordless && h.password.is_none()));
        FirstCodes {
            init,
            email: !init && !h.email_verified,
            phone: h.phone.as_ref().is_some_and(|(_, verified)| !verified),
            drop_email_verified: false,
        }
    }

    /// ImportHumanUser (`ImportHuman`'s `IsInitialState`): as added, except
    /// that an imported hash counts as a password and a verified address
    /// is verified again through the initialization code.
    pub(crate) fn of_imported(h: &NewHuman) -> FirstCodes {
        let no_password = h.password.is_none() && h.hashed_password.is_none();
        let phone_unverified = h.phone.as_ref().is_some_and(|(_, verified)| !verified);
        FirstCodes::imported(h.email_verified, no_password, h.passwordless, !h.idps.is_empty(), phone_unverified)
    }

    /// ImportHumanUser's and ImportData's decision from the user's facts.
    pub(crate) fn imported(
        email_verified: bool,
        no_password: bool,
        passwordless: bool,
        linked: bool,
        phone_unverified: bool,
    ) -> FirstCodes {
        let init = !linked && (!email_verified || (!passwordless && no_password));
        FirstCodes { init, email: !init && !email_verified, phone: phone_unverified, drop_email_verified: init }
    }

    /// Which codes: initialization, email, phone.
    pub(crate) fn wanted(self) -> (bool, bool, bool) {
        (self.init, self.email, self.phone)
    }

    /// Whether a verified address is left unverified (the initialization
    /// code verifies it).
    pub(crate) fn drops_email_verified(self) -> bool {
        self.drop_email_verified
    }
}

/// The profile's rules of ZITADEL's `Profile.Validate` and the email's.
#[allow(clippy::too_many_arguments)]
pub(crate) fn new_human(
    user_name: &str,
    first_name: &str,
    last_name: &str,
    nick_name: &str,
    display_name: &str,
    preferred_language: &str,
    gender: i32,
    email: &str,
    email_verified: bool,
    phone_given: Option<(&str, bool)>,
) -> Result<NewHuman> {
    let user_name = user_name.trim().to_string();
    if user_name.is_empty() {
        return Err(Error::invalid_argument(crate::shared_ids::USER_NAME_BLANK, "`userName` is empty once trimmed"));
    }
    let first_name = first_name.trim().to_string();
    if first_name.is_empty() {
        return Err(Error::invalid_argument(
            crate::shared_ids::FIRST_NAME_BLANK,
            "`profile.firstName` is empty once trimmed",
        ));
    }
    let last_name = last_name.trim().to_string();
    if last_name.is_empty() {
        return Err(Error::invalid_argument(
            crate::shared_ids::LAST_NAME_BLANK,
            "`profile.lastName` is empty once trimmed",
        ));
    }
    let email = email.trim().to_string();
    validate::email("email.email", &email)?;
    let display_name = if display_name.trim().is_empty() {
        format!("{first_name} {last_name}")
    } else {
        display_name.trim().to_string()
    };
    let phone = match phone_given {
        Some((p, verified)) if !p.trim().is_empty() => Some((phone::normalize(p)?, verified)),
        _ => None,
    };
    Ok(NewHuman {
        user_name,
        first_name,
        last_name,
        nick_name: nick_name.trim().to_string(),
        display_name,
        preferred_language: validate::preferred_language(preferred_language),
        gender,
        email,
        email_verified,
        phone,
        password: None,
        hashed_password: None,
        change_required: false,
        passwordless: false,
        otp_code: None,
        idps: Vec::new(),
    })
}

impl App {
    /// The password complexity policy of organization `org` (its own, else
    /// the instance's).
    async fn complexity(&self, conn: &mut Conn, org: &str) -> Result<PasswordComplexityPolicy> {
        Ok(self.setting::<PasswordComplexityPolicy>(conn, Scope::Org(org)).await?.value)
    }

    /// A plain password checked against the organization's policy and
    /// hashed, sealed for an event.
    async fn hash_checked(
        &self,
        conn: &mut Conn,
        org: &str,
        plain: &str,
        field: &str,
    ) -> Result<burg_domain::crypto::Sealed> {
        self.complexity(conn, org).await?.check(plain).map_err(|e| e.context(format!("`{field}`")))?;
        let hash = password::hash_plain(plain, self.config.password_cost)?;
        Ok(self.key.seal_str(&hash))
    }

    /// Adds `human` through the v1 API with the first codes `first`
    /// decides, and sends them once the user is stored.
    async fn add_human(&self, ctx: &Ctx, mut human: NewHuman, first: FirstCodes) -> Result<(String, Vec<Event>)> {
        let draw = |wanted: bool, kind| async move {
            if wanted { super::draw_code(self, kind).await.map(Some) } else { Ok(None) }
        };
        let init = draw(first.init, SecretGeneratorType::InitCode).await?;
        let email = draw(first.email, SecretGeneratorType::VerifyEmailCode).await?;
        let phone = draw(first.phone, SecretGeneratorType::VerifyPhoneCode).await?;
        human.email_verified &= !first.drop_email_verified;
        let (user_id, stored) = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            self.org_of_write(tx.conn(), &org).await?;
            self.require_unique_username(tx.conn(), &human.user_name).await?;
            let user_id = self.new_id();
            let mut events = self.human_events(tx.conn(), &org, &user_id, &human, "password").await?;
            let agg = Aggregate::new(aggregate::USER, &user_id, &org);
            if let Some(code) = &init {
                events.push(NewEvent::new(&agg, &code.init_added())?);
            }
            if let Some(code) = &email {
                events.push(NewEvent::new(&agg, &code.email_added())?);
            }
            if let Some(code) = &phone {
                events.push(NewEvent::new(&agg, &code.phone_added())?);
            }
            let stored = tx.push(events).await?;
            tx.commit().await?;
            Ok((user_id, stored))
        })
        .await?;
        if init.is_some() || email.is_some() || phone.is_some() {
            self.send_first_codes(ctx, &user_id, init.as_ref(), email.as_ref(), phone.as_ref()).await;
        }
        Ok((user_id, stored))
    }

    /// Sends a new user (stored already) its first codes, each with its
    /// lifetime; one that cannot go out is logged.
    pub(crate) async fn send_first_codes(
        &self,
        ctx: &Ctx,
        user_id: &str,
        init: Option<&DrawnCode>,
        email: Option<&DrawnCode>,
        phone: Option<&DrawnCode>,
    ) {
        let sent = async {
            let user = burg_store::users::user(self.db.pool(), &self.instance_id, user_id)
                .await?
                .ok_or_else(|| Error::internal("USER-new01", "the new user is not stored"))?;
            if let Some(code) = init {
                self.send_init_code(ctx, &user, &code.clear, code.expiry).await?;
            }
            if let Some(code) = email {
                self.send_email_code(ctx, &user, &code.clear, code.expiry).await?;
            }
            if let Some(code) = phone {
                self.send_phone_code(&user, &code.clear, code.expiry).await?;
            }
            Ok::<_, Error>(())
        };
        if let Err(e) = sent.await {
            tracing::warn!(error_id = e.id, "the new user's codes were not sent: {}", e.message);
        }
    }

    /// The events that add `human` as user `user_id` of organization
    /// `org` (its password checked against the organization's policy and
    /// named `password_field` when it is not), read through a write's
    /// connection; the caller checks the username.
    pub(crate) async fn human_events(
        &self,
        conn: &mut Conn,
        org: &str,
        user_id: &str,
        human: &NewHuman,
        password_field: &str,
    ) -> Result<Vec<NewEvent>> {
        let encoded_hash = match (&human.hashed_password, &human.password) {
            (Some(hash), _) => Some(self.key.seal_str(hash)),
            (None, Some(plain)) => Some(self.hash_checked(conn, org, plain, password_field).await?),
            (None, None) => None,
        };
        let agg = Aggregate::new(aggregate::USER, user_id, org);
        let mut events = vec![NewEvent::new(
            &agg,
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
                encoded_hash,
                change_required: human.change_required,
            },
        )?];
        if human.email_verified {
            events.push(NewEvent::new(&agg, &ue::EmailVerified {})?);
        }
        if human.phone.as_ref().is_some_and(|(_, verified)| *verified) {
            events.push(NewEvent::new(&agg, &ue::PhoneVerified {})?);
        }
        if let Some(otp) = &human.otp_code {
            events.push(NewEvent::new(&agg, &ue::OtpAdded { otp_secret: Some(self.key.seal_str(otp)) })?);
            events.push(NewEvent::new(&agg, &ue::OtpVerified {})?);
        }
        if human.passwordless {
            events.push(NewEvent::new(&agg, &ue::PasswordlessCodeRequested {})?);
        }
        for (idp, external, display_name) in &human.idps {
            if burg_store::users::link_taken(&mut *conn, &self.instance_id, idp, external).await? {
                return Err(Error::already_exists(
                    "COMMAND-2N8fs",
                    format!("the account {external:?} of identity provider {idp:?} is linked already"),
                ));
            }
            let e = ue::ExternalIdpAdded {
                idp_config_id: idp.clone(),
                user_id: external.clone(),
                display_name: display_name.clone(),
            };
            events.push(NewEvent::new(&agg, &e)?);
        }
        Ok(events)
    }

    pub async fn add_human_user(&self, ctx: &Ctx, req: AddHumanUserRequest) -> Result<AddHumanUserResponse> {
        let profile = req.profile.clone().unwrap_or_default();
        let email = req.email.clone().unwrap_or_default();
        let mut human = new_human(
            &req.user_name,
            &profile.first_name,
            &profile.last_name,
            &profile.nick_name,
            &profile.display_name,
            &profile.preferred_language,
            profile.gender,
            &email.email,
            email.is_email_verified,
            req.phone.as_ref().map(|p| (p.phone.as_str(), p.is_phone_verified)),
        )?;
        human.password = (!req.initial_password.is_empty()).then(|| req.initial_password.clone());
        // An initial password must be changed at the first login.
        human.change_required = human.password.is_some();
        let first = FirstCodes::of_added(&human);
        let (user_id, events) = self.add_human(ctx, human, first).await?;
        Ok(AddHumanUserResponse { user_id, details: added_details(&events) })
    }

    pub async fn import_human_user(&self, ctx: &Ctx, req: ImportHumanUserRequest) -> Result<ImportHumanUserResponse> {
        let profile = req.profile.clone().unwrap_or_default();
        let email = req.email.clone().unwrap_or_default();
        let mut human = new_human(
            &req.user_name,
            &profile.first_name,
            &profile.last_name,
            &profile.nick_name,
            &profile.display_name,
            &profile.preferred_language,
            profile.gender,
            &email.email,
            email.is_email_verified,
            req.phone.as_ref().map(|p| (p.phone.as_str(), p.is_phone_verified)),
        )?;
        let hash = req.hashed_password.as_ref().map(|h| h.value.as_str()).unwrap_or_default();
        if !hash.is_empty() {
            password::recognize(hash).map_err(|e| e.context("`hashedPassword.value`"))?;
            human.hashed_password = Some(hash.to_string());
        } else if !req.password.is_empty() {
            human.password = Some(req.password.clone());
        }
        human.change_required = req.password_change_required;
        human.passwordless = req.request_passwordless_registration;
        human.otp_code = (!req.otp_code.is_empty()).then(|| req.otp_code.clone());
        human.idps = req
            .idps
            .iter()
            .map(|i| (i.config_id.clone(), i.external_user_id.clone(), i.display_name.clone()))
            .collect();
        let first = FirstCodes::of_imported(&human);
        let (user_id, events) = self.add_human(ctx, human, first).await?;
        // As ZITADEL's ImportHuman: a passwordless registration asked for
        // comes back as its link and lifetime.
        let passwordless_registration = if req.request_passwordless_registration {
            let (_, link, expiry) = self.passwordless_registration(ctx, &user_id, false).await?;
            let lifetime = Duration { seconds: expiry / 1_000_000_000, nanos: (expiry % 1_000_000_000) as i32 };
            Some(import_human_user_response::PasswordlessRegistration {
                link,
                lifetime: Some(lifetime),
                expiration: Some(lifetime),
            })
        } else {
            None
        };
        Ok(ImportHumanUserResponse { user_id, details: added_details(&events), passwordless_registration })
    }

    /// A human user of the call's organization, inside a write.
    pub(super) async fn org_human(
        &self,
        conn: &mut Conn,
        ctx: &Ctx,
        id: &str,
        not_found: &'static str,
    ) -> Result<UserRow> {
        let user = self.org_user(conn, ctx, id, not_found).await?;
        if user.user_type != UserType::Human {
            return Err(Error::not_found(not_found, format!("user {id:?} is not a human user")));
        }
        Ok(user)
    }

    /// A human user of the call's organization, for a read.
    async fn read_org_human(&self, ctx: &Ctx, id: &str) -> Result<UserRow> {
        let user = self.read_org_user(ctx, id).await?;
        if user.user_type != UserType::Human {
            return Err(super::user_not_found(id));
        }
        Ok(user)
    }

    /// One write on a human user of the call's organization: `events`
    /// builds what to push from the stored user.
    async fn human_write(
        &self,
        ctx: &Ctx,
        id: &str,
        not_found: &'static str,
        events: impl Fn(&UserRow) -> Result<Vec<NewEvent>>,
    ) -> Result<Vec<Event>> {
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let user = self.org_human(tx.conn(), ctx, id, not_found).await?;
            let new = events(&user)?;
            let stored = tx.push(new).await?;
            tx.commit().await?;
            Ok(stored)
        })
        .await
    }

    pub async fn get_human_profile(&self, ctx: &Ctx, req: GetHumanProfileRequest) -> Result<GetHumanProfileResponse> {
        let u = self.read_org_human(ctx, &req.user_id).await?;
        Ok(GetHumanProfileResponse {
            details: details(u.sequence, u.creation_date, u.change_date, &u.resource_owner),
            profile: Some(to_profile(&u)),
        })
    }

    pub async fn get_human_email(&self, ctx: &Ctx, req: GetHumanEmailRequest) -> Result<GetHumanEmailResponse> {
        let u = self.read_org_human(ctx, &req.user_id).await?;
        Ok(GetHumanEmailResponse {
            details: details(u.sequence, u.creation_date, u.change_date, &u.resource_owner),
            email: Some(Email { email: u.email, is_email_verified: u.email_verified }),
        })
    }

    pub async fn get_human_phone(&self, ctx: &Ctx, req: GetHumanPhoneRequest) -> Result<GetHumanPhoneResponse> {
        let u = self.read_org_human(ctx, &req.user_id).await?;
        Ok(GetHumanPhoneResponse {
            details: details(u.sequence, u.creation_date, u.change_date, &u.resource_owner),
            phone: Some(Phone { phone: u.phone, is_phone_verified: u.phone_verified }),
        })
    }

    pub async fn update_human_profile(
        &self,
        ctx: &Ctx,
        req: UpdateHumanProfileRequest,
    ) -> Result<UpdateHumanProfileResponse> {
        let first_name = req.first_name.trim().to_string();
        if first_name.is_empty() {
            return Err(Error::invalid_argument(
                crate::shared_ids::FIRST_NAME_BLANK,
                "`firstName` is empty once trimmed",
            ));
        }
        let last_name = req.last_name.trim().to_string();
        if last_name.is_empty() {
            return Err(Error::invalid_argument(
                crate::shared_ids::LAST_NAME_BLANK,
                "`lastName` is empty once trimmed",
            ));
        }
        let language = validate::preferred_language(&req.preferred_language);
        let events = self
            .human_write(ctx, &req.user_id, crate::shared_ids::NOT_FOUND_3M9SD, |u: &UserRow| {
                let changed = |old: &str, new: &str| (old != new).then(|| new.to_string());
                let e = ue::ProfileChanged {
                    first_name: changed(&u.first_name, &first_name),
                    last_name: changed(&u.last_name, &last_name),
                    nick_name: changed(&u.nick_name, req.nick_name.trim()),
                    display_name: changed(&u.display_name, req.display_name.trim()),
                    preferred_language: changed(&u.preferred_language, &language),
                    gender: (u.gender != req.gender).then_some(req.gender),
                };
                if e == ue::ProfileChanged::default() {
                    Err(Error::failed_precondition(crate::shared_ids::NO_CHANGES, "the profile has these values"))
                } else {
                    NewEvent::new(&user_aggregate(u), &e).map(|e| vec![e])
                }
            })
            .await?;
        Ok(UpdateHumanProfileResponse { details: changed_details(&events) })
    }

    pub async fn update_human_email(
        &self,
        ctx: &Ctx,
        req: UpdateHumanEmailRequest,
    ) -> Result<UpdateHumanEmailResponse> {
        let email = req.email.trim().to_string();
        validate::email("email", &email)?;
        // An unverified address gets a code to verify it (ZITADEL's ChangeHumanEmail).
        let code = match req.is_email_verified {
            true => None,
            false => Some(super::draw_code(self, SecretGeneratorType::VerifyEmailCode).await?),
        };
        let events = self
            .human_write(ctx, &req.user_id, crate::shared_ids::EMAIL_USER_NOT_FOUND, |u: &UserRow| {
                let agg = user_aggregate(u);
                if u.email == email {
                    return Err(Error::failed_precondition("COMMAND-2b7fM", "the user has this email"));
                }
                let verified = match &code {
                    None => NewEvent::new(&agg, &ue::EmailVerified {})?,
                    Some(code) => NewEvent::new(&agg, &code.email_added())?,
                };
                Ok(vec![NewEvent::new(&agg, &ue::EmailChanged { email: email.clone() })?, verified])
            })
            .await?;
        if let Some(code) = code
            && let Some(user) = burg_store::users::user(self.db.pool(), &self.instance_id, &req.user_id).await?
        {
            self.send_email_code(ctx, &user, &code.clear, code.expiry).await?;
        }
        Ok(UpdateHumanEmailResponse { details: changed_details(&events) })
    }

    pub async fn update_human_phone(
        &self,
        ctx: &Ctx,
        req: UpdateHumanPhoneRequest,
    ) -> Result<UpdateHumanPhoneResponse> {
        let number = phone::normalize(&req.phone)?;
        // An unverified number gets a code to verify it (ZITADEL's ChangeHumanPhone).
        let code = match req.is_phone_verified {
            true => None,
            false => Some(super::draw_code(self, SecretGeneratorType::VerifyPhoneCode).await?),
        };
        let events = self
            .human_write(ctx, &req.user_id, PHONE_USER_NOT_FOUND, |u: &UserRow| {
                let agg = user_aggregate(u);
                if u.phone == number {
                    return Err(Error::failed_precondition("COMMAND-wF94r", "the user has this phone number"));
                }
                let verified = match &code {
                    None => NewEvent::new(&agg, &ue::PhoneVerified {})?,
                    Some(code) => NewEvent::new(&agg, &code.phone_added())?,
                };
                Ok(vec![NewEvent::new(&agg, &ue::PhoneChanged { phone: number.clone() })?, verified])
            })
            .await?;
        if let Some(code) = code
            && let Some(user) = burg_store::users::user(self.db.pool(), &self.instance_id, &req.user_id).await?
        {
            self.send_phone_code(&user, &code.clear, code.expiry).await?;
        }
        Ok(UpdateHumanPhoneResponse { details: changed_details(&events) })
    }

    pub async fn remove_human_phone(
        &self,
        ctx: &Ctx,
        req: RemoveHumanPhoneRequest,
    ) -> Result<RemoveHumanPhoneResponse> {
        let events = self
            .human_write(ctx, &req.user_id, USER_GONE, |u: &UserRow| {
                if u.phone.is_empty() {
                    Err(Error::not_found("COMMAND-p6rsc", "the user has no phone number"))
                } else {
                    NewEvent::new(&user_aggregate(u), &ue::PhoneRemoved {}).map(|e| vec![e])
                }
            })
            .await?;
        Ok(RemoveHumanPhoneResponse { details: changed_details(&events) })
    }

    /// burg keeps no avatars: the event says the (empty) file is gone.
    pub async fn remove_human_avatar(
        &self,
        ctx: &Ctx,
        req: RemoveHumanAvatarRequest,
    ) -> Result<RemoveHumanAvatarResponse> {
        let events = self
            .human_write(ctx, &req.user_id, "USER-35N8f", |u: &UserRow| {
                NewEvent::new(&user_aggregate(u), &ue::AvatarRemoved { store_key: String::new() }).map(|e| vec![e])
            })
            .await?;
        Ok(RemoveHumanAvatarResponse { details: changed_details(&events) })
    }

    pub async fn set_human_initial_password(
        &self,
        ctx: &Ctx,
        req: SetHumanInitialPasswordRequest,
    ) -> Result<SetHumanInitialPasswordResponse> {
        let events = self.set_password(ctx, &req.user_id, &req.password, true).await?;
        Ok(SetHumanInitialPasswordResponse { details: changed_details(&events) })
    }

    pub async fn set_human_password(
        &self,
        ctx: &Ctx,
        req: SetHumanPasswordRequest,
    ) -> Result<SetHumanPasswordResponse> {
        let events = self.set_password(ctx, &req.user_id, &req.password, !req.no_change_required).await?;
        Ok(SetHumanPasswordResponse { details: changed_details(&events) })
    }

    async fn set_password(&self, ctx: &Ctx, id: &str, plain: &str, change_required: bool) -> Result<Vec<Event>> {
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let user = self.org_human(tx.conn(), ctx, id, PHONE_USER_NOT_FOUND).await?;
            let sealed = self.hash_checked(tx.conn(), &user.resource_owner, plain, "password").await?;
            let e = ue::PasswordChanged { encoded_hash: Some(sealed), change_required };
            let stored = tx.push(vec![NewEvent::new(&user_aggregate(&user), &e)?]).await?;
            tx.commit().await?;
            Ok(stored)
        })
        .await
    }

    /// The second factors: the authenticator app (OTP) when set up; burg
    /// keeps no U2F tokens and no OTP by SMS or email.
    pub async fn list_human_auth_factors(
        &self,
        ctx: &Ctx,
        req: ListHumanAuthFactorsRequest,
    ) -> Result<ListHumanAuthFactorsResponse> {
        let u = self.read_org_human(ctx, &req.user_id).await?;
        let mut result = Vec::new();
        if u.has_otp {
            result.push(AuthFactor {
                state: AuthFactorState::Ready.into(),
                r#type: Some(auth_factor::Type::Otp(AuthFactorOtp {})),
            });
        }
        Ok(ListHumanAuthFactorsResponse { result })
    }

    pub async fn remove_human_auth_factor_otp(
        &self,
        ctx: &Ctx,
        req: RemoveHumanAuthFactorOtpRequest,
    ) -> Result<RemoveHumanAuthFactorOtpResponse> {
        let events = self
            .human_write(ctx, &req.user_id, NO_OTP, |u: &UserRow| {
                if u.has_otp {
                    NewEvent::new(&user_aggregate(u), &ue::OtpRemoved {}).map(|e| vec![e])
                } else {
                    Err(Error::not_found(NO_OTP, "the user has no OTP"))
                }
            })
            .await?;
        Ok(RemoveHumanAuthFactorOtpResponse { details: changed_details(&events) })
    }

    pub async fn remove_human_auth_factor_otpsms(
        &self,
        ctx: &Ctx,
        req: RemoveHumanAuthFactorOtpsmsRequest,
    ) -> Result<RemoveHumanAuthFactorOtpsmsResponse> {
        self.no_factor(ctx, &req.user_id, "COMMAND-Sr3h3", "the user has no OTP by SMS").await?;
        Ok(RemoveHumanAuthFactorOtpsmsResponse { details: None })
    }

    pub async fn remove_human_auth_factor_otp_email(
        &self,
        ctx: &Ctx,
        req: RemoveHumanAuthFactorOtpEmailRequest,
    ) -> Result<RemoveHumanAuthFactorOtpEmailResponse> {
        self.no_factor(ctx, &req.user_id, "COMMAND-b312D", "the user has no OTP by email").await?;
        Ok(RemoveHumanAuthFactorOtpEmailResponse { details: None })
    }

    pub async fn remove_human_auth_factor_u2f(
        &self,
        ctx: &Ctx,
        req: RemoveHumanAuthFactorU2fRequest,
    ) -> Result<RemoveHumanAuthFactorU2fResponse> {
        self.no_factor(ctx, &req.user_id, NO_WEBAUTHN, &format!("the user has no U2F token {:?}", req.token_id))
            .await?;
        Ok(RemoveHumanAuthFactorU2fResponse { details: None })
    }

    /// burg keeps no passwordless tokens.
    pub async fn list_human_passwordless(
        &self,
        ctx: &Ctx,
        req: ListHumanPasswordlessRequest,
    ) -> Result<ListHumanPasswordlessResponse> {
        self.read_org_human(ctx, &req.user_id).await?;
        Ok(ListHumanPasswordlessResponse { result: Vec::new() })
    }

    pub async fn remove_human_passwordless(
        &self,
        ctx: &Ctx,
        req: RemoveHumanPasswordlessRequest,
    ) -> Result<RemoveHumanPasswordlessResponse> {
        let what = format!("the user has no passwordless token {:?}", req.token_id);
        self.no_factor(ctx, &req.user_id, NO_WEBAUTHN, &what).await?;
        Ok(RemoveHumanPasswordlessResponse { details: None })
    }

    /// A factor burg does not keep: the user's NotFound, else the factor's.
    async fn no_factor(&self, ctx: &Ctx, user_id: &str, id: &'static str, what: &str) -> Result<()> {
        let mut conn = self.db.acquire("USER-db081").await?;
        self.org_human(&mut conn, ctx, user_id, USER_GONE).await?;
        Err(Error::not_found(id, what.to_string()))
    }

    pub async fn list_human_linked_id_ps(
        &self,
        ctx: &Ctx,
        req: ListHumanLinkedIdPsRequest,
    ) -> Result<ListHumanLinkedIdPsResponse> {
        let u = self.read_org_human(ctx, &req.user_id).await?;
        let page = v1_page(req.query.as_ref())?;
        let listed = burg_store::users::list_links(&self.db, &self.instance_id, &u.id, page).await?;
        let result = listed
            .rows
            .into_iter()
            .map(|l| IdpUserLink {
                user_id: u.id.clone(),
                idp_id: l.idp_id,
                idp_name: l.idp_name,
                provided_user_id: l.external_user_id,
                provided_user_name: l.display_name,
                idp_type: crate::policy::link_idp_type(l.idp_type),
            })
            .collect();
        Ok(ListHumanLinkedIdPsResponse { details: list_details(listed.total, 0, self.now()), result })
    }

    pub async fn remove_human_linked_idp(
        &self,
        ctx: &Ctx,
        req: RemoveHumanLinkedIdpRequest,
    ) -> Result<RemoveHumanLinkedIdpResponse> {
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let u = self.org_human(tx.conn(), ctx, &req.user_id, NO_LINK).await?;
            let linked =
                burg_store::users::has_link(tx.conn(), &self.instance_id, &u.id, &req.idp_id, &req.linked_user_id)
                    .await?;
            if !linked {
                return Err(Error::not_found(NO_LINK, "the user has no such link"));
            }
            let e = ue::ExternalIdpRemoved { idp_config_id: req.idp_id.clone(), user_id: req.linked_user_id.clone() };
            let stored = tx.push(vec![NewEvent::new(&user_aggregate(&u), &e)?]).await?;
            tx.commit().await?;
            Ok(RemoveHumanLinkedIdpResponse { details: changed_details(&stored) })
        })
        .await
    }
}
