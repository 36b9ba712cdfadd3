//! Message and login texts of the instance: burg's defaults, the
//! instance's custom texts, setting and resetting them. The ten message
//! types share one path; `message_text_rpcs!` gives each its four RPCs.
//! The login texts are the template `Login` on the same path.
//!
//! As ZITADEL: `GetDefault…` answers the default texts (of the language,
//! else of the instance's default language); `GetCustom…` answers the
//! instance's custom texts of the language as stored (keys not set are
//! empty) or, when it has none, the defaults with `is_default`;
//! `SetDefault…` writes one event per key that changes (none: nothing
//! written, the current details); `ResetCustom…ToDefault` removes the
//! template's texts of the language, NotFound when there are none. The
//! login texts differ in what `GetCustomLoginTexts` answers without
//! custom texts: empty texts marked `is_default`, not the defaults.

use burg_api::admin::{
    GetCustomLoginTextsRequest, GetCustomLoginTextsResponse, GetDefaultLoginTextsRequest, GetDefaultLoginTextsResponse,
    ResetCustomLoginTextsToDefaultRequest, ResetCustomLoginTextsToDefaultResponse, SetCustomLoginTextsRequest,
    SetCustomLoginTextsResponse,
};
use burg_api::object::ObjectDetails;
use burg_api::wkt::Timestamp;
use burg_api::zitadel::text::v1::{LoginCustomText, MessageCustomText};
use burg_domain::event::{Aggregate, NewEvent};
use burg_domain::texts::{self, LoginTexts, MessageText, MessageType};
use burg_domain::{Error, Result, validate};
use burg_store::texts::TextRow;

use crate::instance::SUPPORTED_LANGUAGES;
use crate::{App, Ctx, changed_details, retry};

/// A language of a write as ZITADEL's converters read it
/// (`language.Make`): the tag in its canonical case, `und` when it is not
/// one.
pub(crate) fn make_language(value: &str) -> String {
    validate::language_tag(value).unwrap_or_else(|| "und".to_string())
}

/// ZITADEL's checks of a text's language (`LanguageIsDefined`,
/// `LanguagesAreSupported`); whether it is allowed is not checked, so that
/// texts can be written before a language is allowed.
pub(crate) fn supported_language(language: &str) -> Result<()> {
    if language == "und" {
        return Err(Error::invalid_argument("LANG-3M9f2", "`language` is undefined"));
    }
    if !SUPPORTED_LANGUAGES.contains(&language) {
        return Err(Error::invalid_argument(
            "LANG-lg4DP",
            format!("`language` {language:?} is not supported; supported: {}", SUPPORTED_LANGUAGES.join(", ")),
        ));
    }
    Ok(())
}

pub(crate) fn to_wire(text: MessageText, details: Option<ObjectDetails>, is_default: bool) -> MessageCustomText {
    MessageCustomText {
        details,
        title: text.title,
        pre_header: text.pre_header,
        subject: text.subject,
        greeting: text.greeting,
        text: text.text,
        button_text: text.button_text,
        footer_text: text.footer_text,
        is_default,
    }
}

/// The message text the rows hold.
pub(crate) fn from_rows(rows: &[TextRow]) -> MessageText {
    let mut text = MessageText::default();
    for row in rows {
        text.set(&row.key, row.text.clone());
    }
    text
}

/// The details of a custom text, close to what ZITADEL's projection row
/// keeps: the last event's sequence and time, and as the creation date the
/// time the newest of its keys was first set.
pub(crate) struct RowsDetails {
    pub(crate) sequence: i64,
    pub(crate) creation_date: i64,
    pub(crate) change_date: i64,
}

pub(crate) fn rows_details(rows: &[TextRow]) -> Option<RowsDetails> {
    let last = rows.iter().max_by_key(|r| r.sequence)?;
    Some(RowsDetails {
        sequence: last.sequence,
        creation_date: rows.iter().map(|r| r.creation_date).max().unwrap_or(last.creation_date),
        change_date: last.change_date,
    })
}

/// Dates of zero are left out, as ZITADEL's `ToViewDetailsPb` does.
pub(crate) fn view_details(sequence: i64, created: i64, changed: i64, owner: &str) -> Option<ObjectDetails> {
    Some(ObjectDetails {
        sequence: sequence.max(0) as u64,
        creation_date: (created != 0).then(|| Timestamp::from_micros(created)),
        change_date: (changed != 0).then(|| Timestamp::from_micros(changed)),
        resource_owner: owner.to_string(),
    })
}

impl App {
    /// The instance's default language (where texts fall back to).
    pub(crate) async fn default_language(&self) -> Result<String> {
        Ok(self.instance_row(self.db.pool()).await?.default_language)
    }

    /// `GetDefault…MessageText`: burg's texts, without details.
    pub(crate) async fn default_message_text(&self, kind: MessageType, language: &str) -> Result<MessageCustomText> {
        let fallback = self.default_language().await?;
        Ok(to_wire(texts::default_message(kind, language, &fallback), Some(ObjectDetails::default()), false))
    }

    /// `GetCustom…MessageText`: the instance's own texts of `language` (as
    /// given), else the defaults marked `is_default`.
    pub(crate) async fn custom_message_text(&self, kind: MessageType, language: &str) -> Result<MessageCustomText> {
        let rows =
            burg_store::texts::texts(self.db.pool(), &self.instance_id, &self.instance_id, kind.template(), language)
                .await?;
        match rows_details(&rows) {
            Some(d) => Ok(to_wire(
                from_rows(&rows),
                view_details(d.sequence, d.creation_date, d.change_date, &self.instance_id),
                false,
            )),
            None => {
                let fallback = self.default_language().await?;
                Ok(to_wire(
                    texts::default_message(kind, language, &fallback),
                    view_details(0, 0, 0, &self.instance_id),
                    true,
                ))
            }
        }
    }

    /// `SetDefault…MessageText`: the instance's custom text of `kind` in
    /// `language` becomes `next`, key by key.
    pub(crate) async fn set_message_text(
        &self,
        ctx: &Ctx,
        kind: MessageType,
        language: &str,
        next: MessageText,
    ) -> Result<Option<ObjectDetails>> {
        self.set_texts(ctx, kind.template(), language, |on, language, rows| {
            texts::message_events(on, kind.template(), language, &from_rows(rows), &next)
        })
        .await
    }

    /// `ResetCustom…MessageTextToDefault`: removes the instance's texts of
    /// `kind` in `language`.
    pub(crate) async fn reset_message_text(
        &self,
        ctx: &Ctx,
        kind: MessageType,
        language: &str,
    ) -> Result<Option<ObjectDetails>> {
        self.reset_texts(ctx, kind.template(), language, ("INSTANCE-fjw9b", "INSTANCE-fju90")).await
    }

    /// Writes the events `make_events` makes of the instance's stored texts of
    /// `template` in `language` (checked as ZITADEL checks a text's
    /// language); none: nothing written, the texts' current details.
    async fn set_texts(
        &self,
        ctx: &Ctx,
        template: &str,
        language: &str,
        make_events: impl Fn(&Aggregate, &str, &[TextRow]) -> Result<Vec<NewEvent>>,
    ) -> Result<Option<ObjectDetails>> {
        let language = make_language(language);
        supported_language(&language)?;
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let rows =
                burg_store::texts::texts(tx.conn(), &self.instance_id, &self.instance_id, template, &language).await?;
            let events = make_events(&self.instance_aggregate(), &language, &rows)?;
            if events.is_empty() {
                let (sequence, changed) = rows_details(&rows).map(|d| (d.sequence, d.change_date)).unwrap_or_default();
                return Ok(view_details(sequence, 0, changed, &self.instance_id));
            }
            let events = tx.push(events).await?;
            tx.commit().await?;
            Ok(changed_details(&events))
        })
        .await
    }

    /// Removes the instance's texts of `template` in `language` with one
    /// `customtext.template.removed` event. `ids`: ZITADEL's error ids for
    /// a language that is no tag (InvalidArgument) and for a template
    /// without custom texts in it (NotFound).
    async fn reset_texts(
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
            let rows =
                burg_store::texts::texts(tx.conn(), &self.instance_id, &self.instance_id, template, &language).await?;
            if rows.is_empty() {
                return Err(Error::not_found(
                    ids.1,
                    format!("the instance has no custom {template} texts in {language:?}"),
                ));
            }
            let event = texts::template_removed_event(&self.instance_aggregate(), template, &language)?;
            let events = tx.push(vec![event]).await?;
            tx.commit().await?;
            Ok(changed_details(&events))
        })
        .await
    }
}

/// Login texts as the wire's message, built through its proto3 JSON form
/// (one path per field, [`texts::LOGIN_FIELDS`]); empty texts are left out.
pub(crate) fn login_to_wire(
    texts: &LoginTexts,
    details: Option<ObjectDetails>,
    is_default: bool,
) -> Result<LoginCustomText> {
    let mut root = serde_json::Map::new();
    for (path, key) in texts::LOGIN_FIELDS {
        let Some(text) = texts.get(*key).filter(|t| !t.is_empty()) else { continue };
        let Some((screen, field)) = path.split_once('.') else { continue };
        let screen = root.entry(screen.to_string()).or_insert_with(|| serde_json::Value::Object(Default::default()));
        if let Some(screen) = screen.as_object_mut() {
            screen.insert(field.to_string(), serde_json::Value::String(text.clone()));
        }
    }
    let mut message: LoginCustomText = serde_json::from_value(serde_json::Value::Object(root))
        .map_err(|e| Error::internal("TEXT-login1", format!("cannot build the login texts: {e}")))?;
    message.details = details;
    message.is_default = is_default;
    Ok(message)
}

/// The login texts a request gives, by key (empty fields left out).
pub(crate) fn login_from_wire(req: &impl serde::Serialize) -> Result<LoginTexts> {
    let json = serde_json::to_value(req)
        .map_err(|e| Error::internal("TEXT-login2", format!("cannot read the login texts: {e}")))?;
    let mut texts = LoginTexts::new();
    for (path, key) in texts::LOGIN_FIELDS {
        let pointer = format!("/{}", path.replace('.', "/"));
        if let Some(text) = json.pointer(&pointer).and_then(|v| v.as_str()).filter(|t| !t.is_empty()) {
            texts.insert(key.to_string(), text.to_string());
        }
    }
    Ok(texts)
}

impl App {
    pub async fn get_default_login_texts(
        &self,
        _ctx: &Ctx,
        req: GetDefaultLoginTextsRequest,
    ) -> Result<GetDefaultLoginTextsResponse> {
        let fallback = self.default_language().await?;
        let texts = texts::default_login(&req.language, &fallback);
        Ok(GetDefaultLoginTextsResponse {
            custom_text: Some(login_to_wire(&texts, view_details(0, 0, 0, &self.instance_id), true)?),
        })
    }

    /// As ZITADEL: only the instance's own texts of the language (as
    /// given); with none, empty texts marked `is_default`.
    pub async fn get_custom_login_texts(
        &self,
        _ctx: &Ctx,
        req: GetCustomLoginTextsRequest,
    ) -> Result<GetCustomLoginTextsResponse> {
        let rows = burg_store::texts::texts(
            self.db.pool(),
            &self.instance_id,
            &self.instance_id,
            texts::LOGIN_TEMPLATE,
            &req.language,
        )
        .await?;
        // A key that was emptied is no custom text.
        let rows: Vec<TextRow> = rows.into_iter().filter(|r| !r.text.is_empty()).collect();
        let custom = match rows_details(&rows) {
            None => login_to_wire(&LoginTexts::new(), view_details(0, 0, 0, &self.instance_id), true)?,
            Some(d) => {
                let created = rows.iter().map(|r| r.creation_date).min().unwrap_or(d.creation_date);
                let texts: LoginTexts = rows.into_iter().map(|r| (r.key, r.text)).collect();
                login_to_wire(&texts, view_details(d.sequence, created, d.change_date, &self.instance_id), false)?
            }
        };
        Ok(GetCustomLoginTextsResponse { custom_text: Some(custom) })
    }

    pub async fn set_custom_login_text(
        &self,
        ctx: &Ctx,
        req: SetCustomLoginTextsRequest,
    ) -> Result<SetCustomLoginTextsResponse> {
        let next = login_from_wire(&req)?;
        let details = self
            .set_texts(ctx, texts::LOGIN_TEMPLATE, &req.language, |on, language, rows| {
                let current: LoginTexts = rows.iter().map(|r| (r.key.clone(), r.text.clone())).collect();
                texts::login_events(on, language, &current, &next)
            })
            .await?;
        Ok(SetCustomLoginTextsResponse { details })
    }

    pub async fn reset_custom_login_text_to_default(
        &self,
        ctx: &Ctx,
        req: ResetCustomLoginTextsToDefaultRequest,
    ) -> Result<ResetCustomLoginTextsToDefaultResponse> {
        let details = self.reset_texts(ctx, texts::LOGIN_TEMPLATE, &req.language, ("IAM-Gfbg3", "IAM-fru44")).await?;
        Ok(ResetCustomLoginTextsToDefaultResponse { details })
    }
}

/// A `SetDefault…MessageText` request: its language and the text it sets
/// (a key it does not carry is emptied, as ZITADEL's converters leave it).
trait SetMessageText {
    fn into_parts(self) -> (String, MessageText);
}

macro_rules! set_requests_with_every_key {
    ($($req:ident),*) => {$(
        impl SetMessageText for burg_api::admin::$req {
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
    SetDefaultInitMessageTextRequest,
    SetDefaultPasswordResetMessageTextRequest,
    SetDefaultVerifyEmailMessageTextRequest,
    SetDefaultVerifyPhoneMessageTextRequest,
    SetDefaultVerifyEmailOtpMessageTextRequest,
    SetDefaultDomainClaimedMessageTextRequest,
    SetDefaultPasswordlessRegistrationMessageTextRequest,
    SetDefaultPasswordChangeMessageTextRequest,
    SetDefaultInviteUserMessageTextRequest
);

/// The SMS one-time password message has only a text.
impl SetMessageText for burg_api::admin::SetDefaultVerifySmsotpMessageTextRequest {
    fn into_parts(self) -> (String, MessageText) {
        (self.language, MessageText { text: self.text, ..MessageText::default() })
    }
}

/// The four RPCs of each message type: `Kind: get_default(Req, Resp),
/// get_custom(Req, Resp), set(Req, Resp), reset(Req, Resp);`.
macro_rules! message_text_rpcs {
    ($(
        $kind:ident:
        $get_default:ident($gd_req:ident, $gd_resp:ident),
        $get_custom:ident($gc_req:ident, $gc_resp:ident),
        $set:ident($s_req:ident, $s_resp:ident),
        $reset:ident($r_req:ident, $r_resp:ident);
    )*) => {
        impl App {
            $(
                pub async fn $get_default(
                    &self,
                    _ctx: &Ctx,
                    req: burg_api::admin::$gd_req,
                ) -> Result<burg_api::admin::$gd_resp> {
                    let text = self.default_message_text(MessageType::$kind, &req.language).await?;
                    Ok(burg_api::admin::$gd_resp { custom_text: Some(text) })
                }

                pub async fn $get_custom(
                    &self,
                    _ctx: &Ctx,
                    req: burg_api::admin::$gc_req,
                ) -> Result<burg_api::admin::$gc_resp> {
                    let text = self.custom_message_text(MessageType::$kind, &req.language).await?;
                    Ok(burg_api::admin::$gc_resp { custom_text: Some(text) })
                }

                pub async fn $set(
                    &self,
                    ctx: &Ctx,
                    req: burg_api::admin::$s_req,
                ) -> Result<burg_api::admin::$s_resp> {
                    let (language, next) = SetMessageText::into_parts(req);
                    let details = self.set_message_text(ctx, MessageType::$kind, &language, next).await?;
                    Ok(burg_api::admin::$s_resp { details })
                }

                pub async fn $reset(
                    &self,
                    ctx: &Ctx,
                    req: burg_api::admin::$r_req,
                ) -> Result<burg_api::admin::$r_resp> {
                    let details = self.reset_message_text(ctx, MessageType::$kind, &req.language).await?;
                    Ok(burg_api::admin::$r_resp { details })
                }
            )*
        }
    };
}

message_text_rpcs! {
    InitCode:
        get_default_init_message_text(GetDefaultInitMessageTextRequest, GetDefaultInitMessageTextResponse),
        get_custom_init_message_text(GetCustomInitMessageTextRequest, GetCustomInitMessageTextResponse),
        set_default_init_message_text(SetDefaultInitMessageTextRequest, SetDefaultInitMessageTextResponse),
        reset_custom_init_message_text_to_default(
            ResetCustomInitMessageTextToDefaultRequest, ResetCustomInitMessageTextToDefaultResponse);
    PasswordReset:
        get_default_password_reset_message_text(
            GetDefaultPasswordResetMessageTextRequest, GetDefaultPasswordResetMessageTextResponse),
        get_custom_password_reset_message_text(
            GetCustomPasswordResetMessageTextRequest, GetCustomPasswordResetMessageTextResponse),
        set_default_password_reset_message_text(
            SetDefaultPasswordResetMessageTextRequest, SetDefaultPasswordResetMessageTextResponse),
        reset_custom_password_reset_message_text_to_default(
            ResetCustomPasswordResetMessageTextToDefaultRequest, ResetCustomPasswordResetMessageTextToDefaultResponse);
    VerifyEmail:
        get_default_verify_email_message_text(
            GetDefaultVerifyEmailMessageTextRequest, GetDefaultVerifyEmailMessageTextResponse),
        get_custom_verify_email_message_text(
            GetCustomVerifyEmailMessageTextRequest, GetCustomVerifyEmailMessageTextResponse),
        set_default_verify_email_message_text(
            SetDefaultVerifyEmailMessageTextRequest, SetDefaultVerifyEmailMessageTextResponse),
        reset_custom_verify_email_message_text_to_default(
            ResetCustomVerifyEmailMessageTextToDefaultRequest, ResetCustomVerifyEmailMessageTextToDefaultResponse);
    VerifyPhone:
        get_default_verify_phone_message_text(
            GetDefaultVerifyPhoneMessageTextRequest, GetDefaultVerifyPhoneMessageTextResponse),
        get_custom_verify_phone_message_text(
            GetCustomVerifyPhoneMessageTextRequest, GetCustomVerifyPhoneMessageTextResponse),
        set_default_verify_phone_message_text(
            SetDefaultVerifyPhoneMessageTextRequest, SetDefaultVerifyPhoneMessageTextResponse),
        reset_custom_verify_phone_message_text_to_default(
            ResetCustomVerifyPhoneMessageTextToDefaultRequest, ResetCustomVerifyPhoneMessageTextToDefaultResponse);
    VerifySmsOtp:
        get_default_verify_smsotp_message_text(
            GetDefaultVerifySmsotpMessageTextRequest, GetDefaultVerifySmsotpMessageTextResponse),
        get_custom_verify_smsotp_message_text(
            GetCustomVerifySmsotpMessageTextRequest, GetCustomVerifySmsotpMessageTextResponse),
        set_default_verify_smsotp_message_text(
            SetDefaultVerifySmsotpMessageTextRequest, SetDefaultVerifySmsotpMessageTextResponse),
        reset_custom_verify_smsotp_message_text_to_default(
            ResetCustomVerifySmsotpMessageTextToDefaultRequest, ResetCustomVerifySmsotpMessageTextToDefaultResponse);
    VerifyEmailOtp:
        get_default_verify_email_otp_message_text(
            GetDefaultVerifyEmailOtpMessageTextRequest, GetDefaultVerifyEmailOtpMessageTextResponse),
        get_custom_verify_email_otp_message_text(
            GetCustomVerifyEmailOtpMessageTextRequest, GetCustomVerifyEmailOtpMessageTextResponse),
        set_default_verify_email_otp_message_text(
            SetDefaultVerifyEmailOtpMessageTextRequest, SetDefaultVerifyEmailOtpMessageTextResponse),
        reset_custom_verify_email_otp_message_text_to_default(
            ResetCustomVerifyEmailOtpMessageTextToDefaultRequest,
            ResetCustomVerifyEmailOtpMessageTextToDefaultResponse);
    DomainClaimed:
        get_default_domain_claimed_message_text(
            GetDefaultDomainClaimedMessageTextRequest, GetDefaultDomainClaimedMessageTextResponse),
        get_custom_domain_claimed_message_text(
            GetCustomDomainClaimedMessageTextRequest, GetCustomDomainClaimedMessageTextResponse),
        set_default_domain_claimed_message_text(
            SetDefaultDomainClaimedMessageTextRequest, SetDefaultDomainClaimedMessageTextResponse),
        reset_custom_domain_claimed_message_text_to_default(
            ResetCustomDomainClaimedMessageTextToDefaultRequest, ResetCustomDomainClaimedMessageTextToDefaultResponse);
    PasswordlessRegistration:
        get_default_passwordless_registration_message_text(
            GetDefaultPasswordlessRegistrationMessageTextRequest,
            GetDefaultPasswordlessRegistrationMessageTextResponse),
        get_custom_passwordless_registration_message_text(
            GetCustomPasswordlessRegistrationMessageTextRequest, GetCustomPasswordlessRegistrationMessageTextResponse),
        set_default_passwordless_registration_message_text(
            SetDefaultPasswordlessRegistrationMessageTextRequest,
            SetDefaultPasswordlessRegistrationMessageTextResponse),
        reset_custom_passwordless_registration_message_text_to_default(
            ResetCustomPasswordlessRegistrationMessageTextToDefaultRequest,
            ResetCustomPasswordlessRegistrationMessageTextToDefaultResponse);
    PasswordChange:
        get_default_password_change_message_text(
            GetDefaultPasswordChangeMessageTextRequest, GetDefaultPasswordChangeMessageTextResponse),
        get_custom_password_change_message_text(
            GetCustomPasswordChangeMessageTextRequest, GetCustomPasswordChangeMessageTextResponse),
        set_default_password_change_message_text(
            SetDefaultPasswordChangeMessageTextRequest, SetDefaultPasswordChangeMessageTextResponse),
        reset_custom_password_change_message_text_to_default(
            ResetCustomPasswordChangeMessageTextToDefaultRequest,
            ResetCustomPasswordChangeMessageTextToDefaultResponse);
    InviteUser:
        get_default_invite_user_message_text(
            GetDefaultInviteUserMessageTextRequest, GetDefaultInviteUserMessageTextResponse),
        get_custom_invite_user_message_text(
            GetCustomInviteUserMessageTextRequest, GetCustomInviteUserMessageTextResponse),
        set_default_invite_user_message_text(
            SetDefaultInviteUserMessageTextRequest, SetDefaultInviteUserMessageTextResponse),
        reset_custom_invite_user_message_text_to_default(
            ResetCustomInviteUserMessageTextToDefaultRequest, ResetCustomInviteUserMessageTextToDefaultResponse);
}
