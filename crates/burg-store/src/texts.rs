//! `custom_texts` (an owner's custom texts, key by key) and `restrictions`
//! (the instance's restrictions). See [`burg_domain::texts`].

use burg_domain::event::{Event, Payload};
use burg_domain::events::restrictions::RestrictionsSet;
use burg_domain::texts::{CustomTextPayload, TextOp};
use burg_domain::{Error, Result};
use sqlx::AnyConnection;

use crate::{Reader, db_error};

/// One custom text of an owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextRow {
    pub key: String,
    /// Empty for a key that was set and then emptied.
    pub text: String,
    pub sequence: i64,
    pub creation_date: i64,
    pub change_date: i64,
}

/// The custom texts `owner` holds of `template` in `language` (compared as
/// given), by key.
pub async fn texts<'e>(
    on: impl Reader<'e>,
    instance: &str,
    owner: &str,
    template: &str,
    language: &str,
) -> Result<Vec<TextRow>> {
    let rows: Vec<(String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT text_key, text, sequence, creation_date, change_date FROM custom_texts \
         WHERE instance_id = $1 AND owner_id = $2 AND template = $3 AND language = $4 ORDER BY text_key",
    )
    .bind(instance)
    .bind(owner)
    .bind(template)
    .bind(language)
    .fetch_all(on)
    .await
    .map_err(db_error("TEXT-db01"))?;
    Ok(rows
        .into_iter()
        .map(|(key, text, sequence, creation_date, change_date)| TextRow {
            key,
            text,
            sequence,
            creation_date,
            change_date,
        })
        .collect())
}

/// Projects a custom-text event of the instance or an organization (the
/// event's aggregate is the owner).
pub(crate) async fn apply(conn: &mut AnyConnection, e: &Event, op: TextOp) -> Result<()> {
    let p: CustomTextPayload = if e.payload.is_null() {
        CustomTextPayload::default()
    } else {
        serde_json::from_value(e.payload.clone()).map_err(|err| {
            Error::internal("TEXT-dec01", format!("stored {} event is unreadable: {err}", e.event_type))
        })?
    };
    if e.aggregate_type == burg_domain::event::aggregate::ORG
        && let Some(kind) = burg_domain::texts::document_kind(&p.template)
    {
        return apply_org(conn, e, op, &p, kind).await;
    }
    let result = match op {
        TextOp::Set => {
            sqlx::query(
                "INSERT INTO custom_texts (instance_id, owner_id, template, language, text_key, text, sequence, \
                 creation_date, change_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
                 ON CONFLICT (instance_id, owner_id, template, language, text_key) DO UPDATE SET \
                 text = excluded.text, sequence = excluded.sequence, change_date = excluded.change_date",
            )
            .bind(&e.instance_id)
            .bind(&e.aggregate_id)
            .bind(&p.template)
            .bind(&p.language)
            .bind(&p.key)
            .bind(&p.text)
            .bind(e.sequence)
            .bind(e.created_at)
            .execute(&mut *conn)
            .await
        }
        TextOp::Removed => {
            sqlx::query(
                "UPDATE custom_texts SET text = '', sequence = $1, change_date = $2 WHERE instance_id = $3 \
                 AND owner_id = $4 AND template = $5 AND language = $6 AND text_key = $7",
            )
            .bind(e.sequence)
            .bind(e.created_at)
            .bind(&e.instance_id)
            .bind(&e.aggregate_id)
            .bind(&p.template)
            .bind(&p.language)
            .bind(&p.key)
            .execute(&mut *conn)
            .await
        }
        TextOp::TemplateRemoved => {
            sqlx::query(
                "DELETE FROM custom_texts WHERE instance_id = $1 AND owner_id = $2 AND template = $3 \
                 AND language = $4",
            )
            .bind(&e.instance_id)
            .bind(&e.aggregate_id)
            .bind(&p.template)
            .bind(&p.language)
            .execute(&mut *conn)
            .await
        }
    };
    result.map_err(db_error("TEXT-db02"))?;
    Ok(())
}

/// Projects an organization's custom-text event into its document of the
/// template's kind for the language (the import's shape, see
/// [`burg_domain::texts::document_kind`]): a key set or emptied changes
/// that member (an emptied document stays, as ZITADEL's template stays
/// until it is reset); a template removed drops the document.
async fn apply_org(conn: &mut AnyConnection, e: &Event, op: TextOp, p: &CustomTextPayload, kind: &str) -> Result<()> {
    use crate::projection::project::{delete_doc, doc_of, put_doc};
    if op == TextOp::TemplateRemoved {
        return delete_doc(conn, e, kind, &p.language).await;
    }
    let Some(pointer) = burg_domain::texts::document_pointer(&p.template, &p.key) else { return Ok(()) };
    let stored = doc_of(conn, e, kind, &p.language).await?;
    if stored.is_none() && op == TextOp::Removed {
        return Ok(());
    }
    let mut doc =
        stored.filter(serde_json::Value::is_object).unwrap_or_else(|| serde_json::json!({ "language": p.language }));
    let (parent, member) = pointer.rsplit_once('/').unwrap_or(("", &pointer));
    if !parent.is_empty() && doc.pointer(parent).is_none_or(|v| !v.is_object()) {
        if op == TextOp::Removed {
            return put_doc(conn, e, kind, &p.language, &doc).await;
        }
        if let Some(o) = doc.as_object_mut() {
            o.insert(parent.trim_start_matches('/').to_string(), serde_json::json!({}));
        }
    }
    let Some(target) =
        (if parent.is_empty() { Some(&mut doc) } else { doc.pointer_mut(parent) }).and_then(|v| v.as_object_mut())
    else {
        return Ok(());
    };
    match op {
        TextOp::Set => {
            target.insert(member.to_string(), serde_json::Value::String(p.text.clone()));
        }
        _ => {
            target.remove(member);
            if !parent.is_empty()
                && target.is_empty()
                && let Some(o) = doc.as_object_mut()
            {
                o.remove(parent.trim_start_matches('/'));
            }
        }
    }
    put_doc(conn, e, kind, &p.language, &doc).await
}

/// The instance's restrictions as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestrictionsRow {
    /// The id of the `restrictions` aggregate.
    pub aggregate_id: String,
    pub disallow_public_org_registration: bool,
    /// `None` until a list was set; empty: every supported language is
    /// allowed.
    pub allowed_languages: Option<Vec<String>>,
    pub sequence: i64,
    pub creation_date: i64,
    pub change_date: i64,
}

/// The instance's restrictions; `None` before any were set.
pub async fn restrictions<'e>(on: impl Reader<'e>, instance: &str) -> Result<Option<RestrictionsRow>> {
    let row: Option<(String, i64, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT aggregate_id, disallow_public_org_registration, allowed_languages, sequence, creation_date, \
         change_date FROM restrictions WHERE instance_id = $1",
    )
    .bind(instance)
    .fetch_optional(on)
    .await
    .map_err(db_error("RESTR-db01"))?;
    row.map(|(aggregate_id, disallow, languages, sequence, creation_date, change_date)| {
        let allowed_languages = serde_json::from_str(&languages)
            .map_err(|_| Error::internal("RESTR-dec01", "the stored allowed languages are unreadable"))?;
        Ok(RestrictionsRow {
            aggregate_id,
            disallow_public_org_registration: disallow != 0,
            allowed_languages,
            sequence,
            creation_date,
            change_date,
        })
    })
    .transpose()
}

/// Projects `restrictions.set`: the members it carries change, the others
/// stay.
pub(crate) async fn apply_restrictions(conn: &mut AnyConnection, e: &Event) -> Result<()> {
    if e.event_type != RestrictionsSet::TYPE {
        return Ok(());
    }
    let p: RestrictionsSet = e.decode()?;
    let stored = restrictions(&mut *conn, &e.instance_id).await?;
    let (mut disallow, mut languages) =
        stored.as_ref().map(|r| (r.disallow_public_org_registration, r.allowed_languages.clone())).unwrap_or_default();
    if let Some(d) = p.disallow_public_org_registration {
        disallow = d;
    }
    if let Some(l) = p.allowed_languages {
        languages = Some(l);
    }
    let languages = serde_json::to_string(&languages).unwrap_or_else(|_| "null".into());
    sqlx::query(
        "INSERT INTO restrictions (instance_id, aggregate_id, disallow_public_org_registration, allowed_languages, \
         sequence, creation_date, change_date) VALUES ($1, $2, $3, $4, $5, $6, $6) \
         ON CONFLICT (instance_id) DO UPDATE SET disallow_public_org_registration = excluded.disallow_public_org_registration, \
         allowed_languages = excluded.allowed_languages, sequence = excluded.sequence, change_date = excluded.change_date",
    )
    .bind(&e.instance_id)
    .bind(&e.aggregate_id)
    .bind(i64::from(disallow))
    .bind(languages)
    .bind(e.sequence)
    .bind(e.created_at)
    .execute(&mut *conn)
    .await
    .map_err(db_error("RESTR-db02"))?;
    Ok(())
}

/// One custom text with where it belongs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedText {
    pub template: String,
    pub language: String,
    pub key: String,
    pub text: String,
}

/// Every custom text `owner` holds, by template, language and key.
pub async fn all_texts<'e>(on: impl Reader<'e>, instance: &str, owner: &str) -> Result<Vec<OwnedText>> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT template, language, text_key, text FROM custom_texts WHERE instance_id = $1 AND owner_id = $2 \
         ORDER BY template, language, text_key",
    )
    .bind(instance)
    .bind(owner)
    .fetch_all(on)
    .await
    .map_err(db_error("TEXT-db03"))?;
    Ok(rows.into_iter().map(|(template, language, key, text)| OwnedText { template, language, key, text }).collect())
}
