//! What the server counts, for `GET /metrics` in the Prometheus text format (docs/SCALING.md
//! lists each). One set per process, like the process itself: counters and gauges are atomics
//! bumped where the thing happens, histograms count into fixed buckets; nothing is kept per
//! space or per client, so the cost never grows with them.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use crate::server::live::ending::Ending;
use crate::sync::ResetReason;

/// The process's metrics.
pub(crate) static METRICS: Metrics = Metrics::new();

pub(crate) struct Counter(AtomicU64);

impl Counter {
    const fn new() -> Self {
        Counter(AtomicU64::new(0))
    }

    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Relaxed);
    }

    pub fn inc(&self) {
        self.add(1);
    }

    fn get(&self) -> u64 {
        self.0.load(Relaxed)
    }
}

pub(crate) struct Gauge(AtomicI64);

impl Gauge {
    const fn new() -> Self {
        Gauge(AtomicI64::new(0))
    }

    pub fn inc(&self) {
        self.0.fetch_add(1, Relaxed);
    }

    pub fn dec(&self) {
        self.0.fetch_sub(1, Relaxed);
    }

    fn get(&self) -> i64 {
        self.0.load(Relaxed)
    }
}

/// Upper bounds of the latency buckets, in seconds: from a tenth of a millisecond to ten
/// seconds.
const BOUNDS: [f64; 12] = [
    0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0, 10.0,
];

pub(crate) struct Histogram {
    /// Observations at or below each bound (not cumulative; summed when rendered).
    buckets: [AtomicU64; BOUNDS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Histogram {
    const fn new() -> Self {
        Histogram {
            buckets: [const { AtomicU64::new(0) }; BOUNDS.len()],
            count: AtomicU64::new(0),
            sum_micros: AtomicU64::new(0),
        }
    }

    pub fn observe(&self, took: Duration) {
        let seconds = took.as_secs_f64();
        if let Some(i) = BOUNDS.iter().position(|bound| seconds <= *bound) {
            self.buckets[i].fetch_add(1, Relaxed);
        }
        self.count.fetch_add(1, Relaxed);
        self.sum_micros.fetch_add(took.as_micros() as u64, Relaxed);
    }
}

const RESET_REASONS: [(ResetReason, &str); 7] = [
    (ResetReason::Initial, "initial"),
    (ResetReason::Epoch, "epoch"),
    (ResetReason::Expired, "expired"),
    (ResetReason::Ahead, "ahead"),
    (ResetReason::Invalid, "invalid"),
    (ResetReason::TooLarge, "too_large"),
    (ResetReason::Other, "other"),
];

pub(crate) struct Metrics {
    pub connections_open: Gauge,
    pub streams_open: Gauge,
    stream_ends: [Counter; Ending::ALL.len()],
    pub catch_ups_from_memory: Counter,
    pub catch_ups_from_log: Counter,
    resets: [Counter; RESET_REASONS.len()],
    /// A delta's frame built once by the hub (per change and node).
    pub deltas_published: Counter,
    /// Frames handed to streams (per change and stream).
    pub deltas_delivered: Counter,
    /// From a change's commit (or its arrival from another node) to its frames being offered
    /// to every stream of its space.
    pub commit_to_write: Histogram,
    pub rate_limited: Counter,
    /// Reads of the change log by the hub (a gap, or a change that came without its text).
    pub log_reads: Histogram,
    /// Statements that failed in the background (publishing, announcing, sweeping).
    pub database_errors: Counter,
    /// Announcements sent to the other nodes, the changes they carried, and how long each
    /// took.
    pub announcements: Histogram,
    pub changes_announced: Counter,
    /// Changes heard from other nodes: with their text, and as a position alone.
    pub changes_heard_inline: Counter,
    pub changes_heard_bare: Counter,
    pub bot_wakes: Counter,
    pub bot_wake_failures: Counter,
}

impl Metrics {
    const fn new() -> Self {
        Metrics {
            connections_open: Gauge::new(),
            streams_open: Gauge::new(),
            stream_ends: [const { Counter::new() }; Ending::ALL.len()],
            catch_ups_from_memory: Counter::new(),
            catch_ups_from_log: Counter::new(),
            resets: [const { Counter::new() }; RESET_REASONS.len()],
            deltas_published: Counter::new(),
            deltas_delivered: Counter::new(),
            commit_to_write: Histogram::new(),
            rate_limited: Counter::new(),
            log_reads: Histogram::new(),
            database_errors: Counter::new(),
            announcements: Histogram::new(),
            changes_announced: Counter::new(),
            changes_heard_inline: Counter::new(),
            changes_heard_bare: Counter::new(),
            bot_wakes: Counter::new(),
            bot_wake_failures: Counter::new(),
        }
    }

    pub fn stream_ended(&self, why: Ending) {
        if let Some(i) = Ending::ALL.iter().position(|e| *e == why) {
            self.stream_ends[i].inc();
        }
    }

    pub fn reset(&self, reason: ResetReason) {
        if let Some(i) = RESET_REASONS.iter().position(|(r, _)| *r == reason) {
            self.resets[i].inc();
        }
    }

    /// The text `GET /metrics` answers.
    pub fn render(&self) -> String {
        let mut out = String::new();
        gauge(
            &mut out,
            "rhizom_connections_open",
            "Open client connections.",
            &self.connections_open,
        );
        gauge(
            &mut out,
            "rhizom_streams_open",
            "Open live streams.",
            &self.streams_open,
        );
        header(
            &mut out,
            "rhizom_stream_ends_total",
            "counter",
            "Live streams ended, by why.",
        );
        for (why, counter) in Ending::ALL.iter().zip(&self.stream_ends) {
            let reason = why.as_str();
            let _ = writeln!(
                out,
                "rhizom_stream_ends_total{{reason=\"{reason}\"}} {}",
                counter.get()
            );
        }
        header(
            &mut out,
            "rhizom_catch_ups_total",
            "counter",
            "Streams opened with an exact catch-up: from what this node sent last, or from the log.",
        );
        for (from, counter) in [
            ("memory", &self.catch_ups_from_memory),
            ("log", &self.catch_ups_from_log),
        ] {
            let _ = writeln!(
                out,
                "rhizom_catch_ups_total{{from=\"{from}\"}} {}",
                counter.get()
            );
        }
        header(
            &mut out,
            "rhizom_resets_total",
            "counter",
            "Streams opened with a reset, by reason.",
        );
        for ((_, reason), counter) in RESET_REASONS.iter().zip(&self.resets) {
            let _ = writeln!(
                out,
                "rhizom_resets_total{{reason=\"{reason}\"}} {}",
                counter.get()
            );
        }
        counter(
            &mut out,
            "rhizom_deltas_published_total",
            "Deltas framed by this node's hub.",
            &self.deltas_published,
        );
        counter(
            &mut out,
            "rhizom_deltas_delivered_total",
            "Deltas handed to streams.",
            &self.deltas_delivered,
        );
        histogram(
            &mut out,
            "rhizom_commit_to_write_seconds",
            "From a change's commit to its frames offered to every stream of its space.",
            &self.commit_to_write,
        );
        counter(
            &mut out,
            "rhizom_rate_limited_total",
            "Requests answered 429.",
            &self.rate_limited,
        );
        histogram(
            &mut out,
            "rhizom_log_read_seconds",
            "Reads of the change log by the hub.",
            &self.log_reads,
        );
        counter(
            &mut out,
            "rhizom_database_errors_total",
            "Background statements that failed.",
            &self.database_errors,
        );
        histogram(
            &mut out,
            "rhizom_announcement_seconds",
            "Announcements to the other nodes (one statement each).",
            &self.announcements,
        );
        counter(
            &mut out,
            "rhizom_changes_announced_total",
            "Changes announced to the other nodes.",
            &self.changes_announced,
        );
        header(
            &mut out,
            "rhizom_changes_heard_total",
            "counter",
            "Changes heard from other nodes for spaces streamed here: inline, or a position alone.",
        );
        let _ = writeln!(
            out,
            "rhizom_changes_heard_total{{inline=\"true\"}} {}",
            self.changes_heard_inline.get()
        );
        let _ = writeln!(
            out,
            "rhizom_changes_heard_total{{inline=\"false\"}} {}",
            self.changes_heard_bare.get()
        );
        counter(
            &mut out,
            "rhizom_bot_wakes_total",
            "Bot wakes that ended.",
            &self.bot_wakes,
        );
        counter(
            &mut out,
            "rhizom_bot_wake_failures_total",
            "Bot wakes that ended failed.",
            &self.bot_wake_failures,
        );
        out
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn gauge(out: &mut String, name: &str, help: &str, gauge: &Gauge) {
    header(out, name, "gauge", help);
    let _ = writeln!(out, "{name} {}", gauge.get());
}

fn counter(out: &mut String, name: &str, help: &str, counter: &Counter) {
    header(out, name, "counter", help);
    let _ = writeln!(out, "{name} {}", counter.get());
}

fn histogram(out: &mut String, name: &str, help: &str, histogram: &Histogram) {
    header(out, name, "histogram", help);
    let mut cumulative = 0;
    for (bound, bucket) in BOUNDS.iter().zip(&histogram.buckets) {
        cumulative += bucket.load(Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
    }
    let count = histogram.count.load(Relaxed);
    let sum = histogram.sum_micros.load(Relaxed) as f64 / 1e6;
    let _ = writeln!(
        out,
        "{name}_bucket{{le=\"+Inf\"}} {count}\n{name}_sum {sum}\n{name}_count {count}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_is_cumulative_and_ends_with_every_observation() {
        let metrics = Metrics::new();
        metrics.log_reads.observe(Duration::from_micros(50));
        metrics.log_reads.observe(Duration::from_millis(3));
        metrics.log_reads.observe(Duration::from_secs(60));
        let text = metrics.render();
        assert!(
            text.contains("rhizom_log_read_seconds_bucket{le=\"0.0001\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("rhizom_log_read_seconds_bucket{le=\"0.005\"} 2\n"),
            "{text}"
        );
        assert!(
            text.contains("rhizom_log_read_seconds_bucket{le=\"10\"} 2\n"),
            "{text}"
        );
        assert!(
            text.contains("rhizom_log_read_seconds_bucket{le=\"+Inf\"} 3\n"),
            "{text}"
        );
        assert!(text.contains("rhizom_log_read_seconds_count 3\n"), "{text}");
        assert!(
            text.contains("rhizom_log_read_seconds_sum 60.00305\n"),
            "{text}"
        );
    }

    #[test]
    fn labelled_counters_count_apart() {
        let metrics = Metrics::new();
        metrics.stream_ended(Ending::TooFarBehind);
        metrics.stream_ended(Ending::TooFarBehind);
        metrics.stream_ended(Ending::ClientGone);
        metrics.reset(ResetReason::TooLarge);
        let text = metrics.render();
        assert!(text.contains("rhizom_stream_ends_total{reason=\"too_far_behind\"} 2\n"));
        assert!(text.contains("rhizom_stream_ends_total{reason=\"client_gone\"} 1\n"));
        assert!(text.contains("rhizom_stream_ends_total{reason=\"gap\"} 0\n"));
        assert!(text.contains("rhizom_resets_total{reason=\"too_large\"} 1\n"));
        assert!(text.contains("rhizom_resets_total{reason=\"initial\"} 0\n"));
    }
}
