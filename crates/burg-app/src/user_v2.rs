//! Verification codes through the user API v2 (`zitadel.user.v2.UserService`):
//! send or resend a user's email code, resend a phone code, and verify
//! either, as ZITADEL's `command/user_v2_email.go` and `user_v2_phone.go`.
//!
//! Every RPC asks only for a valid token; the commands look at the user
//! first (unknown or machine: NotFound; still initial: FailedPrecondition),
//! then a send or resend needs `user.write` on the user's organization or
//! the user themself, unless the code is to come back in the answer, which
//! only `user.write` may ask for. A verification needs no permission: the
//! code is the proof. A wrong, expired or missing code is written down as
//! a `*.verification.failed` event and answered InvalidArgument.

use burg_api::zitadel::object::v2::Details;
use burg_api::zitadel::user::v2 as u2;
use burg_domain::crypto::Sealed;
use burg_domain::event::{Event, NewEvent, Payload, aggregate};
use burg_domain::events::user as ue;
use burg_domain::instance_settings::SecretGeneratorType;
use burg_domain::state::{UserState, UserType};
use burg_domain::url_template::{ConfirmUrlData, render};
use burg_domain::{Error, Result};
use burg_store::Conn;
use burg_store::users::UserRow;

use crate::mgmt_user::{DrawnCode, draw_code, user_aggregate};
use crate::{App, Ctx, changed_details, details_v2, in_tx};

/// `Errors.User.NotFound` of the email and phone write models.
const USER_NOT_FOUND: &str = "COMMAND-ieJ2e";
/// `Errors.User.NotInitialised`.
const NOT_INITIALISED: &str = "COMMAND-uz0Uu";
/// `Errors.User.Code.Empty` of a verification without a code.
const CODE_EMPTY: &str = "COMMAND-Fia4a";
/// `Errors.User.Code.Invalid`: wrong, expired, or no code to compare.
const CODE_INVALID: &str = "COMMAND-eis9R";
/// `Errors.PermissionDenied` of `checkPermissionUpdateUser`.
const PERMISSION_DENIED: &str = "AUTHZ-HKJD33";

/// Email or phone: what differs between the two kinds of code.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Channel {
    Email,
    Phone,
}

impl Channel {
    /// `Errors.User.{Email,Phone}.IDMissing`.
    fn id_missing(self) -> &'static str {
        match self {
            Channel::Email => "COMMAND-0Gzs3",
            Channel::Phone => "COMMAND-xP292j",
        }
    }

    /// `Errors.User.Code.Empty` of a resend when no code is pending.
    fn nothing_to_resend(self) -> &'static str {
        match self {
            Channel::Email => "EMAIL-5w5ilin4yt",
            Channel::Phone => "PHONE-5xrra88eq8",
        }
    }

    /// The events that set or clear the pending code; the newest decides.
    fn code_events(self) -> &'static [&'static str] {
        match self {
            Channel::Email => &[ue::EmailCodeAdded::TYPE, ue::EmailVerified::TYPE, ue::EmailChanged::TYPE],
            Channel::Phone => {
                &[ue::PhoneCodeAdded::TYPE, ue::PhoneVerified::TYPE, ue::PhoneChanged::TYPE, ue::PhoneRemoved::TYPE]
            }
        }
    }

    fn generator(self) -> SecretGeneratorType {
        match self {
            Channel::Email => SecretGeneratorType::VerifyEmailCode,
            Channel::Phone => SecretGeneratorType::VerifyPhoneCode,
        }
    }
}

/// The code a user was sent and not yet used: sealed, when it was written
/// (µs) and how long it lives (ns; 0 is for ever).
struct Pending {
    code: Sealed,
    created_at: i64,
    expiry: i64,
}

fn pending(newest: Option<Event>) -> Result<Option<Pending>> {
    let Some(event) = newest else { return Ok(None) };
    let (code, expiry) = match event.event_type.as_str() {
        ue::EmailCodeAdded::TYPE => {
            let added: ue::EmailCodeAdded = event.decode()?;
            (added.code, added.expiry)
        }
        ue::PhoneCodeAdded::TYPE => {
            let added: ue::PhoneCodeAdded = event.decode()?;
            (added.code, added.expiry)
        }
        _ => return Ok(None),
    };
    Ok(code.map(|code| Pending { code, created_at: event.created_at, expiry }))
}

/// How a code is to reach the user: sent (by a link made from the
/// template, when one is given) or given back to the caller.
struct Delivery {
    returned: bool,
    url_template: String,
}

impl Delivery {
    fn sent(url_template: Option<String>) -> Self {
        Delivery { returned: false, url_template: url_template.unwrap_or_default() }
    }

    fn returned() -> Self {
        Delivery { returned: true, url_template: String::new() }
    }
}

/// Equal strings, compared in time that does not depend on where they differ.
fn same_code(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl App {
    /// Human user `id` whose email or phone can take a code.
    async fn code_user(&self, conn: &mut Conn, id: &str, channel: Channel) -> Result<UserRow> {
        if id.is_empty() {
            return Err(Error::invalid_argument(channel.id_missing(), "user_id is empty"));
        }
        let user = burg_store::users::user(&mut *conn, &self.instance_id, id).await?;
        let Some(user) = user.filter(|u| u.user_type == UserType::Human) else {
            return Err(Error::not_found(USER_NOT_FOUND, format!("user {id:?} not found")));
        };
        if user.state == UserState::Initial {
            return Err(Error::failed_precondition(NOT_INITIALISED, "the user is not initialised yet"));
        }
        Ok(user)
    }

    /// The newest code `user` was sent by `channel` and has not used.
    async fn pending_code(&self, conn: &mut Conn, user: &UserRow, channel: Channel) -> Result<Option<Pending>> {
        let newest =
            burg_store::events::newest_of(conn, &self.instance_id, aggregate::USER, &user.id, channel.code_events())
                .await?;
        pending(newest)
    }

    /// ZITADEL's `checkPermissionUpdateUser`: `user.write` on the user's
    /// organization, or the user themself when `self_allowed`.
    fn may_update_user(ctx: &Ctx, user: &UserRow, self_allowed: bool) -> Result<()> {
        if (self_allowed && ctx.principal.user_id == user.id)
            || ctx.principal.has("user.write", Some(&user.resource_owner))
        {
            return Ok(());
        }
        Err(Error::permission_denied(PERMISSION_DENIED, "missing permission user.write on the user"))
    }

    /// A new code for `user_id` by `channel`: stored sealed, then sent or
    /// given back. `resend` requires a code that is still pending.
    async fn new_user_code(
        &self,
        ctx: &Ctx,
        user_id: &str,
        channel: Channel,
        delivery: Delivery,
        resend: bool,
    ) -> Result<(Option<Details>, Option<String>)> {
        if !delivery.url_template.is_empty() {
            // Checked with stand-in values before anything is looked up.
            let data = ConfirmUrlData { user_id, code: "code", org_id: "orgID" };
            render(&delivery.url_template, data)?;
        }
        let code = draw_code(self, channel.generator()).await?;
        let origin = ctx.origin.clone().unwrap_or_default();
        let (events, user) = in_tx!(self, ctx, |conn| -> out {
            let u = self.code_user(conn, user_id, channel).await?;
            Self::may_update_user(ctx, &u, !delivery.returned)?;
            if resend && self.pending_code(conn, &u, channel).await?.is_none() {
                return Err(Error::failed_precondition(channel.nothing_to_resend(), "no code is pending"));
            }
            let on = user_aggregate(&u);
            let event = match channel {
                Channel::Email => NewEvent::new(
                    &on,
                    &ue::EmailCodeAdded {
                        url_template: delivery.url_template.clone(),
                        code_returned: delivery.returned,
                        trigger_origin: origin.clone(),
                        ..code.email_added()
                    },
                )?,
                Channel::Phone => NewEvent::new(
                    &on,
                    &ue::PhoneCodeAdded {
                        code_returned: delivery.returned,
                        trigger_origin: origin.clone(),
                        ..code.phone_added()
                    },
                )?,
            };
            Ok((vec![event], u))
        })?;
        let details = details_v2(changed_details(&events));
        let DrawnCode { clear, expiry, .. } = code;
        if delivery.returned {
            return Ok((details, Some(clear)));
        }
        match channel {
            Channel::Email if delivery.url_template.is_empty() => {
                self.send_email_code(ctx, &user, &clear, expiry).await?
            }
            Channel::Email => {
                let data = ConfirmUrlData { user_id: &user.id, code: &clear, org_id: &user.resource_owner };
                let link = render(&delivery.url_template, data)?;
                self.send_email_code_linked(&user, &clear, expiry, link).await?
            }
            Channel::Phone => self.send_phone_code(&user, &clear, expiry).await?,
        }
        Ok((details, None))
    }

    /// Checks `code` against the pending one of `user_id`: the address is
    /// verified, or the failure is written down and answered.
    async fn verify_user_code(
        &self,
        ctx: &Ctx,
        user_id: &str,
        code: &str,
        channel: Channel,
    ) -> Result<Option<Details>> {
        let now = self.now();
        let (events, verified) = in_tx!(self, ctx, |conn| -> out {
            let u = self.code_user(conn, user_id, channel).await?;
            if code.is_empty() {
                return Err(Error::invalid_argument(CODE_EMPTY, "verification_code is empty"));
            }
            let matches = match self.pending_code(conn, &u, channel).await? {
                // A code lives `expiry` nanoseconds from its event; 0 for ever.
                Some(p) if p.expiry > 0 && p.created_at.saturating_add(p.expiry / 1000) < now => false,
                Some(p) => self.key.open_string(&p.code).is_ok_and(|stored| same_code(stored.expose(), code)),
                None => false,
            };
            let on = user_aggregate(&u);
            let event = match (channel, matches) {
                (Channel::Email, true) => NewEvent::new(&on, &ue::EmailVerified {})?,
                (Channel::Email, false) => NewEvent::new(&on, &ue::EmailVerificationFailed {})?,
                (Channel::Phone, true) => NewEvent::new(&on, &ue::PhoneVerified {})?,
                (Channel::Phone, false) => NewEvent::new(&on, &ue::PhoneVerificationFailed {})?,
            };
            Ok((vec![event], matches))
        })?;
        if !verified {
            return Err(Error::invalid_argument(CODE_INVALID, "verification_code is wrong or has expired"));
        }
        Ok(details_v2(changed_details(&events)))
    }

    /// `SendEmailCode` (`send_email_code` sends the Management API's codes).
    pub async fn user_v2_send_email_code(
        &self,
        ctx: &Ctx,
        r: u2::SendEmailCodeRequest,
    ) -> Result<u2::SendEmailCodeResponse> {
        use u2::send_email_code_request::Verification;
        let delivery = match r.verification {
            Some(Verification::ReturnCode(_)) => Delivery::returned(),
            Some(Verification::SendCode(s)) => Delivery::sent(s.url_template),
            None => Delivery::sent(None),
        };
        let (details, verification_code) = self.new_user_code(ctx, &r.user_id, Channel::Email, delivery, false).await?;
        Ok(u2::SendEmailCodeResponse { details, verification_code })
    }

    pub async fn resend_email_code(
        &self,
        ctx: &Ctx,
        r: u2::ResendEmailCodeRequest,
    ) -> Result<u2::ResendEmailCodeResponse> {
        use u2::resend_email_code_request::Verification;
        let delivery = match r.verification {
            Some(Verification::ReturnCode(_)) => Delivery::returned(),
            Some(Verification::SendCode(s)) => Delivery::sent(s.url_template),
            None => Delivery::sent(None),
        };
        let (details, verification_code) = self.new_user_code(ctx, &r.user_id, Channel::Email, delivery, true).await?;
        Ok(u2::ResendEmailCodeResponse { details, verification_code })
    }

    pub async fn resend_phone_code(
        &self,
        ctx: &Ctx,
        r: u2::ResendPhoneCodeRequest,
    ) -> Result<u2::ResendPhoneCodeResponse> {
        use u2::resend_phone_code_request::Verification;
        let delivery = match r.verification {
            Some(Verification::ReturnCode(_)) => Delivery::returned(),
            Some(Verification::SendCode(_)) | None => Delivery::sent(None),
        };
        let (details, verification_code) = self.new_user_code(ctx, &r.user_id, Channel::Phone, delivery, true).await?;
        Ok(u2::ResendPhoneCodeResponse { details, verification_code })
    }

    pub async fn verify_email(&self, ctx: &Ctx, r: u2::VerifyEmailRequest) -> Result<u2::VerifyEmailResponse> {
        let details = self.verify_user_code(ctx, &r.user_id, &r.verification_code, Channel::Email).await?;
        Ok(u2::VerifyEmailResponse { details })
    }

    pub async fn verify_phone(&self, ctx: &Ctx, r: u2::VerifyPhoneRequest) -> Result<u2::VerifyPhoneResponse> {
        let details = self.verify_user_code(ctx, &r.user_id, &r.verification_code, Channel::Phone).await?;
        Ok(u2::VerifyPhoneResponse { details })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_compare_whole() {
        assert!(same_code("ABC123", "ABC123"));
        assert!(!same_code("ABC123", "ABC124"));
        assert!(!same_code("ABC123", "abc123"));
        assert!(!same_code("ABC123", "ABC1234"));
        assert!(!same_code("", "A"));
    }
}
