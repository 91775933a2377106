//! Latency samples, the summary table, units, and CPU time and memory from `/proc`.

use std::time::Duration;

/// Latency samples, in seconds.
#[derive(Default, Clone)]
pub struct Samples(pub Vec<f64>);

impl Samples {
    pub fn push(&mut self, d: Duration) {
        self.0.push(d.as_secs_f64());
    }
    pub fn sorted(&self) -> Vec<f64> {
        let mut v = self.0.clone();
        v.sort_by(f64::total_cmp);
        v
    }
    /// Nearest-rank percentile (`p` in 0..=100), in seconds.
    pub fn pct(&self, p: f64) -> f64 {
        let v = self.sorted();
        if v.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * v.len() as f64).ceil().max(1.0) as usize;
        v[rank.min(v.len()) - 1]
    }
    pub fn p50(&self) -> f64 {
        self.pct(50.0)
    }
    pub fn p99(&self) -> f64 {
        self.pct(99.0)
    }
    pub fn mean(&self) -> f64 {
        self.0.iter().sum::<f64>() / self.0.len() as f64
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

/// One line of the summary table.
pub struct Row {
    figure: String,
    measured: String,
    target: String,
    /// `Some(pass)` for a figure with a target.
    pass: Option<bool>,
}

#[derive(Default)]
pub struct Report(Vec<Row>);

impl Report {
    pub fn info(&mut self, figure: &str, measured: String) {
        self.0.push(Row {
            figure: figure.to_owned(),
            measured,
            target: "-".to_owned(),
            pass: None,
        });
    }
    pub fn check(&mut self, figure: &str, measured: String, target: &str, pass: bool) {
        self.0.push(Row {
            figure: figure.to_owned(),
            measured,
            target: target.to_owned(),
            pass: Some(pass),
        });
    }
    pub fn print(&self) {
        let w0 = self
            .0
            .iter()
            .map(|r| r.figure.len())
            .max()
            .unwrap_or(6)
            .max(6);
        let w1 = self
            .0
            .iter()
            .map(|r| r.measured.chars().count())
            .max()
            .unwrap_or(8)
            .max(8);
        let w2 = self
            .0
            .iter()
            .map(|r| r.target.len())
            .max()
            .unwrap_or(6)
            .max(6);
        println!();
        println!("== Summary (issue #4 targets) ==");
        println!(
            "| {:w0$} | {:w1$} | {:w2$} | result |",
            "figure", "measured", "target"
        );
        println!(
            "|{}|{}|{}|--------|",
            "-".repeat(w0 + 2),
            "-".repeat(w1 + 2),
            "-".repeat(w2 + 2)
        );
        for r in &self.0 {
            let mark = match r.pass {
                Some(true) => "PASS",
                Some(false) => "FAIL",
                None => "",
            };
            let pad = w1 - r.measured.chars().count();
            println!(
                "| {:w0$} | {}{} | {:w2$} | {:6} |",
                r.figure,
                r.measured,
                " ".repeat(pad),
                r.target,
                mark
            );
        }
        let failed = self.0.iter().filter(|r| r.pass == Some(false)).count();
        let checked = self.0.iter().filter(|r| r.pass.is_some()).count();
        println!("{} of {checked} targets met", checked - failed);
    }
}

pub fn ms(s: f64) -> String {
    format!("{:.3} ms", s * 1e3)
}

pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub fn mib(bytes: u64) -> String {
    format!(
        "{:.2} MiB ({:.2} MB)",
        bytes as f64 / (1024.0 * 1024.0),
        bytes as f64 / 1e6
    )
}

// CPU time and memory from /proc

/// CPU time this thread has used (`/proc/thread-self/schedstat`, nanoseconds).
pub fn thread_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(Duration::from_nanos(
        s.split_whitespace().next()?.parse().ok()?,
    ))
}

/// CPU time all threads of process `pid` have used (sum of their `schedstat`).
pub fn process_cpu(pid: u32) -> Option<Duration> {
    let mut total = 0u64;
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).ok()? {
        let s = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        total += s.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(Duration::from_nanos(total))
}

/// A `VmXxx:` line of `/proc/<pid>/status`, in bytes.
pub fn vm_status(pid: u32, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
