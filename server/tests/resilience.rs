//! The service is never starved: slow, unfinished, greedy or hostile clients on loopback, a hung upstream and a closed log leave `GET /` and the API answering within a second.
//!
//! Every test is bounded: a fixed number of connections, each held for a few seconds at most.

mod common;

use common::{APPID, Server};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// How long the page and a lookup may take while the service is under attack.
const PROMPT: Duration = Duration::from_secs(1);
/// Resident memory the service must stay under.
const MAX_RSS_MB: f64 = 200.0;

fn addr(s: &Server) -> String {
    s.base.trim_start_matches("http://").to_string()
}

fn connect(s: &Server) -> TcpStream {
    let c = TcpStream::connect(addr(s)).expect("connect");
    c.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
    c
}

/// `GET /` and one API lookup answer, each within [`PROMPT`], and the memory stays bounded.
fn answers_promptly(s: &Server, during: &str) {
    let agent = ureq::AgentBuilder::new().timeout(PROMPT).build();
    for path in [
        "/".to_string(),
        format!("/v1/announcement/isbn/9789576780004?appid={APPID}"),
    ] {
        let started = Instant::now();
        let r = agent.get(&s.url(&path)).call();
        let took = started.elapsed();
        assert!(r.is_ok(), "{during}: {path} did not answer: {r:?}");
        assert!(took < PROMPT, "{during}: {path} took {took:?}");
    }
    let rss = s.rss_mb();
    assert!(rss < MAX_RSS_MB, "{during}: RSS {rss:.0} MB");
}

/// An admin POST's head, token and all, announcing a body that never comes.
fn unfinished_post(s: &Server) -> String {
    format!(
        "POST /__admin/faults HTTP/1.1\r\nHost: x\r\nX-Booktax-Admin-Token: {}\r\nContent-Type: application/json\r\nContent-Length: 1025\r\n\r\n",
        s.token
    )
}

/// Opens `n` connections that each send `head` and then hold still.
fn hold(s: &Server, n: usize, head: &[u8]) -> Vec<TcpStream> {
    (0..n)
        .map(|_| {
            let mut c = connect(s);
            c.write_all(head).unwrap();
            c
        })
        .collect()
}

#[test]
fn unfinished_bodies() {
    let s = Server::start(&[]);
    let head = unfinished_post(&s);
    let head = head.as_bytes();
    for n in [16, 64] {
        let held = hold(&s, n, head);
        answers_promptly(&s, &format!("{n} unfinished bodies"));
        drop(held);
    }
}

#[test]
fn unfinished_bodies_time_out() {
    let s = Server::start(&[]);
    let head = unfinished_post(&s);
    let head = head.as_bytes();
    let mut c = connect(&s);
    c.write_all(head).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let started = Instant::now();
    let mut answer = String::new();
    let _ = c.read_to_string(&mut answer);
    assert!(
        started.elapsed() < Duration::from_secs(25),
        "the unfinished body was waited for {:?}",
        started.elapsed()
    );
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 4"),
        "{answer}"
    );
}

#[test]
fn pipelining_clients_that_never_read() {
    let s = Server::start(&[]);
    let many = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".repeat(50);
    let held = hold(&s, 40, many.as_bytes());
    answers_promptly(&s, "40 pipelining non-readers");
    drop(held);
}

#[test]
fn slow_headers() {
    let s = Server::start(&[]);
    let held = hold(&s, 200, b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    answers_promptly(&s, "200 slow-header connections");
    drop(held);
}

#[test]
fn huge_header_block_and_url() {
    let s = Server::start(&[]);
    let target = addr(&s);
    let sender = std::thread::spawn(move || {
        let mut c = TcpStream::connect(&target).unwrap();
        c.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
        let _ = c.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n");
        let line = format!("X-Big: {}\r\n", "a".repeat(1024 * 1024));
        // 50 MB of headers, or until the service hangs up.
        let mut sent = 0;
        for _ in 0..50 {
            if c.write_all(line.as_bytes()).is_err() {
                break;
            }
            sent += 1;
        }
        let mut long_url = TcpStream::connect(&target).unwrap();
        long_url
            .set_write_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let _ = long_url.write_all(b"GET /");
        for _ in 0..100 {
            if long_url.write_all(&[b'a'; 1024 * 1024]).is_err() {
                break;
            }
        }
        sent
    });
    std::thread::sleep(Duration::from_millis(300));
    answers_promptly(&s, "a 50 MB header block and a 100 MB URL");
    let sent = sender.join().unwrap();
    assert!(sent < 50, "the service read all 50 MB of headers");
    answers_promptly(&s, "after a 50 MB header block");
}

#[test]
fn a_closed_log_sink() {
    let mut s = Server::start_with_closed_log(&[]);
    // The harness's reader stops at the next line: log enough lines to make sure the pipe is closed.
    for _ in 0..300 {
        let _ = ureq::get(&s.url("/")).timeout(PROMPT).call();
    }
    answers_promptly(&s, "a closed log sink");
    assert!(s.alive(), "the service stopped when its log went away");
}

#[test]
fn a_hung_upstream_costs_one_request() {
    // A real upstream that answers once (a past day, now kept by the proxy) and then hangs for a minute.
    let secret = "hung-secret";
    let upstream = Server::start(&["--appid", secret]);
    let proxy = Server::start_with_env(
        &["--upstream", &upstream.base],
        &[("BOOKTAX_UPSTREAM_APPID", secret)],
    );
    assert_eq!(proxy.get("/v1/announcement/20210301").status, 200);
    let hang = format!(r#"{{"appid":"{secret}","latency_ms":60000}}"#);
    assert_eq!(upstream.post("/__admin/faults", &hang).status, 200);
    // More waiting requests than the old server had workers.
    let waiting: Vec<_> = (0..24)
        .map(|_| {
            let url = proxy.url("/v1/announcement/isbn/9789576780004");
            std::thread::spawn(move || {
                let _ = ureq::get(&url).timeout(Duration::from_secs(3)).call();
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(800));
    let agent = ureq::AgentBuilder::new().timeout(PROMPT).build();
    for path in ["/", "/v1/announcement/20210301"] {
        let started = Instant::now();
        let r = agent.get(&proxy.url(path)).call();
        assert!(
            r.is_ok() && started.elapsed() < PROMPT,
            "{path} waited for the hung upstream: {r:?} after {:?}",
            started.elapsed()
        );
    }
    assert!(proxy.rss_mb() < MAX_RSS_MB);
    for w in waiting {
        w.join().unwrap();
    }
}

#[test]
fn an_undrained_log_pipe() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    // stderr is a pipe nobody reads: after 64 KiB of log lines a blocking writer would hang.
    let mut child = Command::new(env!("CARGO_BIN_EXE_booktax-server"))
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _unread = child.stderr.take();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line.trim().rsplit(' ').next().unwrap().to_string();
    let agent = ureq::AgentBuilder::new().timeout(PROMPT).build();
    // Each request logs a line of about 60 bytes: 3000 of them are well over 64 KiB.
    let long_path = format!("/{}", "x".repeat(150));
    for i in 0..3000 {
        let r = agent.get(&format!("{base}{long_path}")).call();
        assert!(
            matches!(r, Err(ureq::Error::Status(404, _))),
            "request {i}: {r:?}"
        );
    }
    let started = Instant::now();
    assert!(agent.get(&format!("{base}/")).call().is_ok());
    assert!(started.elapsed() < PROMPT);
    let _ = child.kill();
    let _ = child.wait();
}
