//! Which webhook URLs the gateway sends to. Only http(s); unless the operator allows
//! them (the sandbox does), no private, loopback, link-local or otherwise internal
//! address — checked on the URL as registered and again on every address a host name
//! resolves to when a delivery connects, so a name cannot be pointed inside later.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

pub(crate) const MAX_URL_LEN: usize = 2048;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum UrlRefusal {
    #[error("{0}")]
    Invalid(&'static str),
    #[error("points at a private or loopback address, which this gateway does not send to")]
    Private,
}

/// Checks a webhook URL as registered (and before each delivery).
pub(crate) fn check(raw: &str, allow_private: bool) -> Result<Url, UrlRefusal> {
    if raw.len() > MAX_URL_LEN {
        return Err(UrlRefusal::Invalid("must be at most 2048 characters"));
    }
    let url = Url::parse(raw).map_err(|_| UrlRefusal::Invalid("must be an absolute URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(UrlRefusal::Invalid("must be an http or https URL"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlRefusal::Invalid("must not carry credentials"));
    }
    if url.fragment().is_some() {
        return Err(UrlRefusal::Invalid("must not have a fragment"));
    }
    let internal = match url.host() {
        None => return Err(UrlRefusal::Invalid("must name a host")),
        Some(Host::Ipv4(ip)) => !is_public(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => !is_public(IpAddr::V6(ip)),
        Some(Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
    };
    if internal && !allow_private {
        return Err(UrlRefusal::Private);
    }
    Ok(url)
}

/// Whether `ip` is an address on the public internet.
pub(crate) fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_unspecified()
        || ip.is_multicast()
        || a == 0
        // Carrier-grade NAT, 100.64.0.0/10.
        || (a == 100 && (64..128).contains(&b))
        // IETF protocol assignments, 192.0.0.0/24.
        || (a == 192 && b == 0 && c == 0)
        // Benchmarking, 198.18.0.0/15.
        || (a == 198 && (b == 18 || b == 19))
        // Reserved, 240.0.0.0/4.
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // Unique local, fc00::/7.
        || (first & 0xfe00) == 0xfc00
        // Link-local, fe80::/10.
        || (first & 0xffc0) == 0xfe80
        // Documentation, 2001:db8::/32.
        || (first == 0x2001 && ip.segments()[1] == 0x0db8))
}

/// Resolves host names for webhook deliveries, keeping only public addresses: a name
/// that resolves only to internal ones fails to connect.
#[derive(Debug, Default)]
pub(crate) struct PublicResolver;

impl Resolve for PublicResolver {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let public: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| is_public(a.ip()))
                .collect();
            if public.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            let addrs: Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_urls_pass_and_internal_ones_need_the_operator() {
        assert!(check("https://shop.example/hooks", false).is_ok());
        assert!(check("http://93.184.215.14:8080/hooks?x=1", false).is_ok());
        for internal in [
            "http://127.0.0.1:8082/webhooks",
            "http://localhost/webhooks",
            "http://api.localhost./webhooks",
            "http://10.1.2.3/",
            "http://172.16.0.1/",
            "http://192.168.1.10/",
            "http://169.254.169.254/latest/meta-data",
            "http://100.64.0.1/",
            "http://0.0.0.0/",
            "http://[::1]/",
            "http://[fd00::1]/",
            "http://[fe80::1]/",
            "http://[::ffff:127.0.0.1]/",
        ] {
            assert_eq!(
                check(internal, false),
                Err(UrlRefusal::Private),
                "{internal}"
            );
            assert!(check(internal, true).is_ok(), "{internal}");
        }
    }

    #[test]
    fn malformed_urls_are_refused_whatever_the_operator_allows() {
        for bad in [
            "not a url",
            "/webhooks",
            "ftp://shop.example/x",
            "javascript:alert(1)",
            "https://user:pw@shop.example/x",
            "https://shop.example/x#frag",
            "file:///etc/passwd",
        ] {
            assert!(
                matches!(check(bad, true), Err(UrlRefusal::Invalid(_))),
                "{bad}"
            );
        }
        let long = format!("https://shop.example/{}", "a".repeat(MAX_URL_LEN));
        assert!(matches!(check(&long, true), Err(UrlRefusal::Invalid(_))));
    }

    #[tokio::test]
    async fn the_resolver_drops_internal_addresses() {
        let resolved = PublicResolver.resolve("localhost".parse().unwrap()).await;
        assert!(resolved.is_err());
    }
}
