//! Requests and responses as plain data, independent of any framework.

use bytes::Bytes;

/// One HTTP request of a case.
#[derive(Debug, Clone)]
pub struct TestRequest {
    /// The method, e.g. `POST`.
    pub method: &'static str,
    /// The path, e.g. `/webhook`.
    pub path: String,
    /// The raw query string without `?`, percent-encoded, if any.
    pub query: Option<String>,
    /// Header lines in order; a name may repeat.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body bytes.
    pub body: Bytes,
}

impl TestRequest {
    /// A request without headers or body.
    pub fn new(method: &'static str, path: &str, query: Option<&str>) -> Self {
        Self {
            method,
            path: path.to_owned(),
            query: query.map(str::to_owned),
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    /// Adds a header line.
    #[must_use]
    pub fn header(mut self, name: &str, value: impl Into<Vec<u8>>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// Sets the body.
    #[must_use]
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    /// Path and query as they appear in the request line.
    pub fn path_and_query(&self) -> String {
        match &self.query {
            Some(query) => format!("{}?{query}", self.path),
            None => self.path.clone(),
        }
    }
}

/// The answer an adapter gave.
#[derive(Debug, Clone)]
pub struct TestResponse {
    /// The status code.
    pub status: u16,
    /// Header lines, names lowercase.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Bytes,
}

impl TestResponse {
    /// The first value of a header, by lowercase name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}
