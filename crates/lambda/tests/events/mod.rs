//! Lambda event JSON for each HTTP trigger type, built from a plain request.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use instagram_webhook_conformance::TestRequest;
use serde_json::{Map, Value, json};

/// The HTTP triggers a Lambda function can sit behind.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Trigger {
    /// API Gateway REST API (payload format 1.0), text body.
    RestV1,
    /// API Gateway HTTP API (payload format 2.0), text body.
    HttpApiV2,
    /// A Lambda Function URL (payload format 2.0, lambda-url domain).
    FunctionUrl,
    /// An Application Load Balancer target, multi-value headers enabled
    /// (`multiValueHeaders`, `multiValueQueryStringParameters`).
    Alb,
    /// An Application Load Balancer target as it is by default, multi-value
    /// headers disabled: `headers` and `queryStringParameters` with one
    /// value per name (the last one the client sent), the query still
    /// percent-encoded (ALB does not decode it), `queryStringParameters: {}`
    /// when there is none.
    AlbSingleValue,
    /// HTTP API with the body base64-encoded (as for binary media types).
    HttpApiV2Base64,
    /// REST API with the body base64-encoded.
    RestV1Base64,
}

impl Trigger {
    pub(crate) const ALL: [Trigger; 7] = [
        Trigger::RestV1,
        Trigger::HttpApiV2,
        Trigger::FunctionUrl,
        Trigger::Alb,
        Trigger::AlbSingleValue,
        Trigger::HttpApiV2Base64,
        Trigger::RestV1Base64,
    ];
}

/// The body field and `isBase64Encoded` flag.
fn body(request: &TestRequest, base64: bool) -> (Value, bool) {
    if request.body.is_empty() {
        return (Value::Null, false);
    }
    match (base64, std::str::from_utf8(&request.body)) {
        (false, Ok(text)) => (Value::String(text.to_owned()), false),
        _ => (Value::String(STANDARD.encode(&request.body)), true),
    }
}

/// Query pairs, decoded (`decode = true`, as API Gateway REST passes them) or
/// still percent-encoded (as an ALB passes them).
fn query_pairs(request: &TestRequest, decode: bool) -> Vec<(String, String)> {
    let Some(query) = &request.query else {
        return Vec::new();
    };
    if decode {
        form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect()
    } else {
        query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| match pair.split_once('=') {
                Some((key, value)) => (key.to_owned(), value.to_owned()),
                None => (pair.to_owned(), String::new()),
            })
            .collect()
    }
}

/// `{name: [values]}` and `{name: last value}` maps.
fn multi_and_single(pairs: &[(String, String)]) -> (Value, Value) {
    let mut multi = Map::new();
    let mut single = Map::new();
    for (key, value) in pairs {
        multi
            .entry(key.clone())
            .or_insert_with(|| Value::Array(Vec::new()))
            .as_array_mut()
            .expect("array")
            .push(Value::String(value.clone()));
        single.insert(key.clone(), Value::String(value.clone()));
    }
    if pairs.is_empty() {
        (Value::Null, Value::Null)
    } else {
        (Value::Object(multi), Value::Object(single))
    }
}

fn header_pairs(request: &TestRequest) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(name, value)| {
            (
                name.to_ascii_lowercase(),
                String::from_utf8_lossy(value).into_owned(),
            )
        })
        .collect();
    if !request.body.is_empty() {
        pairs.push(("content-length".to_owned(), request.body.len().to_string()));
    }
    pairs.push(("user-agent".to_owned(), "facebookexternalua".to_owned()));
    pairs
}

/// HTTP API headers: repeated headers joined with commas.
fn joined_headers(request: &TestRequest) -> Value {
    let mut map: Map<String, Value> = Map::new();
    for (name, value) in header_pairs(request) {
        match map.get_mut(&name) {
            Some(Value::String(existing)) => {
                existing.push(',');
                existing.push_str(&value);
            }
            _ => {
                map.insert(name, Value::String(value));
            }
        }
    }
    Value::Object(map)
}

/// The event JSON `trigger` would hand the function for `request`.
pub(crate) fn event(trigger: Trigger, request: &TestRequest) -> String {
    let value = match trigger {
        Trigger::RestV1 | Trigger::RestV1Base64 => {
            rest_v1(request, matches!(trigger, Trigger::RestV1Base64))
        }
        Trigger::HttpApiV2 | Trigger::HttpApiV2Base64 => http_v2(
            request,
            "abc123.execute-api.us-east-1.amazonaws.com",
            matches!(trigger, Trigger::HttpApiV2Base64),
        ),
        Trigger::FunctionUrl => http_v2(request, "abcdefghij.lambda-url.us-east-1.on.aws", false),
        Trigger::Alb => alb(request, true),
        Trigger::AlbSingleValue => alb(request, false),
    };
    value.to_string()
}

fn rest_v1(request: &TestRequest, base64: bool) -> Value {
    let (multi_query, single_query) = multi_and_single(&query_pairs(request, true));
    let (multi_headers, single_headers) = multi_and_single(&header_pairs(request));
    let (body, is_base64) = body(request, base64);
    json!({
        "resource": request.path,
        "path": request.path,
        "httpMethod": request.method,
        "headers": single_headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": single_query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": null,
        "stageVariables": null,
        "requestContext": {
            "accountId": "123456789012",
            "resourceId": "abc123",
            "stage": "prod",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "identity": {"sourceIp": "127.0.0.1", "userAgent": "facebookexternalua"},
            "resourcePath": request.path,
            "httpMethod": request.method,
            "apiId": "abc123",
            "path": format!("/prod{}", request.path),
            "protocol": "HTTP/1.1",
            "domainName": "abc123.execute-api.us-east-1.amazonaws.com"
        },
        "body": body,
        "isBase64Encoded": is_base64
    })
}

fn http_v2(request: &TestRequest, domain: &str, base64: bool) -> Value {
    let (body, is_base64) = body(request, base64);
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": request.path,
        "rawQueryString": request.query.clone().unwrap_or_default(),
        "headers": joined_headers(request),
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": domain,
            "domainPrefix": domain.split('.').next().unwrap_or_default(),
            "http": {
                "method": request.method,
                "path": request.path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "facebookexternalua"
            },
            "requestId": "JKJaXmPLvHcESHA=",
            "routeKey": "$default",
            "stage": "$default",
            "time": "23/Nov/2026:00:00:00 +0000",
            "timeEpoch": 1_795_392_000_000_u64
        },
        "body": body,
        "isBase64Encoded": is_base64
    })
}

fn alb(request: &TestRequest, multi_value: bool) -> Value {
    let (multi_query, single_query) = multi_and_single(&query_pairs(request, false));
    let (multi_headers, single_headers) = multi_and_single(&header_pairs(request));
    let (body, is_base64) = body(request, false);
    let mut event = json!({
        "requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/webhook/0123456789abcdef"}},
        "httpMethod": request.method,
        "path": request.path,
        "body": body.as_str().unwrap_or_default(),
        "isBase64Encoded": is_base64
    });
    let (query_key, query, headers_key, headers) = if multi_value {
        (
            "multiValueQueryStringParameters",
            multi_query,
            "multiValueHeaders",
            multi_headers,
        )
    } else {
        (
            "queryStringParameters",
            single_query,
            "headers",
            single_headers,
        )
    };
    event[query_key] = if query.is_null() { json!({}) } else { query };
    event[headers_key] = headers;
    event
}

/// The adapter's answer to one decoded event, as plain data.
pub(crate) async fn answer(
    receiver: &instagram_webhook_lambda::Receiver,
    request: lambda_http::Request,
) -> instagram_webhook_conformance::TestResponse {
    let response = instagram_webhook_lambda::respond(receiver, request).await;
    instagram_webhook_conformance::TestResponse {
        status: response.status().as_u16(),
        headers: response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: match response.into_body() {
            lambda_http::Body::Text(text) => bytes::Bytes::from(text),
            lambda_http::Body::Binary(bytes) => bytes::Bytes::from(bytes),
            _ => bytes::Bytes::new(),
        },
    }
}
