//! The instance's restrictions (`SetRestrictions`, `GetRestrictions`) and
//! the languages they allow (`GetAllowedLanguages`), as ZITADEL's
//! `command/restrictions.go`: a set writes one `restrictions.set` event
//! with the members that change (none: nothing written, the current
//! details), on the instance's `restrictions` aggregate, whose id is made
//! when it is first written.

use burg_api::admin::{
    GetAllowedLanguagesRequest, GetAllowedLanguagesResponse, GetRestrictionsRequest, GetRestrictionsResponse,
    SetRestrictionsRequest, SetRestrictionsResponse,
};
use burg_api::object::ObjectDetails;
use burg_api::wkt::Timestamp;
use burg_domain::event::{Aggregate, NewEvent, aggregate};
use burg_domain::events::restrictions::RestrictionsSet;
use burg_domain::{Error, Result, validate};
use burg_store::Reader;
use burg_store::texts::RestrictionsRow;

use crate::instance::SUPPORTED_LANGUAGES;
use crate::{App, Ctx, changed_details, retry};

/// Whether two lists name different languages (ZITADEL's
/// `LanguagesDiffer`: an unset list differs from any set one, even an
/// empty one; set lists differ unless they hold the same languages).
fn languages_differ(stored: Option<&[String]>, given: &[String]) -> bool {
    match stored {
        None => true,
        Some(stored) => stored.len() != given.len() || !given.iter().all(|l| stored.contains(l)),
    }
}

/// Whether `language` may be used: every language is when the list is
/// unset or empty (ZITADEL's `LanguageIsAllowed`).
pub(crate) fn language_allowed(restrictions: Option<&RestrictionsRow>, language: &str) -> bool {
    match restrictions.and_then(|r| r.allowed_languages.as_deref()) {
        None | Some([]) => true,
        Some(allowed) => allowed.iter().any(|l| l == language),
    }
}

impl App {
    pub(crate) async fn restrictions<'e>(&self, on: impl Reader<'e>) -> Result<Option<RestrictionsRow>> {
        burg_store::texts::restrictions(on, &self.instance_id).await
    }

    pub async fn get_allowed_languages(
        &self,
        _ctx: &Ctx,
        _req: GetAllowedLanguagesRequest,
    ) -> Result<GetAllowedLanguagesResponse> {
        let allowed = self.restrictions(self.db.pool()).await?.and_then(|r| r.allowed_languages).unwrap_or_default();
        let languages =
            if allowed.is_empty() { SUPPORTED_LANGUAGES.iter().map(|l| l.to_string()).collect() } else { allowed };
        Ok(GetAllowedLanguagesResponse { languages })
    }

    pub async fn get_restrictions(&self, _ctx: &Ctx, _req: GetRestrictionsRequest) -> Result<GetRestrictionsResponse> {
        // Before any were set: no details beyond zeros, nothing restricted.
        let Some(row) = self.restrictions(self.db.pool()).await? else {
            return Ok(GetRestrictionsResponse { details: Some(ObjectDetails::default()), ..Default::default() });
        };
        Ok(GetRestrictionsResponse {
            details: crate::details(row.sequence, row.creation_date, row.change_date, &self.instance_id),
            disallow_public_org_registration: row.disallow_public_org_registration,
            allowed_languages: row.allowed_languages.unwrap_or_default(),
        })
    }

    pub async fn set_restrictions(&self, ctx: &Ctx, req: SetRestrictionsRequest) -> Result<SetRestrictionsResponse> {
        // The API reads the list first: every entry must be a language tag.
        let allowed = match &req.allowed_languages {
            None => None,
            Some(select) => {
                let mut tags = Vec::with_capacity(select.list.len());
                for (i, given) in select.list.iter().enumerate() {
                    let tag = validate::language_tag(given).ok_or_else(|| {
                        Error::invalid_argument(
                            "LANG-jc8Sq",
                            format!("`allowedLanguages.list[{i}]` {given:?} is not a language tag"),
                        )
                    })?;
                    tags.push(tag);
                }
                Some(tags)
            }
        };
        if req.disallow_public_org_registration.is_none() && allowed.is_none() {
            return Err(Error::invalid_argument(
                "COMMAND-oASwj",
                "no restriction given: set `disallowPublicOrgRegistration` or `allowedLanguages`",
            ));
        }
        if let Some(allowed) = &allowed {
            let unsupported: Vec<&str> =
                allowed.iter().map(String::as_str).filter(|l| !SUPPORTED_LANGUAGES.contains(l)).collect();
            if !unsupported.is_empty() {
                return Err(Error::invalid_argument(
                    "COMMAND-2M9fs",
                    format!("`allowedLanguages` names unsupported languages: {}", unsupported.join(", ")),
                ));
            }
            let default_language = self.default_language().await?;
            if !allowed.is_empty() && !allowed.contains(&default_language) {
                return Err(Error::invalid_argument(
                    "COMMAND-2M9fs",
                    format!("`allowedLanguages` must include the default language {default_language:?}"),
                ));
            }
        }
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let stored = self.restrictions(tx.conn()).await?;
            let mut change = RestrictionsSet::default();
            if let Some(disallow) = req.disallow_public_org_registration
                && stored.as_ref().map(|r| r.disallow_public_org_registration).unwrap_or_default() != disallow
            {
                change.disallow_public_org_registration = Some(disallow);
            }
            if let Some(allowed) = &allowed
                && languages_differ(stored.as_ref().and_then(|r| r.allowed_languages.as_deref()), allowed)
            {
                change.allowed_languages = Some(allowed.clone());
            }
            if change == RestrictionsSet::default() {
                // Nothing changes: nothing is written; the current details.
                let (sequence, changed) = stored.map(|r| (r.sequence, r.change_date)).unwrap_or_default();
                return Ok(SetRestrictionsResponse {
                    details: Some(ObjectDetails {
                        sequence: sequence.max(0) as u64,
                        creation_date: None,
                        change_date: (changed != 0).then(|| Timestamp::from_micros(changed)),
                        resource_owner: self.instance_id.clone(),
                    }),
                });
            }
            let id = match &stored {
                Some(r) => r.aggregate_id.clone(),
                None => self.new_id(),
            };
            let on = Aggregate::new(aggregate::RESTRICTIONS, id, &self.instance_id);
            let events = tx.push(vec![NewEvent::new(&on, &change)?]).await?;
            tx.commit().await?;
            Ok(SetRestrictionsResponse { details: changed_details(&events) })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_differ_as_zitadel_compares_them() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(languages_differ(None, &[]));
        assert!(!languages_differ(Some(&s(&[])), &[]));
        assert!(!languages_differ(Some(&s(&["en", "de"])), &s(&["de", "en"])));
        assert!(languages_differ(Some(&s(&["en", "de"])), &s(&["en"])));
        assert!(languages_differ(Some(&s(&["en", "de"])), &s(&["en", "fr"])));
    }
}
