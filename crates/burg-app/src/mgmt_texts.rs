//! The Management API's message and login texts of the call's organization.
//!
//! An organization's custom texts of a template in a language are one
//! `org_objects` document, in the shape of the import's `DataOrg` member
//! (`initMessages`, `loginTexts`, …: the set request as proto3 JSON,
//! kinds by `burg_domain::texts::document_kind`), so that imported texts
//! are the organization's own: read, changed, reset and exported alike.
//! The events are ZITADEL's (`org.customtext.set`, `…removed`,
//! `…template.removed`, one per key that changes), and the projection
//! keeps the document (`burg_store::texts`).
//!
//! As ZITADEL's queries: `GetCustom…MessageText` answers the
//! organization's texts, else the instance's (burg's defaults with the
//! instance's custom texts over them) marked `is_default`;
//! `GetDefault…MessageText` and `GetDefaultLoginTexts` answer the
//! instance's so; `GetCustomLoginTexts` answers only the organization's
//! own texts, or none marked `is_default`. The error ids are those of
//! ZITADEL's `org_custom_message_text.go` and `org_custom_login_text.go`.

use burg_api::management as m;
use burg_api::object::ObjectDetails;
use burg_api::zitadel::text::v1::{LoginCustomText, MessageCustomText};
use burg_domain::event::{Aggregate, NewEvent};
use burg_domain::texts::{self, LOGIN_FIELDS, LoginTexts, MESSAGE_KEYS, MessageText, MessageType};
use burg_domain::{Error, Result};
use burg_store::documents::DocRow;
use serde_json::Value;

use crate::mgmt_org::org_aggregate;
use crate::texts::{login_from_wire, login_to_wire, make_language, supported_language, to_wire, view_details};
use crate::{App, Ctx, changed_details, retry};

fn document(row: &DocRow) -> Value {
    serde_json::from_str(&row.data).unwrap_or_default()
}

fn text_at(doc: &Value, pointer: &str) -> String {
    doc.pointer(pointer).and_then(Value::as_str).unwrap_or_default().to_string()
}

/// The message text a document holds.
pub(crate) fn message_of(row: &DocRow, template: &str) -> MessageText {
    let doc = document(row);
    let mut text = MessageText::default();
    for key in MESSAGE_KEYS {
        if let Some(pointer) = texts::document_pointer(template, key) {
            text.set(key, text_at(&doc, &pointer));
        }
    }
    text
}

/// The login texts a document holds (empty ones left out).
fn login_of(row: &DocRow) -> LoginTexts {
    let doc = document(row);
    LOGIN_FIELDS
        .iter()
        .filter_map(|(_, key)| {
            let text = text_at(&doc, &texts::document_pointer(texts::LOGIN_TEMPLATE, key)?);
            (!text.is_empty()).then(|| (key.to_string(), text))
        })
        .collect()
}

fn kind_of(template: &str) -> Result<&'static str> {
    texts::document_kind(template)
        .ok_or_else(|| Error::internal("TEXT-org01", format!("no document kind for the texts of {template}")))
}

impl App {
    /// The organization's document of `template` in `language` (as given).
    pub(crate) async fn org_texts<'e>(
        &self,
        on: impl burg_store::Reader<'e>,
        org: &str,
        template: &str,
        language: &str,
    ) -> Result<Option<DocRow>> {
        burg_store::documents::get(on, &self.instance_id, org, kind_of(template)?, language).await
    }

    /// The instance's message text of `kind` (ZITADEL's
    /// `IAMMessageTextByTypeAndLanguage`): burg's default with the
    /// instance's custom texts of the language over it.
    async fn instance_message_text(&self, kind: MessageType, language: &str) -> Result<MessageCustomText> {
        let fallback = self.default_language().await?;
        let mut text = texts::default_message(kind, language, &fallback);
        let rows =
            burg_store::texts::texts(self.db.pool(), &self.instance_id, &self.instance_id, kind.template(), language)
                .await?;
        for row in rows.into_iter().filter(|r| !r.text.is_empty()) {
            text.set(&row.key, row.text);
        }
        Ok(to_wire(text, view_details(0, 0, 0, &self.instance_id), true))
    }

    async fn org_custom_message_text(&self, ctx: &Ctx, kind: MessageType, language: &str) -> Result<MessageCustomText> {
        let org = ctx.org();
        match self.org_texts(self.db.pool(), org, kind.template(), language).await? {
            Some(row) => Ok(to_wire(
                message_of(&row, kind.template()),
                view_details(row.sequence, row.creation_date, row.change_date, org),
                false,
            )),
            None => self.instance_message_text(kind, language).await,
        }
    }

    /// Writes the events `make_events` makes of the organization's stored
    /// document of `template` in `language` (checked as ZITADEL checks a
    /// text's language); none: nothing written, the current details.
    async fn org_set_texts(
        &self,
        ctx: &Ctx,
        template: &str,
        language: &str,
        make_events: impl Fn(&Aggregate, &str, Option<&DocRow>) -> Result<Vec<NewEvent>>,
    ) -> Result<Option<ObjectDetails>> {
        let language = make_language(language);
        supported_language(&language)?;
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            let row = self.org_texts(tx.conn(), &org, template, &language).await?;
            let events = make_events(&org_aggregate(&org), &language, row.as_ref())?;
            if events.is_empty() {
                let (sequence, changed) = row.map(|r| (r.sequence, r.change_date)).unwrap_or_default();
                return Ok(view_details(sequence, 0, changed, &org));
            }
            let events = tx.push(events).await?;
            tx.commit().await?;
            Ok(changed_details(&events))
        })
        .await
    }

    async fn org_set_message_text(
        &self,
        ctx: &Ctx,
        kind: MessageType,
        language: &str,
        next: MessageText,
    ) -> Result<Option<ObjectDetails>> {
        let template = kind.template();
        self.org_set_texts(ctx, template, language, |on, language, row| {
            let current = row.map(|r| message_of(r, template)).unwrap_or_default();
            texts::message_events(on, template, language, &current, &next)
        })
        .await
    }

    /// Removes the organization's texts of `template` in `language` with
    /// one `org.customtext.template.removed`. `ids`: ZITADEL's for a
    /// language that is no tag and for texts that are not there.
    async fn org_reset_texts(
        &self,
        ctx: &Ctx,
        template: &str,
        language: &str,
        ids: (&'static str, &'static str),
    ) -> Result<Option<ObjectDetails>> {
        let language = make_language(language);
        if language == "und" {
            return Err(Error::invalid_argument(ids.0, "`language` is not a language tag"));
        }
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            if self.org_texts(tx.conn(), &org, template, &language).await?.is_none() {
                return Err(Error::not_found(
                    ids.1,
                    format!("the organization has no custom {template} texts in {language:?}"),
                ));
            }
            let event = texts::template_removed_event(&org_aggregate(&org), template, &language)?;
            let events = tx.push(vec![event]).await?;
            tx.commit().await?;
            Ok(changed_details(&events))
        })
        .await
    }

    /// The instance's login texts (ZITADEL's `IAMLoginTexts`): burg's
    /// defaults with the instance's custom texts over them.
    async fn instance_login_texts(&self, language: &str) -> Result<LoginCustomText> {
        let fallback = self.default_language().await?;
        let mut texts = texts::default_login(language, &fallback);
        let rows = burg_store::texts::texts(
            self.db.pool(),
            &self.instance_id,
            &self.instance_id,
            texts::LOGIN_TEMPLATE,
            language,
        )
        .await?;
        for row in rows.into_iter().filter(|r| !r.text.is_empty()) {
            texts.insert(row.key, row.text);
        }
        login_to_wire(&texts, view_details(0, 0, 0, &self.instance_id), true)
    }

    pub async fn org_get_default_login_texts(
        &self,
        _ctx: &Ctx,
        req: m::GetDefaultLoginTextsRequest,
    ) -> Result<m::GetDefaultLoginTextsResponse> {
        Ok(m::GetDefaultLoginTextsResponse { custom_text: Some(self.instance_login_texts(&req.language).await?) })
    }

    pub async fn org_get_custom_login_texts(
        &self,
        ctx: &Ctx,
        req: m::GetCustomLoginTextsRequest,
    ) -> Result<m::GetCustomLoginTextsResponse> {
        let org = ctx.org();
        let row = self.org_texts(self.db.pool(), org, texts::LOGIN_TEMPLATE, &req.language).await?;
        let custom = match row.map(|r| (login_of(&r), r)).filter(|(t, _)| !t.is_empty()) {
            Some((texts, row)) => {
                login_to_wire(&texts, view_details(row.sequence, row.creation_date, row.change_date, org), false)?
            }
            None => login_to_wire(&LoginTexts::new(), view_details(0, 0, 0, &self.instance_id), true)?,
        };
        Ok(m::GetCustomLoginTextsResponse { custom_text: Some(custom) })
    }

    pub async fn org_set_custom_login_text(
        &self,
        ctx: &Ctx,
        req: m::SetCustomLoginTextsRequest,
    ) -> Result<m::SetCustomLoginTextsResponse> {
        let next = login_from_wire(&req)?;
        let details = self
            .org_set_texts(ctx, texts::LOGIN_TEMPLATE, &req.language, |on, language, row| {
                let current = row.map(login_of).unwrap_or_default();
                texts::login_events(on, language, &current, &next)
            })
            .await?;
        Ok(m::SetCustomLoginTextsResponse { details })
    }

    pub async fn org_reset_custom_login_text_to_default(
        &self,
        ctx: &Ctx,
        req: m::ResetCustomLoginTextsToDefaultRequest,
    ) -> Result<m::ResetCustomLoginTextsToDefaultResponse> {
        let details =
            self.org_reset_texts(ctx, texts::LOGIN_TEMPLATE, &req.language, ("Org-5ZZmo", "Org-9ru44")).await?;
        Ok(m::ResetCustomLoginTextsToDefaultResponse { details })
    }
}

/// A `SetCustom…MessageText` request: its language and the text it sets
/// (a key it does not carry is emptied, as ZITADEL's converters leave it).
trait SetOrgMessageText {
    fn into_parts(self) -> (String, MessageText);
}

macro_rules! set_requests_with_every_key {
    ($($req:ident),*) => {$(
        impl SetOrgMessageText for m::$req {
            fn into_parts(self) -> (String, MessageText) {
                let text = MessageText {
                    title: self.title,
                    pre_header: self.pre_header,
                    subject: self.subject,
                    greeting: self.greeting,
                    text: self.text,
                    button_text: self.button_text,
                    footer_text: self.footer_text,
                };
                (self.language, text)
            }
        }
    )*};
}

set_requests_with_every_key!(
    SetCustomInitMessageTextRequest,
    SetCustomPasswordResetMessageTextRequest,
    SetCustomVerifyEmailMessageTextRequest,
    SetCustomVerifyPhoneMessageTextRequest,
    SetCustomVerifyEmailOtpMessageTextRequest,
    SetCustomDomainClaimedMessageTextRequest,
    SetCustomPasswordlessRegistrationMessageTextRequest,
    SetCustomPasswordChangeMessageTextRequest,
    SetCustomInviteUserMessageTextRequest
);

/// The SMS one-time password message has only a text.
impl SetOrgMessageText for m::SetCustomVerifySmsotpMessageTextRequest {
    fn into_parts(self) -> (String, MessageText) {
        (self.language, MessageText { text: self.text, ..MessageText::default() })
    }
}

/// The four RPCs of each message type: `Kind: get_default(Req, Resp),
/// get_custom(Req, Resp), set(Req, Resp), reset(Req, Resp);`.
macro_rules! org_message_text_rpcs {
    ($(
        $kind:ident:
        $get_default:ident($gd_req:ident, $gd_resp:ident),
        $get_custom:ident($gc_req:ident, $gc_resp:ident),
        $set:ident($s_req:ident, $s_resp:ident),
        $reset:ident($r_req:ident, $r_resp:ident);
    )*) => {
        impl App {
            $(
                pub async fn $get_default(&self, _ctx: &Ctx, req: m::$gd_req) -> Result<m::$gd_resp> {
                    let text = self.instance_message_text(MessageType::$kind, &req.language).await?;
                    Ok(m::$gd_resp { custom_text: Some(text) })
                }

                pub async fn $get_custom(&self, ctx: &Ctx, req: m::$gc_req) -> Result<m::$gc_resp> {
                    let text = self.org_custom_message_text(ctx, MessageType::$kind, &req.language).await?;
                    Ok(m::$gc_resp { custom_text: Some(text) })
                }

                pub async fn $set(&self, ctx: &Ctx, req: m::$s_req) -> Result<m::$s_resp> {
                    let (language, next) = SetOrgMessageText::into_parts(req);
                    let details = self.org_set_message_text(ctx, MessageType::$kind, &language, next).await?;
                    Ok(m::$s_resp { details })
                }

                pub async fn $reset(&self, ctx: &Ctx, req: m::$r_req) -> Result<m::$r_resp> {
                    let details = self
                        .org_reset_texts(ctx, MessageType::$kind.template(), &req.language, ("Org-j59f", "Org-3b8Jf"))
                        .await?;
                    Ok(m::$r_resp { details })
                }
            )*
        }
    };
}

org_message_text_rpcs! {
InitCode:
    org_get_default_init_message_text(GetDefaultInitMessageTextRequest, GetDefaultInitMessageTextResponse),
    org_get_custom_init_message_text(GetCustomInitMessageTextRequest, GetCustomInitMessageTextResponse),
    org_set_custom_init_message_text(SetCustomInitMessageTextRequest, SetCustomInitMessageTextResponse),
    org_reset_custom_init_message_text_to_default(ResetCustomInitMessageTextToDefaultRequest, ResetCustomInitMessageTextToDefaultResponse);
PasswordReset:
    org_get_default_password_reset_message_text(GetDefaultPasswordResetMessageTextRequest, GetDefaultPasswordResetMessageTextResponse),
    org_get_custom_password_reset_message_text(GetCustomPasswordResetMessageTextRequest, GetCustomPasswordResetMessageTextResponse),
    org_set_custom_password_reset_message_text(SetCustomPasswordResetMessageTextRequest, SetCustomPasswordResetMessageTextResponse),
    org_reset_custom_password_reset_message_text_to_default(ResetCustomPasswordResetMessageTextToDefaultRequest, ResetCustomPasswordResetMessageTextToDefaultResponse);
VerifyEmail:
    org_get_default_verify_email_message_text(GetDefaultVerifyEmailMessageTextRequest, GetDefaultVerifyEmailMessageTextResponse),
    org_get_custom_verify_email_message_text(GetCustomVerifyEmailMessageTextRequest, GetCustomVerifyEmailMessageTextResponse),
    org_set_custom_verify_email_message_text(SetCustomVerifyEmailMessageTextRequest, SetCustomVerifyEmailMessageTextResponse),
    org_reset_custom_verify_email_message_text_to_default(ResetCustomVerifyEmailMessageTextToDefaultRequest, ResetCustomVerifyEmailMessageTextToDefaultResponse);
VerifyPhone:
    org_get_default_verify_phone_message_text(GetDefaultVerifyPhoneMessageTextRequest, GetDefaultVerifyPhoneMessageTextResponse),
    org_get_custom_verify_phone_message_text(GetCustomVerifyPhoneMessageTextRequest, GetCustomVerifyPhoneMessageTextResponse),
    org_set_custom_verify_phone_message_text(SetCustomVerifyPhoneMessageTextRequest, SetCustomVerifyPhoneMessageTextResponse),
    org_reset_custom_verify_phone_message_text_to_default(ResetCustomVerifyPhoneMessageTextToDefaultRequest, ResetCustomVerifyPhoneMessageTextToDefaultResponse);
VerifySmsOtp:
    org_get_default_verify_smsotp_message_text(GetDefaultVerifySmsotpMessageTextRequest, GetDefaultVerifySmsotpMessageTextResponse),
    org_get_custom_verify_smsotp_message_text(GetCustomVerifySmsotpMessageTextRequest, GetCustomVerifySmsotpMessageTextResponse),
    org_set_custom_verify_smsotp_message_text(SetCustomVerifySmsotpMessageTextRequest, SetCustomVerifySmsotpMessageTextResponse),
    org_reset_custom_verify_smsotp_message_text_to_default(ResetCustomVerifySmsotpMessageTextToDefaultRequest, ResetCustomVerifySmsotpMessageTextToDefaultResponse);
VerifyEmailOtp:
    org_get_default_verify_email_otp_message_text(GetDefaultVerifyEmailOtpMessageTextRequest, GetDefaultVerifyEmailOtpMessageTextResponse),
    org_get_custom_verify_email_otp_message_text(GetCustomVerifyEmailOtpMessageTextRequest, GetCustomVerifyEmailOtpMessageTextResponse),
    org_set_custom_verify_email_otp_message_text(SetCustomVerifyEmailOtpMessageTextRequest, SetCustomVerifyEmailOtpMessageTextResponse),
    org_reset_custom_verify_email_otp_message_text_to_default(ResetCustomVerifyEmailOtpMessageTextToDefaultRequest, ResetCustomVerifyEmailOtpMessageTextToDefaultResponse);
DomainClaimed:
    org_get_default_domain_claimed_message_text(GetDefaultDomainClaimedMessageTextRequest, GetDefaultDomainClaimedMessageTextResponse),
    org_get_custom_domain_claimed_message_text(GetCustomDomainClaimedMessageTextRequest, GetCustomDomainClaimedMessageTextResponse),
    org_set_custom_domain_claimed_message_custom_text(SetCustomDomainClaimedMessageTextRequest, SetCustomDomainClaimedMessageTextResponse),
    org_reset_custom_domain_claimed_message_text_to_default(ResetCustomDomainClaimedMessageTextToDefaultRequest, ResetCustomDomainClaimedMessageTextToDefaultResponse);
PasswordlessRegistration:
    org_get_default_passwordless_registration_message_text(GetDefaultPasswordlessRegistrationMessageTextRequest, GetDefaultPasswordlessRegistrationMessageTextResponse),
    org_get_custom_passwordless_registration_message_text(GetCustomPasswordlessRegistrationMessageTextRequest, GetCustomPasswordlessRegistrationMessageTextResponse),
    org_set_custom_passwordless_registration_message_custom_text(SetCustomPasswordlessRegistrationMessageTextRequest, SetCustomPasswordlessRegistrationMessageTextResponse),
    org_reset_custom_passwordless_registration_message_text_to_default(ResetCustomPasswordlessRegistrationMessageTextToDefaultRequest, ResetCustomPasswordlessRegistrationMessageTextToDefaultResponse);
PasswordChange:
    org_get_default_password_change_message_text(GetDefaultPasswordChangeMessageTextRequest, GetDefaultPasswordChangeMessageTextResponse),
    org_get_custom_password_change_message_text(GetCustomPasswordChangeMessageTextRequest, GetCustomPasswordChangeMessageTextResponse),
    org_set_custom_password_change_message_custom_text(SetCustomPasswordChangeMessageTextRequest, SetCustomPasswordChangeMessageTextResponse),
    org_reset_custom_password_change_message_text_to_default(ResetCustomPasswordChangeMessageTextToDefaultRequest, ResetCustomPasswordChangeMessageTextToDefaultResponse);
InviteUser:
    org_get_default_invite_user_message_text(GetDefaultInviteUserMessageTextRequest, GetDefaultInviteUserMessageTextResponse),
    org_get_custom_invite_user_message_text(GetCustomInviteUserMessageTextRequest, GetCustomInviteUserMessageTextResponse),
    org_set_custom_invite_user_message_custom_text(SetCustomInviteUserMessageTextRequest, SetCustomInviteUserMessageTextResponse),
    org_reset_custom_invite_user_message_text_to_default(ResetCustomInviteUserMessageTextToDefaultRequest, ResetCustomInviteUserMessageTextToDefaultResponse);}
