//! The client's IP address, for per-IP rate limits, behind proxies we trust.
//!
//! Behind a load balancer the socket peer is the proxy; the client is in
//! `X-Forwarded-For`, where every proxy appends the address it received the request
//! from. Only the right-hand end of that list is written by our proxies: the client
//! writes whatever it likes on the left. So the client is the right-most address
//! that is not one of our proxies, read from the right, starting only when the socket
//! peer itself is a trusted proxy. An entry that is not an IP address is never taken
//! as the client: the walk stops there and the hop to its right (the last proxy) is
//! the address used.

use std::net::IpAddr;

use actix_web::HttpRequest;
use ipnet::IpNet;

/// The networks whose addresses are our own proxies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

/// The networks trusted when `PARTNERLY_TRUST_PROXY` is on and no list is configured:
/// loopback and the private ranges, where a vendor's load balancer usually lives.
pub const DEFAULT_TRUSTED: &str =
    "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7";

impl Default for TrustedProxies {
    /// [`DEFAULT_TRUSTED`].
    fn default() -> Self {
        let net = |s: &str| s.parse::<IpNet>().ok();
        Self(DEFAULT_TRUSTED.split(',').filter_map(net).collect())
    }
}

impl TrustedProxies {
    /// Parses a comma- or space-separated list of CIDR blocks or single addresses.
    pub fn parse(list: &str) -> Result<Self, String> {
        parse_networks(list).map(Self)
    }

    fn contains(&self, ip: &IpAddr) -> bool {
        let ip = canonical(*ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client address of a request that came from `peer` with these
    /// `X-Forwarded-For` values (every header line, in order).
    pub fn client(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        let mut client = canonical(peer);
        if !self.contains(&client) {
            return client;
        }
        let hops = forwarded_for.iter().flat_map(|line| line.split(','));
        for hop in hops.collect::<Vec<_>>().into_iter().rev() {
            let Some(ip) = parse_hop(hop) else {
                tracing::debug!("X-Forwarded-For holds a value that is not an address");
                return client;
            };
            client = ip;
            if !self.contains(&ip) {
                return ip;
            }
        }
        client
    }
}

/// An IPv4 address mapped into IPv6 is the IPv4 address.
/// Parses a comma- or space-separated list of CIDR blocks or single addresses.
pub fn parse_networks(list: &str) -> Result<Vec<IpNet>, String> {
    list.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("{s:?} is not an IP address or CIDR block"))
        })
        .collect()
}

/// An IPv4 address written as IPv6 (`::ffff:10.0.0.1`) as the IPv4 address it is.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// One `X-Forwarded-For` entry: an address, possibly `[v6]:port` or `v4:port`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    hop.parse::<std::net::SocketAddr>()
        .ok()
        .map(|a| canonical(a.ip()))
}

/// The client's IP: the socket peer, or, when `proxies` is set (`PARTNERLY_TRUST_PROXY`),
/// the right-most untrusted address of `X-Forwarded-For`.
pub fn client_ip(req: &HttpRequest, proxies: Option<&TrustedProxies>) -> String {
    let Some(peer) = req.peer_addr().map(|a| a.ip()) else {
        return "unknown".into();
    };
    let Some(proxies) = proxies else {
        return canonical(peer).to_string();
    };
    let lines: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .collect();
    proxies.client(peer, &lines).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn default() -> TrustedProxies {
        TrustedProxies::default()
    }

    #[test]
    fn a_client_cannot_choose_its_address_by_prepending_to_the_header() {
        // The client sent "1.2.3.4"; our proxy appended the client's real address.
        let client = default().client(ip("10.0.0.5"), &["1.2.3.4, 203.0.113.9"]);
        assert_eq!(client, ip("203.0.113.9"));
    }

    #[test]
    fn proxies_in_a_chain_are_skipped_from_the_right() {
        let client = default().client(ip("127.0.0.1"), &["198.51.100.7, 10.1.1.1", "192.168.0.2"]);
        assert_eq!(client, ip("198.51.100.7"));
    }

    #[test]
    fn the_header_is_ignored_when_the_peer_is_not_a_trusted_proxy() {
        let client = default().client(ip("203.0.113.50"), &["1.2.3.4"]);
        assert_eq!(client, ip("203.0.113.50"));
    }

    #[test]
    fn a_value_that_is_not_an_address_is_never_the_client() {
        let client = default().client(ip("10.0.0.5"), &["evil, 10.0.0.9"]);
        assert_eq!(client, ip("10.0.0.9"));
        let client = default().client(ip("10.0.0.5"), &["not-an-ip"]);
        assert_eq!(client, ip("10.0.0.5"));
    }

    #[test]
    fn ports_and_mapped_addresses_are_read() {
        let client = default().client(ip("::ffff:10.0.0.5"), &["[2001:db8::1]:4711"]);
        assert_eq!(client, ip("2001:db8::1"));
        let client = default().client(ip("10.0.0.5"), &["198.51.100.7:80"]);
        assert_eq!(client, ip("198.51.100.7"));
    }

    #[test]
    fn the_default_is_the_documented_list() {
        assert_eq!(
            TrustedProxies::default(),
            TrustedProxies::parse(DEFAULT_TRUSTED).unwrap()
        );
        assert_eq!(TrustedProxies::default().0.len(), 6);
    }

    #[test]
    fn lists_of_blocks_and_addresses_parse_and_bad_ones_do_not() {
        let proxies = TrustedProxies::parse("203.0.113.0/24 2001:db8::1").unwrap();
        assert!(proxies.contains(&ip("203.0.113.77")));
        assert!(proxies.contains(&ip("2001:db8::1")));
        assert!(!proxies.contains(&ip("10.0.0.1")));
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.internal").is_err());
    }
}
