//! Where a webhook may be sent. A subscriber names a URL and the server POSTs to it, so without
//! care anyone with the integration screen could make the server call its own database port,
//! the cloud's metadata service or an address on the internal network, and read the answers in
//! the delivery log.
//!
//! The rule: `https` only (plain `http` just to this machine's loopback, and only when the
//! development setting `IOM_WEBHOOKS_ALLOW_HTTP_LOOPBACK` says so); the host is resolved and
//! every address it resolves to must be public — not loopback, private (RFC 1918, ULA),
//! link-local, CGNAT, unspecified, multicast, broadcast, documentation, benchmarking, reserved
//! or a known metadata address. It is checked when subscribing and again before every
//! delivery, and the request then goes to the very address that was checked (no second DNS
//! answer can swap it) with redirects off.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use reqwest::Url;

/// Why a URL may not receive webhooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NotUrl,
    /// Not https (or http to loopback in development).
    Scheme,
    Credentials,
    /// The host resolves to nothing.
    Unresolvable,
    /// The host is or resolves to an address that is not public.
    Forbidden,
}

impl Refusal {
    /// For the subscriber's form.
    pub fn message_ru(self) -> &'static str {
        match self {
            Refusal::NotUrl => "Укажите адрес вида https://…",
            Refusal::Scheme => "Вебхуки отправляются только по адресам https://…",
            Refusal::Credentials => "Адрес не должен содержать имя пользователя или пароль.",
            Refusal::Unresolvable => "Не удалось найти узел с таким именем.",
            Refusal::Forbidden => {
                "Адрес запрещён: вебхуки не отправляются на внутренние, локальные и служебные адреса."
            }
        }
    }

    /// For the delivery log: a generic reason.
    pub fn reason_ru(self) -> &'static str {
        match self {
            Refusal::Unresolvable => REASON_CONNECT,
            _ => REASON_FORBIDDEN,
        }
    }
}

pub const REASON_FORBIDDEN: &str = "адрес запрещён";
pub const REASON_CONNECT: &str = "не удалось соединиться";

/// A checked destination: the URL and the address to connect to.
#[derive(Debug, Clone)]
pub struct Target {
    pub url: Url,
    /// The host name to pin to `addr`; none when the URL names an address.
    pub domain: Option<String>,
    pub addr: SocketAddr,
}

impl Target {
    /// A client that connects only to the checked address, follows no redirects and ignores
    /// proxy settings of the environment (a proxy would resolve the name again).
    pub fn client(&self) -> reqwest::Result<reqwest::Client> {
        let mut b = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10));
        if let Some(domain) = &self.domain {
            b = b.resolve(domain, self.addr);
        }
        b.build()
    }
}

/// Checks a URL and resolves its host.
pub async fn check(raw: &str, allow_http_loopback: bool) -> Result<Target, Refusal> {
    let url = Url::parse(raw.trim()).map_err(|_| Refusal::NotUrl)?;
    let https = match url.scheme() {
        "https" => true,
        "http" => false,
        _ => return Err(Refusal::Scheme),
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refusal::Credentials);
    }
    let port = url.port_or_known_default().ok_or(Refusal::NotUrl)?;
    let (domain, addrs) = match url.host().ok_or(Refusal::NotUrl)? {
        url::Host::Ipv4(a) => (None, vec![IpAddr::V4(a)]),
        url::Host::Ipv6(a) => (None, vec![IpAddr::V6(a)]),
        url::Host::Domain(d) => {
            let found =
                tokio::time::timeout(Duration::from_secs(5), tokio::net::lookup_host((d, port)))
                    .await
                    .map_err(|_| Refusal::Unresolvable)?
                    .map_err(|_| Refusal::Unresolvable)?;
            (Some(d.to_owned()), found.map(|s| s.ip()).collect())
        }
    };
    let addr = allowed(&addrs, https, allow_http_loopback)?;
    Ok(Target {
        url,
        domain,
        addr: SocketAddr::new(addr, port),
    })
}

/// The address to connect to, if every address of the host may be called.
fn allowed(addrs: &[IpAddr], https: bool, allow_http_loopback: bool) -> Result<IpAddr, Refusal> {
    let first = addrs.first().ok_or(Refusal::Unresolvable)?;
    let all_loopback = addrs.iter().all(|a| a.to_canonical().is_loopback());
    if allow_http_loopback && all_loopback {
        return Ok(*first);
    }
    // Every address, not just the first: a name that also resolves inside is refused.
    if addrs.iter().any(|a| !is_public(*a)) {
        return Err(Refusal::Forbidden);
    }
    if !https {
        return Err(Refusal::Scheme);
    }
    Ok(*first)
}

/// Whether an address is an ordinary public one.
pub fn is_public(addr: IpAddr) -> bool {
    match addr.to_canonical() {
        IpAddr::V4(a) => is_public_v4(a),
        IpAddr::V6(a) => is_public_v6(a),
    }
}

fn in_v4(a: Ipv4Addr, net: [u8; 4], prefix: u32) -> bool {
    let mask = u32::MAX.checked_shl(32 - prefix).unwrap_or(0);
    u32::from(a) & mask == u32::from(Ipv4Addr::from(net)) & mask
}

fn is_public_v4(a: Ipv4Addr) -> bool {
    const NOT_PUBLIC: &[([u8; 4], u32)] = &[
        ([0, 0, 0, 0], 8),        // "this network", unspecified
        ([10, 0, 0, 0], 8),       // private
        ([100, 64, 0, 0], 10),    // CGNAT (and Alibaba's metadata, 100.100.100.200)
        ([127, 0, 0, 0], 8),      // loopback
        ([169, 254, 0, 0], 16),   // link-local (cloud metadata 169.254.169.254)
        ([172, 16, 0, 0], 12),    // private
        ([192, 0, 0, 0], 24),     // IETF protocol assignments
        ([192, 0, 2, 0], 24),     // documentation
        ([192, 88, 99, 0], 24),   // 6to4 relay anycast
        ([192, 168, 0, 0], 16),   // private
        ([198, 18, 0, 0], 15),    // benchmarking
        ([198, 51, 100, 0], 24),  // documentation
        ([203, 0, 113, 0], 24),   // documentation
        ([224, 0, 0, 0], 4),      // multicast
        ([240, 0, 0, 0], 4),      // reserved, broadcast
        ([168, 63, 129, 16], 32), // Azure's platform endpoint (metadata)
    ];
    !NOT_PUBLIC.iter().any(|(net, p)| in_v4(a, *net, *p))
}

fn is_public_v6(a: Ipv6Addr) -> bool {
    let s = a.segments();
    let embedded_v4 = |hi: usize| {
        Ipv4Addr::new(
            (s[hi] >> 8) as u8,
            s[hi] as u8,
            (s[hi + 1] >> 8) as u8,
            s[hi + 1] as u8,
        )
    };
    if a.is_unspecified() || a.is_loopback() || a.is_multicast() {
        return false;
    }
    match s[0] {
        0xfc00..=0xfdff => return false, // unique local (fd00:ec2::254, AWS metadata)
        0xfe80..=0xfebf => return false, // link-local
        0xfec0..=0xfeff => return false, // site-local (deprecated)
        0x2001 if s[1] == 0x0db8 => return false, // documentation
        0x2001 if s[1] == 0 => return false, // Teredo: tunnels to anywhere
        0x2002 => return is_public_v4(embedded_v4(1)), // 6to4
        0x0064 if s[1] == 0xff9b => return is_public_v4(embedded_v4(6)), // NAT64
        0x0100 if s[1..4] == [0, 0, 0] => return false, // discard-only
        _ => {}
    }
    // IPv4-compatible (deprecated) ::a.b.c.d and other addresses in ::/96.
    if s[..6] == [0, 0, 0, 0, 0, 0] {
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn internal_and_special_addresses_are_not_public() {
        for a in [
            "127.0.0.1",
            "127.5.5.5",
            "0.0.0.0",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.100.100.200",
            "224.0.0.1",
            "255.255.255.255",
            "192.0.2.10",
            "198.51.100.7",
            "203.0.113.9",
            "198.18.0.1",
            "168.63.129.16",
            "::1",
            "::",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "fd00:ec2::254",
            "fc00::1",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::",
            "::127.0.0.1",
        ] {
            assert!(!is_public(ip(a)), "{a} must be refused");
        }
    }

    #[test]
    fn ordinary_internet_addresses_are_public() {
        for a in [
            "93.184.216.34",
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "2a00:1450:4010:c0b::64",
            "64:ff9b::808:808",
        ] {
            assert!(is_public(ip(a)), "{a} is public");
        }
    }

    #[tokio::test]
    async fn the_attacks_from_the_report_are_refused() {
        for (url, why) in [
            ("http://127.0.0.1:5432/", Refusal::Forbidden),
            (
                "https://169.254.169.254/latest/meta-data/",
                Refusal::Forbidden,
            ),
            ("http://localhost:8080/api/v1/me", Refusal::Forbidden),
            ("https://[::ffff:10.0.0.1]/", Refusal::Forbidden),
            ("http://93.184.216.34/hook", Refusal::Scheme),
            ("ftp://93.184.216.34/", Refusal::Scheme),
            ("https://user:pw@93.184.216.34/", Refusal::Credentials),
            ("not a url", Refusal::NotUrl),
        ] {
            assert_eq!(check(url, false).await.err(), Some(why), "{url}");
        }
    }

    #[tokio::test]
    async fn a_public_https_address_is_pinned_and_loopback_needs_the_development_setting() {
        let t = check("https://93.184.216.34:8443/hook", false)
            .await
            .unwrap();
        assert_eq!(t.addr, "93.184.216.34:8443".parse().unwrap());
        assert!(t.domain.is_none());
        let dev = check("http://localhost:9/hook", true).await.unwrap();
        assert!(dev.addr.ip().is_loopback() && dev.domain.as_deref() == Some("localhost"));
        assert_eq!(
            check("http://10.0.0.1/", true).await.err(),
            Some(Refusal::Forbidden),
            "the development setting opens loopback only"
        );
    }
}
