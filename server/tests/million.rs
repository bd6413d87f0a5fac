//! Startup with a million generated records: ready in reasonable time and memory, and answering.

mod common;

use booktax::core::schema::{DailyResponse, IsbnResponse};
use common::Server;

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Takes a few seconds in a debug build.
#[test]
fn a_million_records() {
    let s = Server::start(&["--records", "1000000"]);
    let rss = rss_kib(s.pid());
    eprintln!("1M records: ready in {:?}, RSS {rss:?} KiB", s.started_in);
    assert!(s.started_in.as_secs() < 60, "{:?}", s.started_in);
    if let Some(kib) = rss {
        assert!(kib < 1024 * 1024, "RSS {kib} KiB");
    }
    let log = s.wait_log("1000000 records");
    assert!(log.contains("1000000 records"), "{log}");
    let day: DailyResponse = s.api("20230315").parse();
    assert!(
        day.approved.isbns.len() > 100,
        "{}",
        day.approved.isbns.len()
    );
    let code = &day.approved.isbns[day.approved.isbns.len() / 2].isbn;
    let isbn: IsbnResponse = s.api(&format!("isbn/{code}")).parse();
    assert_eq!(&isbn.data.isbn, code);
    assert_eq!(s.api("isbn/9789576780004").status, 200);
}
