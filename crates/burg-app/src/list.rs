//! The wire side of the list RPCs: a `ListQuery` as a page, a text query
//! as a [`TextMatch`], and the answer's `details`.

use burg_api::object::{ListDetails, ListQuery, TextQueryMethod};
use burg_api::wkt::Timestamp;
use burg_domain::{Error, Result};
use burg_store::list::{Page, TextMatch, TextMethod};

/// ZITADEL answers at most 1000 entries per call; 0 means "the default".
pub(crate) const MAX_LIMIT: i64 = 1000;
pub(crate) const DEFAULT_LIMIT: i64 = 100;

/// The page a list call asks for.
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
