//! Where bots may call: a model's base URL and a webhook are set by any bot's owner, so by
//! default they may reach only public addresses — not this machine, its private network, link-
//! local metadata services nor shared address space. The check is made on the addresses a name
//! resolves to (a resolver of our own, so a name cannot be switched to a private address after
//! it was checked) and on addresses written in the URL. `bot-private-addresses = true` lifts it
//! (a model served on the same machine, the tests).

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::Url;

/// Is `ip` an address of the public internet?
pub(crate) fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_unspecified()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b)))
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public(IpAddr::V4(v4)),
            None => {
                let first = v6.segments()[0];
                !(v6.is_loopback()
                    || v6.is_unspecified()
                    || (first & 0xfe00) == 0xfc00
                    || (first & 0xffc0) == 0xfe80)
            }
        },
    }
}

/// Why `url` may not be called, when its host is an address that is not public.
pub(crate) fn refused_address(url: &str) -> Option<String> {
    let host = Url::parse(url).ok()?.host()?.to_owned();
    let ip = match host {
        url::Host::Ipv4(ip) => IpAddr::V4(ip),
        url::Host::Ipv6(ip) => IpAddr::V6(ip),
        url::Host::Domain(_) => return None,
    };
    (!is_public(ip)).then(|| format!("{ip} is not a public address"))
}

/// A resolver that keeps only public addresses.
pub(crate) struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let lookup = async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|address| is_public(address.ip()))
                .collect();
            if found.is_empty() {
                return Err(format!("{host} has no public address").into());
            }
            Ok(Box::new(found.into_iter()) as Addrs)
        };
        Box::pin(lookup) as Pin<Box<dyn Future<Output = _> + Send>>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_public_internet_is_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fc00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["1.1.1.1", "93.184.216.34", "2606:4700::1111"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
        assert!(refused_address("http://127.0.0.1:8080/v1").is_some());
        assert!(refused_address("http://[::1]/hook").is_some());
        assert!(refused_address("https://example.org/v1").is_none());
    }
}
