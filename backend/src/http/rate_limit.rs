//! Limits on the public routes, each a keyed token bucket (the `governor` crate): per
//! client address on the widget API, the hosted pages and receipts; per connector on
//! bank notifications; per order on payment attempts. A request over its limit gets
//! `429 rate_limited` with `Retry-After` and changes nothing; other keys are unaffected.

use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use paydesk_shared::ErrorCode;

use crate::config::RateLimits;
use crate::domain::ids::{OrderId, order_of_client_token};
use crate::http::auth::bearer;
use crate::http::error::ApiError;
use crate::state::AppState;

/// One limit: a bucket per key, or nothing when the limit is off.
struct Limit<K: Hash + Eq + Clone>(Option<DefaultKeyedRateLimiter<K>>);

impl<K: Hash + Eq + Clone> Limit<K> {
    fn new(quota: Option<Quota>) -> Self {
        Limit(quota.map(RateLimiter::keyed))
    }

    /// `Err(seconds to wait)` when `key` is over its limit.
    fn check(&self, key: &K) -> Result<(), u64> {
        let Some(limiter) = &self.0 else {
            return Ok(());
        };
        limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            // Whole seconds, rounded up: a client that waits that long is served.
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }

    /// Forgets keys whose buckets are full again.
    fn forget_idle(&self) {
        if let Some(limiter) = &self.0 {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// The gateway's limits, shared by every request.
pub(crate) struct Limits {
    clients: Limit<IpAddr>,
    banks: Limit<String>,
    attempts: Limit<OrderId>,
    trust_forwarded_for: bool,
}

impl Limits {
    pub(crate) fn new(config: &RateLimits) -> Arc<Self> {
        let per_second = |n: NonZeroU32| Quota::per_second(n).allow_burst(twice(n));
        let per_minute = |n: NonZeroU32| Quota::per_minute(n).allow_burst(n);
        Arc::new(Limits {
            clients: Limit::new(config.client_per_second.map(per_second)),
            banks: Limit::new(config.bank_per_second.map(per_second)),
            attempts: Limit::new(config.attempts_per_minute.map(per_minute)),
            trust_forwarded_for: config.trust_forwarded_for,
        })
    }

    /// Drops the buckets of keys not seen lately, so memory follows the active clients.
    pub(crate) fn forget_idle(&self) {
        self.clients.forget_idle();
        self.banks.forget_idle();
        self.attempts.forget_idle();
    }

    /// The address a request came from: the peer, or behind a trusted proxy the address
    /// the proxy appended to `X-Forwarded-For`.
    fn client(&self, request: &Request) -> IpAddr {
        let forwarded = self
            .trust_forwarded_for
            .then(|| last_forwarded_for(request.headers()))
            .flatten();
        forwarded.unwrap_or_else(|| {
            request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip())
        })
    }
}

fn twice(n: NonZeroU32) -> NonZeroU32 {
    n.saturating_mul(NonZeroU32::new(2).expect("2 is not zero"))
}

fn last_forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    let value = headers.get_all("x-forwarded-for").iter().next_back()?;
    value.to_str().ok()?.rsplit(',').next()?.trim().parse().ok()
}

/// `route_layer(from_fn_with_state(state, rate_limit::per_client))`.
pub(crate) async fn per_client(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let limits = &state.limits;
    let checked = limits.clients.check(&limits.client(&request));
    admit(checked, "from this address", request, next).await
}

/// On `/v1/bank/notifications/{connector}`: one bucket per connector name.
pub(crate) async fn per_connector(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let connector = request.uri().path().rsplit('/').next().unwrap_or_default();
    let checked = state.limits.banks.check(&connector.to_owned());
    admit(checked, "for this bank connector", request, next).await
}

/// On `POST /v1/widget/attempts`: one bucket per order, named by its client token. A
/// request without a well-formed token passes on to be refused as unauthenticated.
pub(crate) async fn per_order(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let order = bearer(request.headers()).and_then(order_of_client_token);
    let checked = order.map_or(Ok(()), |order| state.limits.attempts.check(&order));
    admit(checked, "for this order", request, next).await
}

/// Runs the request if its limit let it through, else answers 429.
async fn admit(checked: Result<(), u64>, whose: &str, request: Request, next: Next) -> Response {
    match checked {
        Ok(()) => next.run(request).await,
        Err(wait) => too_many(wait, whose),
    }
}

fn too_many(wait_s: u64, whose: &str) -> Response {
    let mut response = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::RateLimited,
        format!("too many requests {whose}; try again in {wait_s} s"),
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(wait_s));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_second: u32) -> Arc<Limits> {
        Limits::new(&RateLimits {
            client_per_second: NonZeroU32::new(per_second),
            ..RateLimits::OFF
        })
    }

    #[test]
    fn a_key_is_served_its_burst_then_told_when_to_come_back() {
        let limits = limits(5);
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        for _ in 0..10 {
            assert_eq!(limits.clients.check(&a), Ok(()));
        }
        assert_eq!(
            limits.clients.check(&a),
            Err(1),
            "a fifth of a second, rounded up"
        );
        assert_eq!(
            limits.clients.check(&b),
            Ok(()),
            "another key has its own bucket"
        );
    }

    #[test]
    fn a_limit_that_is_off_never_refuses() {
        let limits = Limits::new(&RateLimits::OFF);
        for _ in 0..10_000 {
            assert_eq!(limits.banks.check(&"sandbox".to_owned()), Ok(()));
        }
    }

    #[test]
    fn the_forwarded_address_is_the_last_one_the_proxy_appended() {
        let mut headers = HeaderMap::new();
        headers.append(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.7".parse().unwrap(),
        );
        assert_eq!(
            last_forwarded_for(&headers),
            Some("198.51.100.7".parse().unwrap())
        );
        headers.insert("x-forwarded-for", "not an address".parse().unwrap());
        assert_eq!(last_forwarded_for(&headers), None);
    }
}
