//! Test harness: spawns the built server on a free port, reads its address, collects its stderr, kills it on drop.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const APPID: &str = "booktax-sample";

pub struct Server {
    child: Child,
    pub base: String,
    /// The test admin's token for this run (sent with every request the harness makes).
    pub token: String,
    stderr: Arc<Mutex<String>>,
    stop_reading_stderr: Arc<std::sync::atomic::AtomicBool>,
    pub started_in: Duration,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// `--listen 127.0.0.1:0 --test-admin` plus `args`.
    pub fn start(args: &[&str]) -> Server {
        Server::start_with_env(args, &[])
    }

    pub fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Server {
        Server::spawn(args, env, true)
    }

    /// Without `--test-admin`.
    pub fn start_without_admin(args: &[&str]) -> Server {
        Server::spawn(args, &[], false)
    }

    /// With its stderr closed as soon as it is listening: the log sink is gone.
    pub fn start_with_closed_log(args: &[&str]) -> Server {
        let s = Server::spawn(args, &[], true);
        // Dropping the reader closes the pipe: every later write to stderr fails.
        s.stop_reading_stderr
            .store(true, std::sync::atomic::Ordering::SeqCst);
        s
    }

    fn spawn(args: &[&str], env: &[(&str, &str)], admin: bool) -> Server {
        let started = Instant::now();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_booktax-server"));
        let listen = if args.contains(&"--listen") {
            &[][..]
        } else {
            &["--listen", "127.0.0.1:0"][..]
        };
        let token = format!("t{}-{:?}", std::process::id(), started);
        cmd.args(listen)
            .args(admin.then_some("--test-admin"))
            .args(args)
            .env("BOOKTAX_TEST_ADMIN_TOKEN", &token)
            .env_remove("BOOKTAX_APPID")
            .env_remove("BOOKTAX_UPSTREAM_APPID")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("server starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err = child.stderr.take().unwrap();
        let sink = Arc::clone(&stderr);
        let stop_reading_stderr = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stop = Arc::clone(&stop_reading_stderr);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 || stop.load(std::sync::atomic::Ordering::SeqCst) {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .trim()
            .strip_prefix("booktax-server listening on ")
            .unwrap_or_else(|| {
                panic!(
                    "unexpected first line {line:?}; stderr: {}",
                    stderr.lock().unwrap()
                )
            })
            .to_string();
        assert!(base.starts_with("http://"), "{base}");
        Server {
            child,
            base,
            token,
            stderr,
            stop_reading_stderr,
            started_in: started.elapsed(),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Resident memory in MB, from /proc.
    pub fn rss_mb(&self) -> f64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits up to five seconds for `needle` in stderr, then returns all of it.
    pub fn wait_log(&self, needle: &str) -> String {
        let until = Instant::now() + Duration::from_secs(5);
        loop {
            let log = self.stderr();
            if log.contains(needle) || Instant::now() > until {
                return log;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// An API path with the sample appid.
    pub fn api(&self, path: &str) -> Resp {
        self.get(&format!("/v1/announcement/{path}?appid={APPID}"))
    }

    pub fn get(&self, path: &str) -> Resp {
        call(self.with_token(ureq::get(&self.url(path))), None)
    }

    pub fn post(&self, path: &str, body: &str) -> Resp {
        call(
            self.with_token(ureq::post(&self.url(path)))
                .set("Content-Type", "application/json"),
            Some(body),
        )
    }

    pub fn request(&self, method: &str, path: &str) -> Resp {
        call(
            self.with_token(ureq::request(method, &self.url(path))),
            None,
        )
    }

    fn with_token(&self, req: ureq::Request) -> ureq::Request {
        req.set("X-Booktax-Admin-Token", &self.token)
    }

    pub fn set_clock(&self, now: &str) {
        let r = self.post("/__admin/clock", &format!(r#"{{"now":"{now}"}}"#));
        assert_eq!(r.status, 200, "{}", r.body);
    }
}

/// Status, headers and body of any answer, errors included.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

fn call(req: ureq::Request, body: Option<&str>) -> Resp {
    let req = req.timeout(Duration::from_secs(30));
    let result = match body {
        Some(b) => req.send_string(b),
        None => req.call(),
    };
    let resp = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("request failed: {e}"),
    };
    let status = resp.status();
    let headers = resp
        .headers_names()
        .into_iter()
        .map(|n| {
            let v = resp.header(&n).unwrap_or("").to_string();
            (n, v)
        })
        .collect();
    let body = resp.into_string().unwrap_or_default();
    Resp {
        status,
        headers,
        body,
    }
}
