//! The JSON API over the inbox, and its OpenAPI document.

mod params;
mod times;
mod views;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use instagram_webhook_inbox::{DeliveryId, EventId};
use utoipa::OpenApi;

use crate::auth::{Access, CanRead, CanWrite};
use crate::error::{ApiError, ErrorBody};
use crate::router::AppState;
use params::{Bulk, BulkRequest, Id, List, ListQuery};
use views::{
    AccessView, BulkRetried, EventList, EventSummary, EventView, Message, Retried, StatsView,
};

/// The OpenAPI 3.1 document of the API, generated from the handlers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "instagram-webhook operations API",
        description = "The inbox of Instagram webhook deliveries: events, their attempts, their deliveries' exact bytes, stats; retry and delete. Every path needs `Authorization: Bearer <token>`; retry and delete need the operations token, not the read-only one."
    ),
    paths(access, list, stats, event, raw, retry_one, delete_one, retry_matching),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub(crate) struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document, as served at `/api/openapi.json`.
pub(crate) async fn openapi() -> Response {
    let mut response = Json(ApiDoc::openapi()).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// What the presented token allows.
#[utoipa::path(get, path = "/api/access", responses(
    (status = 200, description = "The token's access", body = AccessView),
    (status = 401, description = "No valid token", body = ErrorBody),
))]
pub(crate) async fn access(CanRead(access): CanRead) -> Json<AccessView> {
    Json(AccessView {
        access: match access {
            Access::Write => "write",
            Access::Read => "read",
        },
    })
}

/// Events matching the filter, newest first.
#[utoipa::path(get, path = "/api/webhook-events", params(ListQuery), responses(
    (status = 200, description = "A page of events", body = EventList),
    (status = 400, description = "A bad parameter, named", body = ErrorBody),
    (status = 401, description = "No valid token", body = ErrorBody),
    (status = 503, description = "The database cannot answer now", body = ErrorBody),
))]
pub(crate) async fn list(
    _: CanRead,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<EventList>, ApiError> {
    let list = List::parse(query.as_deref())?;
    let page = state
        .inbox
        .events_skipping(&list.filter, list.before, list.offset, list.limit)
        .await?;
    let total = state.inbox.count(&list.filter).await?;
    Ok(Json(EventList {
        events: page.events.iter().map(EventSummary::from).collect(),
        total,
        limit: list.limit,
        offset: list.offset,
        next: page.next.map(|id| id.0),
    }))
}

/// Counts over the whole inbox.
#[utoipa::path(get, path = "/api/webhook-events/stats", responses(
    (status = 200, description = "The counts", body = StatsView),
    (status = 401, description = "No valid token", body = ErrorBody),
    (status = 503, description = "The database cannot answer now", body = ErrorBody),
))]
pub(crate) async fn stats(
    _: CanRead,
    State(state): State<AppState>,
) -> Result<Json<StatsView>, ApiError> {
    let stats = state.inbox.stats().await?;
    Ok(Json(StatsView::from(&stats)))
}

/// One event with its item, its failed attempts and its delivery.
#[utoipa::path(get, path = "/api/webhook-events/{id}",
    params(("id" = i64, Path, minimum = 1, description = "The event's id")),
    responses(
        (status = 200, description = "The event", body = EventView),
        (status = 400, description = "A bad id", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such event", body = ErrorBody),
        (status = 503, description = "The database cannot answer now", body = ErrorBody),
))]
pub(crate) async fn event(
    _: CanRead,
    State(state): State<AppState>,
    Id(id): Id,
) -> Result<Json<EventView>, ApiError> {
    let id = EventId(id);
    let detail = state.inbox.event(id).await?;
    let delivery = state.inbox.delivery(detail.event.delivery_id).await?;
    Ok(Json(EventView::new(&detail, delivery.as_ref())))
}

/// The delivery's exact bytes, as Meta sent them.
#[utoipa::path(get, path = "/api/deliveries/{id}/raw",
    params(("id" = i64, Path, minimum = 1, description = "The delivery's id")),
    responses(
        (status = 200, description = "The bytes", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 400, description = "A bad id", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such delivery", body = ErrorBody),
        (status = 503, description = "The database cannot answer now", body = ErrorBody),
))]
pub(crate) async fn raw(
    _: CanRead,
    State(state): State<AppState>,
    Id(id): Id,
) -> Result<Response, ApiError> {
    let id = DeliveryId(id);
    let delivery = state
        .inbox
        .delivery(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no delivery {}", id.0)))?;
    let mut response = Bytes::from(delivery.body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(response)
}

/// Queues one event again (a processed event, a dead letter, or a failed
/// one before its retry); refused while a worker holds it.
#[utoipa::path(post, path = "/api/webhook-events/{id}/retry",
    params(("id" = i64, Path, minimum = 1, description = "The event's id")),
    responses(
        (status = 200, description = "Queued (or already waiting)", body = Retried),
        (status = 400, description = "A bad id", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A read-only token", body = ErrorBody),
        (status = 404, description = "No such event", body = ErrorBody),
        (status = 409, description = "A worker holds it: try again when its attempt has ended", body = ErrorBody),
        (status = 503, description = "The database cannot answer now", body = ErrorBody),
))]
pub(crate) async fn retry_one(
    _: CanWrite,
    State(state): State<AppState>,
    Id(id): Id,
) -> Result<Json<Retried>, ApiError> {
    let id = EventId(id);
    let now = state.inbox.replay(id).await?;
    let detail = state.inbox.event(id).await?;
    Ok(Json(Retried {
        message: format!("event {} is {now}", id.0),
        event: EventSummary::from(&detail.event),
    }))
}

/// Deletes one event and its attempts (its dedup key is kept, so a late
/// repeat from Meta is still a duplicate); refused while a worker holds it.
#[utoipa::path(delete, path = "/api/webhook-events/{id}",
    params(("id" = i64, Path, minimum = 1, description = "The event's id")),
    responses(
        (status = 200, description = "Deleted", body = Message),
        (status = 400, description = "A bad id", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A read-only token", body = ErrorBody),
        (status = 404, description = "No such event", body = ErrorBody),
        (status = 409, description = "A worker holds it", body = ErrorBody),
        (status = 503, description = "The database cannot answer now", body = ErrorBody),
))]
pub(crate) async fn delete_one(
    _: CanWrite,
    State(state): State<AppState>,
    Id(id): Id,
) -> Result<Json<Message>, ApiError> {
    let id = EventId(id);
    state.inbox.delete(id).await?;
    Ok(Json(Message {
        message: format!("event {} deleted", id.0),
    }))
}

/// Queues again every event matching the filter that can be (oldest
/// first, at most `limit`), or only counts them (`dry_run`).
#[utoipa::path(post, path = "/api/webhook-events/retry",
    request_body(content = BulkRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "What was (or would be) queued", body = BulkRetried),
        (status = 400, description = "A bad field, named", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A read-only token", body = ErrorBody),
        (status = 413, description = "A body over 64 KiB", body = ErrorBody),
        (status = 503, description = "The database cannot answer now", body = ErrorBody),
))]
pub(crate) async fn retry_matching(
    _: CanWrite,
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<BulkRetried>, ApiError> {
    let body = body.map_err(|rejection| ApiError::body_refused(&rejection))?;
    let bulk = Bulk::parse(&body)?;
    let report = if bulk.dry_run {
        state
            .inbox
            .replay_matching_dry_run(&bulk.filter, Some(bulk.limit))
            .await?
    } else {
        state
            .inbox
            .replay_matching(&bulk.filter, Some(bulk.limit))
            .await?
    };
    Ok(Json(BulkRetried::new(report, bulk.dry_run)))
}

/// The most a bulk retry's body may hold.
pub(crate) const MAX_BODY: usize = 64 * 1024;

/// 404 for paths the API does not have.
pub(crate) async fn not_found() -> ApiError {
    ApiError::not_found("no such path")
}

/// 405 for a known path asked with another method.
pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::method_not_allowed()
}
