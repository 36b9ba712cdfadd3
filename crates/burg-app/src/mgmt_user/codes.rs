//! The codes a human user is sent: email verification, phone
//! verification, initialization, password reset and passwordless
//! registration. Each is drawn as the instance's secret generator of its
//! kind says, stored sealed in ZITADEL's `*.code.added` event, and (for
//! email or SMS) sent through the active provider with the message text
//! of its kind (`notify::deliver`). Ids are from ZITADEL's
//! `command/user_human_*.go`.

use burg_api::management::*;
use burg_api::wkt::Duration;
use burg_domain::crypto::{MasterKey, Sealed};
use burg_domain::event::{NewEvent, Payload};
use burg_domain::events::user as ue;
use burg_domain::instance_settings::{GeneratorConfig, SecretGeneratorType};
use burg_domain::state::UserState;
use burg_domain::texts::MessageType;
use burg_domain::{Error, Result};
use burg_store::users::UserRow;

use crate::notify::deliver::{Message, Vars};
use crate::{App, Ctx, changed_details, in_tx};

/// `Errors.User.Email.NotFound` of an email code.
const EMAIL_USER_NOT_FOUND: &str = crate::shared_ids::EMAIL_USER_NOT_FOUND;
/// `Errors.User.Phone.NotFound` of a phone code.
const PHONE_USER_NOT_FOUND: &str = "COMMAND-2b7Hf";
/// `Errors.User.NotFound` of an initialization code.
const INIT_USER_NOT_FOUND: &str = "COMMAND-2M9df";
/// `Errors.User.NotFound` of a password reset.
const RESET_USER_NOT_FOUND: &str = "COMMAND-Hj9ds";
/// `Errors.User.NotFound` of a passwordless registration.
const PASSWORDLESS_USER_NOT_FOUND: &str = "COMMAND-2n8fs";

/// A code drawn for a user: in the clear (for the message or the answer),
/// sealed with the master key (for its `*.code.added` event), and its
/// lifetime in nanoseconds.
#[derive(Debug, Clone)]
pub(crate) struct DrawnCode {
    pub(crate) clear: String,
    pub(crate) sealed: Sealed,
    pub(crate) expiry: i64,
}

impl DrawnCode {
    /// A code drawn by `generator`, sealed with `key`.
    pub(crate) fn draw(key: &MasterKey, generator: &GeneratorConfig) -> Self {
        let clear = generator.generate();
        DrawnCode { sealed: key.seal_str(&clear), clear, expiry: generator.expiry }
    }

    pub(crate) fn init_added(&self) -> ue::InitCodeAdded {
        ue::InitCodeAdded { code: Some(self.sealed.clone()), expiry: self.expiry }
    }

    pub(crate) fn email_added(&self) -> ue::EmailCodeAdded {
        ue::EmailCodeAdded { code: Some(self.sealed.clone()), expiry: self.expiry, ..Default::default() }
    }

    pub(crate) fn phone_added(&self) -> ue::PhoneCodeAdded {
        ue::PhoneCodeAdded { code: Some(self.sealed.clone()), expiry: self.expiry, ..Default::default() }
    }
}

/// A new code of `kind`, as the instance's generator of that kind says.
pub(crate) async fn draw_code(app: &App, kind: SecretGeneratorType) -> Result<DrawnCode> {
    Ok(DrawnCode::draw(&app.key, &generator(app, kind).await?))
}

/// The instance's secret generator of `kind`, or ZITADEL's default for it.
pub(crate) async fn generator(app: &App, kind: SecretGeneratorType) -> Result<GeneratorConfig> {
    let code = i64::from(kind.code());
    Ok(burg_store::instance_settings::secret_generator(app.db.pool(), &app.instance_id, code)
        .await?
        .map(|row| row.config)
        .unwrap_or_else(|| kind.instance_default()))
}

/// The values a user's message names.
fn user_vars(u: &UserRow, code: &str, expiry: i64) -> Vars {
    let display = if u.display_name.is_empty() { u.username.clone() } else { u.display_name.clone() };
    vec![
        ("Code", code.to_string()),
        ("UserName", u.username.clone()),
        ("Username", u.username.clone()),
        ("FirstName", u.first_name.clone()),
        ("LastName", u.last_name.clone()),
        ("NickName", u.nick_name.clone()),
        ("DisplayName", display),
        ("PreferredLoginName", u.username.clone()),
        ("LoginName", u.username.clone()),
        ("LastEmail", u.email.clone()),
        ("VerifiedEmail", u.email.clone()),
        ("LastPhone", u.phone.clone()),
        ("Expiry", format!("{} minutes", expiry / 60_000_000_000)),
    ]
}

impl App {
    /// The login UI's origin for links in messages.
    fn login_origin(&self, ctx: &Ctx) -> String {
        ctx.origin.clone().unwrap_or_else(|| format!("http://{}", self.config.external_domain))
    }

    /// Renders the message of `kind` (asked for by an event of
    /// `event_type`) for `u` and sends it by email.
    async fn send_user_message(
        &self,
        u: &UserRow,
        kind: MessageType,
        event_type: &'static str,
        vars: Vars,
        link: Option<String>,
    ) -> Result<()> {
        let text = self.message_for(&u.resource_owner, kind, &u.preferred_language).await?;
        self.send_email_later(&u.email, Message::new(&text, vars, link, event_type, super::user_aggregate(u))).await;
        Ok(())
    }

    /// Renders the message of `kind` for `u` and sends it by SMS to the
    /// user's phone number.
    async fn send_user_sms(&self, u: &UserRow, kind: MessageType, event_type: &'static str, vars: Vars) -> Result<()> {
        let text = self.message_for(&u.resource_owner, kind, &u.preferred_language).await?;
        self.send_sms_later(&u.phone, Message::new(&text, vars, None, event_type, super::user_aggregate(u))).await;
        Ok(())
    }

    pub async fn resend_human_email_verification(
        &self,
        ctx: &Ctx,
        req: ResendHumanEmailVerificationRequest,
    ) -> Result<ResendHumanEmailVerificationResponse> {
        let code = draw_code(self, SecretGeneratorType::VerifyEmailCode).await?;
        let (events, user) = in_tx!(self, ctx, |conn| -> out {
            let u = self.org_human(conn, ctx, &req.user_id, EMAIL_USER_NOT_FOUND).await?;
            if u.email_verified {
                return Err(Error::failed_precondition(
                    crate::shared_ids::COMMAND_3M9DS,
                    "the email address is verified already",
                ));
            }
            Ok((vec![NewEvent::new(&super::user_aggregate(&u), &code.email_added())?], u))
        })?;
        self.send_email_code(ctx, &user, &code.clear, code.expiry).await?;
        Ok(ResendHumanEmailVerificationResponse { details: changed_details(&events) })
    }

    /// Sends `user` the email verification message with `code` (stored
    /// already, valid for `expiry` nanoseconds).
    pub(crate) async fn send_email_code(&self, ctx: &Ctx, user: &UserRow, code: &str, expiry: i64) -> Result<()> {
        let link = format!(
            "{}/ui/login/mail/verification?userID={}&code={code}&orgID={}",
            self.login_origin(ctx),
            user.id,
            user.resource_owner
        );
        self.send_email_code_linked(user, code, expiry, link).await
    }

    /// Sends `user` the email verification message with `code` and `link`.
    pub(crate) async fn send_email_code_linked(
        &self,
        user: &UserRow,
        code: &str,
        expiry: i64,
        link: String,
    ) -> Result<()> {
        let vars = user_vars(user, code, expiry);
        self.send_user_message(user, MessageType::VerifyEmail, ue::EmailCodeAdded::TYPE, vars, Some(link)).await
    }

    /// Sends `user` the initialization message with `code`.
    pub(crate) async fn send_init_code(&self, ctx: &Ctx, user: &UserRow, code: &str, expiry: i64) -> Result<()> {
        let link = format!(
            "{}/ui/login/user/init?userID={}&code={code}&passwordset={}&orgID={}",
            self.login_origin(ctx),
            user.id,
            user.has_password,
            user.resource_owner
        );
        let vars = user_vars(user, code, expiry);
        self.send_user_message(user, MessageType::InitCode, ue::InitCodeAdded::TYPE, vars, Some(link)).await
    }

    /// Sends `user` the phone verification message with `code` by SMS.
    pub(crate) async fn send_phone_code(&self, user: &UserRow, code: &str, expiry: i64) -> Result<()> {
        let vars = user_vars(user, code, expiry);
        self.send_user_sms(user, MessageType::VerifyPhone, ue::PhoneCodeAdded::TYPE, vars).await
    }

    /// A new phone code, sent by SMS.
    pub async fn resend_human_phone_verification(
        &self,
        ctx: &Ctx,
        req: ResendHumanPhoneVerificationRequest,
    ) -> Result<ResendHumanPhoneVerificationResponse> {
        let code = draw_code(self, SecretGeneratorType::VerifyPhoneCode).await?;
        let (events, user) = in_tx!(self, ctx, |conn| -> out {
            let u = self.org_human(conn, ctx, &req.user_id, PHONE_USER_NOT_FOUND).await?;
            if u.phone.is_empty() {
                return Err(Error::not_found(PHONE_USER_NOT_FOUND, "the user has no phone number"));
            }
            if u.phone_verified {
                return Err(Error::failed_precondition("COMMAND-2M9sf", "the phone number is verified already"));
            }
            Ok((vec![NewEvent::new(&super::user_aggregate(&u), &code.phone_added())?], u))
        })?;
        self.send_phone_code(&user, &code.clear, code.expiry).await?;
        Ok(ResendHumanPhoneVerificationResponse { details: changed_details(&events) })
    }

    /// A new initialization code, sent by email (to `email` when given,
    /// which then becomes the user's address).
    pub async fn resend_human_initialization(
        &self,
        ctx: &Ctx,
        req: ResendHumanInitializationRequest,
    ) -> Result<ResendHumanInitializationResponse> {
        let code = draw_code(self, SecretGeneratorType::InitCode).await?;
        let email = req.email.trim().to_string();
        let (events, mut user) = in_tx!(self, ctx, |conn| -> out {
            let u = self.org_human(conn, ctx, &req.user_id, INIT_USER_NOT_FOUND).await?;
            // A user in the initial state, or one that has no way to sign
            // in yet (one imported without a password, say, whom ZITADEL's
            // import would have put in the initial state).
            if u.state != UserState::Initial && u.has_password && u.email_verified {
                return Err(Error::failed_precondition("COMMAND-2M9sd", "the user is initialised already"));
            }
            let on = super::user_aggregate(&u);
            let mut events = Vec::new();
            if !email.is_empty() && email != u.email {
                events.push(NewEvent::new(&on, &ue::EmailChanged { email: email.clone() })?);
            }
            events.push(NewEvent::new(&on, &code.init_added())?);
            Ok((events, u))
        })?;
        if !email.is_empty() {
            user.email = email;
        }
        self.send_init_code(ctx, &user, &code.clear, code.expiry).await?;
        Ok(ResendHumanInitializationResponse { details: changed_details(&events) })
    }

    /// A password reset code, sent by email or SMS.
    pub async fn send_human_reset_password_notification(
        &self,
        ctx: &Ctx,
        req: SendHumanResetPasswordNotificationRequest,
    ) -> Result<SendHumanResetPasswordNotificationResponse> {
        let DrawnCode { clear: code, sealed, expiry } = draw_code(self, SecretGeneratorType::PasswordResetCode).await?;
        let by_sms = req.r#type == send_human_reset_password_notification_request::Type::Sms as i32;
        let (events, user) = in_tx!(self, ctx, |conn| -> out {
            let u = self.org_human(conn, ctx, &req.user_id, RESET_USER_NOT_FOUND).await?;
            let added =
                ue::PasswordCodeAdded { code: Some(sealed.clone()), expiry, notification_type: i32::from(by_sms) };
            Ok((vec![NewEvent::new(&super::user_aggregate(&u), &added)?], u))
        })?;
        let vars = user_vars(&user, &code, expiry);
        if by_sms {
            self.send_user_sms(&user, MessageType::PasswordReset, ue::PasswordCodeAdded::TYPE, vars).await?;
        } else {
            let link = format!(
                "{}/ui/login/password/init?userID={}&code={code}&orgID={}",
                self.login_origin(ctx),
                user.id,
                user.resource_owner
            );
            self.send_user_message(&user, MessageType::PasswordReset, ue::PasswordCodeAdded::TYPE, vars, Some(link))
                .await?;
        }
        Ok(SendHumanResetPasswordNotificationResponse { details: changed_details(&events) })
    }

    /// A passwordless registration code: its link (and lifetime), or the
    /// link sent by email (`send`).
    pub(super) async fn passwordless_registration(
        &self,
        ctx: &Ctx,
        user_id: &str,
        send: bool,
    ) -> Result<(Option<burg_api::object::ObjectDetails>, String, i64)> {
        let DrawnCode { clear: code, sealed, expiry } =
            draw_code(self, SecretGeneratorType::PasswordlessInitCode).await?;
        let code_id = self.new_id();
        let (events, user) = in_tx!(self, ctx, |conn| -> out {
            let u = self.org_human(conn, ctx, user_id, PASSWORDLESS_USER_NOT_FOUND).await?;
            let on = super::user_aggregate(&u);
            let mut events = vec![NewEvent::new(
                &on,
                &ue::PasswordlessCodeAdded { id: code_id.clone(), code: Some(sealed.clone()), expiry },
            )?];
            if send {
                events.push(NewEvent::new(&on, &ue::PasswordlessCodeRequested {})?);
            }
            Ok((events, u))
        })?;
        let link = format!(
            "{}/ui/login/login/passwordless/init?userID={}&orgID={}&codeID={code_id}&code={code}",
            self.login_origin(ctx),
            user.id,
            user.resource_owner
        );
        if send {
            let vars = user_vars(&user, &code, expiry);
            let kind = MessageType::PasswordlessRegistration;
            self.send_user_message(&user, kind, ue::PasswordlessCodeAdded::TYPE, vars, Some(link.clone())).await?;
        }
        Ok((changed_details(&events), link, expiry))
    }

    pub async fn add_passwordless_registration(
        &self,
        ctx: &Ctx,
        req: AddPasswordlessRegistrationRequest,
    ) -> Result<AddPasswordlessRegistrationResponse> {
        let (details, link, expiry) = self.passwordless_registration(ctx, &req.user_id, false).await?;
        let expiration = Duration { seconds: expiry / 1_000_000_000, nanos: (expiry % 1_000_000_000) as i32 };
        Ok(AddPasswordlessRegistrationResponse { details, link, expiration: Some(expiration) })
    }

    pub async fn send_passwordless_registration(
        &self,
        ctx: &Ctx,
        req: SendPasswordlessRegistrationRequest,
    ) -> Result<SendPasswordlessRegistrationResponse> {
        let (details, _, _) = self.passwordless_registration(ctx, &req.user_id, true).await?;
        Ok(SendPasswordlessRegistrationResponse { details })
    }
}
