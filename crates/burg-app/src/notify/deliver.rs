//! Messages to users: a message text (the organization's keys over the
//! instance's over burg's defaults, in the user's language) filled with
//! the user's values and a code, sent through the instance's active email
//! provider.
//!
//! As in ZITADEL, the RPC that asks for a message answers once its event
//! is stored; the message is sent after it, and a failed send is logged
//! (with no secret), not answered. ZITADEL's notification worker retries
//! and writes a `*.sent` event; burg sends once and writes none yet.

use burg_domain::notify::{Channel, Config};
use burg_domain::texts::{MessageText, MessageType};
use burg_domain::{Error, Result};

use crate::App;
use crate::egress::{Mail, SmtpServer};

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

/// The subject and plain-text body of a message.
pub(crate) fn render(text: &MessageText, vars: &Vars, link: Option<&str>) -> (String, String) {
    let mut body = Vec::new();
    for part in [&text.greeting, &text.text] {
        if !part.is_empty() {
            body.push(fill(part, vars));
        }
    }
    if let Some(link) = link {
        let button = fill(&text.button_text, vars);
        body.push(if button.is_empty() { link.to_string() } else { format!("{button}: {link}") });
    }
    if !text.footer_text.is_empty() {
        body.push(fill(&text.footer_text, vars));
    }
    (fill(&text.subject, vars), body.join("\n\n"))
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

    /// Sends `subject` and `body` to `to` through the active email
    /// provider in the background. A message that cannot be sent (no
    /// provider burg sends through, or the provider refused it) is logged.
    pub(crate) async fn send_email_later(&self, to: &str, subject: String, body: String) {
        if let Err(e) = self.try_send_email_later(to, subject, body).await {
            tracing::warn!(error = %e, "a message to a user was not sent");
        }
    }

    async fn try_send_email_later(&self, to: &str, subject: String, body: String) -> Result<()> {
        let row = burg_store::notify::active(self.db.pool(), &self.instance_id, Channel::Email)
            .await?
            .ok_or_else(|| Error::failed_precondition("NOTIF-mail01", "the instance has no active email provider"))?;
        let Config::Smtp(smtp) = row.config else {
            return Err(Error::failed_precondition(
                "NOTIF-mail02",
                "burg sends user messages through SMTP providers only",
            ));
        };
        let password = match &smtp.password {
            Some(sealed) => self.key.open_string(sealed)?,
            None => Default::default(),
        };
        let egress = self.egress.clone();
        let to = to.to_string();
        tokio::spawn(async move {
            let server = SmtpServer { host: &smtp.host, tls: smtp.tls, user: &smtp.user, password: &password };
            let mail = Mail {
                from_address: &smtp.sender_address,
                from_name: &smtp.sender_name,
                reply_to: &smtp.reply_to_address,
                to: &to,
                subject: &subject,
                body: &body,
            };
            if let Err(e) = egress.send_mail("host", &server, &mail).await {
                tracing::warn!(error = %e, "a message to a user was not sent");
            }
        });
        Ok(())
    }
}
