//! The email providers and the deprecated SMTP configuration RPCs (the
//! same providers).

use burg_api::admin as a;
use burg_api::zitadel::settings::v1 as s;
use burg_domain::crypto::SecretString;
use burg_domain::events::notify::*;
use burg_domain::notify::{Channel, Config, split_host_port};
use burg_domain::policies::DomainPolicy;
use burg_domain::{Error, Result};
use burg_store::Conn;
use burg_store::notify::ProviderRow;

use super::{Written, email_not_found, row_details, smtp_of, state_code};
use crate::egress::{Mail, SmtpServer};
use crate::list::{list_details, v1_page};
use crate::settings::Scope;
use crate::{App, Ctx, added_details, changed_details};

/// An SMTP provider as a request gives it (add and update alike).
struct SmtpInput {
    description: String,
    tls: bool,
    sender_address: String,
    sender_name: String,
    reply_to_address: String,
    host: String,
    user: String,
    password: String,
}

/// The sender's domain: what follows its last `@` (all of it without).
fn sender_domain(from: &str) -> &str {
    from.rsplit('@').next().unwrap_or(from)
}

/// What the test message says (burg's own words).
const TEST_SUBJECT: &str = "Test message from burg";
const TEST_BODY: &str = "burg sent this message to check the settings of an email provider. Nothing needs to be done.";

/// The SMTP settings of any of the four requests that carry them (the
/// deprecated SMTP config RPCs and the email provider RPCs have the same
/// fields in different messages).
macro_rules! smtp_input {
    ($r:expr) => {
        SmtpInput {
            description: $r.description,
            tls: $r.tls,
            sender_address: $r.sender_address,
            sender_name: $r.sender_name,
            reply_to_address: $r.reply_to_address,
            host: $r.host,
            user: $r.user,
            password: $r.password,
        }
    };
}

impl App {
    /// ZITADEL's `checkSenderAddress`: with the instance's domain policy
    /// asking for it, the sender's domain must be one of the instance's.
    async fn check_sender(&self, conn: &mut Conn, from: &str) -> Result<()> {
        let policy = self.setting::<DomainPolicy>(conn, Scope::Instance).await?.value;
        if !policy.smtp_sender_address_matches_instance_domain {
            return Ok(());
        }
        let domain = sender_domain(from);
        if !burg_store::notify::is_instance_domain(&mut *conn, &self.instance_id, domain).await? {
            return Err(Error::invalid_argument(
                "INST-xtWIiR2ZbR",
                format!("`senderAddress`: {domain:?} is not a domain of the instance, as the domain policy requires"),
            ));
        }
        Ok(())
    }

    async fn add_smtp(&self, ctx: &Ctx, input: SmtpInput) -> Result<(String, Vec<burg_domain::event::Event>)> {
        let from = input.sender_address.trim();
        if from.is_empty() {
            return Err(Error::invalid_argument("COMMAND-SAAFpV8VKV", "`senderAddress` must not be blank"));
        }
        let host = input.host.trim();
        if split_host_port(host).is_none() {
            return Err(Error::invalid_argument(
                "COMMAND-EvAtufIinh",
                format!("`host` must be host:port, it is {host:?}"),
            ));
        }
        let id = self.new_id();
        // As ZITADEL: the sender as given (the check trims it).
        let payload = SmtpConfigAdded {
            id: id.clone(),
            description: input.description.trim().to_string(),
            sender_address: input.sender_address.clone(),
            sender_name: input.sender_name.clone(),
            reply_to_address: input.reply_to_address.trim().to_string(),
            tls: input.tls,
            host: host.to_string(),
            user: input.user.clone(),
            password: (!input.password.is_empty()).then(|| self.key.seal_str(&input.password)),
        };
        let events = crate::retry(|| async {
            let mut tx = self.begin(ctx).await?;
            self.check_sender(tx.conn(), from).await?;
            let events =
                tx.push(vec![burg_domain::event::NewEvent::new(&self.instance_aggregate(), &payload)?]).await?;
            tx.commit().await?;
            Ok(events)
        })
        .await?;
        Ok((id, events))
    }

    async fn update_smtp(&self, ctx: &Ctx, id: &str, input: SmtpInput) -> Result<Written> {
        let from = input.sender_address.trim().to_string();
        if from.is_empty() {
            return Err(Error::invalid_argument("COMMAND-gyPUXOTA4N", "`senderAddress` must not be blank"));
        }
        let host = input.host.trim().to_string();
        if split_host_port(&host).is_none() {
            return Err(Error::invalid_argument(
                "COMMAND-kZNVkuL32L",
                format!("`host` must be host:port, it is {host:?}"),
            ));
        }
        let description = input.description.trim().to_string();
        let reply_to = input.reply_to_address.trim().to_string();
        let password = (!input.password.is_empty()).then(|| self.key.seal_str(&input.password));
        crate::retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let row = burg_store::notify::get(tx.conn(), &self.instance_id, Channel::Email, id)
                .await?
                .ok_or_else(|| super::not_found("COMMAND-j5IDFtt3T1", "email provider", id))?;
            self.check_sender(tx.conn(), &from).await?;
            // As ZITADEL: an HTTP provider has no SMTP members to change.
            let Some(stored) = smtp_of(&row.config) else { return Ok(Written::Unchanged(Box::new(row))) };
            let differs = |a: &str, b: &str| (a != b).then(|| b.to_string());
            let change = SmtpConfigChanged {
                id: id.to_string(),
                description: differs(&row.description, &description),
                sender_address: differs(&stored.sender_address, &from),
                sender_name: differs(&stored.sender_name, &input.sender_name),
                reply_to_address: differs(&stored.reply_to_address, &reply_to),
                tls: (stored.tls != input.tls).then_some(input.tls),
                host: differs(&stored.host, &host),
                user: differs(&stored.user, &input.user),
                password: password.clone(),
            };
            if change == (SmtpConfigChanged { id: id.to_string(), ..Default::default() }) {
                return Ok(Written::Unchanged(Box::new(row)));
            }
            let events = tx.push(vec![burg_domain::event::NewEvent::new(&self.instance_aggregate(), &change)?]).await?;
            tx.commit().await?;
            Ok(Written::Events(events))
        })
        .await
    }

    /// As ZITADEL: only the active provider's password can be changed
    /// (another is not found); an empty password removes it.
    async fn smtp_password(&self, ctx: &Ctx, id: &str, password: &str) -> Result<Written> {
        let sealed = (!password.is_empty()).then(|| self.key.seal_str(password));
        self.write_provider(ctx, Channel::Email, id, |row| match row {
            Some(row) if row.state == burg_domain::notify::ProviderState::Active => {
                Ok(Some(SmtpConfigPasswordChanged { id: id.to_string(), password: sealed.clone() }))
            }
            _ => Err(super::not_found("COMMAND-rDHzqjGuKQ", "active email provider", id)),
        })
        .await
    }

    /// Sends the test message with `server`'s settings.
    async fn send_test(&self, server: SmtpServer<'_>, from: &str, from_name: &str, to: &str) -> Result<()> {
        let mail = Mail { from_address: from, from_name, reply_to: "", to, subject: TEST_SUBJECT, body: TEST_BODY };
        self.egress.send_mail("host", &server, &mail).await
    }

    /// ZITADEL's `TestSMTPConfig`: the request's settings, with the stored
    /// provider's password when the request names one and gives none.
    #[allow(clippy::too_many_arguments)]
    async fn test_smtp(
        &self,
        id: &str,
        to: &str,
        tls: bool,
        from: &str,
        from_name: &str,
        host: &str,
        user: &str,
        password: &str,
    ) -> Result<()> {
        if id.is_empty() && password.is_empty() {
            return Err(Error::invalid_argument("SMTP-p9kj", "`password` is required when no `id` is given"));
        }
        let password = if password.is_empty() {
            let row = self.provider_row(Channel::Email, id).await?;
            let stored = row.as_ref().and_then(|r| smtp_of(&r.config));
            let stored = stored.ok_or_else(|| super::not_found("SMTP-p9cc", "SMTP provider", id))?;
            self.open_secret(stored.password.as_ref())?
        } else {
            SecretString(password.to_string())
        };
        self.send_test(SmtpServer { host, tls, user, password: &password }, from, from_name, to).await
    }

    /// ZITADEL's `TestSMTPConfigById`: the stored provider's settings.
    async fn test_smtp_by_id(&self, id: &str, to: &str) -> Result<()> {
        let row = self.provider_row(Channel::Email, id).await?;
        let stored = row.as_ref().and_then(|r| smtp_of(&r.config));
        let stored = stored.ok_or_else(|| super::not_found("SMTP-99klw", "SMTP provider", id))?;
        let password = self.open_secret(stored.password.as_ref())?;
        let server = SmtpServer { host: &stored.host, tls: stored.tls, user: &stored.user, password: &password };
        self.send_test(server, &stored.sender_address, &stored.sender_name, to).await
    }

    async fn active_email_row(&self) -> Result<ProviderRow> {
        burg_store::notify::active(self.db.pool(), &self.instance_id, Channel::Email)
            .await?
            .ok_or_else(|| email_not_found("(active)"))
    }

    async fn email_row(&self, id: &str) -> Result<ProviderRow> {
        self.provider_row(Channel::Email, id).await?.ok_or_else(|| email_not_found(id))
    }

    async fn email_rows(&self, query: Option<&burg_api::object::ListQuery>) -> Result<(i64, Vec<ProviderRow>)> {
        // ZITADEL sorts by no column; burg answers in the order the providers
        // were added, whatever `asc` says.
        let page = burg_store::list::Page { asc: true, ..v1_page(query)? };
        let listed = burg_store::notify::list(&self.db, &self.instance_id, Channel::Email, page).await?;
        Ok((listed.total, listed.rows))
    }

    fn smtp_config(row: &ProviderRow) -> s::SmtpConfig {
        let empty = burg_domain::notify::Smtp::default();
        let c = smtp_of(&row.config).unwrap_or(&empty);
        s::SmtpConfig {
            details: row_details(row),
            sender_address: c.sender_address.clone(),
            sender_name: c.sender_name.clone(),
            tls: c.tls,
            host: c.host.clone(),
            user: c.user.clone(),
            reply_to_address: c.reply_to_address.clone(),
            state: state_code(row.state),
            description: row.description.clone(),
            id: row.id.clone(),
        }
    }

    fn email_provider(&self, row: &ProviderRow) -> Result<s::EmailProvider> {
        let config = match &row.config {
            Config::Smtp(c) => Some(s::email_provider::Config::Smtp(s::EmailProviderSmtp {
                sender_address: c.sender_address.clone(),
                sender_name: c.sender_name.clone(),
                tls: c.tls,
                host: c.host.clone(),
                user: c.user.clone(),
                reply_to_address: c.reply_to_address.clone(),
            })),
            Config::EmailHttp(c) => Some(s::email_provider::Config::Http(s::EmailProviderHttp {
                endpoint: c.endpoint.clone(),
                // burg's departure: the key is shown once, when it is made
                // (add, or an update that renews it); reads leave it out.
                signing_key: String::new(),
            })),
            _ => None,
        };
        Ok(s::EmailProvider {
            details: row_details(row),
            id: row.id.clone(),
            state: state_code(row.state),
            description: row.description.clone(),
            config,
        })
    }

    pub(super) async fn list_seq_details(&self, total: i64) -> Result<Option<burg_api::object::ListDetails>> {
        let seq = self.instance_row(self.db.pool()).await?.sequence;
        Ok(list_details(total, seq, self.now()))
    }

    // ---- The deprecated SMTP configuration RPCs.

    pub async fn get_smtp_config(&self, _ctx: &Ctx, _r: a::GetSmtpConfigRequest) -> Result<a::GetSmtpConfigResponse> {
        let row = self.active_email_row().await?;
        Ok(a::GetSmtpConfigResponse { smtp_config: Some(Self::smtp_config(&row)) })
    }

    pub async fn get_smtp_config_by_id(
        &self,
        _ctx: &Ctx,
        r: a::GetSmtpConfigByIdRequest,
    ) -> Result<a::GetSmtpConfigByIdResponse> {
        let row = self.email_row(&r.id).await?;
        Ok(a::GetSmtpConfigByIdResponse { smtp_config: Some(Self::smtp_config(&row)) })
    }

    pub async fn list_smtp_configs(
        &self,
        _ctx: &Ctx,
        r: a::ListSmtpConfigsRequest,
    ) -> Result<a::ListSmtpConfigsResponse> {
        let (total, rows) = self.email_rows(r.query.as_ref()).await?;
        Ok(a::ListSmtpConfigsResponse {
            details: self.list_seq_details(total).await?,
            result: rows.iter().map(Self::smtp_config).collect(),
        })
    }

    pub async fn add_smtp_config(&self, ctx: &Ctx, r: a::AddSmtpConfigRequest) -> Result<a::AddSmtpConfigResponse> {
        let input = smtp_input!(r);
        let (id, events) = self.add_smtp(ctx, input).await?;
        Ok(a::AddSmtpConfigResponse { details: changed_details(&events), id })
    }

    pub async fn update_smtp_config(
        &self,
        ctx: &Ctx,
        r: a::UpdateSmtpConfigRequest,
    ) -> Result<a::UpdateSmtpConfigResponse> {
        let input = smtp_input!(r);
        let written = self.update_smtp(ctx, &r.id, input).await?;
        Ok(a::UpdateSmtpConfigResponse { details: written.changed_details() })
    }

    pub async fn update_smtp_config_password(
        &self,
        ctx: &Ctx,
        r: a::UpdateSmtpConfigPasswordRequest,
    ) -> Result<a::UpdateSmtpConfigPasswordResponse> {
        let written = self.smtp_password(ctx, &r.id, &r.password).await?;
        Ok(a::UpdateSmtpConfigPasswordResponse { details: written.changed_details() })
    }

    pub async fn activate_smtp_config(
        &self,
        ctx: &Ctx,
        r: a::ActivateSmtpConfigRequest,
    ) -> Result<a::ActivateSmtpConfigResponse> {
        let events = self.activate(ctx, Channel::Email, &r.id).await?;
        Ok(a::ActivateSmtpConfigResponse { details: added_details(&events) })
    }

    pub async fn deactivate_smtp_config(
        &self,
        ctx: &Ctx,
        r: a::DeactivateSmtpConfigRequest,
    ) -> Result<a::DeactivateSmtpConfigResponse> {
        let events = self.deactivate(ctx, Channel::Email, &r.id).await?;
        Ok(a::DeactivateSmtpConfigResponse { details: added_details(&events) })
    }

    pub async fn remove_smtp_config(
        &self,
        ctx: &Ctx,
        r: a::RemoveSmtpConfigRequest,
    ) -> Result<a::RemoveSmtpConfigResponse> {
        let events = self.remove(ctx, Channel::Email, &r.id).await?;
        Ok(a::RemoveSmtpConfigResponse { details: changed_details(&events) })
    }

    pub async fn test_smtp_config_by_id(
        &self,
        _ctx: &Ctx,
        r: a::TestSmtpConfigByIdRequest,
    ) -> Result<a::TestSmtpConfigByIdResponse> {
        self.test_smtp_by_id(&r.id, &r.receiver_address).await?;
        Ok(a::TestSmtpConfigByIdResponse {})
    }

    pub async fn test_smtp_config(&self, _ctx: &Ctx, r: a::TestSmtpConfigRequest) -> Result<a::TestSmtpConfigResponse> {
        self.test_smtp(
            &r.id,
            &r.receiver_address,
            r.tls,
            &r.sender_address,
            &r.sender_name,
            &r.host,
            &r.user,
            &r.password,
        )
        .await?;
        Ok(a::TestSmtpConfigResponse {})
    }

    // ---- The email providers.

    pub async fn list_email_providers(
        &self,
        _ctx: &Ctx,
        r: a::ListEmailProvidersRequest,
    ) -> Result<a::ListEmailProvidersResponse> {
        let (total, rows) = self.email_rows(r.query.as_ref()).await?;
        Ok(a::ListEmailProvidersResponse {
            details: self.list_seq_details(total).await?,
            result: rows.iter().map(|row| self.email_provider(row)).collect::<Result<_>>()?,
        })
    }

    pub async fn get_email_provider(
        &self,
        _ctx: &Ctx,
        _r: a::GetEmailProviderRequest,
    ) -> Result<a::GetEmailProviderResponse> {
        let row = self.active_email_row().await?;
        Ok(a::GetEmailProviderResponse { config: Some(self.email_provider(&row)?) })
    }

    pub async fn get_email_provider_by_id(
        &self,
        _ctx: &Ctx,
        r: a::GetEmailProviderByIdRequest,
    ) -> Result<a::GetEmailProviderByIdResponse> {
        let row = self.email_row(&r.id).await?;
        Ok(a::GetEmailProviderByIdResponse { config: Some(self.email_provider(&row)?) })
    }

    pub async fn add_email_provider_smtp(
        &self,
        ctx: &Ctx,
        r: a::AddEmailProviderSmtpRequest,
    ) -> Result<a::AddEmailProviderSmtpResponse> {
        let input = smtp_input!(r);
        let (id, events) = self.add_smtp(ctx, input).await?;
        Ok(a::AddEmailProviderSmtpResponse { details: changed_details(&events), id })
    }

    pub async fn update_email_provider_smtp(
        &self,
        ctx: &Ctx,
        r: a::UpdateEmailProviderSmtpRequest,
    ) -> Result<a::UpdateEmailProviderSmtpResponse> {
        let input = smtp_input!(r);
        let written = self.update_smtp(ctx, &r.id, input).await?;
        Ok(a::UpdateEmailProviderSmtpResponse { details: written.changed_details() })
    }

    pub async fn add_email_provider_http(
        &self,
        ctx: &Ctx,
        r: a::AddEmailProviderHttpRequest,
    ) -> Result<a::AddEmailProviderHttpResponse> {
        let key = burg_domain::notify::new_signing_key();
        let id = self.new_id();
        let payload = SmtpConfigHttpAdded {
            id: id.clone(),
            description: r.description,
            endpoint: r.endpoint,
            signing_key: Some(self.key.seal_str(&key)),
        };
        let events = self.add_provider_event(ctx, &payload).await?;
        Ok(a::AddEmailProviderHttpResponse { details: changed_details(&events), id, signing_key: key })
    }

    pub async fn update_email_provider_http(
        &self,
        ctx: &Ctx,
        r: a::UpdateEmailProviderHttpRequest,
    ) -> Result<a::UpdateEmailProviderHttpResponse> {
        // As ZITADEL: any expiration makes a new key now.
        let key = r.expiration_signing_key.is_some().then(burg_domain::notify::new_signing_key);
        let sealed = key.as_deref().map(|k| self.key.seal_str(k));
        let written = self
            .write_provider(ctx, Channel::Email, &r.id, |row| {
                let stored = match row.map(|row| (row, &row.config)) {
                    Some((row, Config::EmailHttp(c))) => (row, c),
                    _ => return Err(super::not_found("COMMAND-xIrdledqv4", "HTTP email provider", &r.id)),
                };
                let (row, c) = stored;
                let change = SmtpConfigHttpChanged {
                    id: r.id.clone(),
                    description: (row.description != r.description).then(|| r.description.clone()),
                    endpoint: (c.endpoint != r.endpoint).then(|| r.endpoint.clone()),
                    signing_key: sealed.clone(),
                };
                let unchanged = SmtpConfigHttpChanged { id: r.id.clone(), ..Default::default() };
                Ok((change != unchanged).then_some(change))
            })
            .await?;
        Ok(a::UpdateEmailProviderHttpResponse {
            details: written.changed_details(),
            signing_key: key.unwrap_or_default(),
        })
    }

    pub async fn update_email_provider_smtp_password(
        &self,
        ctx: &Ctx,
        r: a::UpdateEmailProviderSmtpPasswordRequest,
    ) -> Result<a::UpdateEmailProviderSmtpPasswordResponse> {
        let written = self.smtp_password(ctx, &r.id, &r.password).await?;
        Ok(a::UpdateEmailProviderSmtpPasswordResponse { details: written.changed_details() })
    }

    pub async fn activate_email_provider(
        &self,
        ctx: &Ctx,
        r: a::ActivateEmailProviderRequest,
    ) -> Result<a::ActivateEmailProviderResponse> {
        let events = self.activate(ctx, Channel::Email, &r.id).await?;
        Ok(a::ActivateEmailProviderResponse { details: added_details(&events) })
    }

    pub async fn deactivate_email_provider(
        &self,
        ctx: &Ctx,
        r: a::DeactivateEmailProviderRequest,
    ) -> Result<a::DeactivateEmailProviderResponse> {
        let events = self.deactivate(ctx, Channel::Email, &r.id).await?;
        Ok(a::DeactivateEmailProviderResponse { details: added_details(&events) })
    }

    pub async fn remove_email_provider(
        &self,
        ctx: &Ctx,
        r: a::RemoveEmailProviderRequest,
    ) -> Result<a::RemoveEmailProviderResponse> {
        let events = self.remove(ctx, Channel::Email, &r.id).await?;
        Ok(a::RemoveEmailProviderResponse { details: changed_details(&events) })
    }

    pub async fn test_email_provider_smtp_by_id(
        &self,
        _ctx: &Ctx,
        r: a::TestEmailProviderSmtpByIdRequest,
    ) -> Result<a::TestEmailProviderSmtpByIdResponse> {
        self.test_smtp_by_id(&r.id, &r.receiver_address).await?;
        Ok(a::TestEmailProviderSmtpByIdResponse {})
    }

    pub async fn test_email_provider_smtp(
        &self,
        _ctx: &Ctx,
        r: a::TestEmailProviderSmtpRequest,
    ) -> Result<a::TestEmailProviderSmtpResponse> {
        self.test_smtp(
            &r.id,
            &r.receiver_address,
            r.tls,
            &r.sender_address,
            &r.sender_name,
            &r.host,
            &r.user,
            &r.password,
        )
        .await?;
        Ok(a::TestEmailProviderSmtpResponse {})
    }
}
