//! Where webhooks may go: never to Partnerly's own machine or its cloud's metadata
//! service (server-side request forgery), unless an operator allows it.
//!
//! An endpoint URL is an admin's input, and the delivery log shows what the target
//! answered, so a URL naming `127.0.0.1`, `169.254.169.254` (cloud metadata) or a host
//! on the private network would read internal services. The check is made on the
//! addresses the host resolves to at the moment of sending, by the HTTP client's own
//! resolver ([`GuardedResolver`]): a name that resolved to a public address when the
//! endpoint was created and to a private one later (DNS rebinding) is refused too.
//! URLs that name an IP address directly never reach a resolver and are checked by
//! [`TargetPolicy::check_url`].
//!
//! Refused by default: loopback, link-local (and so the metadata service),
//! unspecified, multicast and broadcast addresses, and the private ranges (RFC 1918,
//! carrier-grade NAT, IPv6 unique-local). `PARTNERLY_WEBHOOK_ALLOW_NETWORKS` lists
//! the networks that may be targets anyway, e.g. `10.20.0.0/16` where the vendor's
//! billing lives.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use ipnet::IpNet;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::client_ip::canonical;

/// Which addresses webhooks may be sent to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetPolicy {
    /// Networks allowed even though they are refused by default.
    allowed: Vec<IpNet>,
}

impl TargetPolicy {
    /// The default refusals, except for addresses in `allowed`.
    pub fn allowing(allowed: Vec<IpNet>) -> Self {
        Self { allowed }
    }

    /// Why `ip` may not be a webhook target; `None` when it may.
    pub fn refusal(&self, ip: IpAddr) -> Option<&'static str> {
        let ip = canonical(ip);
        if self.allowed.iter().any(|net| net.contains(&ip)) {
            return None;
        }
        kind_of_internal(ip)
    }

    /// Checks a URL whose host is an IP address (names are checked when resolved).
    pub fn check_url(&self, url: &str) -> Result<(), String> {
        let Ok(parsed) = reqwest::Url::parse(url) else {
            return Ok(());
        };
        let ip = match parsed.host() {
            Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
            _ => return Ok(()),
        };
        match self.refusal(ip) {
            Some(kind) => Err(refused(&ip.to_string(), ip, kind)),
            None => Ok(()),
        }
    }
}

/// The kind of an address that is not on the public internet.
fn kind_of_internal(ip: IpAddr) -> Option<&'static str> {
    let net = |s: &str| s.parse::<IpNet>().expect("a literal network");
    match ip {
        IpAddr::V4(v4) if v4.is_loopback() => Some("a loopback address"),
        IpAddr::V6(v6) if v6.is_loopback() => Some("a loopback address"),
        IpAddr::V4(v4) if v4.is_link_local() => Some("a link-local address"),
        IpAddr::V6(v6) if v6.is_unicast_link_local() => Some("a link-local address"),
        _ if ip.is_unspecified() => Some("an unspecified address"),
        _ if ip.is_multicast() => Some("a multicast address"),
        IpAddr::V4(v4) if v4.is_broadcast() => Some("the broadcast address"),
        IpAddr::V4(v4) if v4.is_private() => Some("a private address"),
        IpAddr::V4(_) if net("100.64.0.0/10").contains(&ip) => Some("a private address"),
        IpAddr::V4(_) if net("0.0.0.0/8").contains(&ip) => Some("an unspecified address"),
        IpAddr::V6(_) if net("fc00::/7").contains(&ip) => Some("a private address"),
        _ => None,
    }
}

fn refused(host: &str, ip: IpAddr, kind: &str) -> String {
    format!(
        "refused: {host} is {ip}, {kind}; webhooks are not sent to internal addresses \
         unless PARTNERLY_WEBHOOK_ALLOW_NETWORKS allows them"
    )
}

/// The webhook client's resolver: the system's, without the addresses the policy
/// refuses. A host with no other address fails with the reason.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    policy: Arc<TargetPolicy>,
}

impl GuardedResolver {
    pub fn new(policy: TargetPolicy) -> Self {
        Self {
            policy: Arc::new(policy),
        }
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut first_refusal = None;
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|addr| match policy.refusal(addr.ip()) {
                    Some(kind) => {
                        first_refusal.get_or_insert_with(|| refused(&host, addr.ip(), kind));
                        false
                    }
                    None => true,
                })
                .collect();
            if allowed.is_empty() {
                let reason = first_refusal.unwrap_or_else(|| format!("{host} has no address"));
                return Err(reason.into());
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn internal_addresses_are_refused_and_public_ones_are_not() {
        let policy = TargetPolicy::default();
        for internal in [
            "127.0.0.1",
            "::1",
            "169.254.169.254",
            "fe80::1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "100.64.0.1",
            "fd00::1",
            "0.0.0.0",
            "::",
            "224.0.0.1",
            "255.255.255.255",
            "::ffff:127.0.0.1",
        ] {
            assert!(policy.refusal(ip(internal)).is_some(), "{internal}");
        }
        for public in [
            "93.184.216.34",
            "2606:2800:220:1::1",
            "8.8.8.8",
            "172.32.0.1",
        ] {
            assert_eq!(policy.refusal(ip(public)), None, "{public}");
        }
        assert_eq!(
            policy.refusal(ip("169.254.169.254")),
            Some("a link-local address")
        );
    }

    #[test]
    fn allowed_networks_are_targets_and_only_they() {
        let policy = TargetPolicy::allowing(vec!["10.20.0.0/16".parse().unwrap()]);
        assert_eq!(policy.refusal(ip("10.20.3.4")), None);
        assert_eq!(policy.refusal(ip("10.21.3.4")), Some("a private address"));
        assert!(policy.check_url("http://10.20.3.4/hooks").is_ok());
        let refusal = policy.check_url("http://[::1]:8080/hooks").unwrap_err();
        assert!(refusal.contains("loopback"), "{refusal}");
        assert!(
            policy
                .check_url("https://billing.example.com/hooks")
                .is_ok()
        );
    }
}
