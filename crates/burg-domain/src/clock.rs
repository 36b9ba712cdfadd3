//! Time is a parameter: production reads the system clock, tests set it.

use std::sync::atomic::{AtomicI64, Ordering};

/// A source of "now", in microseconds since the Unix epoch.
pub trait Clock: Send + Sync + 'static {
    fn now_micros(&self) -> i64;
}

/// The system's wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one place that reads the wall clock
    fn now_micros(&self) -> i64 {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        i64::try_from(now.as_micros()).unwrap_or(i64::MAX)
    }
}

/// A clock that stays where it is set; for tests.
#[derive(Debug, Default)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(micros: i64) -> Self {
        ManualClock(AtomicI64::new(micros))
    }
    pub fn set(&self, micros: i64) {
        self.0.store(micros, Ordering::SeqCst);
    }
    pub fn advance(&self, micros: i64) {
        self.0.fetch_add(micros, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_micros(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// The system's clock moved by an offset that tests advance, so that time
/// goes on as usual and can also jump ahead (token expiry).
#[derive(Debug, Default)]
pub struct ShiftedClock(AtomicI64);

impl ShiftedClock {
    /// Moves this clock `micros` ahead of the system's.
    pub fn advance(&self, micros: i64) {
        self.0.fetch_add(micros, Ordering::SeqCst);
    }
}

impl Clock for ShiftedClock {
    fn now_micros(&self) -> i64 {
        SystemClock.now_micros().saturating_add(self.0.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shifted_clock_runs_ahead_by_its_offset() {
        let clock = ShiftedClock::default();
        let before = SystemClock.now_micros();
        clock.advance(3_600_000_000);
        let now = clock.now_micros();
        assert!(now >= before + 3_600_000_000 && now < SystemClock.now_micros() + 3_600_000_000 + 1_000_000);
    }
}
