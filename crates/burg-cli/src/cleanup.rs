//! Files that must not outlive a failed or interrupted command: temporary
//! outputs are removed when their guard is dropped, and on SIGINT, SIGTERM
//! or SIGHUP (see `interrupted`), which end a command by returning from
//! `main`, so every guard is dropped.

use std::path::{Path, PathBuf};

/// A temporary name beside `path` for a file written whole, then renamed.
pub fn temp_name(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos());
    path.with_file_name(format!(".{name}.{}.{}.partial", std::process::id(), nanos.unwrap_or_default()))
}

/// Removes its file when dropped, unless disarmed.
pub struct Remove(Option<PathBuf>);

impl Remove {
    pub fn new(path: PathBuf) -> Remove {
        Remove(Some(path))
    }

    /// The file is complete: keep it.
    pub fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for Remove {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Resolves when the process is asked to stop: SIGINT (Ctrl-C), SIGTERM
/// or SIGHUP. The handlers are installed when this is called, not when the
/// future is first polled: a signal that comes in between is then still
/// seen, where without a handler SIGTERM would end the process at once.
pub fn interrupted() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let mut streams = {
        use tokio::signal::unix::{SignalKind, signal};
        [SignalKind::interrupt(), SignalKind::terminate(), SignalKind::hangup()]
            .into_iter()
            .filter_map(|kind| signal(kind).ok())
            .collect::<Vec<_>>()
    };
    async move {
        #[cfg(unix)]
        {
            if streams.is_empty() {
                return std::future::pending().await;
            }
            let waits = streams.iter_mut().map(|s| Box::pin(s.recv()));
            futures_select_any(waits).await;
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// The first of several futures to finish.
#[cfg(unix)]
async fn futures_select_any<F: std::future::Future + Unpin>(futures: impl Iterator<Item = F>) {
    let mut futures: Vec<F> = futures.collect();
    std::future::poll_fn(|cx| {
        for f in futures.iter_mut() {
            if std::pin::Pin::new(f).poll(cx).is_ready() {
                return std::task::Poll::Ready(());
            }
        }
        std::task::Poll::Pending
    })
    .await
}
