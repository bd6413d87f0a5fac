//! Command-line flags and environment variables, read into a [`Config`].

use booktax::core::taipei::parse_yyyymmdd;
use chrono::NaiveDate;
use std::net::SocketAddr;
use std::path::PathBuf;

/// The appid that sample mode accepts unless `--appid` or `BOOKTAX_APPID` says otherwise.
pub const DEFAULT_APPID: &str = "booktax-sample";
/// The most generated records: three ISBN prefixes of a million codes each, less the fixtures.
pub const MAX_RECORDS: usize = 2_900_000;

pub const USAGE: &str = "\
booktax-server: local announcement service (sample data or proxy) and the booktax web page

USAGE: booktax-server [FLAGS]

  --listen ADDR           address to listen on (default 127.0.0.1:8080; port 0 picks a free one)
  --www DIR               static files to serve (default: the workspace's built site,
                          target/site, else its www)
  --records N             generated sample records (default 5000, at most 2900000)
  --policy-expiry YYYYMMDD  policy expiry date served (default 20310228)
  --appid ID              appid accepted in sample mode (default booktax-sample; env BOOKTAX_APPID)
  --upstream URL          proxy mode: forward /v1/announcement/... to URL, adding the appid
                          from env BOOKTAX_UPSTREAM_APPID (required; never printed)
  --cache-dir DIR         proxy mode: keep past days' announcements here (survives restarts)
  --cache-ttl-minutes N   proxy mode: reuse today's list and code lookups this long (default 5)
  --busy-ttl-minutes N    the same from 21:30 to midnight, when every till syncs (default 30)
  --test-admin            enable /__admin/... (fault injection, clock, fixtures): loopback
                          only, with the per-run token (printed at start; env
                          BOOKTAX_TEST_ADMIN_TOKEN sets it) in X-Booktax-Admin-Token, JSON bodies
  --test-admin-origin ORIGIN  a test page's origin that may call /__admin/ (repeatable;
                          the browser tests' runner); no other origin gets CORS there
  --connect-src ORIGIN    extra origin for the page's CSP connect-src (repeatable)
  --frame-ancestors ORIGIN  an intranet origin that may frame the page (repeatable;
                          default: only the page's own origin)
  --print-csp             print the page's Content-Security-Policy (with the flags above)
                          and exit: the header a static deploy without this server sends
  -h, --help              this text
";

/// Everything the server is started with.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    pub listen: SocketAddr,
    pub www: PathBuf,
    pub records: usize,
    pub policy_expiry: NaiveDate,
    pub appid: String,
    /// Proxy mode: the upstream base URL and its appid.
    pub upstream: Option<Upstream>,
    pub test_admin: bool,
    /// The token `/__admin/` requires; set when `test_admin` is.
    pub admin_token: String,
    pub test_admin_origins: Vec<String>,
    pub connect_src: Vec<String>,
    pub frame_ancestors: Vec<String>,
    /// Proxy mode's cache: a directory for past days, and the reuse times in minutes.
    pub cache_dir: Option<PathBuf>,
    pub cache_ttl_minutes: u64,
    pub busy_ttl_minutes: u64,
}

/// The real API to forward to; `appid` is a secret and is never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Upstream {
    pub base: String,
    pub appid: String,
}

// Hand-written so that the upstream appid can never reach a log through `{:?}`.
impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstream")
            .field("base", &self.base)
            .field("appid", &"<hidden>")
            .finish()
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("www", &self.www)
            .field("records", &self.records)
            .field("policy_expiry", &self.policy_expiry)
            .field("upstream", &self.upstream)
            .field("test_admin", &self.test_admin)
            .field("connect_src", &self.connect_src)
            .field("frame_ancestors", &self.frame_ancestors)
            .finish_non_exhaustive()
    }
}

/// What the command line asks for.
#[derive(Debug)]
pub enum Parsed {
    Run(Box<Config>),
    Help,
    /// `--print-csp`: print the policy for this configuration and exit.
    PrintCsp(Box<Config>),
}

/// Reads flags (without the program name) and the environment through `env`.
pub fn parse<I, E>(args: I, env: E, default_www: PathBuf) -> Result<Parsed, String>
where
    I: IntoIterator<Item = String>,
    E: Fn(&str) -> Option<String>,
{
    let mut cfg = Config {
        listen: "127.0.0.1:8080".parse().expect("valid default address"),
        www: default_www,
        records: 5000,
        policy_expiry: parse_yyyymmdd("20310228").expect("valid default date"),
        appid: env("BOOKTAX_APPID")
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| DEFAULT_APPID.to_string()),
        upstream: None,
        test_admin: false,
        admin_token: String::new(),
        test_admin_origins: Vec::new(),
        connect_src: Vec::new(),
        frame_ancestors: Vec::new(),
        cache_dir: None,
        cache_ttl_minutes: 5,
        busy_ttl_minutes: 30,
    };
    let mut upstream_base = None;
    let mut print_csp = false;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(Parsed::Help),
            "--listen" => {
                let v = value("--listen")?;
                cfg.listen = v
                    .parse()
                    .map_err(|_| format!("--listen: not an address like 127.0.0.1:8080: {v}"))?;
            }
            "--www" => cfg.www = PathBuf::from(value("--www")?),
            "--records" => {
                let v = value("--records")?;
                let n: usize = v
                    .replace('_', "")
                    .parse()
                    .map_err(|_| format!("--records: not a number: {v}"))?;
                if n > MAX_RECORDS {
                    return Err(format!("--records: at most {MAX_RECORDS}"));
                }
                cfg.records = n;
            }
            "--policy-expiry" => {
                let v = value("--policy-expiry")?;
                cfg.policy_expiry = parse_yyyymmdd(&v)
                    .ok_or_else(|| format!("--policy-expiry: not a YYYYMMDD date: {v}"))?;
            }
            "--appid" => {
                let v = value("--appid")?;
                if v.is_empty() {
                    return Err("--appid must not be empty".into());
                }
                cfg.appid = v;
            }
            "--upstream" => {
                let v = value("--upstream")?;
                if !(v.starts_with("http://") || v.starts_with("https://")) {
                    return Err(format!("--upstream: not an http(s) URL: {v}"));
                }
                upstream_base = Some(v.trim_end_matches('/').to_string());
            }
            "--test-admin" if inline.is_none() => cfg.test_admin = true,
            "--test-admin-origin" => cfg.test_admin_origins.push(origin(
                "--test-admin-origin",
                value("--test-admin-origin")?,
            )?),
            "--connect-src" => cfg
                .connect_src
                .push(origin("--connect-src", value("--connect-src")?)?),
            "--frame-ancestors" => cfg
                .frame_ancestors
                .push(origin("--frame-ancestors", value("--frame-ancestors")?)?),
            "--print-csp" if inline.is_none() => print_csp = true,
            "--cache-dir" => cfg.cache_dir = Some(PathBuf::from(value("--cache-dir")?)),
            "--cache-ttl-minutes" => {
                cfg.cache_ttl_minutes =
                    minutes("--cache-ttl-minutes", &value("--cache-ttl-minutes")?)?
            }
            "--busy-ttl-minutes" => {
                cfg.busy_ttl_minutes = minutes("--busy-ttl-minutes", &value("--busy-ttl-minutes")?)?
            }
            _ => return Err(format!("unknown flag: {arg}\n\n{USAGE}")),
        }
    }
    if let Some(base) = upstream_base {
        let appid = env("BOOKTAX_UPSTREAM_APPID")
            .filter(|s| !s.is_empty())
            .ok_or("--upstream needs the environment variable BOOKTAX_UPSTREAM_APPID")?;
        cfg.upstream = Some(Upstream { base, appid });
    }
    if cfg.test_admin {
        cfg.admin_token = env("BOOKTAX_TEST_ADMIN_TOKEN")
            .filter(|t| !t.is_empty())
            .unwrap_or_else(random_token);
    }
    if print_csp {
        return Ok(Parsed::PrintCsp(Box::new(cfg)));
    }
    Ok(Parsed::Run(Box::new(cfg)))
}

/// 128 random bits as hex, from the standard library's randomly seeded hasher keys (no crate needed
/// for a test-only secret that lives one run).
fn random_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let half = || {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        h.finish()
    };
    format!("{:016x}{:016x}", half(), half())
}

/// A number of minutes, at most a day.
fn minutes(flag: &str, v: &str) -> Result<u64, String> {
    v.parse::<u64>()
        .ok()
        .filter(|m| *m <= 24 * 60)
        .ok_or_else(|| format!("{flag}: not a number of minutes (0 to 1440): {v}"))
}

/// A source for a CSP directive: one token, nothing that could end or extend the directive.
fn origin(flag: &str, v: String) -> Result<String, String> {
    if v.is_empty() || v.contains([';', ',', '\'', '"']) || v.chars().any(char::is_whitespace) {
        return Err(format!("{flag}: not an origin: {v}"));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str], env: &[(&str, &str)]) -> Result<Config, String> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let lookup = |k: &str| env.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
        match parse(args.iter().map(|s| s.to_string()), lookup, "www".into())? {
            Parsed::Run(c) => Ok(*c),
            Parsed::Help => Err("help".into()),
            Parsed::PrintCsp(_) => Err("print-csp".into()),
        }
    }

    #[test]
    fn csp_flags() {
        let c = run(
            &[
                "--frame-ancestors",
                "https://intranet.example",
                "--connect-src",
                "https://proxy.example",
            ],
            &[],
        )
        .unwrap();
        assert_eq!(
            c.frame_ancestors,
            vec!["https://intranet.example".to_string()]
        );
        assert_eq!(c.connect_src, vec!["https://proxy.example".to_string()]);
        assert!(run(&["--frame-ancestors", "x; script-src *"], &[]).is_err());
        assert_eq!(run(&["--print-csp"], &[]).unwrap_err(), "print-csp");
    }

    #[test]
    fn defaults() {
        let c = run(&[], &[]).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.records, 5000);
        assert_eq!(c.policy_expiry, parse_yyyymmdd("20310228").unwrap());
        assert_eq!(c.appid, "booktax-sample");
        assert!(c.upstream.is_none() && !c.test_admin && c.connect_src.is_empty());
    }

    #[test]
    fn every_flag() {
        let c = run(
            &[
                "--listen",
                "127.0.0.1:0",
                "--www=site",
                "--records",
                "1_000_000",
                "--policy-expiry",
                "20261201",
                "--appid",
                "abc",
                "--test-admin",
                "--connect-src",
                "http://127.0.0.1:9",
                "--connect-src",
                "https://x.test",
            ],
            &[("BOOKTAX_APPID", "from-env")],
        )
        .unwrap();
        assert_eq!(c.listen.port(), 0);
        assert_eq!(c.www, PathBuf::from("site"));
        assert_eq!(c.records, 1_000_000);
        assert_eq!(c.policy_expiry, parse_yyyymmdd("20261201").unwrap());
        assert_eq!(c.appid, "abc");
        assert!(c.test_admin);
        assert_eq!(c.connect_src, ["http://127.0.0.1:9", "https://x.test"]);
        assert_eq!(
            run(&[], &[("BOOKTAX_APPID", "from-env")]).unwrap().appid,
            "from-env"
        );
    }

    #[test]
    fn upstream_needs_its_appid_and_hides_it() {
        let e = run(&["--upstream", "https://tax.moc.gov.tw/book-api/"], &[]).unwrap_err();
        assert!(e.contains("BOOKTAX_UPSTREAM_APPID"));
        let c = run(
            &["--upstream", "https://tax.moc.gov.tw/book-api/"],
            &[("BOOKTAX_UPSTREAM_APPID", "s3cret")],
        )
        .unwrap();
        let up = c.upstream.as_ref().unwrap();
        assert_eq!(up.base, "https://tax.moc.gov.tw/book-api");
        assert_eq!(up.appid, "s3cret");
        assert!(!format!("{c:?}").contains("s3cret"));
    }

    #[test]
    fn bad_flags() {
        for bad in [
            &["--listen", "nowhere"][..],
            &["--records", "many"],
            &["--records", "99999999"],
            &["--policy-expiry", "20210230"],
            &["--appid", ""],
            &["--upstream", "ftp://x"],
            &["--connect-src", "'self'; script-src *"],
            &["--bogus"],
            &["--listen"],
        ] {
            assert!(run(bad, &[]).is_err(), "{bad:?}");
        }
        assert_eq!(run(&["--help"], &[]).unwrap_err(), "help");
    }
}
