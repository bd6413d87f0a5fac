//! The log: one line per event to stderr through a lossy background writer, so a slow, full or closed stderr never holds up or stops a request.

use std::io::Write;
use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};

/// stderr, ignoring every failure: a log line that cannot be written is dropped.
struct Stderr;

impl Write for Stderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _ = std::io::stderr().write_all(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let _ = std::io::stderr().flush();
        Ok(())
    }
}

/// Starts the log; keep the guard for the life of the process (it flushes on drop).
pub fn init() -> WorkerGuard {
    // Lossy: when the writer falls behind (an undrained pipe), new lines are dropped, never waited for.
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(true)
        .buffered_lines_limit(10_000)
        .finish(Stderr);
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .without_time()
        .with_target(false)
        .with_level(false)
        .init();
    guard
}
