//! Rate limits: a setting such as `"10/s burst 60"` ([`Rate`]), and the limiters built from
//! them, keyed by client address or by signed-in being ([`RateLimits`]).

use std::fmt;
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::str::FromStr;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, InsufficientCapacity, Quota, RateLimiter};
use serde::{Deserialize, Deserializer};
use uuid::Uuid;

use crate::model::ApiError;
use crate::server::config::Config;
use crate::server::metrics::METRICS;

/// How often something may happen: `count` times per `per` on average, with bursts of up to
/// `burst` at once; or not limited at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rate {
    Off,
    Limited {
        count: NonZeroU32,
        per: Duration,
        burst: NonZeroU32,
    },
}

impl Rate {
    /// `count` per `per`, in bursts of `burst`.
    pub const fn limited(count: u32, per: Duration, burst: u32) -> Rate {
        match (NonZeroU32::new(count), NonZeroU32::new(burst)) {
            (Some(count), Some(burst)) => Rate::Limited { count, per, burst },
            _ => Rate::Off,
        }
    }
}

/// Why a rate setting did not parse.
#[derive(Debug, thiserror::Error)]
#[error("a rate is like \"10/s burst 60\" (per s, m or h; burst optional) or \"off\": {0:?}")]
pub struct RateError(String);

impl FromStr for Rate {
    type Err = RateError;

    fn from_str(text: &str) -> Result<Rate, RateError> {
        let bad = || RateError(text.to_owned());
        let text = text.trim();
        if text == "off" {
            return Ok(Rate::Off);
        }
        let (rate, burst) = match text.split_once("burst") {
            Some((rate, burst)) => (rate.trim(), Some(burst.trim())),
            None => (text, None),
        };
        let (count, unit) = rate.split_once('/').ok_or_else(bad)?;
        let count: u32 = count.trim().parse().map_err(|_| bad())?;
        let per = match unit.trim() {
            "s" => Duration::from_secs(1),
            "m" => Duration::from_secs(60),
            "h" => Duration::from_secs(60 * 60),
            _ => return Err(bad()),
        };
        let burst = match burst {
            Some(burst) => burst.parse().map_err(|_| bad())?,
            None => count,
        };
        let count = NonZeroU32::new(count).ok_or_else(bad)?;
        let burst = NonZeroU32::new(burst).ok_or_else(bad)?;
        Ok(Rate::Limited { count, per, burst })
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rate::Off => f.write_str("off"),
            Rate::Limited { count, per, burst } => {
                let unit = match per.as_secs() {
                    1 => "s",
                    60 => "m",
                    _ => "h",
                };
                write!(f, "{count}/{unit} burst {burst}")
            }
        }
    }
}

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Rate, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// What is being done, for its limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    /// Becoming a new guest (per address).
    SignIn,
    /// Posting, editing, deleting; creating, changing or removing a being (per address and
    /// per signed-in being).
    Write,
    /// Opening a live stream (per address, and per signed-in being).
    OpenStream,
    /// Reading: a page, a list, a catch-up, older messages (per address).
    Read,
}

/// One limit, keyed; `None` when off.
struct Keyed<K: Hash + Eq + Clone>(Option<DefaultKeyedRateLimiter<K>>);

impl<K: Hash + Eq + Clone> Keyed<K> {
    fn new(rate: Rate) -> Self {
        Keyed(match rate {
            Rate::Off => None,
            Rate::Limited { count, per, burst } => {
                let period = per / count.get();
                let quota = Quota::with_period(period.max(Duration::from_micros(1)))
                    .expect("a period above zero")
                    .allow_burst(burst);
                Some(RateLimiter::keyed(quota))
            }
        })
    }

    /// `Err(wait)` when `key` must wait before it may act again, `weight` times at once (never
    /// more than the burst: a bigger weight costs the whole burst).
    fn check(&self, key: &K, weight: NonZeroU32) -> Result<(), Duration> {
        let Some(limiter) = &self.0 else {
            return Ok(());
        };
        let checked = match limiter.check_key_n(key, weight) {
            Ok(checked) => checked,
            Err(InsufficientCapacity(burst)) => {
                let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
                limiter.check_key_n(key, burst).unwrap_or(Ok(()))
            }
        };
        checked.map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    fn forget_idle(&self) {
        if let Some(limiter) = &self.0 {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// Every rate limit of the server, shared by all requests.
pub(crate) struct RateLimits {
    sign_ins: Keyed<IpAddr>,
    writes_by_address: Keyed<IpAddr>,
    writes_by_being: Keyed<Uuid>,
    streams_by_address: Keyed<IpAddr>,
    streams_by_being: Keyed<Uuid>,
    reads_by_address: Keyed<IpAddr>,
}

impl fmt::Debug for RateLimits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RateLimits")
    }
}

/// A refusal, counted.
fn refused(wait: Duration) -> ApiError {
    METRICS.rate_limited.inc();
    ApiError::rate_limited(wait)
}

impl RateLimits {
    pub fn new(config: &Config) -> Self {
        RateLimits {
            sign_ins: Keyed::new(config.sign_in_rate),
            writes_by_address: Keyed::new(config.write_rate_per_address),
            writes_by_being: Keyed::new(config.write_rate_per_being),
            streams_by_address: Keyed::new(config.stream_rate_per_address),
            streams_by_being: Keyed::new(config.stream_rate_per_being),
            reads_by_address: Keyed::new(config.read_rate_per_address),
        }
    }

    /// May `address` (signed in as `being`, if anyone) do this now? A refusal is a
    /// `429 rate_limited` that says when to try again.
    pub fn check(
        &self,
        action: Action,
        address: IpAddr,
        being: Option<Uuid>,
    ) -> Result<(), ApiError> {
        self.check_weighted(action, address, being, NonZeroU32::MIN)
    }

    /// [`Self::check`] for something that costs `weight` actions at once (a stream of many
    /// spaces).
    pub fn check_weighted(
        &self,
        action: Action,
        address: IpAddr,
        being: Option<Uuid>,
        weight: NonZeroU32,
    ) -> Result<(), ApiError> {
        let address = per_network(address);
        let (by_address, by_being) = match action {
            Action::SignIn => (&self.sign_ins, None),
            Action::Write => (&self.writes_by_address, Some(&self.writes_by_being)),
            Action::OpenStream => (&self.streams_by_address, Some(&self.streams_by_being)),
            Action::Read => (&self.reads_by_address, None),
        };
        let being_check = match (by_being, being) {
            (Some(limit), Some(being)) => limit.check(&being, weight),
            _ => Ok(()),
        };
        being_check
            .and_then(|()| by_address.check(&address, weight))
            .map_err(refused)
    }

    /// The per-being part of a limit alone, for a being found after its address was counted
    /// (a bot's token is looked up only once its address is within the limit).
    pub fn check_being(&self, action: Action, being: Uuid) -> Result<(), ApiError> {
        let by_being = match action {
            Action::Write => &self.writes_by_being,
            Action::OpenStream => &self.streams_by_being,
            Action::SignIn | Action::Read => return Ok(()),
        };
        by_being.check(&being, NonZeroU32::MIN).map_err(refused)
    }

    /// Every `period` until `stop` resolves, forgets the keys that have not acted lately.
    pub async fn forget_idle_every(
        self: std::sync::Arc<Self>,
        period: Duration,
        stop: impl std::future::Future<Output = ()>,
    ) {
        let mut stop = std::pin::pin!(stop);
        loop {
            tokio::select! {
                () = tokio::time::sleep(period) => self.forget_idle(),
                () = &mut stop => return,
            }
        }
    }

    /// Drops the state of keys that have not acted for a while, so the maps stay small.
    fn forget_idle(&self) {
        self.sign_ins.forget_idle();
        self.writes_by_address.forget_idle();
        self.writes_by_being.forget_idle();
        self.streams_by_address.forget_idle();
        self.streams_by_being.forget_idle();
        self.reads_by_address.forget_idle();
    }
}

/// The key of an address: an IPv6 client usually holds a whole /64, so that is one key.
pub(crate) fn per_network(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::V6(Ipv6Addr::from(segments))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_reads_as_it_is_written() {
        assert_eq!("off".parse::<Rate>().unwrap(), Rate::Off);
        assert_eq!(
            "10/s burst 60".parse::<Rate>().unwrap(),
            Rate::limited(10, Duration::from_secs(1), 60)
        );
        assert_eq!(
            " 30/h ".parse::<Rate>().unwrap(),
            Rate::limited(30, Duration::from_secs(3600), 30)
        );
        for bad in [
            "",
            "10",
            "10/d",
            "x/s",
            "0/s",
            "10/s burst 0",
            "10/s burst",
            "on",
        ] {
            assert!(bad.parse::<Rate>().is_err(), "{bad:?}");
        }
        let rate: Rate = "5/m burst 7".parse().unwrap();
        assert_eq!(rate.to_string().parse::<Rate>().unwrap(), rate);
    }

    #[test]
    fn a_burst_passes_then_the_rate_holds_and_says_how_long_to_wait() {
        let one = NonZeroU32::MIN;
        let limit = Keyed::new(Rate::limited(1, Duration::from_secs(60), 3));
        for _ in 0..3 {
            assert!(limit.check(&1, one).is_ok());
        }
        let wait = limit.check(&1, one).unwrap_err();
        assert!(
            wait > Duration::from_secs(50) && wait <= Duration::from_secs(60),
            "{wait:?}"
        );
        assert!(limit.check(&2, one).is_ok(), "each key has its own");
        assert!(Keyed::<u8>::new(Rate::Off).check(&1, one).is_ok());
    }

    #[test]
    fn a_weighted_action_costs_its_weight_and_at_most_the_burst() {
        let limit = Keyed::new(Rate::limited(1, Duration::from_secs(60), 10));
        let weight = |n| NonZeroU32::new(n).unwrap();
        assert!(limit.check(&1, weight(6)).is_ok());
        assert!(limit.check(&1, weight(6)).is_err(), "4 left of 10");
        assert!(limit.check(&1, weight(4)).is_ok());
        assert!(
            limit.check(&2, weight(50)).is_ok(),
            "more than the burst costs the burst"
        );
        assert!(limit.check(&2, NonZeroU32::MIN).is_err());
    }

    #[test]
    fn an_ipv6_network_is_one_key() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(per_network(a), per_network(b));
        assert_ne!(per_network(a), per_network(other));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(per_network(mapped), "192.0.2.7".parse::<IpAddr>().unwrap());
    }
}
