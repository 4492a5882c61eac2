//! Who holds the server's connections: at most so many in all, and at most so many from one
//! address (an IPv6 client counted by its /64), so that one client cannot take every slot.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use crate::server::guard::rate::per_network;
use crate::server::locks::lock;
use crate::server::metrics::METRICS;

/// Connection slots of one kind (served, or answered past the cap).
#[derive(Debug)]
pub(super) struct Slots {
    total: usize,
    per_address: usize,
    held: Mutex<Held>,
}

#[derive(Debug, Default)]
struct Held {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

/// A slot taken; dropping it gives it back.
#[derive(Debug)]
pub(super) struct Slot {
    slots: Arc<Slots>,
    key: IpAddr,
}

impl Slots {
    pub fn new(total: usize, per_address: usize) -> Arc<Self> {
        Arc::new(Slots {
            total: total.max(1),
            per_address: per_address.max(1),
            held: Mutex::default(),
        })
    }

    /// A slot for a connection from `peer`, unless every slot, or every one its address may
    /// hold, is taken.
    pub fn take(self: &Arc<Self>, peer: IpAddr) -> Option<Slot> {
        let key = per_network(peer);
        let mut held = lock(&self.held);
        let of_address = held.by_address.get(&key).copied().unwrap_or(0);
        if held.total >= self.total || of_address >= self.per_address {
            return None;
        }
        held.total += 1;
        held.by_address.insert(key, of_address + 1);
        METRICS.connections_open.inc();
        Some(Slot {
            slots: self.clone(),
            key,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        METRICS.connections_open.dec();
        let mut held = lock(&self.slots.held);
        held.total -= 1;
        if let Some(count) = held.by_address.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                held.by_address.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_bounded_in_all_and_per_address_and_come_back() {
        let slots = Slots::new(3, 2);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let a1 = slots.take(a).unwrap();
        let _a2 = slots.take(a).unwrap();
        assert!(slots.take(a).is_none(), "two per address");
        let _b1 = slots.take(b).unwrap();
        assert!(slots.take(b).is_none(), "three in all");
        drop(a1);
        assert!(slots.take(b).is_some(), "a slot given back is free again");
        let v6: IpAddr = "2001:db8::1".parse().unwrap();
        let same_net: IpAddr = "2001:db8::2".parse().unwrap();
        let slots = Slots::new(10, 1);
        let _held = slots.take(v6).unwrap();
        assert!(slots.take(same_net).is_none(), "one /64 is one address");
    }
}
