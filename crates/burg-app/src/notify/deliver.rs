//! Messages to users: a message text (the organization's keys over the
//! instance's over burg's defaults, in the user's language) filled with
//! the user's values and a code, sent through the instance's active email
//! or SMS provider: SMTP, or an HTTP provider called as ZITADEL calls it
//! (a JSON body of `contextInfo`, `templateData` and `args`, signed in the
//! `ZITADEL-Signature` header with the provider's signing key).
//!
//! As in ZITADEL, the RPC that asks for a message answers once its event
//! is stored; the message is sent after it, and a failed send is logged
//! (with no secret), not answered. As ZITADEL's notification worker, a
//! code's message that went out is recorded in its `*.code.sent` event;
//! burg sends once (ZITADEL retries). SMS go through an HTTP provider or
//! Twilio's Messages API.

use burg_domain::crypto::SecretString;
use burg_domain::notify::{Channel, Config, Http};
use burg_domain::texts::{MessageText, MessageType};
use burg_domain::{Error, Result};
use burg_store::notify::ProviderRow;
use serde_json::{Map, Value, json};

use std::sync::Arc;

use burg_domain::Clock;
use burg_domain::event::{Aggregate, NewEvent, Payload};
use burg_domain::events::user as ue;
use burg_store::Db;
use burg_store::event_store::Editor;

use crate::App;
use crate::egress::{Egress, Mail, SmtpServer};

/// The values a message text names (`{{.Name}}`).
pub(crate) type Vars = Vec<(&'static str, String)>;

/// `text` with each `{{.Name}}` of `vars` replaced (a name it does not
/// know stays as written).
fn fill(text: &str, vars: &Vars) -> String {
    let mut out = text.to_string();
    for (name, value) in vars {
        out = out.replace(&format!("{{{{.{name}}}}}"), value);
    }
    out
}

/// A message for one user, filled in: every part of its text with the
/// user's values, the link it carries, the values themselves, and the
/// event that asked for it.
pub(crate) struct Message {
    text: MessageText,
    url: Option<String>,
    args: Vars,
    event_type: &'static str,
    /// The aggregate the event that asked for it is on: its `*.sent`
    /// event goes there once the message is out.
    on: Aggregate,
}

/// The event that says the message asked for by an event of `added` went
/// out, as ZITADEL's notification worker writes it.
fn sent_event(added: &str) -> Option<&'static str> {
    Some(match added {
        ue::EmailCodeAdded::TYPE => ue::EmailCodeSent::TYPE,
        ue::PhoneCodeAdded::TYPE => ue::PhoneCodeSent::TYPE,
        ue::InitCodeAdded::TYPE => ue::InitCodeSent::TYPE,
        ue::PasswordCodeAdded::TYPE => ue::PasswordCodeSent::TYPE,
        _ => return None,
    })
}

/// Writes the `*.sent` event of a message that went out.
struct SentRecord {
    db: Db,
    instance_id: String,
    clock: Arc<dyn Clock>,
    event: NewEvent,
}

impl SentRecord {
    async fn write(self) -> Result<()> {
        // ZITADEL's notification worker writes as its own user.
        let editor = Editor { user_id: "NOTIFICATION".into(), service: "burg.notify".into() };
        let mut tx = self.db.begin_write(&self.instance_id, editor, self.clock.now_micros()).await?;
        tx.push(vec![self.event]).await?;
        tx.commit().await
    }

    /// Writes it, logging a failure (the message went out regardless).
    async fn write_or_log(record: Option<SentRecord>) {
        if let Some(record) = record
            && let Err(e) = record.write().await
        {
            tracing::warn!(error_id = e.id, "a sent message was not recorded: {}", e.message);
        }
    }
}

impl Message {
    pub(crate) fn new(
        text: &MessageText,
        args: Vars,
        url: Option<String>,
        event_type: &'static str,
        on: Aggregate,
    ) -> Message {
        let text = MessageText {
            title: fill(&text.title, &args),
            pre_header: fill(&text.pre_header, &args),
            subject: fill(&text.subject, &args),
            greeting: fill(&text.greeting, &args),
            text: fill(&text.text, &args),
            button_text: fill(&text.button_text, &args),
            footer_text: fill(&text.footer_text, &args),
        };
        Message { text, url, args, event_type, on }
    }

    /// The subject and plain-text body of the message as an email.
    pub(crate) fn plain(&self) -> (String, String) {
        let t = &self.text;
        let mut body: Vec<String> = [&t.greeting, &t.text].into_iter().filter(|p| !p.is_empty()).cloned().collect();
        if let Some(url) = &self.url {
            body.push(if t.button_text.is_empty() { url.clone() } else { format!("{}: {url}", t.button_text) });
        }
        if !t.footer_text.is_empty() {
            body.push(t.footer_text.clone());
        }
        (t.subject.clone(), body.join("\n\n"))
    }

    /// The JSON body ZITADEL posts to an HTTP provider: who and what the
    /// message is for (`contextInfo`), the filled parts (`templateData`,
    /// empty ones left out) and the values (`args`, names with a lowercase
    /// first letter).
    fn webhook_body(&self, recipient: (&str, &str), provider: &ProviderRow) -> Value {
        let t = &self.text;
        let mut template = Map::new();
        let parts = [
            ("title", &t.title),
            ("preHeader", &t.pre_header),
            ("subject", &t.subject),
            ("greeting", &t.greeting),
            ("text", &t.text),
            ("buttonText", &t.button_text),
            ("footerText", &t.footer_text),
        ];
        for (name, value) in parts.into_iter().chain(self.url.as_ref().map(|u| ("url", u))) {
            if !value.is_empty() {
                template.insert(name.to_string(), Value::String(value.clone()));
            }
        }
        let args: Map<String, Value> = self
            .args
            .iter()
            .map(|(name, value)| {
                let mut chars = name.chars();
                let first = chars.next().map(|c| c.to_ascii_lowercase().to_string()).unwrap_or_default();
                (first + chars.as_str(), Value::String(value.clone()))
            })
            .collect();
        json!({
            "contextInfo": {
                recipient.0: recipient.1,
                "eventType": self.event_type,
                "provider": { "id": provider.id, "description": provider.description },
            },
            "templateData": template,
            "args": args,
        })
    }
}

/// Posts `body` to an HTTP provider, signed with its key when it has one.
async fn post_to_provider(egress: &Egress, http: &Http, signing_key: Option<SecretString>, body: Value) -> Result<()> {
    let body = serde_json::to_vec(&body).map_err(|e| Error::internal("NOTIF-http1", e.to_string()))?;
    let request = egress
        .documents()
        .request(reqwest::Method::POST, &http.endpoint)
        .map_err(|r| crate::egress::refused("endpoint", &r))?
        .header(reqwest::header::CONTENT_TYPE, "application/json");
    let request = match signing_key {
        Some(key) => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or_default();
            request.header("ZITADEL-Signature", burg_domain::notify::webhook_signature(key.expose(), now, &body))
        }
        None => request,
    };
    let response = request
        .body(body)
        .send()
        .await
        .map_err(|e| Error::unavailable("NOTIF-http2", format!("the HTTP provider was not reached: {e}")))?;
    if !response.status().is_success() {
        return Err(Error::unavailable("NOTIF-http3", format!("the HTTP provider answered {}", response.status())));
    }
    Ok(())
}

/// Sends `text` to `to` through Twilio's Messages API (`api`: its base
/// URL), from the provider's sender number, as ZITADEL's Twilio channel
/// does. A verify service SID is not used: the code is burg's own, in the
/// text, and checked by burg.
async fn post_to_twilio(
    egress: &Egress,
    api: &str,
    twilio: &burg_domain::notify::Twilio,
    token: SecretString,
    to: &str,
    text: &str,
) -> Result<()> {
    let url = format!("{}/2010-04-01/Accounts/{}/Messages.json", api.trim_end_matches('/'), twilio.sid);
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("To", to)
        .append_pair("From", &twilio.sender_number)
        .append_pair("Body", text)
        .finish();
    let response = egress
        .documents()
        .request(reqwest::Method::POST, &url)
        .map_err(|r| crate::egress::refused("twilio", &r))?
        .basic_auth(&twilio.sid, Some(token.expose()))
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .map_err(|e| Error::unavailable("NOTIF-twil2", format!("Twilio was not reached: {e}")))?;
    if !response.status().is_success() {
        return Err(Error::unavailable("NOTIF-twil3", format!("Twilio answered {}", response.status())));
    }
    Ok(())
}

impl App {
    /// The text of `kind` for a user of `org` in `language`: each key the
    /// organization sets, else the instance's, else burg's default.
    pub(crate) async fn message_for(&self, org: &str, kind: MessageType, language: &str) -> Result<MessageText> {
        let fallback = self.default_language().await?;
        let language = if language.is_empty() { fallback.as_str() } else { language };
        let mut text = burg_domain::texts::default_message(kind, language, &fallback);
        let rows =
            burg_store::texts::texts(self.db.pool(), &self.instance_id, &self.instance_id, kind.template(), language)
                .await?;
        for row in rows.into_iter().filter(|r| !r.text.is_empty()) {
            text.set(&row.key, row.text);
        }
        if let Some(row) = self.org_texts(self.db.pool(), org, kind.template(), language).await? {
            let own = crate::mgmt_texts::message_of(&row, kind.template());
            for key in burg_domain::texts::MESSAGE_KEYS {
                if let Some(value) = own.get(key).filter(|v| !v.is_empty()) {
                    text.set(key, value.to_string());
                }
            }
        }
        Ok(text)
    }

    /// Sends `message` to email address `to` through the active email
    /// provider in the background. A message that cannot be sent (no
    /// provider, or the provider refused it) is logged.
    pub(crate) async fn send_email_later(&self, to: &str, message: Message) {
        if let Err(e) = self.try_send_later(Channel::Email, to, message).await {
            tracing::warn!(error = %e, "a message to a user was not sent");
        }
    }

    /// Sends `message` to phone number `to` through the active SMS
    /// provider in the background, as [`App::send_email_later`].
    pub(crate) async fn send_sms_later(&self, to: &str, message: Message) {
        if let Err(e) = self.try_send_later(Channel::Sms, to, message).await {
            tracing::warn!(error = %e, "a message to a user was not sent");
        }
    }

    async fn try_send_later(&self, channel: Channel, to: &str, message: Message) -> Result<()> {
        let what = if channel == Channel::Email { "email" } else { "SMS" };
        let row = burg_store::notify::active(self.db.pool(), &self.instance_id, channel).await?.ok_or_else(|| {
            Error::failed_precondition("NOTIF-none1", format!("the instance has no active {what} provider"))
        })?;
        let egress = self.egress.clone();
        let to = to.to_string();
        let sent = sent_event(message.event_type).map(|event_type| SentRecord {
            db: self.db.clone(),
            instance_id: self.instance_id.clone(),
            clock: self.clock.clone(),
            // No payload, as ZITADEL's.
            event: NewEvent { aggregate: message.on.clone(), event_type, payload: Value::Null },
        });
        match &row.config {
            Config::Smtp(smtp) => {
                let smtp = smtp.clone();
                let password = match &smtp.password {
                    Some(sealed) => self.key.open_string(sealed)?,
                    None => Default::default(),
                };
                tokio::spawn(async move {
                    let (subject, body) = message.plain();
                    let server = SmtpServer { host: &smtp.host, tls: smtp.tls, user: &smtp.user, password: &password };
                    let mail = Mail {
                        from_address: &smtp.sender_address,
                        from_name: &smtp.sender_name,
                        reply_to: &smtp.reply_to_address,
                        to: &to,
                        subject: &subject,
                        body: &body,
                    };
                    match egress.send_mail("host", &server, &mail).await {
                        Ok(()) => SentRecord::write_or_log(sent).await,
                        Err(e) => tracing::warn!(error = %e, "a message to a user was not sent"),
                    }
                });
            }
            Config::EmailHttp(http) | Config::SmsHttp(http) => {
                let http = http.clone();
                let key = http.signing_key.as_ref().map(|k| self.key.open_string(k)).transpose()?;
                let recipient =
                    if channel == Channel::Email { "recipientEmailAddress" } else { "recipientPhoneNumber" };
                let body = message.webhook_body((recipient, &to), &row);
                tokio::spawn(async move {
                    match post_to_provider(&egress, &http, key, body).await {
                        Ok(()) => SentRecord::write_or_log(sent).await,
                        Err(e) => tracing::warn!(error = %e, "a message to a user was not sent"),
                    }
                });
            }
            Config::Twilio(twilio) => {
                let twilio = twilio.clone();
                let token = twilio.token.as_ref().map(|t| self.key.open_string(t)).transpose()?.unwrap_or_default();
                let api = self.config.twilio_api.clone();
                let text = message.text.text.clone();
                tokio::spawn(async move {
                    match post_to_twilio(&egress, &api, &twilio, token, &to, &text).await {
                        Ok(()) => SentRecord::write_or_log(sent).await,
                        Err(e) => tracing::warn!(error = %e, "a message to a user was not sent"),
                    }
                });
            }
        }
        Ok(())
    }
}
