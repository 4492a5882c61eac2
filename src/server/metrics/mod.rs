//! What the server counts, for `GET /metrics` in the Prometheus text format (docs/SCALING.md
//! lists each). One set per process, like the process itself: counters and gauges are atomics
//! bumped where the thing happens, histograms count into fixed buckets; nothing is kept per
//! space or per client, so the cost never grows with them.

mod instruments;

use std::fmt::Write as _;
#[cfg(test)]
use std::time::Duration;

pub(crate) use instruments::{Counter, Gauge, Histogram};
use instruments::{counter, gauge, header, histogram};

use crate::server::live::ending::Ending;
use crate::sync::ResetReason;

/// The process's metrics.
pub(crate) static METRICS: Metrics = Metrics::new();

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
    /// Publishes on the bus (a batch each) that it took whole, how long each took, the changes
    /// it took, and its failures (a publish, a subscription, a read of its history).
    pub bus_publishes: Histogram,
    pub changes_carried: Counter,
    pub bus_errors: Counter,
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
            bus_publishes: Histogram::new(),
            changes_carried: Counter::new(),
            bus_errors: Counter::new(),
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
        histogram(
            &mut out,
            "rhizom_bus_publish_seconds",
            "Batches of changes published on the bus (NATS), each taken whole.",
            &self.bus_publishes,
        );
        counter(
            &mut out,
            "rhizom_bus_changes_total",
            "Changes the bus took.",
            &self.changes_carried,
        );
        counter(
            &mut out,
            "rhizom_bus_errors_total",
            "Failures of the bus: publishes it did not take, subscriptions, reads of its history.",
            &self.bus_errors,
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
