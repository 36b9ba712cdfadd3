//! SMTP through the egress policy: one message, over a connection that
//! [`Egress::connect_tcp`] opened (the host and each of its addresses
//! checked), upgraded with STARTTLS when the provider asks for TLS,
//! authenticated with PLAIN or LOGIN when it has a user.
//!
//! Failures are answered as ZITADEL answers a failed test (Internal, with
//! the id of the step that failed); a refused address is the policy's
//! error. No secret reaches an answer or a log line: the password is only
//! handed to the SMTP client.

use std::time::Duration;

use burg_domain::crypto::SecretString;
use burg_domain::notify::split_host_port;
use burg_domain::{Error, ErrorKind, Result};
use lettre::Address;
use lettre::message::{Mailbox, Message, header::ContentType};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail as MailFrom, Rcpt};
use lettre::transport::smtp::extension::ClientId;

use super::Egress;

/// How long one SMTP conversation may take, connection included.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Where and how to send.
pub(crate) struct SmtpServer<'a> {
    /// `host:port`.
    pub host: &'a str,
    pub tls: bool,
    pub user: &'a str,
    pub password: &'a SecretString,
}

/// The message.
pub(crate) struct Mail<'a> {
    pub from_address: &'a str,
    pub from_name: &'a str,
    pub reply_to: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

fn failed(id: &'static str, what: &str, why: impl std::fmt::Display) -> Error {
    Error::internal(id, format!("{what}: {why}"))
}

impl Egress {
    /// Sends `mail` through `server`; `field` names the setting that holds
    /// the host (for a refusal).
    pub(crate) async fn send_mail(&self, field: &str, server: &SmtpServer<'_>, mail: &Mail<'_>) -> Result<()> {
        match tokio::time::timeout(SMTP_TIMEOUT, self.converse(field, server, mail)).await {
            Ok(done) => done,
            Err(_) => Err(failed(
                "EMAIL-smtpto",
                "the SMTP server did not finish in time",
                format!("{} s", SMTP_TIMEOUT.as_secs()),
            )),
        }
    }

    async fn converse(&self, field: &str, server: &SmtpServer<'_>, mail: &Mail<'_>) -> Result<()> {
        let (host, port) = split_host_port(server.host)
            .ok_or_else(|| failed("EMAIL-spR56", "the SMTP host is not host:port", server.host))?;
        let dial = |why: &dyn std::fmt::Display| failed("EMAIL-skwos", "cannot connect to the SMTP server", why);
        let port: u16 = port.parse().map_err(|_| dial(&format!("{port:?} is not a port")))?;
        let stream = self.connect_tcp(field, host, port).await.map_err(|e| match e.kind {
            // The policy's refusal stays as it is; the rest is a failed dial.
            ErrorKind::Unavailable => dial(&e.message),
            _ => e,
        })?;
        let hello = ClientId::Domain("localhost".into());
        let mut conn =
            AsyncSmtpConnection::connect_with_transport(Box::new(stream), &hello).await.map_err(|e| dial(&e))?;
        if server.tls {
            if !conn.can_starttls() {
                return Err(failed("EMAIL-guvsQ", "cannot start TLS", "the SMTP server does not offer STARTTLS"));
            }
            let tls =
                TlsParameters::new(host.to_string()).map_err(|e| failed("EMAIL-tlsprm", "cannot set up TLS", e))?;
            conn.starttls(tls, &hello).await.map_err(|e| failed("EMAIL-stls02", "cannot start TLS", e))?;
        }
        if !server.user.is_empty() {
            let credentials = Credentials::new(server.user.to_string(), server.password.expose().to_string());
            conn.auth(&[Mechanism::Plain, Mechanism::Login], &credentials)
                .await
                .map_err(|e| failed("EMAIL-s9kfs", "the SMTP server refused the credentials", e))?;
        }
        let from: Address = mail
            .from_address
            .parse()
            .map_err(|e| failed("EMAIL-addr01", "the sender address is not an email address", e))?;
        let to: Address =
            mail.to.parse().map_err(|e| failed("EMAIL-addr02", "the recipient is not an email address", e))?;
        let mut message = Message::builder()
            .from(Mailbox::new((!mail.from_name.is_empty()).then(|| mail.from_name.to_string()), from.clone()))
            .to(Mailbox::new(None, to.clone()))
            .subject(mail.subject)
            .header(ContentType::TEXT_PLAIN);
        if !mail.reply_to.is_empty()
            && let Ok(reply_to) = mail.reply_to.parse::<Address>()
        {
            message = message.reply_to(Mailbox::new(None, reply_to));
        }
        let message =
            message.body(mail.body.to_string()).map_err(|e| failed("EMAIL-msg001", "cannot write the message", e))?;
        conn.command(MailFrom::new(Some(from), vec![]))
            .await
            .map_err(|e| failed("EMAIL-s3is3", "the SMTP server refused the sender", e))?;
        conn.command(Rcpt::new(to, vec![]))
            .await
            .map_err(|e| failed("EMAIL-s4is4", "the SMTP server refused the recipient", e))?;
        conn.command(Data).await.map_err(|e| failed("EMAIL-data01", "the SMTP server refused the message", e))?;
        conn.message(&message.formatted())
            .await
            .map_err(|e| failed("EMAIL-data02", "the SMTP server refused the message", e))?;
        let _ = conn.quit().await;
        Ok(())
    }
}
