//! Notification providers of the Admin API: the SMTP configurations and
//! email providers (one family of objects in ZITADEL: the deprecated SMTP
//! RPCs and the email provider RPCs read and write the same providers),
//! the SMS providers, and the debug providers (file, log).
//!
//! The writes follow ZITADEL's commands (`command/instance_smtp_config.go`,
//! `sms_config.go`): their checks, error ids, events and answers. Secrets
//! (SMTP password, Twilio token, HTTP signing key) are sealed before they
//! reach an event; the password and the token never leave again, the
//! signing key is answered where ZITADEL answers it (when it is made, and
//! in the HTTP providers' reads). Sending a test message goes through
//! [`crate::egress`].

pub(crate) mod deliver;
mod email;
mod sms;

use burg_api::zitadel::settings::v1 as s;
use burg_domain::crypto::{Sealed, SecretString};
use burg_domain::event::{Event, NewEvent, Payload};
use burg_domain::notify::{Channel, Config, ProviderState};
use burg_domain::{Error, Result};
use burg_store::notify::ProviderRow;

use crate::{App, Ctx, details, retry};

/// What a write appended, or the provider's details when it appended
/// nothing.
pub(crate) enum Written {
    Events(Vec<Event>),
    Unchanged(Box<ProviderRow>),
}

impl Written {
    fn changed_details(&self) -> Option<burg_api::object::ObjectDetails> {
        match self {
            Written::Events(events) => crate::changed_details(events),
            Written::Unchanged(row) => crate::unchanged_details(row.sequence, row.change_date, &row.resource_owner),
        }
    }
}

/// ZITADEL's error ids of the commands that act on a provider by id, per
/// channel.
struct Ids {
    activate_missing: &'static str,
    already_active: &'static str,
    deactivate_missing: &'static str,
    already_inactive: &'static str,
    remove_missing: &'static str,
}

const EMAIL_IDS: Ids = Ids {
    activate_missing: "COMMAND-E9K20hxOS9",
    already_active: "COMMAND-vUHBSmBzaw",
    deactivate_missing: "COMMAND-k39PJ",
    already_inactive: "COMMAND-km8g3",
    remove_missing: "COMMAND-09CXlTDL6w",
};

const SMS_IDS: Ids = Ids {
    activate_missing: "COMMAND-9ULtp9PH5E",
    already_active: "COMMAND-B25GFeIvRi",
    deactivate_missing: "COMMAND-La91dGNhbM",
    already_inactive: "COMMAND-OSZAEkYvk7",
    remove_missing: "COMMAND-povEVHPCkV",
};

fn not_found(id: &'static str, what: &str, provider: &str) -> Error {
    Error::not_found(id, format!("{what} {provider:?} not found"))
}

/// The answer to a read of an email provider (SMTP configuration) that
/// is not there: ZITADEL's query error.
fn email_not_found(provider: &str) -> Error {
    not_found("QUERY-fwofw", "email provider", provider)
}

/// The answer to a read of an SMS provider that is not there.
fn sms_not_found(provider: &str) -> Error {
    not_found("QUERY-fn99w", "SMS provider", provider)
}

fn ids_of(channel: Channel) -> &'static Ids {
    match channel {
        Channel::Email => &EMAIL_IDS,
        Channel::Sms => &SMS_IDS,
    }
}

fn name_of(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => "email provider",
        Channel::Sms => "SMS provider",
    }
}

impl App {
    /// Appends one event on the instance, after `check` found the provider
    /// `id` of `channel` fit (it answers the event, or the error).
    async fn write_provider<P: Payload + Send + Sync>(
        &self,
        ctx: &Ctx,
        channel: Channel,
        id: &str,
        check: impl Fn(Option<&ProviderRow>) -> Result<Option<P>> + Send + Sync,
    ) -> Result<Written> {
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let row = burg_store::notify::get(tx.conn(), &self.instance_id, channel, id).await?;
            let Some(payload) = check(row.as_ref())? else {
                let row = row.ok_or_else(|| Error::internal("NOTIFY-wr001", "an unchanged provider is missing"))?;
                return Ok(Written::Unchanged(Box::new(row)));
            };
            let events = tx.push(vec![NewEvent::new(&self.instance_aggregate(), &payload)?]).await?;
            tx.commit().await?;
            Ok(Written::Events(events))
        })
        .await
    }

    /// Adds a provider: one `added` event.
    async fn add_provider_event<P: Payload + Send + Sync>(&self, ctx: &Ctx, payload: &P) -> Result<Vec<Event>> {
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let events = tx.push(vec![NewEvent::new(&self.instance_aggregate(), payload)?]).await?;
            tx.commit().await?;
            Ok(events)
        })
        .await
    }

    /// Activates provider `id`; the channel's active one becomes inactive
    /// (by the projection, as in ZITADEL: no event of its own).
    async fn activate(&self, ctx: &Ctx, channel: Channel, id: &str) -> Result<Vec<Event>> {
        use burg_domain::events::notify::{SmsConfigActivated, SmtpConfigActivated};
        let ids = ids_of(channel);
        let check = |row: Option<&ProviderRow>| {
            let row = row.ok_or_else(|| not_found(ids.activate_missing, name_of(channel), id))?;
            if row.state == ProviderState::Active {
                return Err(Error::failed_precondition(
                    ids.already_active,
                    format!("{} {id:?} is active already", name_of(channel)),
                ));
            }
            Ok(Some(id.to_string()))
        };
        let written = match channel {
            Channel::Email => {
                self.write_provider(ctx, channel, id, |r| Ok(check(r)?.map(|id| SmtpConfigActivated { id }))).await?
            }
            Channel::Sms => {
                self.write_provider(ctx, channel, id, |r| Ok(check(r)?.map(|id| SmsConfigActivated { id }))).await?
            }
        };
        events_of(written)
    }

    async fn deactivate(&self, ctx: &Ctx, channel: Channel, id: &str) -> Result<Vec<Event>> {
        use burg_domain::events::notify::{SmsConfigDeactivated, SmtpConfigDeactivated};
        let ids = ids_of(channel);
        let check = |row: Option<&ProviderRow>| {
            let row = row.ok_or_else(|| not_found(ids.deactivate_missing, name_of(channel), id))?;
            if row.state == ProviderState::Inactive {
                return Err(Error::failed_precondition(
                    ids.already_inactive,
                    format!("{} {id:?} is inactive already", name_of(channel)),
                ));
            }
            Ok(Some(id.to_string()))
        };
        let written = match channel {
            Channel::Email => {
                self.write_provider(ctx, channel, id, |r| Ok(check(r)?.map(|id| SmtpConfigDeactivated { id }))).await?
            }
            Channel::Sms => {
                self.write_provider(ctx, channel, id, |r| Ok(check(r)?.map(|id| SmsConfigDeactivated { id }))).await?
            }
        };
        events_of(written)
    }

    async fn remove(&self, ctx: &Ctx, channel: Channel, id: &str) -> Result<Vec<Event>> {
        use burg_domain::events::notify::{SmsConfigRemoved, SmtpConfigRemoved};
        let ids = ids_of(channel);
        let check = |row: Option<&ProviderRow>| {
            row.ok_or_else(|| not_found(ids.remove_missing, name_of(channel), id))?;
            Ok(Some(id.to_string()))
        };
        let written = match channel {
            Channel::Email => {
                self.write_provider(ctx, channel, id, |r| Ok(check(r)?.map(|id| SmtpConfigRemoved { id }))).await?
            }
            Channel::Sms => {
                self.write_provider(ctx, channel, id, |r| Ok(check(r)?.map(|id| SmsConfigRemoved { id }))).await?
            }
        };
        events_of(written)
    }

    /// A sealed secret in clear (an HTTP provider's signing key, an SMTP
    /// password for a test).
    fn open_secret(&self, sealed: Option<&Sealed>) -> Result<SecretString> {
        match sealed {
            Some(sealed) => self.key.open_string(sealed),
            None => Ok(SecretString::default()),
        }
    }

    async fn provider_row(&self, channel: Channel, id: &str) -> Result<Option<ProviderRow>> {
        burg_store::notify::get(self.db.pool(), &self.instance_id, channel, id).await
    }

    /// `GetFileSystemNotificationProvider`: burg has no debug providers
    /// (ZITADEL's are not set up on a new instance), so none is found.
    pub async fn get_file_system_notification_provider(
        &self,
        _ctx: &Ctx,
        _r: burg_api::admin::GetFileSystemNotificationProviderRequest,
    ) -> Result<burg_api::admin::GetFileSystemNotificationProviderResponse> {
        Err(debug_provider_not_found("file system"))
    }

    /// `GetLogNotificationProvider`: as the file system one.
    pub async fn get_log_notification_provider(
        &self,
        _ctx: &Ctx,
        _r: burg_api::admin::GetLogNotificationProviderRequest,
    ) -> Result<burg_api::admin::GetLogNotificationProviderResponse> {
        Err(debug_provider_not_found("log"))
    }
}

fn debug_provider_not_found(which: &str) -> Error {
    Error::not_found("QUERY-s9ujf", format!("no {which} notification provider is configured"))
}

fn events_of(written: Written) -> Result<Vec<Event>> {
    match written {
        Written::Events(events) => Ok(events),
        Written::Unchanged(_) => Err(Error::internal("NOTIFY-wr002", "a state change wrote nothing")),
    }
}

/// `details` of a provider as read.
fn row_details(row: &ProviderRow) -> Option<burg_api::object::ObjectDetails> {
    details(row.sequence, row.creation_date, row.change_date, &row.resource_owner)
}

fn state_code(state: ProviderState) -> i32 {
    match state {
        ProviderState::Active => s::EmailProviderState::EmailProviderActive as i32,
        ProviderState::Inactive => s::EmailProviderState::EmailProviderInactive as i32,
    }
}

/// The empty config of another kind reads as ZITADEL's: no members.
fn smtp_of(config: &Config) -> Option<&burg_domain::notify::Smtp> {
    match config {
        Config::Smtp(c) => Some(c),
        _ => None,
    }
}
