//! The instance: `GetMyInstance`, its domains, its languages.

use burg_api::admin::{
    GetDefaultLanguageResponse, GetMyInstanceResponse, GetSupportedLanguagesResponse, ListInstanceDomainsRequest,
    ListInstanceDomainsResponse, SetDefaultLanguageRequest, SetDefaultLanguageResponse,
};
use burg_api::zitadel::instance::v1::{self as inst, DomainFieldName, domain_search_query::Query};
use burg_domain::event::{Aggregate, NewEvent, aggregate};
use burg_domain::events::instance as ie;
use burg_domain::{Error, Result, validate};
use burg_store::Reader;
use burg_store::instance::{DomainFilter, DomainOrder, InstanceRow};

use crate::list::{list_details, text_match, v1_page};
use crate::{App, Ctx, changed_details, details, retry};

/// The supported languages, as ZITADEL lists them: the tags of its login
/// translation files (`internal/api/ui/login/static/i18n/*.yaml`, read by
/// `i18n.MustLoadSupportedLanguagesFromDir`), in the directory's order.
pub const SUPPORTED_LANGUAGES: &[&str] = &[
    "ar", "bg", "ca", "cs", "da", "de", "en", "es", "fr", "hi", "hr", "hu", "id", "it", "ja", "kk", "ko", "lt", "mk",
    "nb", "nl", "pl", "pt", "ro", "ru", "sk", "sl", "sq", "sv", "th", "tr", "uk", "vi", "zh-TW", "zh",
];

impl App {
    /// The instance's row, read `on` the pool or a connection.
    pub(crate) async fn instance_row<'e>(&self, on: impl Reader<'e>) -> Result<InstanceRow> {
        burg_store::instance::get(on, &self.instance_id)
            .await?
            .ok_or_else(|| Error::not_found("INST-nf001", "instance not found"))
    }

    pub async fn get_my_instance(
        &self,
        _ctx: &Ctx,
        _req: burg_api::admin::GetMyInstanceRequest,
    ) -> Result<GetMyInstanceResponse> {
        let row = self.instance_row(self.db.pool()).await?;
        let domains = self.instance_domains(&ListInstanceDomainsRequest::default()).await?.1;
        Ok(GetMyInstanceResponse {
            instance: Some(inst::InstanceDetail {
                id: self.instance_id.clone(),
                details: details(row.sequence, row.creation_date, row.change_date, &self.instance_id),
                state: inst::State::Running as i32,
                name: row.name,
                version: env!("CARGO_PKG_VERSION").to_string(),
                domains,
            }),
        })
    }

    pub async fn list_instance_domains(
        &self,
        _ctx: &Ctx,
        req: ListInstanceDomainsRequest,
    ) -> Result<ListInstanceDomainsResponse> {
        let (total, result) = self.instance_domains(&req).await?;
        let row = self.instance_row(self.db.pool()).await?;
        Ok(ListInstanceDomainsResponse {
            details: list_details(total, row.sequence, self.now()),
            sorting_column: req.sorting_column,
            result,
        })
    }

    async fn instance_domains(&self, req: &ListInstanceDomainsRequest) -> Result<(i64, Vec<inst::Domain>)> {
        let mut filters = Vec::with_capacity(req.queries.len());
        for q in &req.queries {
            match &q.query {
                Some(Query::DomainQuery(d)) => filters.push(DomainFilter::Domain(text_match(&d.domain, d.method)?)),
                Some(Query::GeneratedQuery(g)) => filters.push(DomainFilter::Generated(g.generated)),
                Some(Query::PrimaryQuery(p)) => filters.push(DomainFilter::Primary(p.primary)),
                None => {}
            }
        }
        let order = match DomainFieldName::try_from(req.sorting_column).unwrap_or_default() {
            DomainFieldName::Primary => DomainOrder::Primary,
            DomainFieldName::Generated => DomainOrder::Generated,
            DomainFieldName::CreationDate => DomainOrder::CreationDate,
            DomainFieldName::Domain | DomainFieldName::Unspecified => DomainOrder::Domain,
        };
        let page = v1_page(req.query.as_ref())?;
        let listed = burg_store::instance::list_domains(&self.db, &self.instance_id, &filters, order, page).await?;
        let out = listed
            .rows
            .into_iter()
            .map(|row| inst::Domain {
                details: details(row.sequence, row.creation_date, row.change_date, &self.instance_id),
                domain: row.domain,
                primary: row.primary,
                generated: row.generated,
            })
            .collect();
        Ok((listed.total, out))
    }

    pub async fn get_supported_languages(
        &self,
        _ctx: &Ctx,
        _req: burg_api::admin::GetSupportedLanguagesRequest,
    ) -> Result<GetSupportedLanguagesResponse> {
        Ok(GetSupportedLanguagesResponse { languages: SUPPORTED_LANGUAGES.iter().map(|l| l.to_string()).collect() })
    }

    pub async fn get_default_language(
        &self,
        _ctx: &Ctx,
        _req: burg_api::admin::GetDefaultLanguageRequest,
    ) -> Result<GetDefaultLanguageResponse> {
        Ok(GetDefaultLanguageResponse { language: self.instance_row(self.db.pool()).await?.default_language })
    }

    pub async fn set_default_language(
        &self,
        ctx: &Ctx,
        req: SetDefaultLanguageRequest,
    ) -> Result<SetDefaultLanguageResponse> {
        // As ZITADEL: the tag is parsed as given (no trimming) and put in
        // its canonical case; it must name a supported language.
        let Some(language) = validate::language_tag(&req.language) else {
            return Err(Error::invalid_argument(
                "API-39nnf",
                format!("`language` {:?} is not a language tag", req.language),
            ));
        };
        // ZITADEL's `LanguageIsDefined` and `LanguagesAreSupported`, as for
        // texts.
        crate::texts::supported_language(&language)?;
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            if self.instance_row(tx.conn()).await?.default_language == language {
                return Err(crate::unchanged("INST-DS3rq", "default language"));
            }
            // The restrictions may allow only some languages.
            let restrictions = self.restrictions(tx.conn()).await?;
            if !crate::restrictions::language_allowed(restrictions.as_ref(), &language) {
                return Err(Error::failed_precondition(
                    "LANG-2M9fs",
                    format!("`language` {language:?} is not allowed by the instance's restrictions"),
                ));
            }
            let inst = Aggregate::new(aggregate::INSTANCE, &self.instance_id, &self.instance_id);
            let events =
                tx.push(vec![NewEvent::new(&inst, &ie::DefaultLanguageSet { language: language.clone() })?]).await?;
            tx.commit().await?;
            Ok(SetDefaultLanguageResponse { details: changed_details(&events) })
        })
        .await
    }
}

impl App {
    /// How many users the instance has (for progress bars).
    pub async fn user_count(&self) -> Result<i64> {
        burg_store::users::count(&self.db, &self.instance_id).await
    }
}
