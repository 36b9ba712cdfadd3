//! What `burg export` and `burg import` show while they work, and the one
//! summary line each prints at the end.
//!
//! On a terminal: a bar of users (the total comes from the export's
//! selection or the import's check), the organization in progress, a
//! whole-number rate and an ETA; log lines are drawn above the bar, never
//! across it. Elsewhere: one plain line per organization.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use burg_app::{Progress, Tick};
use indicatif::{ProgressBar, ProgressState, ProgressStyle};

/// The bar on screen, if any: log lines are written above it.
static ACTIVE: Mutex<Option<ProgressBar>> = Mutex::new(None);

fn active() -> Option<ProgressBar> {
    ACTIVE.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
}

/// Writes log output to stderr, above the progress bar when one is shown.
pub struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match active() {
            Some(bar) => bar.suspend(|| std::io::stderr().write(buf)),
            None => std::io::stderr().write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// What the work has come to, as the ticks told it.
#[derive(Debug, Default)]
pub struct Counts {
    pub planned_orgs: AtomicU64,
    pub planned_users: AtomicU64,
    /// Organizations finished.
    pub orgs: AtomicU64,
    /// Users of the finished organizations.
    pub users: AtomicU64,
    /// Users an import wrote (new ones; not those already there).
    pub written: AtomicU64,
}

/// A bar (or plain lines) for an export or import.
pub struct Display {
    bar: ProgressBar,
    pub counts: Arc<Counts>,
    started: Instant,
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key("rate", |state: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{} users/s", number(state.per_sec().round() as u64));
        })
        .progress_chars("=> ")
}

impl Display {
    pub fn new() -> Display {
        let terminal = std::io::stderr().is_terminal();
        let bar = if terminal {
            let bar =
                ProgressBar::new_spinner().with_style(style("{spinner} {msg}  {elapsed}").tick_chars("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏ "));
            bar.set_message("reading");
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        } else {
            ProgressBar::hidden()
        };
        *ACTIVE.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = terminal.then(|| bar.clone());
        Display { bar, counts: Arc::default(), started: Instant::now() }
    }

    /// A spinner while a server works (its progress is not seen here).
    pub fn waiting(message: &str) -> Display {
        let display = Display::new();
        display.bar.set_message(message.to_string());
        display
    }

    /// The listener to give the app; `verb` says what a finished
    /// organization is ("exported", "imported", "checked").
    pub fn listener(&self, verb: &'static str) -> Progress {
        let bar = self.bar.clone();
        let counts = self.counts.clone();
        let terminal = !bar.is_hidden();
        let listener = move |tick: Tick| match tick {
            Tick::Planned { orgs, users } => {
                counts.planned_orgs.store(orgs, Ordering::Relaxed);
                counts.planned_users.store(users, Ordering::Relaxed);
                if terminal {
                    bar.set_style(style("{bar:30} {pos}/{len} users  {rate}  ETA {eta}  {msg}"));
                    bar.set_length(users);
                    bar.set_position(0);
                    bar.set_message(format!("organization 1 of {orgs}"));
                }
            }
            Tick::OrgUsers(n) => bar.set_position(counts.users.load(Ordering::Relaxed) + n),
            Tick::Users(n) => {
                counts.users.store(n, Ordering::Relaxed);
                bar.set_position(n);
            }
            Tick::Orgs(n) => {
                counts.orgs.store(n, Ordering::Relaxed);
                let planned = counts.planned_orgs.load(Ordering::Relaxed);
                if terminal {
                    if n < planned {
                        bar.set_message(format!("organization {} of {planned}", n + 1));
                    }
                } else {
                    eprintln!(
                        "{verb} {} of {}, {} of {}",
                        number(n),
                        plural(planned, "organization"),
                        number(counts.users.load(Ordering::Relaxed)),
                        plural(counts.planned_users.load(Ordering::Relaxed), "user"),
                    );
                }
            }
            Tick::Written(n) => counts.written.store(n, Ordering::Relaxed),
        };
        Progress(Some(Arc::new(listener)))
    }

    /// Seconds since the display started.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Takes the bar off the screen.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
        *ACTIVE.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        self.finish();
    }
}

/// `n` with thousands separated by commas: 12,345.
pub fn number(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "1 organization", "2 organizations", "12,000 users".
pub fn plural(n: u64, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{} {noun}s", number(n)) }
}

/// " in 3.2 s (3,125 users/s)", or " in 0.4 s" when there were no users.
pub fn timing(elapsed: Duration, users: u64) -> String {
    let secs = elapsed.as_secs_f64();
    if users == 0 || secs <= 0.0 {
        format!(" in {secs:.1} s")
    } else {
        format!(" in {secs:.1} s ({} users/s)", number((users as f64 / secs).round() as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_plurals_read_as_words() {
        assert_eq!(number(0), "0");
        assert_eq!(number(999), "999");
        assert_eq!(number(1000), "1,000");
        assert_eq!(number(1234567), "1,234,567");
        assert_eq!(plural(1, "organization"), "1 organization");
        assert_eq!(plural(0, "user"), "0 users");
        assert_eq!(plural(12000, "user"), "12,000 users");
        assert_eq!(timing(Duration::from_millis(3200), 10000), " in 3.2 s (3,125 users/s)");
        assert_eq!(timing(Duration::from_millis(400), 0), " in 0.4 s");
    }
}
