//! The address a request comes from, as the rate limits count it and the sessions and the
//! audit log show it. Directly connected clients are their peer address. Behind a reverse
//! proxy every peer is the proxy, so `--trust-proxy` names the proxies: from those peers only,
//! the client is the rightmost address of `X-Forwarded-For` that is not itself a trusted
//! proxy (each proxy appends the address it saw, so everything left of that is whatever the
//! client chose to send). From any other peer the header is ignored.

use axum::http::HeaderMap;
use ipnet::IpNet;
use std::{net::IpAddr, str::FromStr};

/// The client's address, set on every request by the server's accept loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The client of a request whose `X-Forwarded-For`, from a trusted proxy, names it in a form
/// that is no address: `0.0.0.0`, which is not this machine. Such requests cannot be told
/// apart, so they share one rate limit.
pub const UNKNOWN_CLIENT: IpAddr = IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED);

/// The peers whose `X-Forwarded-For` is believed: `--trust-proxy 10.0.0.0/8,192.0.2.7`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl FromStr for TrustedProxies {
    type Err = String;

    /// Comma-separated networks (`10.0.0.0/8`, `fd00::/8`) or single addresses; empty is none.
    fn from_str(s: &str) -> Result<Self, String> {
        s.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<IpNet>()
                    .or_else(|_| p.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("not an address or a network (CIDR): {p:?}"))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

impl TrustedProxies {
    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(&ip))
    }

    /// What a connection from `peer` counts under for `--max-connections-per-client`: the
    /// peer's address as [`Self::client`] resolves it without headers (an IPv4-mapped IPv6
    /// address is its IPv4 one), an IPv6 peer's /64 network, or `None` for a trusted proxy,
    /// whose connections carry many clients.
    pub fn connection_key(&self, peer: IpAddr) -> Option<IpAddr> {
        let peer = peer.to_canonical();
        if self.trusts(peer) {
            return None;
        }
        Some(match peer {
            IpAddr::V4(_) => peer,
            IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        })
    }

    /// The client address of a request from `peer` carrying `headers`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return peer;
        }
        let forwarded: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        let mut client = peer;
        for hop in forwarded.iter().rev() {
            // An entry that is no address (`ip:port`, `[::1]`, `unknown`) names a client we
            // cannot identify: an unknown client, never the proxy itself (which may be this
            // machine, and `/metrics` answers this machine).
            let Ok(ip) = hop.parse::<IpAddr>().map(|ip| ip.to_canonical()) else {
                return UNKNOWN_CLIENT;
            };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(trusted: &str, peer: &str, xff: &[&str]) -> String {
        let mut headers = HeaderMap::new();
        for v in xff {
            headers.append("x-forwarded-for", v.parse().unwrap());
        }
        let t: TrustedProxies = trusted.parse().unwrap();
        t.client(peer.parse().unwrap(), &headers).to_string()
    }

    #[test]
    fn a_connection_counts_under_its_peer_or_its_ipv6_network_and_a_proxy_is_not_capped() {
        let t: TrustedProxies = "10.0.0.0/8".parse().unwrap();
        let key = |peer: &str| {
            t.connection_key(peer.parse().unwrap())
                .map(|k| k.to_string())
        };
        assert_eq!(key("198.51.100.1").as_deref(), Some("198.51.100.1"));
        assert_eq!(key("::ffff:198.51.100.1").as_deref(), Some("198.51.100.1"));
        assert_eq!(
            key("2001:db8:1:2:3:4:5:6").as_deref(),
            Some("2001:db8:1:2::")
        );
        assert_eq!(key("10.1.2.3"), None);
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_peer() {
        assert_eq!(client("", "198.51.100.1", &["203.0.113.9"]), "198.51.100.1");
        assert_eq!(
            client("10.0.0.0/8", "198.51.100.1", &["203.0.113.9"]),
            "198.51.100.1"
        );
        assert_eq!(
            client("10.0.0.0/8", "10.1.2.3", &["203.0.113.9"]),
            "203.0.113.9"
        );
        assert_eq!(client("10.1.2.3", "10.1.2.3", &[]), "10.1.2.3");
    }

    #[test]
    fn the_client_is_the_rightmost_hop_that_is_not_a_trusted_proxy() {
        // The client put a forged address first; our two proxies appended theirs.
        let spoofed = ["1.2.3.4, 203.0.113.9", "10.0.0.5"];
        assert_eq!(client("10.0.0.0/8", "10.0.0.6", &spoofed), "203.0.113.9");
        assert_eq!(
            client("10.0.0.0/8", "10.0.0.6", &["10.0.0.7, 10.0.0.5"]),
            "10.0.0.7",
            "only proxies: the leftmost one"
        );
        for garbage in ["garbage", "203.0.113.9:443", "[::1]", "unknown"] {
            assert_eq!(
                client(
                    "10.0.0.0/8",
                    "10.0.0.6",
                    &[&format!("203.0.113.9, {garbage}")]
                ),
                "0.0.0.0",
                "a hop that is no address is an unknown client: {garbage}"
            );
            assert_eq!(
                client("127.0.0.1", "127.0.0.1", &[garbage]),
                "0.0.0.0",
                "never the proxy's own loopback address: {garbage}"
            );
        }
        assert_eq!(
            client("::1", "::1", &["2001:db8::1"]),
            "2001:db8::1",
            "IPv6"
        );
        assert_eq!(
            client("127.0.0.1", "::ffff:127.0.0.1", &["203.0.113.9"]),
            "203.0.113.9",
            "an IPv4 peer on an IPv6 socket"
        );
    }

    #[test]
    fn a_bad_list_is_refused() {
        assert!("10.0.0.0/33".parse::<TrustedProxies>().is_err());
        assert!("proxy.example".parse::<TrustedProxies>().is_err());
        assert_eq!(
            " 10.0.0.0/8 , ::1 "
                .parse::<TrustedProxies>()
                .unwrap()
                .0
                .len(),
            2
        );
    }
}
