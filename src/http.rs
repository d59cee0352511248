//! The one HTTP client of every request hfaudit makes (the Hub source's API and its CDN,
//! `--verify`, `--revoke`, `whoami`): where a token may be sent ([`Endpoint`]: `https://`, or
//! `http://` to loopback only, never through a proxy), a deadline per request and per run,
//! bounded retries on 429 and 5xx (honouring `Retry-After` and `RateLimit`), no redirects
//! followed, and capped answers. A new caller inherits every one of these.
//!
//! It must not print. Its errors are descriptions that never hold a header (the token).

use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

use reqwest::header::RETRY_AFTER;
use reqwest::Url;

use crate::output::redact_str;

/// The Hub, when neither `--endpoint` nor `HF_ENDPOINT` says otherwise.
pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";

/// The path asked about each token, below the endpoint.
pub const WHOAMI_PATH: &str = "api/whoami-v2";

/// An endpoint that may not be sent a token.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EndpointError {
    #[error("endpoint {0:?} is not a URL ({1})")]
    NotUrl(String, String),
    #[error(
        "endpoint {0} refused: tokens are sent over https:// only (http:// only to a loopback \
         address: 127.0.0.0/8, ::1 or localhost)"
    )]
    Insecure(String),
    #[error("endpoint {0} refused: only https:// endpoints are supported")]
    Scheme(String),
    #[error("endpoint {0} refused: it must not hold a user name, password, query or fragment")]
    Extra(String),
}

/// A checked endpoint: where tokens may be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    base: Url,
    /// `http://` to a loopback address (tests, a local mirror): no proxy is ever used for it.
    loopback_http: bool,
}

impl Endpoint {
    /// Checks `text` against the endpoint rules; nothing is contacted.
    pub fn parse(text: &str) -> Result<Self, EndpointError> {
        let text = text.trim();
        let shown = redact_str(text).into_owned();
        let url =
            Url::parse(text).map_err(|e| EndpointError::NotUrl(shown.clone(), e.to_string()))?;
        if !url.username().is_empty()
            || url.password().is_some()
            || url.query().is_some()
            || url.fragment().is_some()
        {
            // Not echoed: the user name or password may be a credential.
            let mut bare = url.clone();
            let _ = bare.set_username("");
            let _ = bare.set_password(None);
            bare.set_query(None);
            bare.set_fragment(None);
            return Err(EndpointError::Extra(redact_str(bare.as_str()).into_owned()));
        }
        let host = url.host_str().unwrap_or_default();
        let loopback_http = match url.scheme() {
            "https" if !host.is_empty() => false,
            "http" if is_loopback_host(host) => true,
            "http" => return Err(EndpointError::Insecure(shown)),
            _ => return Err(EndpointError::Scheme(shown)),
        };
        let mut base = url;
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        Ok(Endpoint {
            base,
            loopback_http,
        })
    }

    /// `--endpoint`, else `HF_ENDPOINT` (when set and not empty), else the public Hub.
    pub fn choose(flag: Option<&str>, env: Option<&str>) -> Result<Self, EndpointError> {
        let env = env.map(str::trim).filter(|e| !e.is_empty());
        Endpoint::parse(flag.or(env).unwrap_or(DEFAULT_ENDPOINT))
    }

    /// `{endpoint}/api/whoami-v2`.
    pub fn whoami_url(&self) -> Url {
        self.url(WHOAMI_PATH)
    }

    /// `{endpoint}/{path}` for a relative `path` such as `api/credentials/revoke`.
    pub fn url(&self, path: &str) -> Url {
        self.base
            .join(path)
            .expect("a relative path joins onto an http(s) base")
    }

    /// `scheme://host[:port]/`: the one origin a token may be sent to (git's `http.<url>.*`
    /// settings match it, and every path below it).
    pub fn origin(&self) -> String {
        format!("{}/", self.base.origin().ascii_serialization())
    }

    pub fn is_loopback_http(&self) -> bool {
        self.loopback_http
    }

    /// The endpoint as people wrote it, without a trailing slash.
    pub fn as_str(&self) -> &str {
        self.base.as_str().trim_end_matches('/')
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

fn is_loopback_host(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => ip.is_loopback(),
        Ok(IpAddr::V6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Err(_) => false,
    }
}

/// How to ask: timeouts, a deadline for the whole run, bounded retries, capped answers.
/// [`Policy::new`] has verification's defaults; the Hub source and the CLI adjust them.
#[derive(Debug, Clone)]
pub struct Policy {
    pub endpoint: Endpoint,
    /// Per request, in all: connecting, the headers and the last byte of the body. A body that
    /// trickles in (a byte a second) ends here, not when it stops trickling.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Per run: no request starts, and none goes on, after this much time since the first one;
    /// tokens not asked by then are `unknown` with a note.
    pub deadline: Duration,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Attempts per token when the Hub answers 429 or 5xx (the first one included).
    pub max_attempts: u32,
    /// Per token: no retry starts after this much time has passed since the first attempt.
    pub retry_budget: Duration,
    /// The longest answer read; a larger one is `unknown`.
    pub max_body: u64,
    /// The first wait between retries when the Hub sends no `Retry-After`; doubles each time.
    pub backoff: Duration,
}

impl Policy {
    pub fn new(endpoint: Endpoint) -> Self {
        Policy {
            endpoint,
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            deadline: Duration::from_secs(60),
            concurrency: 8,
            max_attempts: 3,
            retry_budget: Duration::from_secs(30),
            max_body: 1 << 20,
            backoff: Duration::from_millis(500),
        }
    }

    /// Sets the request timeout (and caps the connect timeout to it).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self.connect_timeout = self.connect_timeout.min(timeout);
        self
    }

    /// Sets the deadline of a whole run.
    #[must_use]
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }
}

/// The answer to a status no caller expects: 429 and 5xx are worth another try (after
/// `Retry-After`, if sent); a redirect or anything else is a failure, described.
pub(crate) fn retry_or_fail<T>(
    response: &reqwest::blocking::Response,
) -> Result<Attempt<T>, String> {
    let status = response.status().as_u16();
    match status {
        429 | 500..=599 => Ok(Attempt::Retry {
            detail: format!("HTTP {status}"),
            retry_after: retry_wait(response.headers()),
        }),
        300..=399 => Err(format!(
            "HTTP {status}: the endpoint redirects, and redirects are not followed"
        )),
        _ => Err(format!("HTTP {status}")),
    }
}

/// What one attempt came to.
pub(crate) enum Attempt<T> {
    Done(T),
    /// 429 or 5xx: worth another try, after `Retry-After` if the Hub sent one.
    Retry {
        detail: String,
        retry_after: Option<Duration>,
    },
}

/// When one request must be over, and why then (for the message when it is not).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline {
    at: Instant,
    /// The request's own time limit.
    limit: Duration,
    /// The run's deadline cut the limit short.
    cut: bool,
}

/// The one HTTP client of every Hub call (the Hub source's API and CDN, verification,
/// revocation): the endpoint rule, a total deadline per request and per run, bounded retries,
/// no redirects, capped bodies.
pub struct Client<'a> {
    pub(crate) inner: reqwest::blocking::Client,
    pub(crate) opts: &'a Policy,
    /// When the run must be over: no request starts, or runs on, after it.
    run_deadline: Instant,
    /// What the retries cost, for a note that says what happened.
    pub(crate) waits: Waits,
}

/// Retries after 429 and 5xx: the time really waited, and the requests given up on because
/// the wait asked for would have passed the retry budget or the run's deadline.
#[derive(Debug, Default)]
pub(crate) struct Waits {
    waited_ms: std::sync::atomic::AtomicU64,
    given_up: std::sync::atomic::AtomicU64,
    /// The longest wait asked for by an answer given up on, in seconds.
    longest_asked_s: std::sync::atomic::AtomicU64,
}

impl Waits {
    /// Seconds waited in all, requests given up on, and the longest wait one of those asked.
    pub(crate) fn totals(&self) -> (f64, u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (
            self.waited_ms.load(Relaxed) as f64 / 1000.0,
            self.given_up.load(Relaxed),
            self.longest_asked_s.load(Relaxed),
        )
    }

    fn gave_up(&self, asked: Duration) {
        use std::sync::atomic::Ordering::Relaxed;
        self.given_up.fetch_add(1, Relaxed);
        self.longest_asked_s.fetch_max(asked.as_secs(), Relaxed);
    }
}

impl<'a> Client<'a> {
    /// A client whose run starts now.
    pub(crate) fn new(opts: &'a Policy) -> reqwest::Result<Self> {
        let mut builder = reqwest::blocking::Client::builder()
            .user_agent(concat!("hfaudit/", env!("CARGO_PKG_VERSION")))
            // Per read in reqwest's blocking client; each request also gets a total limit.
            .timeout(opts.timeout)
            .connect_timeout(opts.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .pool_max_idle_per_host(opts.concurrency);
        if opts.endpoint.is_loopback_http() {
            // Plain http carries the token in the clear: never through a proxy, and `localhost`
            // always means this machine, whatever the resolver says.
            builder = builder.no_proxy().resolve_to_addrs(
                "localhost",
                &[
                    SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
                    SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), 0),
                ],
            );
        }
        let now = Instant::now();
        Ok(Client {
            inner: builder.build()?,
            opts,
            run_deadline: now.checked_add(opts.deadline).unwrap_or(now),
            waits: Waits::default(),
        })
    }

    /// The time one request may take now: its timeout, cut by the run's deadline; `None` once
    /// the run's deadline has passed.
    fn next_deadline(&self) -> Option<Deadline> {
        let now = Instant::now();
        let left = self.run_deadline.checked_duration_since(now)?;
        if left < Duration::from_millis(1) {
            return None;
        }
        let limit = self.opts.timeout.min(left);
        Some(Deadline {
            at: now + limit,
            limit,
            cut: limit < self.opts.timeout,
        })
    }

    fn run_deadline_passed(&self) -> String {
        format!(
            "not asked: the run's deadline of {} passed",
            seconds(self.opts.deadline)
        )
    }

    /// Sends the request `build` makes, and lets `answer` judge the response (reading its body
    /// with [`Client::read_body`] before `deadline`). Retries what `answer` calls worth retrying,
    /// at most `max_attempts` times, within the retry budget and the run's deadline. Network
    /// errors are not retried: an offline hook must stay fast. `Err` is a description.
    pub(crate) fn call<T>(
        &self,
        build: impl Fn(&reqwest::blocking::Client) -> reqwest::blocking::RequestBuilder,
        answer: impl Fn(reqwest::blocking::Response, Deadline) -> Attempt<T>,
    ) -> Result<T, String> {
        let start = Instant::now();
        let mut attempt = 1u32;
        loop {
            let Some(deadline) = self.next_deadline() else {
                return Err(self.run_deadline_passed());
            };
            let sent = build(&self.inner).timeout(deadline.limit).send();
            let (detail, retry_after) = match sent {
                Err(err) => return Err(self.describe(&err, deadline)),
                Ok(response) => match answer(response, deadline) {
                    Attempt::Done(v) => return Ok(v),
                    Attempt::Retry {
                        detail,
                        retry_after,
                    } => (detail, retry_after),
                },
            };
            if attempt >= self.opts.max_attempts {
                return Err(format!("{detail}, {attempt} attempts"));
            }
            let wait = retry_after.unwrap_or_else(|| backoff(self.opts.backoff, attempt));
            if start.elapsed().saturating_add(wait) > self.opts.retry_budget {
                self.waits.gave_up(wait);
                return Err(format!(
                    "{detail}; retrying after {} would pass the retry budget of {}",
                    seconds(wait),
                    seconds(self.opts.retry_budget)
                ));
            }
            if Instant::now()
                .checked_add(wait)
                .is_none_or(|then| then >= self.run_deadline)
            {
                self.waits.gave_up(wait);
                return Err(format!(
                    "{detail}; retrying after {} would pass the run's deadline of {}",
                    seconds(wait),
                    seconds(self.opts.deadline)
                ));
            }
            std::thread::sleep(wait);
            self.waits.waited_ms.fetch_add(
                wait.as_millis() as u64,
                std::sync::atomic::Ordering::Relaxed,
            );
            attempt += 1;
        }
    }

    /// Reads a body of at most `max_body` bytes, and stops at `deadline` however slowly the
    /// bytes come. `Err` is a description.
    pub(crate) fn read_body(
        &self,
        response: reqwest::blocking::Response,
        deadline: Deadline,
    ) -> Result<Vec<u8>, String> {
        self.read_body_max(response, deadline, self.opts.max_body)
            .map_err(|e| e.to_string())
    }

    /// Whether the run's deadline has passed: nothing more should start.
    pub(crate) fn expired(&self) -> bool {
        Instant::now() >= self.run_deadline
    }

    /// [`Client::read_body`] with a cap of the caller's: an API answer is small, a file's size
    /// is known from its listing. Never more than `max` bytes are held, whatever the answer
    /// says its length is.
    pub(crate) fn read_body_max(
        &self,
        response: reqwest::blocking::Response,
        deadline: Deadline,
        max: u64,
    ) -> Result<Vec<u8>, BodyError> {
        self.read_body_with(response, deadline, max, |body| {
            // The reader fails before handing over a byte past `max`: at most that is held.
            let mut whole = Vec::new();
            let _ = std::io::copy(body, &mut whole);
            whole
        })
    }

    /// An answer's body given to `read` as a reader (a big file streams through it): the
    /// same deadline and cap as [`Client::read_body_max`], whose whole read is one such.
    pub(crate) fn read_body_with<T>(
        &self,
        response: reqwest::blocking::Response,
        deadline: Deadline,
        max: u64,
        read: impl FnOnce(&mut dyn Read) -> T,
    ) -> Result<T, BodyError> {
        if response.content_length().is_some_and(|n| n > max) {
            return Err(BodyError::TooLarge(max));
        }
        let mut body = BodyReader {
            client: self,
            response,
            deadline,
            max,
            read: 0,
            too_large: false,
            failed: None,
        };
        let got = read(&mut body);
        if body.too_large {
            return Err(BodyError::TooLarge(max));
        }
        match body.failed {
            Some(why) => Err(BodyError::Failed(why)),
            None => Ok(got),
        }
    }

    fn timed_out(&self, deadline: Deadline) -> String {
        if deadline.cut {
            format!(
                "no answer before the run's deadline of {}",
                seconds(self.opts.deadline)
            )
        } else {
            format!("no answer within {} ms", deadline.limit.as_millis())
        }
    }

    /// A network error for people: what happened and its root cause, never a header.
    fn describe(&self, err: &reqwest::Error, deadline: Deadline) -> String {
        if err.is_timeout() {
            return self.timed_out(deadline);
        }
        if err.is_connect() {
            // The innermost cause says it best ("Connection refused", a DNS failure, TLS).
            let text = error_text(err);
            let root = text.rsplit(": ").next().unwrap_or(&text);
            return format!("cannot connect: {root}");
        }
        format!("request failed: {}", error_text(err))
    }
}

/// `1.5 s`, `60 s`: a duration for a note.
pub(crate) fn seconds(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

fn too_large(max: u64) -> String {
    format!("the answer is larger than {} KiB", max / 1024)
}

/// An error's chain, innermost last, without the URL reqwest adds (the endpoint is in the note).
pub(crate) fn error_text(err: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut source = std::error::Error::source(err);
    while let Some(e) = source {
        let text = e.to_string();
        if !parts.contains(&text) {
            parts.push(text);
        }
        source = e.source();
    }
    if parts.is_empty() {
        parts.push(err.to_string());
    }
    parts.join(": ")
}

/// Why an answer's body was not read whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BodyError {
    /// Larger than the cap (in bytes): never read past it.
    TooLarge(u64),
    /// Too slow, broken off: a description.
    Failed(String),
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyError::TooLarge(max) => f.write_str(&too_large(*max)),
            BodyError::Failed(why) => f.write_str(why),
        }
    }
}

/// The longest wait a `Retry-After` can ask for; anything longer is as good as "never" (it is
/// far beyond any retry budget) and must not overflow a clock.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// `Retry-After` in seconds (the form the Hub sends), saturated at a day; an HTTP date falls
/// back to backoff.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let digits = value.trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // More digits than a u64 holds: saturate rather than fall back to a short backoff.
    let secs = digits.parse::<u64>().unwrap_or(u64::MAX);
    Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER))
}

/// `base`, `2 × base`, `4 × base`, … after the first, second, third attempt; at most 8 s.
fn backoff(base: Duration, attempt: u32) -> Duration {
    base.saturating_mul(1 << attempt.saturating_sub(1).min(4))
        .min(Duration::from_secs(8))
}

/// The wait an answer asks for before a retry: its `RateLimit` header (the Hub's), else its
/// `Retry-After`.
pub(crate) fn retry_wait(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    header("ratelimit")
        .and_then(parse_ratelimit)
        .or_else(|| header(RETRY_AFTER.as_str()).and_then(parse_retry_after))
}

/// The wait a `RateLimit: "api";r=0;t=N` header asks for: `t` seconds when nothing remains.
pub(crate) fn parse_ratelimit(value: &str) -> Option<Duration> {
    let mut remaining = None;
    let mut reset = None;
    for p in value.split(';').map(str::trim) {
        if let Some(r) = p.strip_prefix("r=") {
            remaining = r.trim().parse::<u64>().ok();
        } else if let Some(t) = p.strip_prefix("t=") {
            reset = t.trim().parse::<u64>().ok();
        }
    }
    match (remaining, reset) {
        (Some(0) | None, Some(t)) => parse_retry_after(&t.to_string()),
        _ => None,
    }
}

/// An answer's body, read within its deadline and cap (see [`Client::read_body_with`]).
struct BodyReader<'c, 'a> {
    client: &'c Client<'a>,
    response: reqwest::blocking::Response,
    deadline: Deadline,
    max: u64,
    read: u64,
    /// The answer went on past `max` bytes.
    too_large: bool,
    /// Why the answer could not be read to its end (too slow, broken off), for people.
    failed: Option<String>,
}

impl Read for BodyReader<'_, '_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.too_large || self.failed.is_some() {
            return Err(std::io::Error::other("the answer was not read to its end"));
        }
        if Instant::now() >= self.deadline.at {
            let why = self.client.timed_out(self.deadline);
            self.failed = Some(why.clone());
            return Err(std::io::Error::new(std::io::ErrorKind::TimedOut, why));
        }
        loop {
            match self.response.read(buf) {
                Ok(n) => {
                    self.read += n as u64;
                    if self.read > self.max {
                        self.too_large = true;
                        return Err(std::io::Error::other("the answer is larger than it said"));
                    }
                    return Ok(n);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(err) => {
                    let inner = err
                        .get_ref()
                        .and_then(|e| e.downcast_ref::<reqwest::Error>());
                    let why = match inner {
                        Some(e) => self.client.describe(e, self.deadline),
                        None if Instant::now() >= self.deadline.at => {
                            self.client.timed_out(self.deadline)
                        }
                        None => format!("cannot read the answer: {err}"),
                    };
                    self.failed = Some(why.clone());
                    return Err(std::io::Error::other(why));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_rules() {
        for ok in [
            "https://huggingface.co",
            "https://huggingface.co/",
            "https://hf-mirror.example/prefix",
            "http://127.0.0.1:8080",
            "http://127.3.4.5",
            "http://[::1]:9000",
            "http://localhost:1234",
            "http://LOCALHOST",
        ] {
            assert!(Endpoint::parse(ok).is_ok(), "{ok}");
        }
        for (bad, want) in [
            ("http://huggingface.co", "https://"),
            ("http://10.0.0.1", "loopback"),
            ("http://128.0.0.1", "loopback"),
            ("http://localhost.example.com", "loopback"),
            ("ftp://127.0.0.1", "https://"),
            ("file:///etc/passwd", "https://"),
            ("huggingface.co", "not a URL"),
            ("https://user:secret@huggingface.co", "must not hold"),
            ("https://huggingface.co/?a=b", "must not hold"),
        ] {
            let err = Endpoint::parse(bad).unwrap_err().to_string();
            assert!(err.contains(want), "{bad}: {err}");
            assert!(!err.contains("secret"), "{bad}: {err}");
        }
    }

    #[test]
    fn endpoint_joins_whoami_and_chooses_flag_over_env() {
        let e = Endpoint::parse("https://hf-mirror.example/prefix").unwrap();
        assert_eq!(
            e.whoami_url().as_str(),
            "https://hf-mirror.example/prefix/api/whoami-v2"
        );
        assert_eq!(e.as_str(), "https://hf-mirror.example/prefix");
        let e = Endpoint::parse("http://127.0.0.1:9/").unwrap();
        assert_eq!(e.whoami_url().as_str(), "http://127.0.0.1:9/api/whoami-v2");
        assert!(e.is_loopback_http());
        let pick = |f, v| Endpoint::choose(f, v).unwrap().as_str().to_owned();
        assert_eq!(pick(None, None), DEFAULT_ENDPOINT);
        assert_eq!(pick(None, Some("  ")), DEFAULT_ENDPOINT);
        assert_eq!(
            pick(None, Some("https://env.example")),
            "https://env.example"
        );
        assert_eq!(
            pick(
                Some("https://flag.example"),
                Some("http://not-loopback.example")
            ),
            "https://flag.example"
        );
    }

    #[test]
    fn retry_after_and_backoff_are_bounded() {
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after(""), None);
        // u64::MAX and 2^64 (one more than a u64 holds) saturate at a day: no overflow.
        for huge in [
            "18446744073709551615",
            "18446744073709551616",
            &"9".repeat(400),
        ] {
            assert_eq!(parse_retry_after(huge), Some(MAX_RETRY_AFTER), "{huge}");
        }
        let base = Duration::from_millis(500);
        assert_eq!(backoff(base, 1), Duration::from_millis(500));
        assert_eq!(backoff(base, 2), Duration::from_secs(1));
        assert_eq!(backoff(base, 30), Duration::from_secs(8));
        assert_eq!(seconds(Duration::from_secs(60)), "60 s");
        assert_eq!(seconds(Duration::from_millis(1500)), "1.5 s");
    }

    #[test]
    fn reads_the_ratelimit_header() {
        assert_eq!(
            parse_ratelimit("\"api\";r=0;t=3"),
            Some(Duration::from_secs(3))
        );
        assert_eq!(parse_ratelimit("\"api\";r=5;t=3"), None);
        assert_eq!(parse_ratelimit("nonsense"), None);
    }
}
