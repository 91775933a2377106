//! What both benchmarks measure with: latency samples and their percentiles, the units
//! they print in, their knobs, and a process's CPU time, page faults and memory from
//! `/proc` (Linux proc(5); `schedstat`: the kernel's "sched-stats" documentation).

use std::time::Duration;

/// Samples, in seconds (or plain counts, pushed through the field).
#[derive(Default, Clone)]
pub struct Samples(pub Vec<f64>);

impl Samples {
    /// Adds `d`, in seconds.
    pub fn push(&mut self, d: Duration) {
        self.0.push(d.as_secs_f64());
    }
    /// The samples in ascending order.
    pub fn sorted(&self) -> Vec<f64> {
        let mut v = self.0.clone();
        v.sort_by(f64::total_cmp);
        v
    }
    /// Nearest-rank percentile (`p` in 0..=100); NaN when there are no samples.
    pub fn pct(&self, p: f64) -> f64 {
        let v = self.sorted();
        if v.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * v.len() as f64).ceil().max(1.0) as usize;
        v[rank.min(v.len()) - 1]
    }
    /// The median.
    pub fn p50(&self) -> f64 {
        self.pct(50.0)
    }
    /// The 99th percentile.
    pub fn p99(&self) -> f64 {
        self.pct(99.0)
    }
    /// The arithmetic mean (NaN when there are no samples).
    pub fn mean(&self) -> f64 {
        self.0.iter().sum::<f64>() / self.0.len() as f64
    }
    /// How many samples there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Seconds as milliseconds, `1.234 ms`.
pub fn ms(s: f64) -> String {
    format!("{:.3} ms", s * 1e3)
}

/// Seconds as whole microseconds, `123 µs`.
pub fn us(s: f64) -> String {
    format!("{:.0} µs", s * 1e6)
}

/// Bytes as `1.23 MiB (1.29 MB)`.
pub fn mib(bytes: u64) -> String {
    format!(
        "{:.2} MiB ({:.2} MB)",
        bytes as f64 / (1024.0 * 1024.0),
        bytes as f64 / 1e6
    )
}

/// The environment variable `name` as a number, else `default`.
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// CPU time this thread has used (`/proc/thread-self/schedstat`, first field, ns).
pub fn thread_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(Duration::from_nanos(
        s.split_whitespace().next()?.parse().ok()?,
    ))
}

/// CPU time the live threads of process `pid` have used (the sum of their `schedstat`);
/// a thread that ends while they are read is left out. `None` if the process is gone.
pub fn process_cpu(pid: u32) -> Option<Duration> {
    let nanos = std::fs::read_dir(format!("/proc/{pid}/task"))
        .ok()?
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok())
        .filter_map(|stat| stat.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    Some(Duration::from_nanos(nanos))
}

/// Minor page faults of process `pid` so far (`/proc/<pid>/stat`, field 10, `minflt`).
pub fn minor_faults(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold blanks: count from the
    // field after it, the state (field 3).
    let after_name = stat.get(stat.rfind(')')? + 2..)?;
    after_name.split_whitespace().nth(7)?.parse().ok()
}

/// A `VmXxx:` line of `/proc/<pid>/status` (`key` with its colon), in bytes.
pub fn vm_status(pid: u32, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let s = Samples((1..=100).rev().map(f64::from).collect());
        assert_eq!(s.p50(), 50.0);
        assert_eq!(s.p99(), 99.0);
        assert_eq!(s.pct(0.0), 1.0);
        assert_eq!(s.pct(100.0), 100.0);
        assert!(Samples::default().p50().is_nan());
    }

    #[test]
    fn this_process_reads_from_proc() {
        let pid = std::process::id();
        assert!(process_cpu(pid).is_some_and(|d| d > Duration::ZERO));
        assert!(minor_faults(pid).is_some_and(|n| n > 0));
        assert!(vm_status(pid, "VmHWM:").is_some_and(|b| b > 0));
        assert!(thread_cpu().is_some());
    }
}
