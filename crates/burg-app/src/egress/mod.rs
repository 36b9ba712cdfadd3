//! Egress: the one place through which burg opens outbound connections.
//!
//! Administrators type addresses into burg: S3 endpoints, GCS base URLs and
//! token URIs, SAML metadata URLs, and later mail servers, LDAP and OIDC
//! issuers. Every connection to such an address is made by a client built
//! here ([`HttpClient`], the S3 connector of [`Egress::s3`]) or by
//! [`Egress::connect_tcp`], and each one is checked against the [`Policy`]:
//!
//! - a host name by its name, then every address DNS gives for it; only the
//!   addresses that pass are handed to the connector, so an answer cannot
//!   change between the check and the connection (DNS rebinding);
//! - an IP literal (which never reaches a resolver) by its address, before
//!   the request is made;
//! - every redirect hop in the same two ways;
//! - no proxy from the environment: a proxy would connect for us, unchecked.
//!
//! `clippy.toml` forbids building HTTP clients, S3 stores or sockets
//! anywhere else; the `allow`s in this file are the only ones in server code.
//!
//! Errors that come back from remote servers are reduced to their HTTP
//! status: a response body (say, a cloud metadata service's) never reaches
//! an answer or a log line.

mod policy;
mod s3;
mod smtp;

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use burg_domain::{Error, Result};

pub use policy::{Policy, Refused, ResolveError, canonical};
use s3::S3Connector;
pub(crate) use smtp::{Mail, SmtpServer};

/// How long a connection (name resolution included) may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a transfer may wait for the next bytes.
pub const READ_TIMEOUT: Duration = Duration::from_secs(60);
/// How long fetching a document (SAML metadata, an OAuth token) may take.
pub const DOCUMENT_TIMEOUT: Duration = Duration::from_secs(15);
/// Redirects followed, each checked like the first request.
pub const MAX_REDIRECTS: usize = 3;

/// The policy's refusal somewhere in `e`'s chain of sources (through
/// reqwest, hyper, object_store and `std::io::Error` wrappers).
pub(crate) fn find_refusal<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a Refused> {
    let mut next = Some(e);
    for _ in 0..32 {
        let e = next?;
        if let Some(r) = e.downcast_ref::<Refused>() {
            return Some(r);
        }
        // An io::Error's `source` skips the error it wraps.
        if let Some(inner) = e.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref())
            && let Some(r) = find_refusal(inner)
        {
            return Some(r);
        }
        next = e.source();
    }
    None
}

/// The answer to a refused connection: names the setting that holds the
/// address, never a secret; logged.
pub(crate) fn refused(field: &str, r: &Refused) -> Error {
    tracing::warn!(field, target = %r.target, rule = %r.rule, "the egress policy refused an outbound connection");
    Error::failed_precondition(
        "EGRESS-deny1",
        format!("`{field}`: {} is refused by the egress policy (allow it with --egress-allow)", r.target),
    )
}

/// A reqwest resolver that answers only checked addresses.
#[derive(Debug, Clone)]
struct CheckedResolver(Arc<Policy>);

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.0.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addresses = policy.resolve(&host).await?;
            // Port 0: the connector puts in the URL's port.
            let addrs: reqwest::dns::Addrs = Box::new(addresses.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

/// A redirect hop that leaves the policy, or one too many.
#[derive(Debug)]
struct TooManyRedirects;

impl fmt::Display for TooManyRedirects {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "more than {MAX_REDIRECTS} redirects")
    }
}

impl std::error::Error for TooManyRedirects {}

fn build_client(policy: &Arc<Policy>, total: Option<Duration>) -> Result<reqwest::Client> {
    // Installing twice (several apps in one test process) is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let hops = policy.clone();
    let redirect = reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() > MAX_REDIRECTS {
            return attempt.error(TooManyRedirects);
        }
        match hops.check_url(attempt.url()) {
            Ok(()) => attempt.follow(),
            Err(r) => attempt.error(r),
        }
    });
    #[allow(clippy::disallowed_methods)] // The one place that builds HTTP clients.
    let builder = reqwest::Client::builder();
    let mut builder = builder
        .no_proxy()
        .dns_resolver(CheckedResolver(policy.clone()))
        .redirect(redirect)
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(READ_TIMEOUT);
    if let Some(total) = total {
        builder = builder.timeout(total);
    }
    builder.build().map_err(|e| Error::internal("EGRESS-http1", format!("cannot build the HTTP client: {e}")))
}

/// An HTTP client whose every connection the policy checked.
#[derive(Debug, Clone)]
pub(crate) struct HttpClient {
    inner: reqwest::Client,
    policy: Arc<Policy>,
}

impl HttpClient {
    /// A request to `url`, refused at once when its host is.
    pub fn request(&self, method: reqwest::Method, url: &str) -> std::result::Result<reqwest::RequestBuilder, Refused> {
        // An unparseable URL fails in `send`, where reqwest parses it alike.
        if let Ok(parsed) = url::Url::parse(url) {
            self.policy.check_url(&parsed)?;
        }
        Ok(self.inner.request(method, url))
    }
}

/// The outbound side of an [`crate::App`]: its policy and its clients.
#[derive(Debug, Clone)]
pub(crate) struct Egress {
    policy: Arc<Policy>,
    /// For small documents: SAML metadata, OAuth tokens (short timeout).
    documents: HttpClient,
    /// For exports and imports: no overall timeout (the transfer has its
    /// own), a read timeout.
    transfer: HttpClient,
}

impl Egress {
    pub fn new(policy: &Policy) -> Result<Egress> {
        let policy = Arc::new(policy.clone());
        let documents = HttpClient { inner: build_client(&policy, Some(DOCUMENT_TIMEOUT))?, policy: policy.clone() };
        let transfer = HttpClient { inner: build_client(&policy, None)?, policy: policy.clone() };
        Ok(Egress { policy, documents, transfer })
    }

    pub fn documents(&self) -> &HttpClient {
        &self.documents
    }

    pub fn transfer(&self) -> &HttpClient {
        &self.transfer
    }

    /// Refuses `url` before anything is started when the policy refuses
    /// its host or every address of it (the connection is checked again).
    /// Other failures (a bad URL, a name that does not resolve) are left to
    /// the connection, which reports them.
    pub async fn preflight(&self, field: &str, url: &str) -> Result<()> {
        let Ok(parsed) = url::Url::parse(url) else { return Ok(()) };
        let refusal = match parsed.host() {
            Some(url::Host::Domain(name)) => {
                match tokio::time::timeout(CONNECT_TIMEOUT, self.policy.resolve(name)).await {
                    Ok(Err(ResolveError::Refused(r))) => Some(r),
                    _ => None,
                }
            }
            _ => self.policy.check_url(&parsed).err(),
        };
        match refusal {
            Some(r) => Err(refused(field, &r)),
            None => Ok(()),
        }
    }

    /// An S3 store builder whose requests go through the transfer client;
    /// bodies of successful answers are read up to `body_cap` bytes, and
    /// those of failed ones are dropped unread (they could be anything).
    pub fn s3(&self, body_cap: usize) -> object_store::aws::AmazonS3Builder {
        #[allow(clippy::disallowed_methods)] // Given our connector here, and only here.
        let builder = object_store::aws::AmazonS3Builder::new();
        builder.with_http_connector(S3Connector { http: self.transfer.clone(), body_cap })
    }

    /// A TCP connection to `host:port` (a name or an IP address) for
    /// protocols other than HTTP (SMTP, LDAP): the name and each address
    /// are checked; only checked addresses are tried, in order.
    pub async fn connect_tcp(&self, field: &str, host: &str, port: u16) -> Result<tokio::net::TcpStream> {
        let unreachable = |why: String| Error::unavailable("EGRESS-tcp01", format!("`{field}`: {why}"));
        let literal = host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().ok();
        let addresses = match literal {
            Some(ip) => {
                self.policy.check(None, ip).map_err(|r| refused(field, &r))?;
                vec![canonical(ip)]
            }
            None => match tokio::time::timeout(CONNECT_TIMEOUT, self.policy.resolve(host)).await {
                Ok(Ok(found)) => found,
                Ok(Err(ResolveError::Refused(r))) => return Err(refused(field, &r)),
                Ok(Err(e)) => return Err(unreachable(e.to_string())),
                Err(_) => return Err(unreachable(format!("resolving {host} took too long"))),
            },
        };
        let mut last = String::from("no address");
        for ip in addresses {
            #[allow(clippy::disallowed_methods)] // Checked above: the one place that opens TCP connections.
            let connecting = tokio::net::TcpStream::connect(SocketAddr::new(ip, port));
            match tokio::time::timeout(CONNECT_TIMEOUT, connecting).await {
                Ok(Ok(stream)) => return Ok(stream),
                Ok(Err(e)) => last = format!("cannot connect to {ip}:{port}: {e}"),
                Err(_) => last = format!("connecting to {ip}:{port} took too long"),
            }
        }
        Err(unreachable(last))
    }
}

/// A body larger than its cap.
#[derive(Debug)]
pub(crate) struct TooLarge(pub u64);

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the answer is larger than {} bytes", self.0)
    }
}

impl std::error::Error for TooLarge {}

/// Why a body could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    TooLarge(TooLarge),
    Failed(reqwest::Error),
}

/// Reads a response body into memory, stopping at `cap` bytes.
pub(crate) async fn read_capped(
    mut response: reqwest::Response,
    cap: usize,
) -> std::result::Result<Vec<u8>, ReadError> {
    let too_large = || ReadError::TooLarge(TooLarge(cap as u64));
    if response.content_length().is_some_and(|n| n > cap as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(ReadError::Failed)? {
        if body.len() + chunk.len() > cap {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[tokio::test]
    async fn names_resolve_to_checked_addresses_only() {
        let p = Policy::default()
            .deny("127.0.0.2")
            .unwrap()
            .resolve_override("mixed.test", vec![ip("127.0.0.2"), ip("127.0.0.3")])
            .resolve_override("bad.test", vec![ip("127.0.0.2"), ip("::ffff:169.254.169.254")]);
        assert_eq!(p.resolve("MIXED.test").await.unwrap(), vec![ip("127.0.0.3")]);
        match p.resolve("bad.test").await {
            Err(ResolveError::Refused(r)) => assert_eq!(r.target, "bad.test (127.0.0.2)"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(p.resolve("metadata.google.internal").await, Err(ResolveError::Refused(_))));
    }

    #[test]
    fn refusals_are_found_through_wrappers() {
        let r = Refused { target: "x".into(), rule: "deny x".into() };
        let io = std::io::Error::other(ResolveError::Refused(r.clone()));
        assert_eq!(find_refusal(&io), Some(&r));
        let plain = std::io::Error::other("nothing");
        assert_eq!(find_refusal(&plain), None);
    }

    #[tokio::test]
    async fn tcp_connections_are_checked() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let open = Egress::new(&Policy::default().resolve_override("here.test", vec![ip("127.0.0.1")])).unwrap();
        assert!(open.connect_tcp("host", "127.0.0.1", port).await.is_ok());
        assert!(open.connect_tcp("host", "here.test", port).await.is_ok());
        let closed = Egress::new(&Policy::default().deny("loopback").unwrap()).unwrap();
        for host in ["127.0.0.1", "[::ffff:127.0.0.1]", "localhost"] {
            let err = closed.connect_tcp("smtpHost", host, port).await.unwrap_err();
            assert_eq!(err.id, "EGRESS-deny1", "{host}: {err:?}");
            assert!(err.message.starts_with("`smtpHost`: "), "{}", err.message);
        }
        let err = open.connect_tcp("host", "169.254.169.254", 80).await.unwrap_err();
        assert_eq!(err.id, "EGRESS-deny1");
    }
}
