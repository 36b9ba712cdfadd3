//! The metrics recorder does not grow with the number of requests when
//! nobody scrapes `/metrics`: its upkeep thread folds recorded durations
//! into buckets. Live heap bytes are counted by this test binary's own
//! allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::Duration;

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is handed to the system allocator unchanged; the
// counter is only arithmetic beside it.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: the caller's layout goes to the system allocator as given.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Live heap growth over rounds 3..=10 of recording 100k durations. After
/// each round (and at least 150 ms) the upkeep is given up to `settle` to
/// fold the round's samples: it runs on its own schedule, later on a busy
/// machine.
fn growth_over_rounds(upkeep_every: Duration, settle: Duration) -> isize {
    let (recorder, _handle) = burg_server::metrics::recorder(upkeep_every).expect("a recorder");
    let mut after_round = Vec::new();
    for _ in 0..10 {
        let before = LIVE.load(Ordering::Relaxed);
        metrics::with_local_recorder(&recorder, || {
            let h = metrics::histogram!("burg_request_duration_seconds", "rpc" => "GetMyInstance");
            for i in 0..100_000 {
                h.record(i as f64 * 1e-6);
            }
        });
        let started = std::time::Instant::now();
        std::thread::sleep(Duration::from_millis(150));
        // A round records 800 kB of samples; while half of that is still
        // there, the upkeep has not folded them yet.
        while LIVE.load(Ordering::Relaxed) > before + 400_000 && started.elapsed() < settle {
            std::thread::sleep(Duration::from_millis(20));
        }
        after_round.push(LIVE.load(Ordering::Relaxed));
    }
    after_round[9] - after_round[2]
}

#[test]
fn recorded_durations_do_not_pile_up() {
    // Without upkeep the 800k recorded durations stay (8 bytes each): the
    // measurement sees them.
    let kept = growth_over_rounds(Duration::from_secs(24 * 3600), Duration::ZERO);
    assert!(kept > 5_000_000, "without upkeep the heap grew by only {kept} bytes");
    let upkept = growth_over_rounds(Duration::from_millis(20), Duration::from_secs(3));
    eprintln!("heap growth: {kept} bytes without upkeep, {upkept} with");
    assert!(upkept < 500_000, "with upkeep the heap still grew by {upkept} bytes");
}
