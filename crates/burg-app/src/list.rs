//! The wire side of the list RPCs: a `ListQuery` as a page, a text query
//! as a [`TextMatch`], and the answer's `details`.

use burg_api::object::{ListDetails, ListQuery, TextQueryMethod};
use burg_api::wkt::Timestamp;
use burg_api::zitadel::filter::v2::PaginationRequest;
use burg_domain::{Error, Result};
use burg_store::list::{Page, TextMatch, TextMethod};

/// ZITADEL's `MaxQueryLimit`: the most entries a list call may ask for.
pub(crate) const MAX_LIMIT: i64 = 1000;
pub(crate) const DEFAULT_LIMIT: i64 = 100;

/// The page a v1 list call asks for, as ZITADEL's v1 list-query helper
/// reads it (`object.ListQueryToModel` with `V1QueryLimit`): no limit (0)
/// is the maximum, 1000; a larger limit is refused.
pub(crate) fn v1_page(query: Option<&ListQuery>) -> Result<Page> {
    let q = query.cloned().unwrap_or_default();
    let limit = checked_limit(q.limit, MAX_LIMIT, "query.limit")?;
    Ok(Page { offset: i64::try_from(q.offset).unwrap_or(i64::MAX), limit, asc: q.asc })
}

/// The page a v2 list call asks for (`zitadel.filter.v2.PaginationRequest`,
/// ZITADEL's `PaginationPbToQuery`): no limit (0) is the default, 100; a
/// limit above 1000 is refused.
pub(crate) fn v2_page(pagination: Option<&PaginationRequest>) -> Result<Page> {
    let p = pagination.cloned().unwrap_or_default();
    let limit = checked_limit(p.limit, DEFAULT_LIMIT, "pagination.limit")?;
    Ok(Page { offset: i64::try_from(p.offset).unwrap_or(i64::MAX), limit, asc: p.asc })
}

/// A list call's limit: `if_zero` when none is given, refused above
/// ZITADEL's `MaxQueryLimit`.
fn checked_limit(limit: u32, if_zero: i64, field: &str) -> Result<i64> {
    match i64::from(limit) {
        0 => Ok(if_zero),
        n if n > MAX_LIMIT => {
            Err(Error::invalid_argument("QUERY-4M0fs", format!("`{field}` may be at most {MAX_LIMIT}; it is {n}")))
        }
        n => Ok(n),
    }
}

/// The page of a list call that ZITADEL builds without that helper
/// (ListProviders): the limit is clamped, 0 gives the default.
pub(crate) fn page(query: Option<&ListQuery>) -> Page {
    let q = query.cloned().unwrap_or_default();
    let limit = match i64::from(q.limit) {
        0 => DEFAULT_LIMIT,
        n => n.min(MAX_LIMIT),
    };
    Page { offset: i64::try_from(q.offset).unwrap_or(i64::MAX), limit, asc: q.asc }
}

/// A text query: `value` compared by the wire's `TextQueryMethod`.
pub(crate) fn text_match(value: &str, method: i32) -> Result<TextMatch> {
    let method = match TextQueryMethod::try_from(method) {
        Ok(TextQueryMethod::Equals) => TextMethod::Equals,
        Ok(TextQueryMethod::EqualsIgnoreCase) => TextMethod::EqualsIgnoreCase,
        Ok(TextQueryMethod::StartsWith) => TextMethod::StartsWith,
        Ok(TextQueryMethod::StartsWithIgnoreCase) => TextMethod::StartsWithIgnoreCase,
        Ok(TextQueryMethod::Contains) => TextMethod::Contains,
        Ok(TextQueryMethod::ContainsIgnoreCase) => TextMethod::ContainsIgnoreCase,
        Ok(TextQueryMethod::EndsWith) => TextMethod::EndsWith,
        Ok(TextQueryMethod::EndsWithIgnoreCase) => TextMethod::EndsWithIgnoreCase,
        Err(_) => {
            return Err(Error::invalid_argument("LIST-txt01", format!("unknown text query method {method}")));
        }
    };
    Ok(TextMatch { value: value.to_string(), method })
}

pub(crate) fn list_details(total: i64, sequence: i64, now: i64) -> Option<ListDetails> {
    Some(ListDetails {
        total_result: total.max(0) as u64,
        processed_sequence: sequence.max(0) as u64,
        view_timestamp: Some(Timestamp::from_micros(now)),
    })
}
