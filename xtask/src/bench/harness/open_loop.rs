//! Open-loop load: requests at a fixed rate whatever the server does, so latency can be
//! measured below saturation.
//!
//! Request `i` is due at `start + i / rate`. The generator sleeps until each request is
//! due and hands it to a task of its own, so a slow answer never holds back the next
//! request; a generator that falls behind sends what is overdue at once. Each latency
//! runs from the request's *scheduled* time to its whole answer, so time spent waiting
//! for the generator or for a connection counts (no coordinated omission). Requests
//! that went out more than [`LATE_AFTER`] after their time are counted as late.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use anyhow::{Context, Result};
use http_body_util::Full;
use hyper::Request;
use hyper::body::Bytes;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::load::{exchange, ready_connection, tally};
use super::stats::{Latencies, Phase, millis, seconds};
use crate::http::{self, Connection};

/// A request sent later than this after its scheduled time counts as late. Tokio's
/// timer ticks in milliseconds, so up to about one is the generator's normal jitter.
pub(crate) const LATE_AFTER: Duration = Duration::from_millis(2);
/// Most requests in flight at once; more wait for a connection (and that wait counts
/// in their latency).
const MAX_CONNECTIONS: usize = 256;
/// Connections opened before the first request, so the first ones find one ready.
const WARM_CONNECTIONS: usize = 16;
/// Between the warm-up and the first scheduled request.
const LEAD: Duration = Duration::from_millis(20);

/// `rate` requests per second for `duration`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Schedule {
    pub(crate) rate: u64,
    pub(crate) duration: Duration,
}

impl Schedule {
    /// Requests in the whole schedule.
    pub(crate) fn count(&self) -> u64 {
        let count = u128::from(self.rate) * self.duration.as_millis() / 1000;
        u64::try_from(count).unwrap_or(u64::MAX)
    }

    /// When request `index` is due, counted from the start.
    pub(crate) fn offset(&self, index: u64) -> Duration {
        let nanos = u128::from(index) * 1_000_000_000 / u128::from(self.rate.max(1));
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }
}

/// What an open-loop run sends: request `index` of the schedule, built when it is due.
pub(crate) trait Requests: Send + Sync + 'static {
    fn request(&self, addr: SocketAddr, index: u64) -> Result<Request<Full<Bytes>>>;

    /// The body of a 2xx answer to request `index`; an error counts it as failed.
    fn answered(&self, index: u64, body: &Bytes) -> Result<()>;
}

/// What an open-loop run saw.
#[derive(Debug)]
pub(crate) struct OpenRun {
    pub(crate) schedule: Schedule,
    /// When request 0 was due.
    pub(crate) start: Instant,
    /// Latencies from each scheduled time to the whole answer; elapsed from the start
    /// to the last answer.
    pub(crate) phase: Phase,
    /// From each scheduled time to the request going onto a connection.
    pub(crate) send_delays: Latencies,
    /// Requests sent more than [`LATE_AFTER`] after their scheduled time.
    pub(crate) late: u64,
    /// The indices of the requests that succeeded.
    pub(crate) succeeded: Vec<u64>,
}

impl OpenRun {
    /// When request `index` was due.
    pub(crate) fn scheduled(&self, index: u64) -> Instant {
        self.start + self.schedule.offset(index)
    }

    /// One line on how well the generator kept to the schedule.
    pub(crate) fn schedule_report(&self) -> String {
        let delays = self.send_delays.summary();
        format!(
            "schedule: {} requests at {}/s over {}, latency from each scheduled send time; \
             {} sent late (more than {} after it), send delay p50 {}, p99 {}, max {}",
            self.schedule.count(),
            self.schedule.rate,
            seconds(self.schedule.duration),
            self.late,
            millis(u64::try_from(LATE_AFTER.as_micros()).unwrap_or(u64::MAX)),
            millis(delays.p50_us),
            millis(delays.p99_us),
            millis(delays.max_us),
        )
    }

    fn add(&mut self, sent: Sent) {
        if let Some(delay) = sent.delay {
            self.send_delays.push(delay);
            if delay > LATE_AFTER {
                self.late += 1;
            }
        }
        if sent.outcome.succeeded() > 0 {
            self.succeeded.push(sent.index);
        }
        self.phase.merge(sent.outcome);
    }
}

/// Sends `schedule`'s requests from `requests` to `addr`, each in its own task when
/// due, and waits for every answer.
pub(crate) async fn run<R: Requests>(
    addr: SocketAddr,
    schedule: Schedule,
    requests: Arc<R>,
) -> Result<OpenRun> {
    let pool = Arc::new(Pool::warm(addr, WARM_CONNECTIONS).await?);
    let start = Instant::now() + LEAD;
    let mut run = OpenRun {
        schedule,
        start,
        phase: Phase::default(),
        send_delays: Latencies::default(),
        late: 0,
        succeeded: Vec::new(),
    };
    let mut tasks = JoinSet::new();
    for index in 0..schedule.count() {
        let scheduled = run.scheduled(index);
        tokio::time::sleep_until(scheduled).await;
        let (pool, requests) = (Arc::clone(&pool), Arc::clone(&requests));
        tasks.spawn(send(pool, requests, index, scheduled));
        while let Some(done) = tasks.try_join_next() {
            run.add(done.context("a sending task panicked")?);
        }
    }
    while let Some(done) = tasks.join_next().await {
        run.add(done.context("a sending task panicked")?);
    }
    run.phase.elapsed = start.elapsed();
    run.succeeded.sort_unstable();
    Ok(run)
}

/// One request's fate.
struct Sent {
    index: u64,
    /// From the scheduled time to going onto a connection; `None` if it never did.
    delay: Option<Duration>,
    /// This one request, as a phase of its own.
    outcome: Phase,
}

async fn send<R: Requests>(
    pool: Arc<Pool>,
    requests: Arc<R>,
    index: u64,
    scheduled: Instant,
) -> Sent {
    let mut sent = Sent {
        index,
        delay: None,
        outcome: Phase::default(),
    };
    let request = match requests.request(pool.addr, index) {
        Ok(request) => request,
        Err(error) => {
            let what = || format!("could not build a request: {error:#}");
            sent.outcome.note_error(what);
            return sent;
        }
    };
    let mut lease = match pool.take().await {
        Ok(lease) => lease,
        Err(error) => {
            sent.outcome.note_error(|| format!("{error:#}"));
            return sent;
        }
    };
    sent.delay = Some(scheduled.elapsed());
    let answer = exchange(&mut lease.connection, request).await;
    let latency = scheduled.elapsed();
    if answer.is_ok() {
        pool.give_back(lease);
    }
    if let Some(body) = tally(&mut sent.outcome, answer) {
        match requests.answered(index, &body) {
            Ok(()) => sent.outcome.latencies.push(latency),
            Err(error) => sent
                .outcome
                .note_error(|| format!("unexpected answer: {error:#}")),
        }
    }
    sent
}

/// Kept-alive connections shared by the sending tasks, at most [`MAX_CONNECTIONS`].
struct Pool {
    addr: SocketAddr,
    idle: Mutex<Vec<Connection>>,
    slots: Arc<Semaphore>,
}

/// A connection taken from the pool, with its slot.
struct Lease {
    connection: Connection,
    _slot: OwnedSemaphorePermit,
}

impl Pool {
    /// A pool with `connections` already open.
    async fn warm(addr: SocketAddr, connections: usize) -> Result<Self> {
        let mut idle = Vec::with_capacity(connections);
        for _ in 0..connections {
            idle.push(http::connect(addr).await?);
        }
        Ok(Pool {
            addr,
            idle: Mutex::new(idle),
            slots: Arc::new(Semaphore::new(MAX_CONNECTIONS)),
        })
    }

    fn idle(&self) -> MutexGuard<'_, Vec<Connection>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A ready connection: an idle one, else a new one; waits while all are busy.
    async fn take(&self) -> Result<Lease> {
        let slot = Arc::clone(&self.slots)
            .acquire_owned()
            .await
            .context("the connection pool is closed")?;
        let kept = self.idle().pop();
        let connection = ready_connection(self.addr, kept).await?;
        Ok(Lease {
            connection,
            _slot: slot,
        })
    }

    /// Returns a connection that answered, for the next request to reuse.
    fn give_back(&self, lease: Lease) {
        self.idle().push(lease.connection);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schedule_spaces_requests_evenly_in_integer_nanoseconds() {
        let schedule = Schedule {
            rate: 1000,
            duration: Duration::from_secs(5),
        };
        assert_eq!(schedule.count(), 5000);
        assert_eq!(schedule.offset(0), Duration::ZERO);
        assert_eq!(schedule.offset(1), Duration::from_millis(1));
        assert_eq!(schedule.offset(4999), Duration::from_millis(4999));
        let thirds = Schedule {
            rate: 3,
            duration: Duration::from_secs(1),
        };
        assert_eq!(thirds.count(), 3);
        assert_eq!(thirds.offset(1), Duration::from_nanos(333_333_333));
        assert_eq!(thirds.offset(2), Duration::from_nanos(666_666_666));
    }

    #[test]
    fn late_sends_are_counted_and_failures_kept_apart() {
        let schedule = Schedule {
            rate: 10,
            duration: Duration::from_secs(1),
        };
        let mut run = OpenRun {
            schedule,
            start: Instant::now(),
            phase: Phase::default(),
            send_delays: Latencies::default(),
            late: 0,
            succeeded: Vec::new(),
        };
        let answered = |index, delay_us| {
            let mut outcome = Phase::default();
            outcome.latencies.push(Duration::from_millis(3));
            Sent {
                index,
                delay: Some(Duration::from_micros(delay_us)),
                outcome,
            }
        };
        run.add(answered(0, 300));
        run.add(answered(1, 2_500));
        let mut refused = Phase::default();
        refused.note_non_2xx(|| "503".to_owned());
        run.add(Sent {
            index: 2,
            delay: Some(Duration::from_micros(100)),
            outcome: refused,
        });
        assert_eq!(run.late, 1);
        assert_eq!(run.succeeded, [0, 1]);
        assert_eq!((run.phase.succeeded(), run.phase.non_2xx), (2, 1));
        assert_eq!(run.scheduled(2) - run.start, Duration::from_millis(200));
        let line = run.schedule_report();
        assert!(line.contains("10 requests at 10/s over 1.00 s"), "{line}");
        assert!(
            line.contains("1 sent late (more than 2.00 ms after it)"),
            "{line}"
        );
        assert!(line.contains("max 2.50 ms"), "{line}");
    }
}
