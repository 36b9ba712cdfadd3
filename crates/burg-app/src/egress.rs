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

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use burg_domain::{Error, Result};

/// How long a connection (name resolution included) may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a transfer may wait for the next bytes.
pub const READ_TIMEOUT: Duration = Duration::from_secs(60);
/// How long fetching a document (SAML metadata, an OAuth token) may take.
pub const DOCUMENT_TIMEOUT: Duration = Duration::from_secs(15);
/// Redirects followed, each checked like the first request.
pub const MAX_REDIRECTS: usize = 3;

/// Denied unless an allow rule lifts them: link-local (cloud metadata
/// services live there), the metadata addresses and names of the large
/// clouds, "this network", multicast, reserved and broadcast.
const BUILTIN_DENY: &[&str] = &[
    "0.0.0.0/8",
    "169.254.0.0/16",
    "169.254.169.254/32",
    "169.254.170.2/32",
    "100.100.100.200/32",
    "224.0.0.0/4",
    "240.0.0.0/4",
    "::/128",
    "fe80::/10",
    "fd00:ec2::254/128",
    "ff00::/8",
    "metadata",
    "metadata.google.internal",
    "metadata.goog",
    "instance-data",
    "instance-data.ec2.internal",
    "metadata.tencentyun.com",
];

/// The named sets a rule may use.
fn named_set(name: &str) -> Option<&'static [&'static str]> {
    match name {
        "loopback" => Some(&["127.0.0.0/8", "::1/128"]),
        "private" => Some(&["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"]),
        "link-local" => Some(&["169.254.0.0/16", "fe80::/10"]),
        _ => None,
    }
}

/// The address a connection really reaches: an IPv4 address written as
/// IPv6 (`::ffff:a.b.c.d`, NAT64's `64:ff9b::a.b.c.d`, the old
/// `::a.b.c.d`) is that IPv4 address.
pub fn canonical(ip: IpAddr) -> IpAddr {
    let IpAddr::V6(v6) = ip else { return ip };
    if let Some(v4) = v6.to_ipv4_mapped() {
        return v4.into();
    }
    let s = v6.segments();
    let embedded = Ipv4Addr::from(v6.to_bits() as u32);
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] || (s[..6] == [0; 6] && v6.to_bits() > 1) {
        return embedded.into();
    }
    ip
}

/// An address range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Net {
    addr: IpAddr,
    prefix: u8,
}

impl Net {
    /// The range of `prefix` bits of `addr`; ranges of IPv4 addresses
    /// written as IPv6 become IPv4 ranges.
    fn new(addr: IpAddr, prefix: u8) -> Net {
        match addr {
            IpAddr::V6(v6) if prefix >= 96 && v6.to_ipv4_mapped().is_some() => {
                Net::new(IpAddr::V4(Ipv4Addr::from(v6.to_bits() as u32)), prefix - 96)
            }
            IpAddr::V4(v4) => Net { addr: IpAddr::V4(Ipv4Addr::from(mask32(v4.to_bits(), prefix))), prefix },
            IpAddr::V6(v6) => Net { addr: IpAddr::V6(Ipv6Addr::from(mask128(v6.to_bits(), prefix))), prefix },
        }
    }

    /// Whether the (canonical) address is inside.
    fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => mask32(ip.to_bits(), self.prefix) == net.to_bits(),
            (IpAddr::V6(net), IpAddr::V6(ip)) => mask128(ip.to_bits(), self.prefix) == net.to_bits(),
            _ => false,
        }
    }
}

fn mask32(bits: u32, prefix: u8) -> u32 {
    if prefix == 0 { 0 } else { bits & (u32::MAX << (32 - u32::from(prefix.min(32)))) }
}

fn mask128(bits: u128, prefix: u8) -> u128 {
    if prefix == 0 { 0 } else { bits & (u128::MAX << (128 - u32::from(prefix.min(128)))) }
}

/// What a rule matches.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Net(Net),
    /// A host name, exactly.
    Host(String),
    /// Names below a domain: the suffix, with its leading dot.
    Below(String),
}

#[derive(Debug, Clone)]
struct Rule {
    target: Target,
    allow: bool,
    builtin: bool,
    /// The value as given, for messages.
    text: String,
}

impl Rule {
    fn describe(&self) -> String {
        let verdict = if self.allow { "allow" } else { "deny" };
        if self.builtin { format!("built-in {verdict} {}", self.text) } else { format!("{verdict} {}", self.text) }
    }
}

/// Why a connection is not made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The address or name refused (`name (address)` for a name's address).
    pub target: String,
    /// The rule that refused it, e.g. `built-in deny 169.254.0.0/16`.
    pub rule: String,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is refused by the egress policy", self.target)
    }
}

impl std::error::Error for Refused {}

/// Which outbound connections burg may make.
///
/// A rule is a CIDR (`10.0.0.0/8`), an IP address, a host name
/// (`s3.example.com`, or `*.example.com` for the names below it) or a named
/// set (`loopback`, `private`, `link-local`). The decision:
///
/// 1. A host name is decided by the most precise name rule that matches it
///    (an exact name before a wildcard, a longer wildcard before a shorter).
///    A deny refuses the connection; an allow "names" the host.
/// 2. Each address is decided by the most precise address rule that
///    contains it (the longest prefix). An allow, or no rule, lets it
///    through. A deny refuses it, except that a host named by an allow
///    rule may still reach addresses of ranges denied by configuration
///    (not those denied by the built-in rules).
/// 3. Ties: a configured rule beats a built-in one; among configured rules,
///    deny beats allow.
///
/// Built in are denials of link-local addresses (169.254.0.0/16, fe80::/10),
/// the cloud metadata addresses and names (169.254.169.254,
/// fd00:ec2::254, 100.100.100.200, metadata.google.internal, …),
/// unspecified, multicast, reserved and broadcast addresses. An allow of
/// that exact range or address lifts one (`--egress-allow
/// 169.254.169.254`); allowing `link-local` does not allow the metadata
/// addresses inside it. Loopback and private ranges are allowed until
/// denied (`--egress-deny loopback,private`).
#[derive(Debug, Clone)]
pub struct Policy {
    rules: Vec<Rule>,
    /// Host names with fixed answers, for tests.
    overrides: BTreeMap<String, Vec<IpAddr>>,
}

impl Default for Policy {
    fn default() -> Self {
        let mut policy = Policy { rules: Vec::new(), overrides: BTreeMap::new() };
        for value in BUILTIN_DENY {
            policy.add(value, false, true).expect("the built-in rules parse");
        }
        policy
    }
}

impl Policy {
    /// Adds allow rules: `values` is one rule or several separated by commas.
    pub fn allow(mut self, values: &str) -> std::result::Result<Policy, String> {
        self.add(values, true, false)?;
        Ok(self)
    }

    /// Adds deny rules: `values` is one rule or several separated by commas.
    pub fn deny(mut self, values: &str) -> std::result::Result<Policy, String> {
        self.add(values, false, false)?;
        Ok(self)
    }

    /// Answers `host` with `addresses` instead of asking DNS (for tests:
    /// a name that resolves to a refused address). Not configurable.
    pub fn resolve_override(mut self, host: &str, addresses: Vec<IpAddr>) -> Policy {
        self.overrides.insert(normal_name(host), addresses);
        self
    }

    fn add(&mut self, values: &str, allow: bool, builtin: bool) -> std::result::Result<(), String> {
        for value in values.split(',') {
            let value = value.trim();
            for target in parse_target(value)? {
                self.rules.push(Rule { target, allow, builtin, text: value.to_string() });
            }
        }
        Ok(())
    }

    /// The verdict on a host name: `Ok(true)` when an allow rule names it,
    /// `Ok(false)` when no name rule matches.
    pub fn check_name(&self, host: &str) -> std::result::Result<bool, Refused> {
        let host = normal_name(host);
        let best = best(self.rules.iter().filter_map(|r| match &r.target {
            Target::Host(h) if *h == host => Some((r, u32::MAX)),
            Target::Below(suffix) if host.len() > suffix.len() && host.ends_with(suffix.as_str()) => {
                Some((r, suffix.len() as u32))
            }
            _ => None,
        }));
        match best {
            None => Ok(false),
            Some(rule) if rule.allow => Ok(true),
            Some(rule) => Err(Refused { target: host, rule: rule.describe() }),
        }
    }

    /// The verdict on an address reached through `host` (`None` for an IP
    /// literal); `named` is [`Policy::check_name`]'s answer for `host`.
    pub fn check_address(&self, host: Option<&str>, ip: IpAddr, named: bool) -> std::result::Result<(), Refused> {
        let ip = canonical(ip);
        let best = best(self.rules.iter().filter_map(|r| match &r.target {
            Target::Net(net) if net.contains(ip) => Some((r, u32::from(net.prefix))),
            _ => None,
        }));
        match best {
            None => Ok(()),
            Some(rule) if rule.allow => Ok(()),
            Some(rule) if named && !rule.builtin => Ok(()),
            Some(rule) => Err(Refused {
                target: match host {
                    Some(h) => format!("{} ({ip})", normal_name(h)),
                    None => ip.to_string(),
                },
                rule: rule.describe(),
            }),
        }
    }

    /// Both checks: `host` (if any), then `ip`.
    pub fn check(&self, host: Option<&str>, ip: IpAddr) -> std::result::Result<(), Refused> {
        let named = match host {
            Some(h) => self.check_name(h)?,
            None => false,
        };
        self.check_address(host, ip, named)
    }

    /// The addresses of `host` that may be connected to: the name is
    /// checked, then each address DNS (or an override) gives.
    pub async fn resolve(&self, host: &str) -> std::result::Result<Vec<IpAddr>, ResolveError> {
        let named = self.check_name(host).map_err(ResolveError::Refused)?;
        let host = normal_name(host);
        let found: Vec<IpAddr> = match self.overrides.get(&host) {
            Some(fixed) => fixed.clone(),
            None => {
                tokio::net::lookup_host((host.as_str(), 0)).await.map_err(ResolveError::Dns)?.map(|a| a.ip()).collect()
            }
        };
        let mut first_refusal = None;
        let mut allowed = Vec::new();
        for ip in found {
            match self.check_address(Some(&host), ip, named) {
                Ok(()) => {
                    let ip = canonical(ip);
                    if !allowed.contains(&ip) {
                        allowed.push(ip);
                    }
                }
                Err(r) => {
                    first_refusal.get_or_insert(r);
                }
            }
        }
        match (allowed.is_empty(), first_refusal) {
            (false, _) => Ok(allowed),
            (true, Some(r)) => Err(ResolveError::Refused(r)),
            (true, None) => Err(ResolveError::Dns(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("{host} has no address"),
            ))),
        }
    }

    /// The check of a URL's host before a request: an IP literal by its
    /// address, a name by its name (its addresses are checked when it is
    /// resolved).
    fn check_url(&self, url: &url::Url) -> std::result::Result<(), Refused> {
        match url.host() {
            Some(url::Host::Ipv4(ip)) => self.check_address(None, IpAddr::V4(ip), false),
            Some(url::Host::Ipv6(ip)) => self.check_address(None, IpAddr::V6(ip), false),
            Some(url::Host::Domain(name)) => self.check_name(name).map(|_| ()),
            None => Ok(()),
        }
    }
}

/// Why a name gave no address to connect to.
#[derive(Debug)]
pub enum ResolveError {
    Refused(Refused),
    Dns(std::io::Error),
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResolveError::Refused(r) => r.fmt(f),
            ResolveError::Dns(e) => write!(f, "cannot resolve the name: {e}"),
        }
    }
}

impl std::error::Error for ResolveError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ResolveError::Refused(r) => Some(r),
            ResolveError::Dns(e) => Some(e),
        }
    }
}

/// The most precise rule; on a tie a configured rule, then a deny.
fn best<'a>(candidates: impl Iterator<Item = (&'a Rule, u32)>) -> Option<&'a Rule> {
    candidates.max_by_key(|(r, precision)| (*precision, !r.builtin, !r.allow)).map(|(r, _)| r)
}

fn normal_name(host: &str) -> String {
    host.trim().trim_end_matches('.').to_ascii_lowercase()
}

fn parse_target(value: &str) -> std::result::Result<Vec<Target>, String> {
    let bad = || {
        format!(
            "`{value}` is not a CIDR, an IP address, a host name (or *.domain) or one of loopback, private, link-local"
        )
    };
    let lower = value.to_ascii_lowercase();
    if lower.is_empty() {
        return Err("an empty value is not a rule".into());
    }
    if let Some(set) = named_set(&lower) {
        return set.iter().map(|v| parse_target(v).map(|mut t| t.remove(0))).collect();
    }
    let ip = |text: &str| text.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().ok();
    if let Some((addr, prefix)) = lower.split_once('/') {
        let addr = ip(addr).ok_or_else(bad)?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix: u8 = prefix.parse().ok().filter(|p| *p <= max).ok_or_else(bad)?;
        return Ok(vec![Target::Net(Net::new(addr, prefix))]);
    }
    if let Some(addr) = ip(&lower) {
        let prefix = if addr.is_ipv4() { 32 } else { 128 };
        return Ok(vec![Target::Net(Net::new(addr, prefix))]);
    }
    let name = lower.trim_end_matches('.');
    let (below, name) = match name.strip_prefix("*.") {
        Some(rest) => (true, rest),
        None => (false, name),
    };
    let label_ok = |l: &str| {
        !l.is_empty() && l.len() <= 63 && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    let labels: Vec<&str> = name.split('.').collect();
    let last_numeric = labels.last().is_some_and(|l| l.chars().all(|c| c.is_ascii_digit()));
    if name.len() > 253 || !labels.iter().all(|l| label_ok(l)) || last_numeric {
        return Err(bad());
    }
    Ok(vec![if below { Target::Below(format!(".{name}")) } else { Target::Host(name.to_string()) }])
}

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
    #[allow(dead_code)] // For the mail and LDAP features to come; tested below.
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

/// Gives object_store our client.
#[derive(Debug)]
struct S3Connector {
    http: HttpClient,
    body_cap: usize,
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
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn defaults_refuse_metadata_and_link_local_and_allow_the_rest() {
        let p = Policy::default();
        for refused in [
            "169.254.169.254",
            "169.254.1.1",
            "169.254.170.2",
            "100.100.100.200",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::",
            "fe80::1",
            "fd00:ec2::254",
            "ff02::1",
            // IPv4 written as IPv6 is the IPv4 address.
            "::ffff:169.254.169.254",
            "::ffff:a9fe:a9fe",
            "64:ff9b::169.254.169.254",
            "::169.254.169.254",
        ] {
            assert!(p.check(None, ip(refused)).is_err(), "{refused}");
        }
        for allowed in [
            "127.0.0.1",
            "127.0.0.2",
            "::1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "100.64.0.1",
            "fd12::1",
            "8.8.8.8",
        ] {
            assert!(p.check(None, ip(allowed)).is_ok(), "{allowed}");
        }
        for name in ["metadata.google.internal", "METADATA.goog.", "metadata", "instance-data.ec2.internal"] {
            let err = p.check_name(name).unwrap_err();
            assert!(err.rule.starts_with("built-in deny"), "{err:?}");
        }
        assert_eq!(p.check_name("s3.example.com"), Ok(false));
        let err = p.check(None, ip("::ffff:169.254.169.254")).unwrap_err();
        assert_eq!(err.target, "169.254.169.254");
    }

    #[test]
    fn most_precise_rule_wins_and_deny_wins_ties() {
        let p = Policy::default().deny("private").unwrap().allow("10.1.0.0/16").unwrap();
        assert!(p.check(None, ip("10.2.0.1")).is_err());
        assert!(p.check(None, ip("10.1.0.1")).is_ok());
        assert!(p.check(None, ip("::ffff:10.1.0.1")).is_ok(), "mapped addresses follow IPv4 rules");
        let p = Policy::default().deny("10.0.0.0/8").unwrap().allow("10.0.0.0/8").unwrap();
        assert!(p.check(None, ip("10.0.0.1")).is_err(), "deny wins a tie");
        // Built-in denials are lifted by a configured rule of the same precision only.
        let p = Policy::default().allow("link-local").unwrap();
        assert!(p.check(None, ip("169.254.1.1")).is_ok());
        assert!(p.check(None, ip("169.254.169.254")).is_err(), "the metadata address stays refused");
        let p = Policy::default().allow("169.254.169.254").unwrap();
        assert!(p.check(None, ip("169.254.169.254")).is_ok());
        let p = Policy::default().allow("0.0.0.0/0").unwrap();
        assert!(p.check(None, ip("169.254.1.1")).is_err(), "a wide allow does not lift a narrower denial");
    }

    #[test]
    fn host_rules() {
        let p = Policy::default()
            .deny("loopback,private")
            .unwrap()
            .allow("*.example.com,s3.internal")
            .unwrap()
            .deny("evil.example.com")
            .unwrap();
        assert_eq!(p.check_name("a.example.com"), Ok(true));
        assert_eq!(p.check_name("A.B.Example.COM."), Ok(true));
        assert_eq!(p.check_name("example.com"), Ok(false), "a wildcard matches names below the domain only");
        assert!(p.check_name("evil.example.com").is_err(), "an exact name beats a wildcard");
        // A named host reaches the ranges configuration denies, not the built-in ones.
        assert!(p.check(Some("s3.internal"), ip("10.0.0.5")).is_ok());
        assert!(p.check(Some("other.internal"), ip("10.0.0.5")).is_err());
        let err = p.check(Some("s3.internal"), ip("169.254.169.254")).unwrap_err();
        assert_eq!(err.target, "s3.internal (169.254.169.254)");
        // The metadata name can be allowed; its address needs its own allow.
        let p = Policy::default().allow("metadata.google.internal").unwrap();
        assert_eq!(p.check_name("metadata.google.internal"), Ok(true));
        assert!(p.check(Some("metadata.google.internal"), ip("169.254.169.254")).is_err());
        let p = Policy::default().deny("*.example.com").unwrap().allow("*.ok.example.com").unwrap();
        assert_eq!(p.check_name("a.ok.example.com"), Ok(true), "the longer wildcard wins");
        assert!(p.check_name("a.example.com").is_err());
    }

    #[test]
    fn values() {
        for good in [
            "10.0.0.0/8",
            " 10.0.0.1/8 ",
            "1.2.3.4",
            "::1",
            "[::1]",
            "fe80::/10",
            "::ffff:169.254.0.0/112",
            "s3.example.com",
            "*.example.com",
            "Example.COM.",
            "metadata",
            "loopback",
            "private",
            "link-local",
            "a,b,c",
        ] {
            assert!(Policy::default().allow(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "a,,b",
            "10.0.0.0/33",
            "::/129",
            "10.0.0.0/x",
            "300.1.1.1",
            "1.2.3",
            "http://example.com",
            "exa mple.com",
            "*.",
            "*",
            "a..b",
            "-/8",
        ] {
            let err = Policy::default().deny(bad).unwrap_err();
            assert!(!err.is_empty(), "{bad}");
        }
        let err = Policy::default().deny("10.0.0.0/33").unwrap_err();
        assert!(err.contains("`10.0.0.0/33`"), "{err}");
        // A mapped range is an IPv4 range.
        let p = Policy::default().deny("::ffff:10.0.0.0/104").unwrap();
        assert!(p.check(None, ip("10.9.9.9")).is_err());
        assert!(p.check(None, ip("11.0.0.1")).is_ok());
        // Host bits of a CIDR are ignored.
        let p = Policy::default().deny("192.168.7.7/16").unwrap();
        assert!(p.check(None, ip("192.168.200.1")).is_err());
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
