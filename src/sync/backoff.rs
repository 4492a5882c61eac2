//! Reconnect delays: exponential backoff with full jitter (docs/SYNC.md, "Writing a client").

use std::time::Duration;

const BASE_MS: f64 = 500.0;
const CAP_MS: f64 = 30_000.0;

/// A delay in `[0, min(cap, base · 2^attempt))`, scaled by `unit` (a random number in `[0, 1)`).
pub fn delay(attempt: u32, unit: f64) -> Duration {
    let ceiling = (BASE_MS * 2f64.powi(attempt.min(16) as i32)).min(CAP_MS);
    Duration::from_millis((ceiling * unit.clamp(0.0, 1.0)) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ceiling_doubles_and_is_capped() {
        assert_eq!(delay(0, 0.999_999).as_millis(), 499);
        assert_eq!(delay(3, 0.999_999).as_millis(), 3_999);
        assert_eq!(delay(20, 0.999_999).as_millis(), 29_999);
    }

    #[test]
    fn full_jitter_can_be_anywhere_down_to_zero() {
        assert_eq!(delay(5, 0.0), Duration::ZERO);
        assert_eq!(delay(1, 0.5).as_millis(), 500);
    }
}
