//! The summary table of a full run: each figure against its target (issue #4).

use crate::run::Figures;
use crate::stats::{mib, ms, Report, Samples};
use crate::throughput::describe;

/// The summary of `figures`, one row per figure.
pub fn report(figures: &Figures) -> Report {
    let Figures {
        warm,
        floor,
        ratio,
        cpu: (cpu_plain, cpu_logged),
        cold,
        first_ratio,
        rss,
        bootstrap_size: size,
        ops,
        list_ratio,
        revoke_ratio,
        reads_rotate,
        throughput: tp,
    } = figures;
    let (ratio, first_ratio, list_ratio, revoke_ratio) =
        (*ratio, *first_ratio, *list_ratio, *revoke_ratio);
    let (cpu_plain, cpu_logged) = (*cpu_plain, *cpu_logged);
    let size = *size;
    let mut report = Report::default();
    report.info(
        "1. warm create, in process (p50 / p99)",
        format!("{} / {}", ms(warm.p50()), ms(warm.p99())),
    );
    report.info(
        "2. floor GetItem+PutItem (p50 / p99)",
        format!("{} / {}", ms(floor.p50()), ms(floor.p99())),
    );
    report.check(
        "2. warm p50 / floor p50",
        format!("{ratio:.3}"),
        "<= 1.10",
        ratio <= 1.10,
    );
    report.check(
        "3. handler CPU per request (in-memory)",
        format!("{cpu_plain:.1} µs"),
        "< 50 µs",
        cpu_plain < 50.0,
    );
    report.info(
        "3. ... with the log line formatted",
        format!("{cpu_logged:.1} µs"),
    );
    report.check(
        "4. spawn to first poll (median)",
        ms(cold.to_first_poll.p50()),
        "< 30 ms",
        cold.to_first_poll.p50() < 0.030,
    );
    report.check(
        "4. first invocation / warm (median)",
        format!(
            "{first_ratio:.2} ({} vs {})",
            ms(cold.first_invocation.p50()),
            ms(cold.warm_invocation.p50())
        ),
        "<= 2x",
        first_ratio <= 2.0,
    );
    report.info(
        "5. invocation via Runtime API (p50/p99)",
        format!(
            "{} / {}",
            ms(rss.invocations.p50()),
            ms(rss.invocations.p99())
        ),
    );
    report.check(
        "5. peak RSS (VmHWM) after warm run",
        mib(rss.vm_hwm),
        "< 25 MB",
        rss.vm_hwm < 25_000_000,
    );
    match size {
        Some(s) => report.check("6. arm64 bootstrap size", mib(s), "< 8 MB", s < 8_000_000),
        None => report.check(
            "6. arm64 bootstrap size",
            "not built".into(),
            "< 8 MB",
            false,
        ),
    }
    let ratio_of = |pair: &(Samples, Samples)| pair.0.p50() / pair.1.p50();
    for (label, pair, ratio) in [
        ("7. list, page of 50 of 100", &ops.list, list_ratio),
        ("7. revoke", &ops.revoke, revoke_ratio),
        ("9. get", &reads_rotate.get, ratio_of(&reads_rotate.get)),
        (
            "9. self",
            &reads_rotate.self_view,
            ratio_of(&reads_rotate.self_view),
        ),
        (
            "9. rotate, grace=60",
            &reads_rotate.rotate,
            ratio_of(&reads_rotate.rotate),
        ),
    ] {
        report.info(
            &format!("{label} (p50 / p99)"),
            format!("{} / {}", ms(pair.0.p50()), ms(pair.0.p99())),
        );
        report.info(
            &format!("{label}: floor (p50 / p99)"),
            format!("{} / {}", ms(pair.1.p50()), ms(pair.1.p99())),
        );
        report.check(
            &format!("{label}: p50 / floor p50"),
            format!("{ratio:.3}"),
            "<= 1.10",
            ratio <= 1.10,
        );
    }
    for (one, many) in tp {
        report.info(
            &format!("8. 1 process x {} concurrent", one.concurrency),
            describe(one),
        );
        report.info(
            &format!("8. {} processes x 1", many.processes),
            describe(many),
        );
    }
    report
}
