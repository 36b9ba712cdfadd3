//! burg as a process of its own, started and stopped as an operator does:
//! for the tests of the binary.

use std::io::Read;
use std::process::{Child, ExitStatus};
use std::time::Duration;

/// A port nothing listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// Waits until the server `child` answers `/debug/ready` on `port`; panics
/// with its exit status (and its error output, when piped) if it ends
/// first, or after 30 s.
pub async fn wait_ready(port: u16, child: &mut Child) {
    let http = crate::http_client();
    for _ in 0..300 {
        if let Ok(r) = http.get(format!("http://127.0.0.1:{port}/debug/ready")).send().await
            && r.status().is_success()
        {
            return;
        }
        if let Some(status) = child.try_wait().expect("child status") {
            let mut err = String::new();
            if let Some(mut stderr) = child.stderr.take() {
                let _ = stderr.read_to_string(&mut err);
            }
            panic!("burg exited with {status} before it was ready: {err}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("burg did not become ready on port {port}");
}

/// Sends `signal` (`libc::SIGTERM`, `SIGINT`, `SIGKILL`, …) and waits for
/// the process: its exit status and its error output, when piped.
pub fn signal(child: &mut Child, signal: i32) -> (ExitStatus, String) {
    let pid = i32::try_from(child.id()).expect("a pid");
    #[allow(unsafe_code)]
    // SAFETY: kill(2) on the pid of a child this test started and has not
    // waited for yet, so the pid is still the child's.
    unsafe {
        libc::kill(pid, signal);
    }
    let status = child.wait().expect("child status");
    let mut err = String::new();
    if let Some(mut stderr) = child.stderr.take() {
        let _ = stderr.read_to_string(&mut err);
    }
    (status, err)
}
