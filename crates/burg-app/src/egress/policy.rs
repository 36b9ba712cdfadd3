//! The egress policy: rules, how a host name and an address are decided,
//! and name resolution that hands out only the addresses that pass.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

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

/// What a rule says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Allow,
    Deny,
}

/// Where a rule comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    BuiltIn,
    Configured,
}

/// What the name rules say of a host that they do not refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Naming {
    /// An allow rule names it: it may reach ranges configuration denies.
    Named,
    /// No name rule matches it.
    Unnamed,
}

#[derive(Debug, Clone)]
struct Rule {
    target: Target,
    verdict: Verdict,
    origin: Origin,
    /// The value as given, for messages.
    text: String,
}

impl Rule {
    fn describe(&self) -> String {
        let verdict = match self.verdict {
            Verdict::Allow => "allow",
            Verdict::Deny => "deny",
        };
        match self.origin {
            Origin::BuiltIn => format!("built-in {verdict} {}", self.text),
            Origin::Configured => format!("{verdict} {}", self.text),
        }
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
            policy.add(value, Verdict::Deny, Origin::BuiltIn).expect("the built-in rules parse");
        }
        policy
    }
}

impl Policy {
    /// Adds allow rules: `values` is one rule or several separated by commas.
    pub fn allow(mut self, values: &str) -> std::result::Result<Policy, String> {
        self.add(values, Verdict::Allow, Origin::Configured)?;
        Ok(self)
    }

    /// Adds deny rules: `values` is one rule or several separated by commas.
    pub fn deny(mut self, values: &str) -> std::result::Result<Policy, String> {
        self.add(values, Verdict::Deny, Origin::Configured)?;
        Ok(self)
    }

    /// Answers `host` with `addresses` instead of asking DNS (for tests:
    /// a name that resolves to a refused address). Not configurable.
    pub fn resolve_override(mut self, host: &str, addresses: Vec<IpAddr>) -> Policy {
        self.overrides.insert(normal_name(host), addresses);
        self
    }

    fn add(&mut self, values: &str, verdict: Verdict, origin: Origin) -> std::result::Result<(), String> {
        for value in values.split(',') {
            let value = value.trim();
            for target in parse_target(value)? {
                self.rules.push(Rule { target, verdict, origin, text: value.to_string() });
            }
        }
        Ok(())
    }

    /// The verdict on a host name: `Ok(Naming::Named)` when an allow rule names it,
    /// `Ok(Naming::Unnamed)` when no name rule matches.
    pub fn check_name(&self, host: &str) -> std::result::Result<Naming, Refused> {
        let host = normal_name(host);
        let best = best(self.rules.iter().filter_map(|r| match &r.target {
            Target::Host(h) if *h == host => Some((r, u32::MAX)),
            Target::Below(suffix) if host.len() > suffix.len() && host.ends_with(suffix.as_str()) => {
                Some((r, suffix.len() as u32))
            }
            _ => None,
        }));
        match best {
            None => Ok(Naming::Unnamed),
            Some(rule) if rule.verdict == Verdict::Allow => Ok(Naming::Named),
            Some(rule) => Err(Refused { target: host, rule: rule.describe() }),
        }
    }

    /// The verdict on an address reached through `host` (`None` for an IP
    /// literal); `naming` is [`Policy::check_name`]'s answer for `host`.
    pub fn check_address(&self, host: Option<&str>, ip: IpAddr, naming: Naming) -> std::result::Result<(), Refused> {
        let ip = canonical(ip);
        let best = best(self.rules.iter().filter_map(|r| match &r.target {
            Target::Net(net) if net.contains(ip) => Some((r, u32::from(net.prefix))),
            _ => None,
        }));
        match best {
            None => Ok(()),
            Some(rule) if rule.verdict == Verdict::Allow => Ok(()),
            Some(rule) if naming == Naming::Named && rule.origin == Origin::Configured => Ok(()),
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
        let naming = match host {
            Some(h) => self.check_name(h)?,
            None => Naming::Unnamed,
        };
        self.check_address(host, ip, naming)
    }

    /// The addresses of `host` that may be connected to: the name is
    /// checked, then each address DNS (or an override) gives.
    pub async fn resolve(&self, host: &str) -> std::result::Result<Vec<IpAddr>, ResolveError> {
        let naming = self.check_name(host).map_err(ResolveError::Refused)?;
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
            match self.check_address(Some(&host), ip, naming) {
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
    pub(super) fn check_url(&self, url: &url::Url) -> std::result::Result<(), Refused> {
        match url.host() {
            Some(url::Host::Ipv4(ip)) => self.check_address(None, IpAddr::V4(ip), Naming::Unnamed),
            Some(url::Host::Ipv6(ip)) => self.check_address(None, IpAddr::V6(ip), Naming::Unnamed),
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
    candidates
        .max_by_key(|(r, precision)| (*precision, r.origin == Origin::Configured, r.verdict == Verdict::Deny))
        .map(|(r, _)| r)
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
        assert_eq!(p.check_name("s3.example.com"), Ok(Naming::Unnamed));
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
        assert_eq!(p.check_name("a.example.com"), Ok(Naming::Named));
        assert_eq!(p.check_name("A.B.Example.COM."), Ok(Naming::Named));
        assert_eq!(p.check_name("example.com"), Ok(Naming::Unnamed), "a wildcard matches names below the domain only");
        assert!(p.check_name("evil.example.com").is_err(), "an exact name beats a wildcard");
        // A named host reaches the ranges configuration denies, not the built-in ones.
        assert!(p.check(Some("s3.internal"), ip("10.0.0.5")).is_ok());
        assert!(p.check(Some("other.internal"), ip("10.0.0.5")).is_err());
        let err = p.check(Some("s3.internal"), ip("169.254.169.254")).unwrap_err();
        assert_eq!(err.target, "s3.internal (169.254.169.254)");
        // The metadata name can be allowed; its address needs its own allow.
        let p = Policy::default().allow("metadata.google.internal").unwrap();
        assert_eq!(p.check_name("metadata.google.internal"), Ok(Naming::Named));
        assert!(p.check(Some("metadata.google.internal"), ip("169.254.169.254")).is_err());
        let p = Policy::default().deny("*.example.com").unwrap().allow("*.ok.example.com").unwrap();
        assert_eq!(p.check_name("a.ok.example.com"), Ok(Naming::Named), "the longer wildcard wins");
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
}
