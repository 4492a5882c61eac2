//! Who is asking: the client's address, from the socket — or, when the socket's peer is a
//! proxy the operator trusts (`trusted-proxies`), from `X-Forwarded-For`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{FromRequestParts, Request, State};
use axum::http::Extensions;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

use crate::server::state::AppState;

/// The socket's peer, put on every request by the front door.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PeerAddress(pub SocketAddr);

/// The client's address, as the rate limits count it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ClientAddress(pub IpAddr);

/// The client behind `peer`: `peer` itself, unless it is a trusted proxy; then the nearest
/// address in `X-Forwarded-For` (read from the right, each proxy appending the one it saw)
/// that is not a trusted proxy too. The walk stops at the first hop that does not parse —
/// what lies left of it was written by someone not trusted — and then the last trusted hop
/// read is the client: a client cannot make its proxy's header disbelieved by prefixing it.
pub(crate) fn client_behind(
    peer: IpAddr,
    forwarded_for: Option<&str>,
    trusted: &[IpNet],
) -> IpAddr {
    let is_trusted = |address: &IpAddr| trusted.iter().any(|net| net.contains(address));
    let mut client = peer;
    if !is_trusted(&client) {
        return client;
    }
    let Some(forwarded) = forwarded_for else {
        return client;
    };
    for hop in forwarded.rsplit(',') {
        let Some(hop) = parse_hop(hop) else {
            return client;
        };
        client = hop;
        if !is_trusted(&client) {
            return client;
        }
    }
    client
}

/// One `X-Forwarded-For` hop: an address, as some proxies write it with a port too
/// (`198.51.100.7:4711`, `[2001:db8::1]:4711`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|socket| socket.ip()))
}

/// Middleware: puts the request's [`ClientAddress`] on it.
pub(crate) async fn resolve(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<PeerAddress>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |peer| peer.0.ip());
    let forwarded = request
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    let forwarded = (!forwarded.is_empty()).then_some(forwarded.as_str());
    let client = client_behind(peer, forwarded, &state.config.trusted_proxies);
    request.extensions_mut().insert(ClientAddress(client));
    next.run(request).await
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress::of(parts))
    }
}

impl ClientAddress {
    /// The address [`resolve`] put on the request; every request passes it, so one missing is
    /// counted as the unspecified address rather than let through unlimited.
    pub fn of(parts: &Parts) -> ClientAddress {
        ClientAddress::of_extensions(&parts.extensions)
    }

    /// The same, from a request's extensions.
    pub fn of_extensions(extensions: &Extensions) -> ClientAddress {
        extensions
            .get::<ClientAddress>()
            .copied()
            .unwrap_or(ClientAddress(IpAddr::V4(Ipv4Addr::UNSPECIFIED)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_socket_says_who_unless_it_is_a_trusted_proxy() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let forwarded = Some("198.51.100.7");
        assert_eq!(
            client_behind(ip("203.0.113.1"), forwarded, &trusted),
            ip("203.0.113.1")
        );
        assert_eq!(
            client_behind(ip("10.1.2.3"), forwarded, &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_behind(ip("10.1.2.3"), forwarded, &[]),
            ip("10.1.2.3")
        );
    }

    #[test]
    fn the_nearest_untrusted_hop_is_the_client_and_garbage_is_not_believed() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let proxy = ip("10.0.0.1");
        // A client can put anything first; the last hop a trusted proxy added is the truth.
        let chain = Some("1.2.3.4, 198.51.100.7, 10.0.0.2");
        assert_eq!(client_behind(proxy, chain, &trusted), ip("198.51.100.7"));
        assert_eq!(
            client_behind(proxy, Some("10.9.9.9"), &trusted),
            ip("10.9.9.9")
        );
        assert_eq!(
            client_behind(proxy, Some("not an address"), &trusted),
            proxy
        );
        assert_eq!(client_behind(proxy, None, &trusted), proxy);
    }

    #[test]
    fn garbage_a_client_prefixes_does_not_hide_the_hop_the_proxy_added() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let proxy = ip("10.0.0.1");
        assert_eq!(
            client_behind(proxy, Some("junk, 198.51.100.7"), &trusted),
            ip("198.51.100.7")
        );
        // Garbage right after trusted hops: the last trusted hop is as far as anyone knows.
        assert_eq!(
            client_behind(proxy, Some("198.51.100.7, junk, 10.0.0.2"), &trusted),
            ip("10.0.0.2")
        );
        assert_eq!(
            client_behind(proxy, Some("198.51.100.7:4711"), &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_behind(proxy, Some("[2001:db8::1]:4711"), &trusted),
            ip("2001:db8::1")
        );
        // Every hop trusted: the farthest one is the client.
        assert_eq!(
            client_behind(proxy, Some("10.0.0.9, 10.0.0.2"), &trusted),
            ip("10.0.0.9")
        );
    }
}
