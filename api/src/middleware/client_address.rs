//! The client's address: the one function every user of "where did this request come from"
//! asks (sign-in throttling, the verification limit, integration allow-lists, the audit log).
//!
//! It is the TCP peer, unless the peer is one of the reverse proxies named in
//! `IOM_TRUSTED_PROXIES`: then `X-Forwarded-For` is read from the right, skipping trusted hops,
//! and the first untrusted address is the client. A header from anyone else is ignored, since
//! a client can write anything there.

use std::net::{IpAddr, SocketAddr};

use actix_web::HttpRequest;
use actix_web::http::header::HeaderMap;
use ipnet::IpNet;

use crate::state::AppState;

tokio::task_local! {
    static CLIENT_ADDRESS: Option<IpAddr>;
}

/// The client address of the request being served, if any (for the audit log).
pub fn current() -> Option<IpAddr> {
    CLIENT_ADDRESS.try_with(|a| *a).ok().flatten()
}

/// Runs `f` with `address` as the request's client address.
pub async fn scope<F: Future>(address: Option<IpAddr>, f: F) -> F::Output {
    CLIENT_ADDRESS.scope(address, f).await
}

/// The client address of a request.
pub fn of(req: &HttpRequest) -> Option<IpAddr> {
    let trusted = req
        .app_data::<actix_web::web::Data<AppState>>()
        .map(|s| s.settings.trusted_proxies.as_slice())
        .unwrap_or_default();
    from_parts(req.peer_addr(), req.headers(), trusted)
}

fn from_parts(peer: Option<SocketAddr>, headers: &HeaderMap, trusted: &[IpNet]) -> Option<IpAddr> {
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .collect();
    resolve(peer.map(|p| p.ip()), &forwarded, trusted)
}

/// The rule, pure: `forwarded_for` are the `X-Forwarded-For` header lines in order.
pub fn resolve(peer: Option<IpAddr>, forwarded_for: &[&str], trusted: &[IpNet]) -> Option<IpAddr> {
    let is_trusted = |a: &IpAddr| trusted.iter().any(|n| n.contains(a));
    let peer = peer?.to_canonical();
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let mut client = peer;
    let hops = forwarded_for
        .iter()
        .flat_map(|line| line.split(','))
        .map(str::trim);
    for hop in hops.rev() {
        // Garbage in the chain: nothing to its left can be believed; the last trusted hop
        // stands for the client.
        let Some(addr) = parse_hop(hop) else { break };
        client = addr;
        if !is_trusted(&addr) {
            break;
        }
    }
    Some(client)
}

/// `203.0.113.7`, `203.0.113.7:5100`, `2001:db8::1` or `[2001:db8::1]:5100`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|a| a.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says() {
        let got = resolve(Some(ip("198.51.100.4")), &["203.0.113.9"], &[]);
        assert_eq!(got, Some(ip("198.51.100.4")));
    }

    #[test]
    fn a_spoofed_header_from_an_untrusted_peer_is_ignored() {
        let trusted = nets(&["10.0.0.0/8"]);
        let got = resolve(Some(ip("198.51.100.4")), &["10.1.1.1"], &trusted);
        assert_eq!(got, Some(ip("198.51.100.4")));
    }

    #[test]
    fn behind_a_trusted_proxy_the_rightmost_untrusted_hop_is_the_client() {
        let trusted = nets(&["10.0.0.0/8"]);
        // The client wrote a fake first hop; the proxy appended what it saw.
        let got = resolve(
            Some(ip("10.0.0.2")),
            &["1.1.1.1, 203.0.113.7", "10.0.0.5"],
            &trusted,
        );
        assert_eq!(got, Some(ip("203.0.113.7")));
    }

    #[test]
    fn ports_brackets_and_mapped_addresses_are_understood() {
        let trusted = nets(&["127.0.0.1/32"]);
        assert_eq!(
            resolve(
                Some(ip("::ffff:127.0.0.1")),
                &["203.0.113.7:5100"],
                &trusted
            ),
            Some(ip("203.0.113.7"))
        );
        assert_eq!(
            resolve(Some(ip("127.0.0.1")), &["[2001:db8::1]:443"], &trusted),
            Some(ip("2001:db8::1"))
        );
    }

    #[test]
    fn garbage_or_a_chain_of_only_proxies_stops_at_the_last_believable_hop() {
        let trusted = nets(&["10.0.0.0/8"]);
        assert_eq!(
            resolve(Some(ip("10.0.0.2")), &["203.0.113.7, unknown"], &trusted),
            Some(ip("10.0.0.2"))
        );
        assert_eq!(
            resolve(Some(ip("10.0.0.2")), &["10.0.0.9"], &trusted),
            Some(ip("10.0.0.9"))
        );
        assert_eq!(
            resolve(Some(ip("10.0.0.2")), &[], &trusted),
            Some(ip("10.0.0.2"))
        );
        assert_eq!(resolve(None, &["203.0.113.7"], &trusted), None);
    }
}
