//! One process at a time on an SQLite database.
//!
//! Each burg process keeps read caches (tokens, identity providers) that
//! are correct only while it sees every write: PostgreSQL tells every node
//! of every commit, SQLite tells nobody. So a process that opens an SQLite
//! database takes an exclusive lock on a file beside it, held until the
//! process ends (the operating system releases it even after a crash or a
//! kill), and a second process is refused with the first one's pid and
//! command.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::Path;

/// A held lock; released when dropped or when the process ends.
#[derive(Debug)]
pub struct DirLock {
    _file: File,
}

pub enum Outcome {
    Held(DirLock),
    /// Another process holds it: who, as it wrote itself down.
    Busy(String),
}

/// Takes the lock in `path`, creating the file if needed.
pub fn acquire(path: &Path) -> Result<Outcome, String> {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| format!("cannot open the lock file {}: {e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            return Ok(Outcome::Busy(if holder.is_empty() { "a process".into() } else { holder.to_string() }));
        }
        Err(TryLockError::Error(e)) => return Err(format!("cannot lock {}: {e}", path.display())),
    }
    let command: Vec<String> = std::env::args().take(2).collect();
    let note = format!("pid {}: {}\n", std::process::id(), command.join(" "));
    let written = file.set_len(0).and_then(|_| file.rewind()).and_then(|_| file.write_all(note.as_bytes()));
    written.map_err(|e| format!("cannot write the lock file {}: {e}", path.display()))?;
    Ok(Outcome::Held(DirLock { _file: file }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("burg.lock");
        let Outcome::Held(first) = acquire(&path).unwrap() else { panic!("the first lock must be taken") };
        match acquire(&path).unwrap() {
            Outcome::Busy(holder) => assert!(holder.contains(&format!("pid {}", std::process::id())), "{holder}"),
            Outcome::Held(_) => panic!("a second lock must be refused"),
        }
        drop(first);
        assert!(matches!(acquire(&path).unwrap(), Outcome::Held(_)));
    }
}
