//! The instance: `GetMyInstance`, its domains, its languages.

use burg_api::admin::{
    GetDefaultLanguageResponse, GetMyInstanceResponse, GetSupportedLanguagesResponse, ListInstanceDomainsRequest,
    ListInstanceDomainsResponse, SetDefaultLanguageRequest, SetDefaultLanguageResponse,
};
use burg_api::zitadel::instance::v1::{self as inst, DomainFieldName, domain_search_query::Query};
use burg_domain::event::{Aggregate, NewEvent, aggregate};
use burg_domain::events::instance as ie;
use burg_domain::{Error, Result};
use burg_store::Sql;
use sqlx::Row;

use crate::auth::db_err;
use crate::list::{Page, list_details, push_text_match};
use crate::{App, Ctx, details, details_of, retry};

/// The languages burg has texts for, as ZITADEL lists them.
pub const SUPPORTED_LANGUAGES: &[&str] = &[
    "bg", "cs", "de", "en", "es", "fr", "hu", "id", "it", "ja", "ko", "mk", "nl", "pl", "pt", "ro", "ru", "sv", "tr",
    "uk", "zh",
];

pub(crate) struct InstanceRow {
    pub name: String,
    pub default_language: String,
    pub default_org_id: String,
    pub sequence: i64,
    pub creation_date: i64,
    pub change_date: i64,
}

impl App {
    pub(crate) async fn instance_row<'e, E>(&self, executor: E) -> Result<InstanceRow>
    where
        E: sqlx::Executor<'e, Database = sqlx::Any>,
    {
        let row = sqlx::query(
            "SELECT name, default_language, default_org_id, sequence, creation_date, change_date FROM instances WHERE id = $1",
        )
        .bind(&self.instance_id)
        .fetch_optional(executor)
        .await
        .map_err(|e| db_err("INST-db001", e))?
        .ok_or_else(|| Error::not_found("INST-nf001", "instance not found"))?;
        let get = |c: &str| -> Result<i64> { row.try_get(c).map_err(|e| db_err("INST-db002", e)) };
        Ok(InstanceRow {
            name: row.try_get("name").map_err(|e| db_err("INST-db003", e))?,
            default_language: row.try_get("default_language").map_err(|e| db_err("INST-db004", e))?,
            default_org_id: row.try_get("default_org_id").map_err(|e| db_err("INST-db005", e))?,
            sequence: get("sequence")?,
            creation_date: get("creation_date")?,
            change_date: get("change_date")?,
        })
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
        let mut filter = Sql::new(" WHERE instance_id = ");
        filter.bind(&self.instance_id);
        for q in &req.queries {
            match &q.query {
                Some(Query::DomainQuery(d)) => {
                    push_text_match(&mut filter, self.db.backend(), "domain", &d.domain, d.method)?
                }
                Some(Query::GeneratedQuery(g)) => {
                    filter.push(" AND is_generated = ").bind(g.generated);
                }
                Some(Query::PrimaryQuery(p)) => {
                    filter.push(" AND is_primary = ").bind(p.primary);
                }
                None => {}
            }
        }
        let order = match DomainFieldName::try_from(req.sorting_column).unwrap_or_default() {
            DomainFieldName::Primary => "is_primary",
            DomainFieldName::Generated => "is_generated",
            DomainFieldName::CreationDate => "creation_date",
            DomainFieldName::Domain | DomainFieldName::Unspecified => "domain",
        };
        let page = Page::of(req.query.as_ref());
        let (total, rows) = self
            .count_and_fetch(
                "SELECT COUNT(*) FROM instance_domains",
                "SELECT domain, is_primary, is_generated, sequence, creation_date, change_date FROM instance_domains",
                filter,
                page,
                order,
            )
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let get = |c: &str| -> Result<i64> { row.try_get(c).map_err(|e| db_err("INST-db010", e)) };
            out.push(inst::Domain {
                details: details(get("sequence")?, get("creation_date")?, get("change_date")?, &self.instance_id),
                domain: row.try_get("domain").map_err(|e| db_err("INST-db011", e))?,
                primary: row.try_get::<i64, _>("is_primary").map_err(|e| db_err("INST-db012", e))? != 0,
                generated: row.try_get::<i64, _>("is_generated").map_err(|e| db_err("INST-db013", e))? != 0,
            });
        }
        Ok((total, out))
    }

    /// Runs `count` and `select` with the same filter; `select` gets the
    /// page's order and limits.
    pub(crate) async fn count_and_fetch(
        &self,
        count: &str,
        select: &str,
        filter: Sql,
        page: Page,
        order: &str,
    ) -> Result<(i64, Vec<sqlx::any::AnyRow>)> {
        let mut count_sql = Sql::new(count);
        count_sql.extend(&filter);
        let total: i64 = count_sql
            .query()
            .fetch_one(self.db.pool())
            .await
            .and_then(|r| r.try_get(0))
            .map_err(|e| db_err("LIST-db001", e))?;
        let mut select_sql = Sql::new(select);
        select_sql.extend(&filter);
        page.push(&mut select_sql, order);
        let rows = select_sql.query().fetch_all(self.db.pool()).await.map_err(|e| db_err("LIST-db002", e))?;
        Ok((total, rows))
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
        let language = req.language.trim().to_lowercase();
        if !SUPPORTED_LANGUAGES.contains(&language.as_str()) {
            return Err(Error::invalid_argument(
                "INST-lang01",
                format!(
                    "`language` {:?} is not supported; supported: {}",
                    req.language,
                    SUPPORTED_LANGUAGES.join(", ")
                ),
            ));
        }
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            if self.instance_row(tx.conn()).await?.default_language == language {
                return Err(crate::unchanged("INST-lang02", "default language"));
            }
            let inst = Aggregate::new(aggregate::INSTANCE, &self.instance_id, &self.instance_id);
            let events =
                tx.push(vec![NewEvent::new(&inst, &ie::DefaultLanguageSet { language: language.clone() })?]).await?;
            tx.commit().await?;
            Ok(SetDefaultLanguageResponse { details: details_of(&events) })
        })
        .await
    }
}

impl App {
    /// How many users the instance has (for progress bars).
    pub async fn user_count(&self) -> Result<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE instance_id = $1")
            .bind(&self.instance_id)
            .fetch_one(self.db.pool())
            .await
            .map_err(|e| crate::auth::db_err("INST-cnt01", e))
    }
}
