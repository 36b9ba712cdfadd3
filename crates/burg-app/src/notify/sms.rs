//! The SMS providers: Twilio and HTTP.

use burg_api::admin as a;
use burg_api::zitadel::settings::v1 as s;
use burg_domain::Result;
use burg_domain::events::notify::*;
use burg_domain::notify::{Channel, Config};
use burg_store::notify::ProviderRow;

use super::{row_details, sms_not_found, state_code};
use crate::list::v1_page;
use crate::{App, Ctx, added_details};

impl App {
    fn sms_provider(&self, row: &ProviderRow) -> Result<s::SmsProvider> {
        let config = match &row.config {
            Config::Twilio(c) => Some(s::sms_provider::Config::Twilio(s::TwilioConfig {
                sid: c.sid.clone(),
                sender_number: c.sender_number.clone(),
                verify_service_sid: c.verify_service_sid.clone(),
            })),
            Config::SmsHttp(c) => Some(s::sms_provider::Config::Http(s::HttpConfig {
                endpoint: c.endpoint.clone(),
                // Shown once, when it is made (see the email providers).
                signing_key: String::new(),
            })),
            _ => None,
        };
        Ok(s::SmsProvider {
            details: row_details(row),
            id: row.id.clone(),
            state: state_code(row.state),
            description: row.description.clone(),
            config,
        })
    }

    pub async fn list_sms_providers(
        &self,
        _ctx: &Ctx,
        r: a::ListSmsProvidersRequest,
    ) -> Result<a::ListSmsProvidersResponse> {
        let page = burg_store::list::Page { asc: true, ..v1_page(r.query.as_ref())? };
        let listed = burg_store::notify::list(&self.db, &self.instance_id, Channel::Sms, page).await?;
        Ok(a::ListSmsProvidersResponse {
            details: self.list_seq_details(listed.total).await?,
            result: listed.rows.iter().map(|row| self.sms_provider(row)).collect::<Result<_>>()?,
        })
    }

    pub async fn get_sms_provider(&self, _ctx: &Ctx, r: a::GetSmsProviderRequest) -> Result<a::GetSmsProviderResponse> {
        let row = self.provider_row(Channel::Sms, &r.id).await?.ok_or_else(|| sms_not_found(&r.id))?;
        Ok(a::GetSmsProviderResponse { config: Some(self.sms_provider(&row)?) })
    }

    pub async fn add_sms_provider_twilio(
        &self,
        ctx: &Ctx,
        r: a::AddSmsProviderTwilioRequest,
    ) -> Result<a::AddSmsProviderTwilioResponse> {
        let id = self.new_id();
        let payload = SmsConfigTwilioAdded {
            id: id.clone(),
            description: r.description,
            sid: r.sid,
            token: (!r.token.is_empty()).then(|| self.key.seal_str(&r.token)),
            sender_number: r.sender_number,
            verify_service_sid: r.verify_service_sid,
        };
        let events = self.add_provider_event(ctx, &payload).await?;
        Ok(a::AddSmsProviderTwilioResponse { details: added_details(&events), id })
    }

    pub async fn update_sms_provider_twilio(
        &self,
        ctx: &Ctx,
        r: a::UpdateSmsProviderTwilioRequest,
    ) -> Result<a::UpdateSmsProviderTwilioResponse> {
        let written = self
            .write_provider(ctx, Channel::Sms, &r.id, |row| {
                let (row, c) = match row.map(|row| (row, &row.config)) {
                    Some((row, Config::Twilio(c))) => (row, c),
                    _ => return Err(super::not_found("COMMAND-MUY0IFAf8O", "Twilio SMS provider", &r.id)),
                };
                let differs = |a: &str, b: &str| (a != b).then(|| b.to_string());
                let change = SmsConfigTwilioChanged {
                    id: r.id.clone(),
                    description: differs(&row.description, &r.description),
                    sid: differs(&c.sid, &r.sid),
                    sender_number: differs(&c.sender_number, &r.sender_number),
                    verify_service_sid: differs(&c.verify_service_sid, &r.verify_service_sid),
                };
                let unchanged = SmsConfigTwilioChanged { id: r.id.clone(), ..Default::default() };
                Ok((change != unchanged).then_some(change))
            })
            .await?;
        Ok(a::UpdateSmsProviderTwilioResponse { details: written.changed_details() })
    }

    pub async fn update_sms_provider_twilio_token(
        &self,
        ctx: &Ctx,
        r: a::UpdateSmsProviderTwilioTokenRequest,
    ) -> Result<a::UpdateSmsProviderTwilioTokenResponse> {
        let sealed = self.key.seal_str(&r.token);
        let written = self
            .write_provider(ctx, Channel::Sms, &r.id, |row| match row.map(|row| &row.config) {
                Some(Config::Twilio(_)) => {
                    Ok(Some(SmsConfigTwilioTokenChanged { id: r.id.clone(), token: Some(sealed.clone()) }))
                }
                _ => Err(super::not_found("COMMAND-ij3NhEHATp", "Twilio SMS provider", &r.id)),
            })
            .await?;
        Ok(a::UpdateSmsProviderTwilioTokenResponse { details: written.changed_details() })
    }

    pub async fn add_sms_provider_http(
        &self,
        ctx: &Ctx,
        r: a::AddSmsProviderHttpRequest,
    ) -> Result<a::AddSmsProviderHttpResponse> {
        let key = burg_domain::notify::new_signing_key();
        let id = self.new_id();
        let payload = SmsConfigHttpAdded {
            id: id.clone(),
            description: r.description,
            endpoint: r.endpoint,
            signing_key: Some(self.key.seal_str(&key)),
        };
        let events = self.add_provider_event(ctx, &payload).await?;
        Ok(a::AddSmsProviderHttpResponse { details: added_details(&events), id, signing_key: key })
    }

    pub async fn update_sms_provider_http(
        &self,
        ctx: &Ctx,
        r: a::UpdateSmsProviderHttpRequest,
    ) -> Result<a::UpdateSmsProviderHttpResponse> {
        // As ZITADEL: any expiration makes a new key now.
        let key = r.expiration_signing_key.is_some().then(burg_domain::notify::new_signing_key);
        let sealed = key.as_deref().map(|k| self.key.seal_str(k));
        let written = self
            .write_provider(ctx, Channel::Sms, &r.id, |row| {
                let (row, c) = match row.map(|row| (row, &row.config)) {
                    Some((row, Config::SmsHttp(c))) => (row, c),
                    _ => return Err(super::not_found("COMMAND-6NW4I5Kqzj", "HTTP SMS provider", &r.id)),
                };
                let change = SmsConfigHttpChanged {
                    id: r.id.clone(),
                    description: (row.description != r.description).then(|| r.description.clone()),
                    endpoint: (c.endpoint != r.endpoint).then(|| r.endpoint.clone()),
                    signing_key: sealed.clone(),
                };
                let unchanged = SmsConfigHttpChanged { id: r.id.clone(), ..Default::default() };
                Ok((change != unchanged).then_some(change))
            })
            .await?;
        Ok(a::UpdateSmsProviderHttpResponse {
            details: written.changed_details(),
            signing_key: key.unwrap_or_default(),
        })
    }

    pub async fn activate_sms_provider(
        &self,
        ctx: &Ctx,
        r: a::ActivateSmsProviderRequest,
    ) -> Result<a::ActivateSmsProviderResponse> {
        let events = self.activate(ctx, Channel::Sms, &r.id).await?;
        Ok(a::ActivateSmsProviderResponse { details: added_details(&events) })
    }

    pub async fn deactivate_sms_provider(
        &self,
        ctx: &Ctx,
        r: a::DeactivateSmsProviderRequest,
    ) -> Result<a::DeactivateSmsProviderResponse> {
        let events = self.deactivate(ctx, Channel::Sms, &r.id).await?;
        Ok(a::DeactivateSmsProviderResponse { details: added_details(&events) })
    }

    pub async fn remove_sms_provider(
        &self,
        ctx: &Ctx,
        r: a::RemoveSmsProviderRequest,
    ) -> Result<a::RemoveSmsProviderResponse> {
        let events = self.remove(ctx, Channel::Sms, &r.id).await?;
        Ok(a::RemoveSmsProviderResponse { details: added_details(&events) })
    }
}
