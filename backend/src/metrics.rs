//! What `/metrics` shows, in the Prometheus (OpenMetrics) text format: requests by
//! route, method and status with their latency, counted as they are answered; and what
//! the database holds, read when scraped (so every replica shows the same backlog).

use std::sync::atomic::AtomicU64;
use std::time::Duration;

use axum::http::Method;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::domain::time::Millis;
use crate::store::{Store, StoreError};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabel {
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    pool: &'static str,
    state: &'static str,
}

fn latency_histogram() -> Histogram {
    // 1 ms to ~16 s, doubling.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// The gateway's metrics; one per process, shared by every request.
pub(crate) struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    inbox_backlog: Gauge,
    deliveries: Family<StateLabel, Gauge>,
    oldest_pending: Gauge<f64, AtomicU64>,
    ledger_transactions: Gauge,
    settlements: Gauge,
    payouts: Family<StateLabel, Gauge>,
    connections: Family<PoolLabels, Gauge>,
}

impl Metrics {
    pub(crate) fn new() -> Self {
        let mut m = Metrics {
            registry: Registry::with_prefix("paydesk"),
            requests: Family::default(),
            latency: Family::new_with_constructor(latency_histogram),
            inbox_backlog: Gauge::default(),
            deliveries: Family::default(),
            oldest_pending: Gauge::default(),
            ledger_transactions: Gauge::default(),
            settlements: Gauge::default(),
            payouts: Family::default(),
            connections: Family::default(),
        };
        let r = &mut m.registry;
        r.register(
            "http_requests",
            "Requests answered, by route template, method and status",
            m.requests.clone(),
        );
        r.register(
            "http_request_duration_seconds",
            "Time from a request's arrival to its answer's head, by route and method",
            m.latency.clone(),
        );
        r.register(
            "bank_inbox_backlog",
            "Bank verdicts stored and acknowledged but not yet applied to their orders",
            m.inbox_backlog.clone(),
        );
        r.register(
            "webhook_deliveries",
            "Webhook deliveries by state",
            m.deliveries.clone(),
        );
        r.register(
            "webhook_oldest_pending_seconds",
            "Age of the oldest webhook delivery still pending; 0 when none is",
            m.oldest_pending.clone(),
        );
        r.register(
            "ledger_transactions",
            "Balanced transactions posted to the ledger, all time",
            m.ledger_transactions.clone(),
        );
        r.register(
            "settlements",
            "Settlements made, all time",
            m.settlements.clone(),
        );
        r.register("payouts", "Payouts by state", m.payouts.clone());
        r.register(
            "db_connections",
            "Database connections by pool, in use or idle",
            m.connections.clone(),
        );
        m
    }

    /// Counts an answered request. `route` is the route template (never the path, which
    /// holds tokens), `None` for a path that matched no route.
    pub(crate) fn observe(
        &self,
        route: Option<&str>,
        method: &Method,
        status: u16,
        elapsed: Duration,
    ) {
        let route = route.unwrap_or("unmatched").to_owned();
        let method = method_label(method);
        self.requests
            .get_or_create(&RequestLabels {
                route: route.clone(),
                method,
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels { route, method })
            .observe(elapsed.as_secs_f64());
    }

    /// The text a scrape gets: the request metrics and what the store holds now.
    pub(crate) async fn render(
        &self,
        store: &dyn Store,
        now: Millis,
    ) -> Result<String, StoreError> {
        let gauges = store.gauges().await?;
        self.inbox_backlog.set(gauges.inbox_backlog);
        for (state, count) in [
            ("pending", gauges.deliveries.pending),
            ("delivered", gauges.deliveries.delivered),
            ("failed", gauges.deliveries.failed),
            ("cancelled", gauges.deliveries.cancelled),
        ] {
            self.deliveries
                .get_or_create(&StateLabel { state })
                .set(count);
        }
        let oldest = gauges
            .deliveries
            .oldest_pending_at
            .map_or(0, |at| (now - at).max(0));
        let oldest = Duration::from_millis(u64::try_from(oldest).unwrap_or(0));
        self.oldest_pending.set(oldest.as_secs_f64());
        self.ledger_transactions.set(gauges.ledger_transactions);
        self.settlements.set(gauges.settlements);
        for (status, count) in gauges.payouts {
            let state = status.as_str();
            self.payouts.get_or_create(&StateLabel { state }).set(count);
        }
        for pool in store.pools() {
            for (state, count) in [("in_use", pool.in_use), ("idle", pool.idle)] {
                self.connections
                    .get_or_create(&PoolLabels {
                        pool: pool.name,
                        state,
                    })
                    .set(i64::from(count));
            }
        }
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .map_err(|e| StoreError::backend(format!("metrics text: {e}")))?;
        Ok(text)
    }
}

/// A label from a fixed set, so a client cannot grow the metrics with made-up methods.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::HEAD => "HEAD",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_route_method_and_status() {
        let metrics = Metrics::new();
        let route = Some("/v1/orders/{id}");
        metrics.observe(route, &Method::GET, 200, Duration::from_millis(3));
        metrics.observe(route, &Method::GET, 200, Duration::from_millis(5));
        metrics.observe(
            None,
            &Method::from_bytes(b"BREW").unwrap(),
            404,
            Duration::ZERO,
        );
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &metrics.registry).unwrap();
        assert!(text.contains(
            r#"paydesk_http_requests_total{route="/v1/orders/{id}",method="GET",status="200"} 2"#
        ), "{text}");
        assert!(
            text.contains(
                r#"paydesk_http_requests_total{route="unmatched",method="other",status="404"} 1"#
            ),
            "{text}"
        );
        assert!(text.contains(
            r#"paydesk_http_request_duration_seconds_count{route="/v1/orders/{id}",method="GET"} 2"#
        ), "{text}");
        assert!(text.contains(
            r#"paydesk_http_request_duration_seconds_bucket{le="0.004",route="/v1/orders/{id}",method="GET"} 1"#
        ), "{text}");
    }
}
