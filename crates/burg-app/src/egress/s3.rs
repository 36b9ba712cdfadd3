//! S3 through object_store, with our checked client as its connector.

use std::future::Future;
use std::pin::Pin;

use super::{HttpClient, TooLarge, find_refusal};

/// Gives object_store our client.
#[derive(Debug)]
pub(super) struct S3Connector {
    pub(super) http: HttpClient,
    /// The largest response body read into memory.
    pub(super) body_cap: usize,
}

impl object_store::client::HttpConnector for S3Connector {
    fn connect(&self, _: &object_store::ClientOptions) -> object_store::Result<object_store::client::HttpClient> {
        Ok(object_store::client::HttpClient::new(S3Service { http: self.http.clone(), body_cap: self.body_cap }))
    }
}

#[derive(Debug)]
struct S3Service {
    http: HttpClient,
    body_cap: usize,
}

type HttpResult = std::result::Result<object_store::client::HttpResponse, object_store::client::HttpError>;

impl object_store::client::HttpService for S3Service {
    fn call<'s, 'f>(
        &'s self,
        request: object_store::client::HttpRequest,
    ) -> Pin<Box<dyn Future<Output = HttpResult> + Send + 'f>>
    where
        's: 'f,
        Self: 'f,
    {
        Box::pin(self.send(request))
    }
}

impl S3Service {
    async fn send(&self, request: object_store::client::HttpRequest) -> HttpResult {
        use http_body_util::BodyExt;
        use object_store::client::{HttpError, HttpErrorKind, HttpResponse, HttpResponseBody};
        let (parts, body) = request.into_parts();
        // A refusal is not retried: it would be refused again.
        let builder = self
            .http
            .request(parts.method, &parts.uri.to_string())
            .map_err(|r| HttpError::new(HttpErrorKind::Unknown, r))?;
        let body = match body.as_bytes() {
            Some(bytes) => reqwest::Body::from(bytes.clone()),
            None => reqwest::Body::wrap(body),
        };
        let response = builder.headers(parts.headers).body(body).send().await.map_err(transport_error)?;
        let status = response.status();
        let (parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
        let body = if status.is_client_error() || status.is_server_error() {
            // The status says enough; the body is whatever the other side chose.
            HttpResponseBody::from(bytes::Bytes::new())
        } else {
            let cap = self.body_cap;
            HttpResponseBody::new(http_body_util::Limited::new(body, cap).map_err(move |e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    HttpError::new(HttpErrorKind::Decode, TooLarge(cap as u64))
                } else {
                    HttpError::new_boxed(HttpErrorKind::Interrupted, e)
                }
            }))
        };
        Ok(HttpResponse::from_parts(parts, body))
    }
}

/// A reqwest failure in object_store's terms (which decide on retries).
fn transport_error(e: reqwest::Error) -> object_store::client::HttpError {
    use object_store::client::{HttpError, HttpErrorKind};
    let kind = if find_refusal(&e).is_some() {
        HttpErrorKind::Unknown
    } else if e.is_timeout() {
        HttpErrorKind::Timeout
    } else if e.is_connect() {
        HttpErrorKind::Connect
    } else if e.is_decode() {
        HttpErrorKind::Decode
    } else {
        HttpErrorKind::Interrupted
    };
    HttpError::new(kind, e.without_url())
}

#[cfg(test)]
mod tests {
    use super::super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    /// The S3 connector checks each request itself (the preflight before
    /// an export or import is only there to fail before anything starts).
    #[tokio::test]
    async fn s3_requests_are_checked_at_connection_time() {
        use object_store::ObjectStoreExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.2:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = accepted.clone();
        let server = tokio::spawn(async move {
            while listener.accept().await.is_ok() {
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        });
        let policy = Policy::default().deny("127.0.0.2").unwrap().resolve_override("s3.test", vec![ip("127.0.0.2")]);
        let egress = Egress::new(&policy).unwrap();
        for endpoint in [format!("http://127.0.0.2:{port}"), format!("http://s3.test:{port}")] {
            let store = egress
                .s3(1024)
                .with_endpoint(&endpoint)
                .with_allow_http(true)
                .with_region("us-east-1")
                .with_bucket_name("b")
                .with_access_key_id("k")
                .with_secret_access_key("s")
                .build()
                .unwrap();
            let started = std::time::Instant::now();
            let err = store.put(&"a.json".into(), b"{}".to_vec().into()).await.unwrap_err();
            assert!(find_refusal(&err).is_some(), "{endpoint}: {err}");
            assert!(started.elapsed() < Duration::from_secs(2), "a refusal is not retried");
            let err = store.get(&"a.json".into()).await.unwrap_err();
            assert!(find_refusal(&err).is_some(), "{endpoint}: {err}");
        }
        assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 0);
        server.abort();
    }
}
