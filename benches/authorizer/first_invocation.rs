//! Figure 1's first invocation against its next five, paced and back to back, for the
//! process and for the floor (the README, "Performance", says why pacing).

use std::time::{Duration, Instant};

use create_api_token::store::dynamodb::{caller_lookup, client_from_env, DynamoDbStore, Timeouts};
use testkit::measure::{minor_faults, process_cpu, Samples};

use crate::process::Process;

/// Idle time before each invocation of the paced first-invocation figure.
pub const PAUSE: Duration = Duration::from_millis(50);

/// Each start's first call and the median of its next five, over several starts.
#[derive(Default)]
pub struct FirstAndNextFive {
    first: Samples,
    next_five: Samples,
    /// Per start: first / median of the next five.
    pub ratio: Samples,
}

impl FirstAndNextFive {
    /// One start: its first call and its next five (seconds, or a count).
    fn push(&mut self, first: f64, next_five: &Samples) {
        self.first.0.push(first);
        self.next_five.0.push(next_five.p50());
        self.ratio.0.push(first / next_five.p50());
    }

    /// `first vs next five (ratio r, quartiles a to b)`: medians over the starts, each
    /// duration written by `unit`; the ratio is the median of the per-start ratios.
    pub fn summary(&self, unit: fn(f64) -> String) -> String {
        format!(
            "{} vs {} (ratio {:.3}, quartiles {:.2} to {:.2})",
            unit(self.first.p50()),
            unit(self.next_five.p50()),
            self.ratio.p50(),
            self.ratio.pct(25.0),
            self.ratio.pct(75.0)
        )
    }
}

/// `starts` fresh authorizer processes: each one's first invocation and its next five, every
/// invocation sent `pause` after the previous answer (the first, `pause` after the first poll
/// of the Runtime API, which follows the cold start's warm-up). Returns, per invocation, the
/// round trips, the process's CPU time and its minor page faults; adds each start's init to
/// `to_poll`.
pub async fn first_and_next_five(
    table: &str,
    event: &str,
    pause: Duration,
    starts: usize,
    to_poll: &mut Samples,
) -> [FirstAndNextFive; 3] {
    let [mut round_trips, mut cpu, mut faults] = <[FirstAndNextFive; 3]>::default();
    for _ in 0..starts {
        let mut p = Process::spawn(table).await;
        to_poll.push(p.time_to_first_poll().await);
        let [mut trips, mut cpu_times, mut fault_counts] = <[Samples; 3]>::default();
        for _ in 0..6 {
            tokio::time::sleep(pause).await;
            let (cpu_before, faults_before) = (cpu_so_far(p.pid), faults_so_far(p.pid));
            trips.push(p.invoke(event).await);
            cpu_times.push(cpu_so_far(p.pid).saturating_sub(cpu_before));
            fault_counts
                .0
                .push(faults_so_far(p.pid).saturating_sub(faults_before) as f64);
        }
        for (out, samples) in [
            (&mut round_trips, &mut trips),
            (&mut cpu, &mut cpu_times),
            (&mut faults, &mut fault_counts),
        ] {
            let first = samples.0.remove(0);
            out.push(first, samples);
        }
        p.stop().await;
    }
    [round_trips, cpu, faults]
}

/// The floor's own first call: `starts` fresh clients, each opened by the cold start's
/// warm-up call (`DynamoDbStore::warm_up`), then six consistent `GetItem`s of `key`, each
/// `pause` after the previous answer.
pub async fn floor_first_and_next_five(
    table: &str,
    key: &str,
    pause: Duration,
    starts: usize,
) -> FirstAndNextFive {
    let mut out = FirstAndNextFive::default();
    for _ in 0..starts {
        let client = client_from_env(Timeouts::default()).await;
        DynamoDbStore::new(client.clone(), table)
            .warm_up()
            .await
            .expect("warm-up");
        let mut times = Samples::default();
        for _ in 0..6 {
            tokio::time::sleep(pause).await;
            let t = Instant::now();
            let item = caller_lookup(&client, table, key)
                .send()
                .await
                .expect("GetItem");
            times.push(t.elapsed());
            assert!(item.item.is_some());
        }
        let first = times.0.remove(0);
        out.push(first, &times);
    }
    out
}

/// The process's CPU time so far; zero once it cannot be read.
fn cpu_so_far(pid: u32) -> Duration {
    process_cpu(pid).unwrap_or_default()
}

/// The process's minor page faults so far; zero once they cannot be read.
fn faults_so_far(pid: u32) -> u64 {
    minor_faults(pid).unwrap_or_default()
}
