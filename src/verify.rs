//! Verify (opt-in): what the Hub says each token is (DESIGN §7).
//!
//! Owns the endpoint rules (`https://`, or `http://` to loopback only), the HTTP client
//! (`GET {endpoint}/api/whoami-v2`, each unique token once, a few at a time, timeouts, bounded
//! retries on 429/5xx, no redirects, capped bodies) and the parsing of the answer into a
//! [`Verification`]. Runs after the walk, never inside it.
//!
//! It must not print, and a raw token must reach nothing but the `Authorization` header of a
//! request to the configured endpoint: every string that comes back (from the Hub or from an
//! error) is scrubbed of the token before it is kept.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, RETRY_AFTER};
use reqwest::Url;
use serde::Serialize;
use serde_json::Value;

use crate::secret::{redact, Fingerprint, Secret};

/// The Hub, when neither `--endpoint` nor `HF_ENDPOINT` says otherwise.
pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";

/// The path asked about each token, below the endpoint.
pub const WHOAMI_PATH: &str = "api/whoami-v2";

/// The Hub's answer for one token (DESIGN §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// 200: the token works.
    Valid,
    /// 401: revoked or never valid.
    Invalid,
    /// 403: the token exists but may not call whoami: not "valid".
    Forbidden,
    /// Anything else, or no answer.
    Unknown,
    /// `--verify` was not asked for.
    Skipped,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::Invalid => "invalid",
            Status::Forbidden => "forbidden",
            Status::Unknown => "unknown",
            Status::Skipped => "skipped",
        }
    }

    /// The Hub gave a definite answer about the token.
    pub fn is_answer(self) -> bool {
        matches!(self, Status::Valid | Status::Invalid | Status::Forbidden)
    }
}

/// What verification learned about one token. Never holds the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub status: Status,
    /// `read`, `write`, `god` or `fineGrained`; `None` for OAuth tokens and failures.
    pub role: Option<String>,
    pub token_name: Option<String>,
    pub owner: Option<String>,
    /// Fine-grained permissions: `global` ones and each `scoped[].permissions`, deduplicated.
    pub permissions: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub orgs: Vec<String>,
    /// A fine-grained token's `scoped` entries: each entity (`{"type", "name"}`) and the
    /// permissions on it. Absent for other tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scoped: Option<Vec<crate::access::Scoped>>,
    /// A fine-grained token's `global` permissions. Absent for other tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub global: Option<Vec<String>>,
    /// The account's role in each organisation (`roleInOrg`), where whoami-v2 gives it.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub org_roles: std::collections::BTreeMap<String, String>,
    /// Why the status is what it is (an HTTP status, a network error), for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Verification {
    pub fn skipped() -> Self {
        Verification {
            status: Status::Skipped,
            role: None,
            token_name: None,
            owner: None,
            permissions: Vec::new(),
            orgs: Vec::new(),
            scoped: None,
            global: None,
            org_roles: std::collections::BTreeMap::new(),
            detail: None,
        }
    }

    pub fn with_status(status: Status) -> Self {
        Verification {
            status,
            ..Verification::skipped()
        }
    }

    fn with_detail(status: Status, detail: impl Into<String>) -> Self {
        Verification {
            detail: Some(detail.into()),
            ..Verification::with_status(status)
        }
    }

    /// Permissions that can change something (HF010): see [`is_read_only_permission`].
    pub fn changing_permissions(&self) -> Vec<String> {
        self.permissions
            .iter()
            .filter(|p| !is_read_only_permission(p))
            .cloned()
            .collect()
    }
}

/// Permissions that cannot change anything: reads, and calling inference (which the Hub names
/// `…write` because it spends the owner's credits, not because it changes a repository).
pub fn is_read_only_permission(permission: &str) -> bool {
    permission.rsplit('.').next() == Some("read")
        || matches!(
            permission,
            "inference.serverless.write" | "inference.endpoints.infer.write"
        )
}

// ---------------------------------------------------------------------------------------------
// Endpoint

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
        let shown = redact_tokens(text);
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
            return Err(EndpointError::Extra(redact_tokens(bare.as_str())));
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

// ---------------------------------------------------------------------------------------------
// Options and the client

/// How to ask. [`Options::new`] has the defaults; the CLI may shorten the timeouts.
#[derive(Debug, Clone)]
pub struct Options {
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

impl Options {
    pub fn new(endpoint: Endpoint) -> Self {
        Options {
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

/// What verifying a set of tokens produced.
#[derive(Debug, Default)]
pub struct Outcome {
    pub verifications: HashMap<Fingerprint, Verification>,
    /// Lines for people: the endpoint asked, what could not be verified and why.
    pub notes: Vec<String>,
}

impl Outcome {
    /// Tokens the Hub gave a definite answer about (valid, invalid or forbidden).
    pub fn answered(&self) -> usize {
        self.verifications
            .values()
            .filter(|v| v.status.is_answer())
            .count()
    }
}

/// Asks the Hub about each unique token once, `opts.concurrency` at a time, within the run's
/// deadline. Never fails: a token the Hub could not be asked about is `unknown`, and a note
/// says why.
pub fn verify_tokens(secrets: &[&Secret], opts: &Options) -> Outcome {
    let mut seen = HashSet::new();
    let unique: Vec<&Secret> = secrets
        .iter()
        .copied()
        .filter(|s| seen.insert(s.fingerprint()))
        .collect();
    let url = opts.endpoint.whoami_url();
    let mut outcome = Outcome::default();
    if unique.is_empty() {
        outcome.notes.push(format!(
            "--verify: no token to ask {} about",
            redact_tokens(url.as_str())
        ));
        return outcome;
    }
    let http = match Http::new(opts) {
        Ok(c) => c,
        Err(err) => {
            let detail = format!("cannot set up the HTTP client: {}", error_text(&err));
            for s in &unique {
                outcome.verifications.insert(
                    s.fingerprint(),
                    Verification::with_detail(Status::Unknown, detail.clone()),
                );
            }
            outcome.notes.push(format!(
                "{} token{} not verified: {detail}",
                unique.len(),
                plural(unique.len())
            ));
            return outcome;
        }
    };
    let next = AtomicUsize::new(0);
    let results = Mutex::new(HashMap::with_capacity(unique.len()));
    let workers = opts.concurrency.clamp(1, unique.len());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(secret) = unique.get(i) else { break };
                let v = check(&http, &url, secret);
                results
                    .lock()
                    .expect("no worker panics while holding the lock")
                    .insert(secret.fingerprint(), v);
            });
        }
    });
    outcome.verifications = results.into_inner().expect("workers are done");
    outcome.notes.push(format!(
        "--verify asked {} about {} token{} ({} answered)",
        redact_tokens(url.as_str()),
        unique.len(),
        plural(unique.len()),
        outcome.answered()
    ));
    outcome
        .notes
        .extend(notes(&outcome.verifications, &opts.endpoint));
    outcome
}

pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// One note for the tokens left `unknown`, with their distinct reasons.
fn notes(verifications: &HashMap<Fingerprint, Verification>, endpoint: &Endpoint) -> Vec<String> {
    let total = verifications.len();
    let mut reasons: Vec<&str> = verifications
        .values()
        .filter(|v| v.status == Status::Unknown)
        .filter_map(|v| v.detail.as_deref())
        .collect();
    let unknown = verifications
        .values()
        .filter(|v| v.status == Status::Unknown)
        .count();
    if unknown == 0 {
        return Vec::new();
    }
    reasons.sort_unstable();
    reasons.dedup();
    let shown: Vec<&str> = reasons.iter().take(3).copied().collect();
    let more = if reasons.len() > shown.len() {
        format!("; and {} more", reasons.len() - shown.len())
    } else {
        String::new()
    };
    let what = if unknown == total {
        format!("could not verify any of the {total} token{}", plural(total))
    } else {
        format!("could not verify {unknown} of {total} tokens")
    };
    vec![format!(
        "{what} with {endpoint} ({}{more}); rules that need the Hub's answer were not checked for {}",
        shown.join("; "),
        if unknown == 1 { "it" } else { "them" }
    )]
}

/// Asks about one token: one GET, retried on 429 and 5xx within the bounds of `http`.
fn check(http: &Http<'_>, url: &Url, secret: &Secret) -> Verification {
    let Ok(mut auth) = HeaderValue::from_str(&format!("Bearer {}", secret.expose())) else {
        return Verification::with_detail(
            Status::Unknown,
            "the token holds characters that cannot be sent in a header",
        );
    };
    auth.set_sensitive(true);
    let v = http
        .call(
            |client| {
                client
                    .get(url.clone())
                    .header(AUTHORIZATION, auth.clone())
                    .header(ACCEPT, "application/json")
            },
            |response, deadline| whoami_answer(http, response, deadline),
        )
        .unwrap_or_else(|detail| Verification::with_detail(Status::Unknown, detail));
    scrub(v, secret)
}

/// What the whoami endpoint's answer means (DESIGN §7).
fn whoami_answer(
    http: &Http<'_>,
    response: reqwest::blocking::Response,
    deadline: Deadline,
) -> Attempt<Verification> {
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let done = |status, detail: String| Attempt::Done(Verification::with_detail(status, detail));
    match status {
        200 => match http.read_body(response, deadline) {
            Ok(body) => Attempt::Done(parse_whoami(&body).unwrap_or_else(|why| {
                Verification::with_detail(Status::Unknown, format!("unexpected answer: {why}"))
            })),
            Err(detail) => done(Status::Unknown, detail),
        },
        401 => done(
            Status::Invalid,
            header("x-error-message").unwrap_or_else(|| "HTTP 401".to_owned()),
        ),
        403 => done(
            Status::Forbidden,
            header("x-error-message").unwrap_or_else(|| "HTTP 403".to_owned()),
        ),
        _ => match retry_or_fail(&response) {
            Ok(retry) => retry,
            Err(detail) => done(Status::Unknown, detail),
        },
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
            retry_after: response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after),
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

/// The one HTTP client of every Hub call (verification, revocation): the endpoint rule, a total
/// deadline per request and per run, bounded retries, no redirects, capped bodies.
pub(crate) struct Http<'a> {
    client: reqwest::blocking::Client,
    pub(crate) opts: &'a Options,
    /// When the run must be over: no request starts, or runs on, after it.
    run_deadline: Instant,
}

impl<'a> Http<'a> {
    /// A client whose run starts now.
    pub(crate) fn new(opts: &'a Options) -> reqwest::Result<Self> {
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
        Ok(Http {
            client: builder.build()?,
            opts,
            run_deadline: now.checked_add(opts.deadline).unwrap_or(now),
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
    /// with [`Http::read_body`] before `deadline`). Retries what `answer` calls worth retrying,
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
            let sent = build(&self.client).timeout(deadline.limit).send();
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
                return Err(format!(
                    "{detail}; retrying after {} would pass the run's deadline of {}",
                    seconds(wait),
                    seconds(self.opts.deadline)
                ));
            }
            std::thread::sleep(wait);
            attempt += 1;
        }
    }

    /// Reads a body of at most `max_body` bytes, and stops at `deadline` however slowly the
    /// bytes come. `Err` is a description.
    pub(crate) fn read_body(
        &self,
        mut response: reqwest::blocking::Response,
        deadline: Deadline,
    ) -> Result<Vec<u8>, String> {
        let max = self.opts.max_body;
        if response.content_length().is_some_and(|n| n > max) {
            return Err(too_large(max));
        }
        let mut body = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            if Instant::now() >= deadline.at {
                return Err(self.timed_out(deadline));
            }
            match response.read(&mut buf) {
                Ok(0) => return Ok(body),
                Ok(n) => {
                    body.extend_from_slice(&buf[..n]);
                    if body.len() as u64 > max {
                        return Err(too_large(max));
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(err) => {
                    let inner = err
                        .get_ref()
                        .and_then(|e| e.downcast_ref::<reqwest::Error>());
                    return Err(match inner {
                        Some(e) => self.describe(e, deadline),
                        None if Instant::now() >= deadline.at => self.timed_out(deadline),
                        None => format!("cannot read the answer: {err}"),
                    });
                }
            }
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
fn seconds(d: Duration) -> String {
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
fn error_text(err: &reqwest::Error) -> String {
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

// ---------------------------------------------------------------------------------------------
// Parsing and scrubbing

/// Parses a 200 answer of `whoami-v2` (see [`crate::access::parse`]): an object with the
/// account's `name` and an `auth` object. OAuth tokens come without `auth.accessToken`: they are
/// valid with no role. Anything else is `Err` (the status is then `unknown`, never `valid`).
pub fn parse_whoami(body: &[u8]) -> Result<Verification, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON ({e})"))?;
    let map = crate::access::parse(value)?;
    Ok(Verification {
        status: Status::Valid,
        role: map.role,
        token_name: map.token_name,
        owner: Some(map.owner),
        permissions: map.permissions,
        org_roles: map
            .orgs
            .iter()
            .filter_map(|o| Some((o.name.clone(), o.role.clone()?)))
            .collect(),
        orgs: map.orgs.into_iter().map(|o| o.name).collect(),
        scoped: map.scoped,
        global: map.global,
        detail: None,
    })
}

/// Longest text kept from an answer (a name, a header).
const MAX_TEXT: usize = 200;

/// Cleans every string that came back: the token (should an endpoint echo it) becomes its
/// redacted form, long text is cut, and control, bidi and zero-width characters are escaped
/// (see [`escape_invisible`]) so no answer can act on a terminal.
fn scrub(v: Verification, secret: &Secret) -> Verification {
    let clean = |text: String| clean_text(&text, secret);
    Verification {
        status: v.status,
        role: v.role.map(clean),
        token_name: v.token_name.map(clean),
        owner: v.owner.map(clean),
        permissions: v.permissions.into_iter().map(clean).collect(),
        orgs: v.orgs.into_iter().map(clean).collect(),
        scoped: v.scoped.map(|all| {
            all.into_iter()
                .map(|s| crate::access::Scoped {
                    entity: crate::access::Entity {
                        kind: clean(s.entity.kind),
                        name: clean(s.entity.name),
                    },
                    permissions: s.permissions.into_iter().map(clean).collect(),
                })
                .collect()
        }),
        global: v.global.map(|g| g.into_iter().map(clean).collect()),
        org_roles: v
            .org_roles
            .into_iter()
            .map(|(o, r)| (clean(o), clean(r)))
            .collect(),
        detail: v.detail.map(clean),
    }
}

/// See [`scrub`].
pub fn clean_text(text: &str, secret: &Secret) -> String {
    let text = if secret.is_empty() {
        text.to_owned()
    } else {
        // The whole token, then its body alone (an echo may drop the prefix).
        let body = &secret.expose()[secret.kind().prefix().len().min(secret.len())..];
        let text = text.replace(secret.expose(), &secret.redacted());
        if body.len() >= 8 {
            text.replace(body, "…")
        } else {
            text
        }
    };
    let text = redact_tokens(&text);
    if text.chars().count() > MAX_TEXT {
        let cut: String = text.chars().take(MAX_TEXT).collect();
        format!("{}…", escape_invisible(&cut))
    } else {
        escape_invisible(&text)
    }
}

pub use crate::output::is_invisible;

/// Text that came from outside (the Hub, a file's section names) made safe for a terminal: each
/// character of [`is_invisible`] is written as an escape, `\x1b` for ASCII controls and
/// `\u{202e}` for the rest, so it shows what is there instead of acting on the screen.
pub fn escape_invisible(text: &str) -> String {
    if !text.chars().any(is_invisible) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !is_invisible(c) {
            out.push(c);
        } else if c.is_ascii() {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    out
}

/// Redacts anything shaped like a token (`hf_` or `api_org_` then 20 or more letters and
/// digits) in text that is about to be shown.
pub fn redact_tokens(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let next = ["hf_", "api_org_"]
            .iter()
            .filter_map(|p| rest.find(p).map(|i| (i, *p)))
            .min_by_key(|(i, _)| *i);
        let Some((i, prefix)) = next else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..i]);
        let after = &rest[i + prefix.len()..];
        let body_len = after
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        let body = &after[..body_len];
        if body.bytes().filter(u8::is_ascii_alphanumeric).count() >= 20 {
            out.push_str(&redact(&rest[i..i + prefix.len() + body_len], prefix));
        } else {
            out.push_str(&rest[i..i + prefix.len() + body_len]);
        }
        rest = &after[body_len..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::TokenKind;
    use serde_json::json;

    fn body(v: &Value) -> Vec<u8> {
        serde_json::to_vec(v).unwrap()
    }

    fn user(access_token: &Value) -> Value {
        json!({
            "type": "user",
            "id": "1",
            "name": "alice",
            "fullname": "Alice",
            "orgs": [{"type": "org", "name": "acme"}, {"type": "org", "name": "lab"}],
            "auth": {"type": "access_token", "accessToken": access_token}
        })
    }

    #[test]
    fn parses_read_write_and_god_tokens() {
        for role in ["read", "write", "god"] {
            let v = parse_whoami(&body(&user(&json!({
                "displayName": "laptop-eval",
                "role": role,
                "createdAt": "2024-01-01T00:00:00.000Z"
            }))))
            .unwrap();
            assert_eq!(v.status, Status::Valid);
            assert_eq!(v.role.as_deref(), Some(role));
            assert_eq!(v.token_name.as_deref(), Some("laptop-eval"));
            assert_eq!(v.owner.as_deref(), Some("alice"));
            assert_eq!(v.orgs, ["acme", "lab"]);
            assert!(v.permissions.is_empty());
        }
    }

    #[test]
    fn parses_fine_grained_permissions_global_then_scoped_deduplicated() {
        let v = parse_whoami(&body(&user(&json!({
            "displayName": "eval-server",
            "role": "fineGrained",
            "fineGrained": {
                "canReadGatedRepos": true,
                "global": ["inference.serverless.write", "discussion.write"],
                "scoped": [
                    {"entity": {"type": "model", "name": "acme/m"},
                     "permissions": ["repo.content.read", "repo.write"]},
                    {"entity": {"type": "org", "name": "acme"},
                     "permissions": ["repo.content.read", "inference.serverless.write"]}
                ]
            }
        }))))
        .unwrap();
        assert_eq!(v.role.as_deref(), Some("fineGrained"));
        assert_eq!(
            v.permissions,
            [
                "inference.serverless.write",
                "discussion.write",
                "repo.content.read",
                "repo.write"
            ]
        );
        assert_eq!(v.changing_permissions(), ["discussion.write", "repo.write"]);
        // The access map: scoped entities and global permissions, serialised as whoami has them.
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(
            json["scoped"],
            json!([
                {"entity": {"type": "model", "name": "acme/m"},
                 "permissions": ["repo.content.read", "repo.write"]},
                {"entity": {"type": "org", "name": "acme"},
                 "permissions": ["repo.content.read", "inference.serverless.write"]}
            ])
        );
        assert_eq!(
            json["global"],
            json!(["inference.serverless.write", "discussion.write"])
        );
    }

    #[test]
    fn classic_tokens_have_no_scoped_or_global_and_org_roles_are_kept() {
        let mut doc = user(&json!({"displayName": "laptop", "role": "write"}));
        doc["orgs"] =
            json!([{"type": "org", "name": "acme", "roleInOrg": "admin"}, {"name": "lab"}]);
        let v = parse_whoami(&body(&doc)).unwrap();
        let json = serde_json::to_value(&v).unwrap();
        assert!(
            json.get("scoped").is_none() && json.get("global").is_none(),
            "{json}"
        );
        assert_eq!(json["org_roles"], json!({"acme": "admin"}));
        assert_eq!(v.orgs, ["acme", "lab"]);
    }

    #[test]
    fn oauth_answer_is_valid_without_role() {
        let v = parse_whoami(&body(&json!({
            "type": "user",
            "name": "alice",
            "orgs": [],
            "auth": {"type": "oauth", "expiresAt": "2030-01-01T00:00:00.000Z"}
        })))
        .unwrap();
        assert_eq!(v.status, Status::Valid);
        assert_eq!(v.role, None);
        assert_eq!(v.token_name, None);
        assert_eq!(v.owner.as_deref(), Some("alice"));
        assert!(v.orgs.is_empty());
    }

    #[test]
    fn tolerates_missing_optional_fields() {
        let v = parse_whoami(br#"{"name": "alice", "auth": {"accessToken": {"role": "read", "displayName": null, "fineGrained": {"scoped": [{"permissions": null}, {}]}}}}"#).unwrap();
        assert_eq!(v.status, Status::Valid);
        assert_eq!(v.role.as_deref(), Some("read"));
        assert_eq!(v.owner.as_deref(), Some("alice"));
        assert_eq!(v.token_name, None);
        assert!(v.orgs.is_empty());
        assert!(v.permissions.is_empty());
    }

    #[test]
    fn an_answer_that_is_not_a_whoami_document_is_refused() {
        for body in [
            &b"not json"[..],
            b"<!doctype html><html><body>Welcome</body></html>",
            b"[1, 2]",
            b"",
            b"null",
            b"{}",
            br#"{"name": "alice"}"#,
            br#"{"auth": {"type": "access_token"}}"#,
            br#"{"name": null, "auth": {}}"#,
            br#"{"name": 5, "auth": {}}"#,
            br#"{"name": "alice", "auth": "yes"}"#,
            br#"{"name": "alice", "auth": {"accessToken": {"role": 5}}}"#,
            br#"{"name": "alice", "auth": {"accessToken": {"displayName": "x"}}}"#,
            br#"{"name": "alice", "auth": {}, "orgs": [{"x": 1}, 3]}"#,
            br#"{"name": "alice", "auth": {"accessToken": {"role": "read", "fineGrained": {"global": "x"}}}}"#,
        ] {
            let text = String::from_utf8_lossy(body);
            assert!(parse_whoami(body).is_err(), "{text}");
        }
    }

    #[test]
    fn read_only_permissions() {
        for p in [
            "repo.content.read",
            "inference.serverless.write",
            "inference.endpoints.infer.write",
            "collection.read",
        ] {
            assert!(is_read_only_permission(p), "{p}");
        }
        for p in ["repo.write", "discussion.write", "something.new", "readme"] {
            assert!(!is_read_only_permission(p), "{p}");
        }
    }

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
    fn invisible_characters_are_escaped() {
        assert_eq!(escape_invisible("plain name"), "plain name");
        assert_eq!(escape_invisible("a\u{1b}[31mb"), "a\\x1b[31mb");
        assert_eq!(escape_invisible("one\ntwo\r"), "one\\x0atwo\\x0d");
        assert_eq!(
            escape_invisible("x\u{202e}y\u{2066}"),
            "x\\u{202e}y\\u{2066}"
        );
        assert_eq!(
            escape_invisible("\u{200b}\u{feff}\u{2028}\u{85}"),
            "\\u{200b}\\u{feff}\\u{2028}\\u{85}"
        );
        assert_eq!(escape_invisible("café ✓ 名前"), "café ✓ 名前");
    }

    #[test]
    fn scrub_removes_an_echoed_token_and_control_characters() {
        let raw = format!("hf_{}", "Zq8Lm3Np5Rt7Vx9Bc2Df4Gh6Jk1Ws0AyEu");
        let secret = Secret::new(&raw, TokenKind::UserAccessToken);
        let v = Verification {
            token_name: Some(format!("name {raw}\u{1b}[31m")),
            detail: Some(format!("bad token {raw}")),
            ..Verification::with_status(Status::Invalid)
        };
        let v = scrub(v, &secret);
        let name = v.token_name.unwrap();
        assert!(!name.contains(&raw[3..]), "{name}");
        assert!(!name.contains('\u{1b}'));
        assert!(name.ends_with("\\x1b[31m"), "{name}");
        assert!(!v.detail.unwrap().contains(&raw[3..]));
        let echoed = clean_text(&format!("unknown token {}", &raw[3..]), &secret);
        assert!(
            !echoed.contains(&raw[3..]),
            "the body alone is scrubbed too: {echoed}"
        );
        let other = format!("api_org_{}", &raw[3..]);
        assert!(!redact_tokens(&format!("x {other} y")).contains(&raw[3..]));
        assert_eq!(
            redact_tokens("hf_hub_download hf_token"),
            "hf_hub_download hf_token"
        );
        assert_eq!(
            clean_text(&"x".repeat(500), &secret).chars().count(),
            MAX_TEXT + 1
        );
    }

    #[test]
    fn network_errors_never_hold_the_token() {
        // A loopback port nothing listens on.
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let opts = Options::new(Endpoint::parse(&format!("http://{closed}")).unwrap());
        let client = Http::new(&opts).unwrap();
        let url = opts.endpoint.whoami_url();
        let raw = format!("hf_{}", "Pq7Rs9Tu1Vw3Xy5Za2Bc4De6Fg8Hi0JkLm");
        let secret = Secret::new(&raw, TokenKind::UserAccessToken);
        let mut auth = HeaderValue::from_str(&format!("Bearer {raw}")).unwrap();
        auth.set_sensitive(true);
        let err = client
            .client
            .get(url.clone())
            .header(AUTHORIZATION, auth)
            .send()
            .unwrap_err();
        for text in [
            format!("{err}"),
            format!("{err:?}"),
            format!("{err:#?}"),
            error_text(&err),
        ] {
            assert!(!text.contains(&raw[3..]), "{text}");
            assert!(!text.contains("Bearer"), "{text}");
        }
        let v = check(&client, &url, &secret);
        assert_eq!(v.status, Status::Unknown);
        assert!(
            v.detail.as_deref().unwrap().starts_with("cannot connect"),
            "{v:?}"
        );
        assert!(!format!("{v:?}").contains(&raw[3..]));
    }

    #[test]
    fn nothing_to_verify_asks_nothing() {
        let opts = Options::new(Endpoint::parse("http://127.0.0.1:9").unwrap());
        let out = verify_tokens(&[], &opts);
        assert!(out.verifications.is_empty());
        assert_eq!(
            out.notes,
            ["--verify: no token to ask http://127.0.0.1:9/api/whoami-v2 about"]
        );
    }
}
