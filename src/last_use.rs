//! `DateLastUsed`: when a token last authenticated a request, to within
//! [`LAST_USE_INTERVAL`] (docs/api.md, "Last use").
//!
//! At most one write per token per interval, however many processes serve it: the store's
//! conditional `UpdateItem` (`attribute_not_exists(DateLastUsed) OR DateLastUsed < :cutoff`)
//! decides across processes. Two cheaper checks come first, so that the write is attempted
//! only about once per token per interval and never on the p50 of a request:
//! - the item as just read: [`stored_is_stale`] (the fixed `YYYY-MM-DDTHH:MM:SS` format
//!   compares chronologically as a string);
//! - this process's own memory of its recent writes: [`RecentWrites`], a bounded map
//!   from digest to the instant of the write it claimed.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::store::{LastUseOutcome, StoreError};
use crate::token::TokenHash;

/// At most one `DateLastUsed` write per token per this interval: 5 minutes.
pub const LAST_USE_INTERVAL: Duration = Duration::from_secs(300);

/// How many tokens a process remembers by default. At 64 bytes of digest plus
/// bookkeeping per entry, about 2 MB at most; a process serving more distinct tokens per
/// interval forgets the oldest, which costs only conditional writes the store then skips.
pub const DEFAULT_CAPACITY: usize = 10_000;

/// The longest a request lets its `DateLastUsed` write run (less when the request's own
/// budget ends sooner). The write runs beside the operation, so on a healthy table it
/// costs nothing; on a sick one, it never holds the answer longer than this.
pub const WRITE_CAP: Duration = Duration::from_secs(1);

/// `true` when the item as read needs a `DateLastUsed` write: it has none, or one before
/// `cutoff` (now minus [`LAST_USE_INTERVAL`], in the `YYYY-MM-DDTHH:MM:SS` format, whose
/// string order is chronological).
pub fn stored_is_stale(date_last_used: Option<&str>, cutoff: &str) -> bool {
    date_last_used.is_none_or(|last| last < cutoff)
}

/// A `DateLastUsed` write a request decided to make: the conditional `UpdateItem`'s
/// key and values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastUseWrite {
    /// The used token's item.
    pub token_hash: TokenHash,
    /// `DateLastUsed` to set: the request's time, `YYYY-MM-DDTHH:MM:SS` UTC.
    pub date: String,
    /// Written only if the stored `DateLastUsed` is absent or before this: `date` minus
    /// [`LAST_USE_INTERVAL`].
    pub cutoff: String,
}

/// Decides whether a use of `token_hash` (found, unrevoked, unexpired) needs a write: the
/// item as read is stale ([`stored_is_stale`]) and this process has not claimed a write for
/// it within the interval ([`RecentWrites::claim`], which this call makes). `date` and
/// `cutoff` are the request's time and that time less [`LAST_USE_INTERVAL`], in the
/// stored format; `now` is the same moment on the monotonic clock.
pub fn plan(
    token_hash: &TokenHash,
    date_last_used: Option<&str>,
    date: &str,
    cutoff: &str,
    memory: &RecentWrites,
    now: Instant,
) -> Option<LastUseWrite> {
    (stored_is_stale(date_last_used, cutoff) && memory.claim(token_hash, now)).then(|| {
        LastUseWrite {
            token_hash: token_hash.clone(),
            date: date.to_owned(),
            cutoff: cutoff.to_owned(),
        }
    })
}

/// How a request's last-use write ended: the log line's `last_use` field (absent when no
/// write was needed) and, for `Failed`, the `LastUseWriteFailures` metric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LastUseReport {
    /// `DateLastUsed` was set.
    Written,
    /// The store's condition found a recent `DateLastUsed` (another process wrote it), or
    /// no item.
    Skipped,
    /// The write failed or ran out of time; the request's answer is unchanged. The cause
    /// is a store error class, never request data.
    Failed(String),
}

impl LastUseReport {
    /// The log line's `last_use` value: `written`, `skipped` or `failed:<cause>`.
    pub fn log_value(&self) -> String {
        match self {
            Self::Written => "written".to_owned(),
            Self::Skipped => "skipped".to_owned(),
            Self::Failed(cause) => format!("failed:{cause}"),
        }
    }

    /// `true` for [`LastUseReport::Failed`].
    pub fn is_failure(&self) -> bool {
        matches!(self, Self::Failed(_))
    }
}

/// Runs a planned write (`write`, the store's conditional update for `token_hash`) for at
/// most `cap`, and reports how it ended. It never fails: a store error or the cap running
/// out is [`LastUseReport::Failed`], and the claim in `memory` is released so that the
/// token's next use tries again.
pub async fn run(
    write: impl Future<Output = Result<LastUseOutcome, StoreError>>,
    cap: Duration,
    token_hash: &TokenHash,
    memory: &RecentWrites,
) -> LastUseReport {
    let report = match tokio::time::timeout(cap, write).await {
        Ok(Ok(LastUseOutcome::Written)) => LastUseReport::Written,
        Ok(Ok(LastUseOutcome::Skipped)) => LastUseReport::Skipped,
        Ok(Err(StoreError::Unavailable(cause) | StoreError::Internal(cause))) => {
            LastUseReport::Failed(cause)
        }
        Err(_) => LastUseReport::Failed("timed_out: last_use_cap".to_owned()),
    };
    if report.is_failure() {
        memory.release(token_hash);
    }
    report
}

/// A process's memory of the `DateLastUsed` writes it claimed recently: bounded (the
/// oldest claims are forgotten first), safe to share between concurrent requests.
#[derive(Debug)]
pub struct RecentWrites {
    capacity: usize,
    interval: Duration,
    inner: Mutex<Claims>,
}

#[derive(Debug, Default)]
struct Claims {
    /// The instant of each remembered claim.
    by_token: HashMap<TokenHash, Instant>,
    /// Claims in the order made (so in instant order): the oldest at the front. Holds
    /// every entry of `by_token`, plus stale ones (released or re-claimed) until they
    /// reach the front.
    order: VecDeque<(TokenHash, Instant)>,
}

impl Claims {
    fn pop_oldest(&mut self) {
        if let Some((token, at)) = self.order.pop_front() {
            if self.by_token.get(&token) == Some(&at) {
                self.by_token.remove(&token);
            }
        }
    }
}

impl Default for RecentWrites {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

impl RecentWrites {
    /// An empty memory of at most `capacity` tokens (at least one), with
    /// [`LAST_USE_INTERVAL`].
    pub fn new(capacity: usize) -> Self {
        Self::with_interval(capacity, LAST_USE_INTERVAL)
    }

    /// As [`RecentWrites::new`], with another interval (for tests).
    pub fn with_interval(capacity: usize, interval: Duration) -> Self {
        Self {
            capacity: capacity.max(1),
            interval,
            inner: Mutex::new(Claims::default()),
        }
    }

    /// Claims the write for `token` at `now`: `true` if this process has made no claim
    /// for it within the interval (the caller then writes, and [`RecentWrites::release`]s
    /// the claim if the write fails), `false` if it has (the caller writes nothing). Two
    /// concurrent requests for one token: exactly one gets `true`.
    pub fn claim(&self, token: &TokenHash, now: Instant) -> bool {
        // A panic while holding the lock cannot leave the maps inconsistent in a way that
        // matters (at worst one extra conditional write), so a poisoned lock is used as is.
        let mut claims = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        // Forget the claims that have lapsed; they sit at the front.
        while claims
            .order
            .front()
            .is_some_and(|(_, at)| now.saturating_duration_since(*at) >= self.interval)
        {
            claims.pop_oldest();
        }
        if claims.by_token.contains_key(token) {
            return false;
        }
        while claims.order.len() >= self.capacity {
            claims.pop_oldest();
        }
        claims.by_token.insert(token.clone(), now);
        claims.order.push_back((token.clone(), now));
        true
    }

    /// Forgets the claim for `token` (its write failed), so the next use tries again.
    pub fn release(&self, token: &TokenHash) {
        let mut claims = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        claims.by_token.remove(token);
    }

    /// How many tokens are remembered (for tests and diagnostics).
    pub fn len(&self) -> usize {
        let claims = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        claims.by_token.len()
    }

    /// `true` when no token is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn hash(n: usize) -> TokenHash {
        TokenHash::of(&format!("token{n:022}-us-1"))
    }

    #[test]
    fn stale_when_absent_or_before_the_cutoff() {
        let cutoff = "2026-12-07T10:00:00";
        assert!(stored_is_stale(None, cutoff));
        assert!(stored_is_stale(Some("2026-12-07T09:59:59"), cutoff));
        assert!(stored_is_stale(Some("2025-12-31T23:59:59"), cutoff));
        assert!(!stored_is_stale(Some("2026-12-07T10:00:00"), cutoff));
        assert!(!stored_is_stale(Some("2026-12-07T10:04:59"), cutoff));
    }

    #[test]
    fn a_write_is_planned_once_per_interval_and_only_when_the_item_is_stale() {
        let memory = RecentWrites::new(10);
        let t0 = Instant::now();
        let (date, cutoff) = ("2026-12-07T10:05:00", "2026-12-07T10:00:00");
        // Fresh in the item: no write, and no claim is used up.
        assert_eq!(
            plan(
                &hash(1),
                Some("2026-12-07T10:01:00"),
                date,
                cutoff,
                &memory,
                t0
            ),
            None
        );
        assert!(memory.is_empty());
        let planned = plan(&hash(1), None, date, cutoff, &memory, t0).unwrap();
        assert_eq!(
            planned,
            LastUseWrite {
                token_hash: hash(1),
                date: date.to_owned(),
                cutoff: cutoff.to_owned()
            }
        );
        // The same process, within the interval, even though the item read is older.
        let later = t0 + Duration::from_secs(10);
        assert_eq!(plan(&hash(1), None, date, cutoff, &memory, later), None);
        assert!(plan(
            &hash(2),
            Some("2026-12-07T09:00:00"),
            date,
            cutoff,
            &memory,
            later
        )
        .is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn run_reports_and_releases_the_claim_on_failure() {
        let memory = RecentWrites::new(10);
        let t0 = Instant::now();
        let cap = Duration::from_secs(1);
        for (outcome, report) in [
            (Ok(LastUseOutcome::Written), LastUseReport::Written),
            (Ok(LastUseOutcome::Skipped), LastUseReport::Skipped),
            (
                Err(StoreError::Unavailable("throttled: X".to_owned())),
                LastUseReport::Failed("throttled: X".to_owned()),
            ),
            (
                Err(StoreError::Internal("service_error: Y".to_owned())),
                LastUseReport::Failed("service_error: Y".to_owned()),
            ),
        ] {
            assert!(memory.claim(&hash(1), t0));
            let failed = report.is_failure();
            assert_eq!(run(async { outcome }, cap, &hash(1), &memory).await, report);
            // Kept after a write or a skip; released after a failure.
            assert_eq!(memory.claim(&hash(1), t0), failed);
            memory.release(&hash(1));
        }
        assert!(memory.claim(&hash(1), t0));
        let started = tokio::time::Instant::now();
        let silent = std::future::pending::<Result<LastUseOutcome, StoreError>>();
        let report = run(silent, cap, &hash(1), &memory).await;
        assert_eq!(report.log_value(), "failed:timed_out: last_use_cap");
        assert_eq!(started.elapsed(), cap);
        assert!(memory.claim(&hash(1), t0));
        assert_eq!(LastUseReport::Written.log_value(), "written");
        assert_eq!(LastUseReport::Skipped.log_value(), "skipped");
    }

    #[test]
    fn one_claim_per_token_per_interval() {
        let memory = RecentWrites::new(10);
        let t0 = Instant::now();
        assert!(memory.claim(&hash(1), t0));
        assert!(!memory.claim(&hash(1), t0));
        assert!(!memory.claim(&hash(1), t0 + Duration::from_secs(299)));
        // Another token is independent.
        assert!(memory.claim(&hash(2), t0 + Duration::from_secs(1)));
        // The interval has passed: claimable again.
        assert!(memory.claim(&hash(1), t0 + Duration::from_secs(300)));
        assert!(!memory.claim(&hash(1), t0 + Duration::from_secs(301)));
    }

    #[test]
    fn a_released_claim_can_be_made_again() {
        let memory = RecentWrites::new(10);
        let t0 = Instant::now();
        assert!(memory.claim(&hash(1), t0));
        memory.release(&hash(1));
        assert!(memory.is_empty());
        assert!(memory.claim(&hash(1), t0 + Duration::from_millis(5)));
        assert!(!memory.claim(&hash(1), t0 + Duration::from_millis(6)));
        // Releasing an unknown token does nothing.
        memory.release(&hash(9));
        assert_eq!(memory.len(), 1);
    }

    #[test]
    fn bounded_and_forgets_the_oldest_first() {
        let memory = RecentWrites::new(3);
        let t0 = Instant::now();
        for n in 0..3 {
            assert!(memory.claim(&hash(n), t0 + Duration::from_secs(n as u64)));
        }
        assert_eq!(memory.len(), 3);
        assert!(memory.claim(&hash(3), t0 + Duration::from_secs(3)));
        assert_eq!(memory.len(), 3);
        // 0 was the oldest: forgotten, so claimable again (which forgets 1).
        assert!(memory.claim(&hash(0), t0 + Duration::from_secs(4)));
        assert!(!memory.claim(&hash(2), t0 + Duration::from_secs(5)));
        assert!(!memory.claim(&hash(3), t0 + Duration::from_secs(5)));
        assert!(memory.claim(&hash(1), t0 + Duration::from_secs(5)));
        assert_eq!(memory.len(), 3);
    }

    #[test]
    fn stays_bounded_under_many_tokens_and_releases() {
        let memory = RecentWrites::new(100);
        let t0 = Instant::now();
        for n in 0..10_000 {
            let at = t0 + Duration::from_millis(n as u64);
            assert!(memory.claim(&hash(n), at));
            if n % 3 == 0 {
                memory.release(&hash(n));
                assert!(memory.claim(&hash(n), at));
            }
        }
        assert!(memory.len() <= 100);
        let claims = memory.inner.lock().unwrap();
        assert!(claims.order.len() <= 100);
        assert!(claims
            .by_token
            .iter()
            .all(|(t, at)| claims.order.contains(&(t.clone(), *at))));
    }

    #[test]
    fn lapsed_claims_are_dropped() {
        let memory = RecentWrites::with_interval(10, Duration::from_secs(1));
        let t0 = Instant::now();
        for n in 0..5 {
            assert!(memory.claim(&hash(n), t0));
        }
        assert!(memory.claim(&hash(5), t0 + Duration::from_secs(1)));
        assert_eq!(memory.len(), 1);
    }

    #[test]
    fn concurrent_claims_for_one_token_have_one_winner() {
        let memory = Arc::new(RecentWrites::default());
        let now = Instant::now();
        let winners: usize = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    let memory = Arc::clone(&memory);
                    scope.spawn(move || usize::from(memory.claim(&hash(7), now)))
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).sum()
        });
        assert_eq!(winners, 1);
    }
}
