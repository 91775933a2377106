//! The summary table; the samples, units and `/proc` readings come from the test kit
//! ([`testkit::measure`]).

pub use testkit::measure::{env_usize, mib, ms, process_cpu, thread_cpu, vm_status, Samples};

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
