//! What the API is asked: query strings and bodies read into the inbox's
//! terms, every mistake a 400 that names the parameter.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use instagram_webhook_inbox::{EventId, Filter, State};
use utoipa::{IntoParams, ToSchema};

use super::times;
use super::views::StateView;
use crate::error::ApiError;

/// The most events on one page.
pub(crate) const MAX_PAGE: u32 = 200;
/// Events on a page when `limit` is not given.
pub(crate) const DEFAULT_PAGE: u32 = 50;
/// The most events one bulk retry queues.
pub(crate) const MAX_BULK: u64 = 10_000;
/// Events a bulk retry queues when `limit` is not given.
pub(crate) const DEFAULT_BULK: u64 = 1_000;

// Times carry RFC 3339's shape as a `pattern` in the document: JSON Schema
// only annotates `format: date-time`, so a fuzzer would call any string valid.

/// Which events to list (every parameter narrows). It documents the query
/// string in the OpenAPI document; [`List::parse`] reads it, naming the
/// parameter at fault.
#[derive(Debug, Default, IntoParams)]
#[expect(
    dead_code,
    reason = "read by `List::parse`, which names bad parameters"
)]
#[into_params(parameter_in = Query)]
#[allow(non_snake_case)]
pub(crate) struct ListQuery {
    /// Only events in this state.
    status: Option<StateView>,
    /// Only events of this kind (`comment`, `message`, ...).
    eventType: Option<String>,
    /// Only events of this Instagram account id.
    account: Option<String>,
    /// Only events stored at or after this time (RFC 3339).
    #[param(format = DateTime, pattern = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$")]
    since: Option<String>,
    /// Only events stored before this time (RFC 3339).
    #[param(format = DateTime, pattern = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$")]
    until: Option<String>,
    /// Events per page.
    #[param(minimum = 1, maximum = 200, default = 50)]
    limit: Option<u32>,
    /// The cursor: only events older than this id (the previous page's
    /// `next`). Pages stay put while events arrive.
    #[param(minimum = 1)]
    before: Option<i64>,
    /// Skip this many events (below `before`, if given): the seed's paging;
    /// prefer `before`, which stays put while events arrive.
    #[param(minimum = 0)]
    offset: Option<i64>,
}

/// A list request, read.
#[derive(Debug)]
pub(crate) struct List {
    pub(crate) filter: Filter,
    pub(crate) limit: u32,
    pub(crate) before: Option<EventId>,
    pub(crate) offset: u64,
}

/// The filter's fields, shared by the list and the bulk retry.
#[derive(Debug, Default)]
struct FilterFields {
    state: Option<State>,
    kind: Option<String>,
    account: Option<String>,
    since: Option<std::time::SystemTime>,
    until: Option<std::time::SystemTime>,
}

impl FilterFields {
    fn into_filter(self) -> Filter {
        let mut filter = Filter::new().stored_between(self.since, self.until);
        filter.state = self.state;
        filter.kind = self.kind;
        filter.account_id = self.account;
        filter
    }
}

fn state(name: &str, value: &str) -> Result<State, ApiError> {
    value.parse().map_err(|_| {
        ApiError::bad_parameter(
            name,
            format!(
                "`{name}` must be one of pending, processing, processed, failed, dead_letter; got `{value}`"
            ),
        )
    })
}

fn time(name: &str, value: &str) -> Result<std::time::SystemTime, ApiError> {
    times::parse(value)
        .map_err(|message| ApiError::bad_parameter(name, format!("`{name}`: {message}")))
}

fn number<T: std::str::FromStr>(name: &str, value: &str, range: &str) -> Result<T, ApiError> {
    value.parse().map_err(|_| {
        ApiError::bad_parameter(
            name,
            format!("`{name}` must be an integer {range}; got `{value}`"),
        )
    })
}

impl List {
    /// Reads a query string (`None`: no query).
    pub(crate) fn parse(query: Option<&str>) -> Result<Self, ApiError> {
        let mut fields = FilterFields::default();
        let mut limit = DEFAULT_PAGE;
        let mut before = None;
        let mut offset = None;
        let mut seen: Vec<String> = Vec::new();
        for (name, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            if seen.iter().any(|s| *s == name) {
                return Err(ApiError::bad_parameter(
                    &name,
                    format!("`{name}` is given twice"),
                ));
            }
            seen.push(name.to_string());
            match &*name {
                "status" => fields.state = Some(state(&name, &value)?),
                "eventType" => fields.kind = Some(value.into_owned()),
                "account" => fields.account = Some(value.into_owned()),
                "since" => fields.since = Some(time(&name, &value)?),
                "until" => fields.until = Some(time(&name, &value)?),
                "limit" => {
                    limit = number::<u32>(&name, &value, "from 1 to 200")?;
                    if !(1..=MAX_PAGE).contains(&limit) {
                        return Err(ApiError::bad_parameter(
                            "limit",
                            format!("`limit` must be from 1 to {MAX_PAGE}; got {limit}"),
                        ));
                    }
                }
                "before" => {
                    let id = number::<i64>(&name, &value, "of 1 or more")?;
                    if id < 1 {
                        return Err(ApiError::bad_parameter(
                            "before",
                            format!("`before` must be 1 or more; got {id}"),
                        ));
                    }
                    before = Some(EventId(id));
                }
                "offset" => {
                    let skip = number::<i64>(&name, &value, "of 0 or more")?;
                    offset = Some(u64::try_from(skip).map_err(|_| {
                        ApiError::bad_parameter(
                            "offset",
                            format!("`offset` must be 0 or more; got {skip}"),
                        )
                    })?);
                }
                _ => {
                    return Err(ApiError::bad_parameter(
                        &name,
                        format!(
                            "unknown parameter `{name}`: the list takes status, eventType, account, since, until, limit, before, offset"
                        ),
                    ));
                }
            }
        }
        Ok(Self {
            filter: fields.into_filter(),
            limit,
            before,
            offset: offset.unwrap_or(0),
        })
    }
}

/// Which events to queue again: the list's filter, a limit, and whether to
/// only count them.
#[derive(Debug, Default, ToSchema)]
#[allow(non_snake_case)]
pub(crate) struct BulkRequest {
    /// Only events in this state.
    status: Option<StateView>,
    /// Only events of this kind.
    eventType: Option<String>,
    /// Only events of this Instagram account id.
    account: Option<String>,
    /// Only events stored at or after this time (RFC 3339).
    #[schema(format = DateTime, pattern = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$")]
    since: Option<String>,
    /// Only events stored before this time (RFC 3339).
    #[schema(format = DateTime, pattern = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$")]
    until: Option<String>,
    /// Queue at most this many (oldest first).
    #[schema(value_type = Option<u64>, minimum = 1, maximum = 10000, default = 1000)]
    limit: Option<serde_json::Number>,
    /// Only count what would be queued.
    #[schema(default = false)]
    dry_run: Option<bool>,
}

impl BulkRequest {
    /// Reads the body field by field, so an error names its field.
    fn from_json(body: &[u8]) -> Result<Self, ApiError> {
        let object: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(body)
            .map_err(|error| {
                ApiError::bad_parameter("body", format!("the body is not a JSON object: {error}"))
            })?;
        let mut request = Self::default();
        for (name, value) in object {
            fn field<T: serde::de::DeserializeOwned>(
                name: &str,
                value: serde_json::Value,
            ) -> Result<T, ApiError> {
                serde_json::from_value(value)
                    .map_err(|error| ApiError::bad_parameter(name, format!("`{name}`: {error}")))
            }
            match name.as_str() {
                "status" => request.status = field(&name, value)?,
                "eventType" => request.eventType = field(&name, value)?,
                "account" => request.account = field(&name, value)?,
                "since" => request.since = field(&name, value)?,
                "until" => request.until = field(&name, value)?,
                "limit" => request.limit = field(&name, value)?,
                "dry_run" => request.dry_run = field(&name, value)?,
                _ => {
                    return Err(ApiError::bad_parameter(
                        &name,
                        format!(
                            "unknown field `{name}`: a bulk retry takes status, eventType, account, since, until, limit, dry_run"
                        ),
                    ));
                }
            }
        }
        Ok(request)
    }
}

/// A bulk retry request, read.
#[derive(Debug)]
pub(crate) struct Bulk {
    pub(crate) filter: Filter,
    pub(crate) limit: u64,
    pub(crate) dry_run: bool,
}

impl Bulk {
    /// Reads a JSON body (required: `{}` is every event, at most the
    /// default limit).
    pub(crate) fn parse(body: &[u8]) -> Result<Self, ApiError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::bad_parameter(
                "body",
                "a JSON body is required (`{}` queues every event again)",
            ));
        }
        let request = BulkRequest::from_json(body)?;
        let fields = FilterFields {
            state: request.status.map(State::from),
            kind: request.eventType,
            account: request.account,
            since: request
                .since
                .as_deref()
                .map(|v| time("since", v))
                .transpose()?,
            until: request
                .until
                .as_deref()
                .map(|v| time("until", v))
                .transpose()?,
        };
        let limit = match request.limit {
            None => DEFAULT_BULK,
            // JSON has numbers, not integers: `100.0` is 100.
            Some(limit) => limit
                .as_u64()
                .or_else(|| {
                    limit
                        .as_f64()
                        .filter(|n| n.fract() == 0.0 && (1.0..=MAX_BULK as f64).contains(n))
                        .map(|n| n as u64)
                })
                .filter(|n| (1..=MAX_BULK).contains(n))
                .ok_or_else(|| {
                    ApiError::bad_parameter(
                        "limit",
                        format!("`limit` must be an integer from 1 to {MAX_BULK}; got {limit}"),
                    )
                })?,
        };
        Ok(Self {
            filter: fields.into_filter(),
            limit,
            dry_run: request.dry_run.unwrap_or(false),
        })
    }
}

/// The `{id}` of a path: a positive integer, or a 400 naming `id` (for an
/// id that is not even UTF-8 too).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Id(pub(crate) i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let bad = |shown: &str| {
            ApiError::bad_parameter(
                "id",
                format!("`id` must be a positive integer; got `{shown}`"),
            )
        };
        let Path(value) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| bad("(not UTF-8)"))?;
        match value.parse::<i64>() {
            Ok(id) if id >= 1 => Ok(Self(id)),
            _ => Err(bad(&value)),
        }
    }
}
