//! Who the reader is, as far as the network tells: the client address, read through trusted proxies only.

use std::net::IpAddr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The client's address. `X-Forwarded-For` is believed only when the direct peer is a trusted proxy, and then
/// read from the right, skipping further trusted proxies: the first untrusted hop is the client. Anyone can
/// write that header, so from an untrusted peer it means nothing.
pub fn client_ip(headers: &HeaderMap, peer: IpAddr, trusted_proxies: &[IpNet]) -> IpAddr {
    let trusted = |ip: &IpAddr| trusted_proxies.iter().any(|net| net.contains(ip));
    if !trusted(&peer) {
        return peer;
    }
    let hops = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if trusted(&ip) => client = ip,
            Ok(ip) => return ip,
            // A malformed hop ends what can be believed; the last trusted address stands.
            Err(_) => return client,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    fn forwarded(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn untrusted_peers_cannot_claim_another_address() {
        let proxies: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap_or_default()];
        assert_eq!(client_ip(&forwarded("198.51.100.1"), ip("203.0.113.9"), &proxies), ip("203.0.113.9"));
    }

    #[test]
    fn trusted_proxies_pass_the_client_address_through() {
        let proxies: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap_or_default()];
        let peer = ip("10.0.0.2");
        assert_eq!(client_ip(&forwarded("198.51.100.1"), peer, &proxies), ip("198.51.100.1"));
        // A spoofed first hop is ignored: the rightmost untrusted address is the client.
        assert_eq!(client_ip(&forwarded("1.2.3.4, 198.51.100.1, 10.0.0.7"), peer, &proxies), ip("198.51.100.1"));
        assert_eq!(client_ip(&forwarded("junk"), peer, &proxies), peer);
        assert_eq!(client_ip(&HeaderMap::new(), peer, &proxies), peer);
    }
}
