//! Ids: decimal strings of a time-ordered 64-bit number, like ZITADEL's.
//!
//! Layout (most significant first): 41 bits of milliseconds since
//! 2024-01-01T00:00:00Z, 10 bits of node id, 12 bits of sequence within the
//! millisecond. Nodes that share a database pick different node ids (a
//! random one by default); a collision would surface as a unique-key
//! conflict on insert, never as two objects with one id.

use std::sync::Mutex;

use crate::clock::Clock;

const EPOCH_MS: i64 = 1_704_067_200_000;
const NODE_BITS: u32 = 10;
const SEQ_BITS: u32 = 12;
const MAX_SEQ: u64 = (1 << SEQ_BITS) - 1;

/// Generates ids for one node.
#[derive(Debug)]
pub struct IdGenerator {
    node: u64,
    state: Mutex<(i64, u64)>,
}

impl IdGenerator {
    /// `node` is reduced to its low 10 bits.
    pub fn new(node: u16) -> Self {
        IdGenerator { node: u64::from(node) & ((1 << NODE_BITS) - 1), state: Mutex::new((0, 0)) }
    }

    /// A generator with a random node id.
    pub fn random_node() -> Self {
        IdGenerator::new(rand::random::<u16>())
    }

    /// The next id. Within one millisecond up to 4096 ids; beyond that the
    /// generator borrows from the next millisecond rather than wait.
    pub fn next(&self, clock: &dyn Clock) -> String {
        let now_ms = (clock.now_micros() / 1000 - EPOCH_MS).max(0);
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let (last_ms, seq) = *state;
        let (ms, seq) = if now_ms > last_ms {
            (now_ms, 0)
        } else if seq < MAX_SEQ {
            (last_ms, seq + 1)
        } else {
            (last_ms + 1, 0)
        };
        *state = (ms, seq);
        let id = ((ms as u64) << (NODE_BITS + SEQ_BITS)) | (self.node << SEQ_BITS) | seq;
        id.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_ordered_within_a_node() {
        let clock = ManualClock::new(1_800_000_000_000_000);
        let ids = IdGenerator::new(7);
        let mut seen = HashSet::new();
        let mut last = 0u64;
        for i in 0..10_000 {
            if i % 1000 == 0 {
                clock.advance(1000);
            }
            let id: u64 = ids.next(&clock).parse().unwrap();
            assert!(id > last, "ids must increase");
            assert!(seen.insert(id));
            last = id;
        }
    }

    #[test]
    fn different_nodes_never_collide_at_the_same_instant() {
        let clock = ManualClock::new(1_800_000_000_000_000);
        let a = IdGenerator::new(1);
        let b = IdGenerator::new(2);
        assert_ne!(a.next(&clock), b.next(&clock));
        assert!(a.next(&clock).len() >= 17);
    }
}
