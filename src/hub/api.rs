//! The Hub's HTTP API as the Hub source uses it: GETs through the one client and retry policy
//! ([`crate::http::Client`]), Link-header pagination, and downloads that follow a `resolve`
//! redirect to a CDN host themselves.
//!
//! The user's token goes only in the `Authorization` header of a request to the endpoint's own
//! origin: a next-page link to another origin is refused, and a download redirected to another
//! host is fetched without it.

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, LINK, LOCATION};
use reqwest::Url;

use crate::http::{self, Attempt, Client, Endpoint};
use crate::output::{escape, plural, redacted};
use crate::secret::Secret;

/// Redirects followed for one download (the Hub's `resolve`, then a CDN's own).
const MAX_REDIRECTS: usize = 5;
/// The largest API answer read: a page of a listing is a few hundred KB; a hostile Hub's
/// gigabyte page is cut here.
pub(crate) const MAX_JSON: u64 = 8 << 20;

/// Most bytes of one listing's pages together (64 MiB): a page may hold 8 MiB and a hostile
/// endpoint's next links need never end (each page was kept: 765 pages took 6 GB). The largest
/// tree read, 200,000 files, is about 50 MB of pages.
pub(crate) const MAX_LIST_BYTES: u64 = 64 << 20;

/// What one GET came to, short of a network failure.
pub(crate) enum Reply<B = Vec<u8>> {
    Body {
        body: B,
        next: Option<Url>,
    },
    Redirect(Url),
    /// A status the caller decides about (401, 403, 404…): the code and the Hub's message.
    Status(u16, String),
    /// The answer could not be read (too slow, broken off).
    Unread(String),
    /// The answer is larger than the cap of the request.
    TooLarge(u64),
}

/// A request that failed: a status, or a description of a network problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    Status(u16, String),
    Other(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Status(code, msg) if msg.is_empty() => write!(f, "HTTP {code}"),
            Failure::Status(code, msg) => write!(f, "HTTP {code}: {msg}"),
            Failure::Other(msg) => f.write_str(msg),
        }
    }
}

/// Requests by class: the API (`/api/…`), file downloads from the endpoint (`resolve`), and
/// anything on another host (the CDN a download is redirected to).
#[derive(Debug, Default)]
pub(crate) struct Counts {
    pub api: AtomicU64,
    pub resolve: AtomicU64,
    pub cdn: AtomicU64,
}

/// The client of one Hub scan.
pub(crate) struct Api<'a> {
    http: Client<'a>,
    endpoint: &'a Endpoint,
    origin: Url,
    auth: Option<HeaderValue>,
    /// The token sent: what the Hub says back (an error message) is shown without it.
    token: Option<Secret>,
    /// Requests sent (every attempt): the benchmark's and the tests' count.
    pub requests: AtomicU64,
    /// The same, by class.
    pub counts: Counts,
    rate_limited: AtomicU64,
    pub notes: Mutex<Vec<String>>,
}

impl<'a> Api<'a> {
    pub fn new(opts: &'a http::Policy, token: Option<&Secret>) -> Result<Self, String> {
        let http = Client::new(opts).map_err(|e| format!("cannot set up the HTTP client: {e}"))?;
        let auth = match token {
            Some(t) => {
                let mut v = HeaderValue::from_str(&format!("Bearer {}", t.expose()))
                    .map_err(|_| "the token holds characters that cannot be sent".to_owned())?;
                v.set_sensitive(true);
                Some(v)
            }
            None => None,
        };
        let origin = Url::parse(opts.endpoint.as_str()).map_err(|e| e.to_string())?;
        Ok(Api {
            http,
            endpoint: &opts.endpoint,
            origin,
            auth,
            token: token.cloned(),
            requests: AtomicU64::new(0),
            counts: Counts::default(),
            rate_limited: AtomicU64::new(0),
            notes: Mutex::new(Vec::new()),
        })
    }

    pub fn has_token(&self) -> bool {
        self.auth.is_some()
    }

    /// `{endpoint}/{rel}`; `rel` is built from checked names and encoded segments.
    pub fn url(&self, rel: &str) -> Result<Url, Failure> {
        Url::parse(&format!("{}/{rel}", self.endpoint.as_str()))
            .map_err(|e| Failure::Other(format!("bad URL for {rel}: {e}")))
    }

    fn same_origin(&self, url: &Url) -> bool {
        url.scheme() == self.origin.scheme()
            && url.host_str() == self.origin.host_str()
            && url.port_or_known_default() == self.origin.port_or_known_default()
    }

    /// Adds a note for people (a list cut at its cap).
    pub fn note(&self, text: String) {
        if let Ok(mut notes) = self.notes.lock() {
            notes.push(text);
        }
    }

    /// Whether the scan's deadline has passed: no more work should start.
    pub fn expired(&self) -> bool {
        self.http.expired()
    }

    /// One GET, retried on 429 and 5xx by the shared policy, its answer read up to `max`
    /// bytes. `auth`: send the token (only ever to the endpoint's origin).
    fn get(&self, url: &Url, auth: bool, max: u64) -> Result<Reply, Failure> {
        self.get_with(url, auth, &|response, deadline| {
            self.http.read_body_max(response, deadline, max)
        })
    }

    /// [`Api::get`], a 200's body given to `body` (which reads it whole, or streams it).
    fn get_with<B>(
        &self,
        url: &Url,
        auth: bool,
        body: &dyn Fn(reqwest::blocking::Response, http::Deadline) -> Result<B, http::BodyError>,
    ) -> Result<Reply<B>, Failure> {
        let auth = if auth && self.same_origin(url) {
            self.auth.clone()
        } else {
            None
        };
        self.http
            .call(
                |client| {
                    self.requests.fetch_add(1, Ordering::Relaxed);
                    let class = if !self.same_origin(url) {
                        &self.counts.cdn
                    } else if url.path().starts_with("/api/") {
                        &self.counts.api
                    } else {
                        &self.counts.resolve
                    };
                    class.fetch_add(1, Ordering::Relaxed);
                    let mut req = client.get(url.clone()).header(ACCEPT, "*/*");
                    if let Some(a) = &auth {
                        req = req.header(AUTHORIZATION, a.clone());
                    }
                    req
                },
                |response, deadline| self.answer(url, response, deadline, body),
            )
            .map_err(|e| Failure::Other(redacted(&e)))
    }

    fn answer<B>(
        &self,
        url: &Url,
        response: reqwest::blocking::Response,
        deadline: http::Deadline,
        body: &dyn Fn(reqwest::blocking::Response, http::Deadline) -> Result<B, http::BodyError>,
    ) -> Attempt<Reply<B>> {
        let status = response.status().as_u16();
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        match status {
            200 => {
                // Relative links are the Hub's own; resolve them against the request. One that
                // does not resolve (`file://host:port/…`) is an error, not the end of a list.
                let next = match header(LINK)
                    .and_then(|l| next_link(&l))
                    .map(|n| url.join(&n))
                {
                    Some(Ok(n)) => Some(n),
                    Some(Err(_)) => {
                        return Attempt::Done(Reply::Unread(
                            "the next page's link cannot be read; not followed".into(),
                        ))
                    }
                    None => None,
                };
                match body(response, deadline) {
                    Ok(body) => Attempt::Done(Reply::Body { body, next }),
                    Err(http::BodyError::TooLarge(max)) => Attempt::Done(Reply::TooLarge(max)),
                    Err(http::BodyError::Failed(detail)) => Attempt::Done(Reply::Unread(detail)),
                }
            }
            301 | 302 | 303 | 307 | 308 => match header(LOCATION).and_then(|l| url.join(&l).ok()) {
                Some(to) => Attempt::Done(Reply::Redirect(to)),
                None => Attempt::Done(Reply::Status(
                    status,
                    "a redirect without a Location".into(),
                )),
            },
            429 | 500..=599 => {
                let wait = http::retry_wait(response.headers());
                if status == 429 {
                    self.rate_limited.fetch_add(1, Ordering::Relaxed);
                }
                Attempt::Retry {
                    detail: format!("HTTP {status}"),
                    retry_after: wait,
                }
            }
            _ => Attempt::Done(Reply::Status(
                status,
                header("x-error-message".parse().expect("static name"))
                    .map(|m| match &self.token {
                        Some(t) => escape(&t.unechoed(&m)).into_owned(),
                        None => escape(&crate::secret::plain_underscores(&m)).into_owned(),
                    })
                    .unwrap_or_default(),
            )),
        }
    }

    /// A JSON document from the endpoint (at most [`MAX_JSON`] bytes), with the next page's
    /// URL if the Hub sent one.
    pub fn json(&self, url: &Url) -> Result<(serde_json::Value, Option<Url>), Failure> {
        self.json_sized(url).map(|(value, next, _)| (value, next))
    }

    /// [`Api::json`], with the answer's size in bytes.
    fn json_sized(&self, url: &Url) -> Result<(serde_json::Value, Option<Url>, u64), Failure> {
        match self.get(url, true, MAX_JSON)? {
            Reply::Body { body, next } => {
                let value = serde_json::from_slice(&body)
                    .map_err(|e| Failure::Other(format!("unexpected answer: {e}")))?;
                Ok((value, next, body.len() as u64))
            }
            Reply::Redirect(_) => Err(Failure::Other(
                "the Hub redirected an API call; not followed".into(),
            )),
            Reply::Status(code, msg) => Err(Failure::Status(code, msg)),
            Reply::Unread(msg) => Err(Failure::Other(msg)),
            Reply::TooLarge(max) => Err(Failure::Other(format!(
                "the Hub's answer is larger than {} MiB; not read",
                max >> 20
            ))),
        }
    }

    /// The pages of a Link-paginated JSON list, items in order, at most `max_items` of them
    /// and [`MAX_LIST_BYTES`] of pages; the second value says why the list was cut, when it
    /// went on past either. A page already read (a cycle of next links, A → B → A) or an empty
    /// page ends the list.
    pub fn list(
        &self,
        first: Url,
        max_items: usize,
    ) -> Result<(Vec<serde_json::Value>, Option<String>), Failure> {
        let mut items = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut url = first;
        let mut bytes = 0u64;
        loop {
            seen.insert(url.clone());
            let (value, next, size) = self.json_sized(&url)?;
            bytes += size;
            let serde_json::Value::Array(page) = value else {
                return Err(Failure::Other("unexpected answer: not a list".into()));
            };
            let empty = page.is_empty();
            items.extend(page);
            if items.len() > max_items {
                items.truncate(max_items);
                return Ok((items, Some(format!("more than {max_items} listed"))));
            }
            match next {
                // An empty page ends the list whatever its next link says (endless empty
                // pages ran until the deadline).
                None => return Ok((items, None)),
                Some(_) if empty => return Ok((items, None)),
                Some(n) if !self.same_origin(&n) => {
                    return Err(Failure::Other(
                        "the next page is on another host; not followed".into(),
                    ))
                }
                Some(n) if seen.contains(&n) => return Ok((items, None)),
                Some(_) if bytes >= MAX_LIST_BYTES => {
                    let why = format!("the listing passed {} MiB", MAX_LIST_BYTES >> 20);
                    return Ok((items, Some(why)));
                }
                Some(n) => url = n,
            }
        }
    }

    /// A file's bytes, at most `max` of them: the endpoint's `resolve` URL, then any CDN it
    /// redirects to, which is asked without the token (and only over https, or http to
    /// loopback). `Ok(None)`: the file is larger than `max` (its listing said it was not).
    pub fn download(&self, url: &Url, max: u64) -> Result<Option<Vec<u8>>, Failure> {
        self.download_with(url, &|response, deadline| {
            self.http.read_body_max(response, deadline, max)
        })
    }

    /// [`Api::download`] streamed: `read` is given the body as a reader (the same cap and
    /// deadline), so a big file is never held whole. `Ok(None)`: larger than `max`.
    pub fn download_stream<T>(
        &self,
        url: &Url,
        max: u64,
        read: &dyn Fn(&mut dyn Read) -> T,
    ) -> Result<Option<T>, Failure> {
        self.download_with(url, &|response, deadline| {
            self.http.read_body_with(response, deadline, max, read)
        })
    }

    fn download_with<B>(
        &self,
        url: &Url,
        body: &dyn Fn(reqwest::blocking::Response, http::Deadline) -> Result<B, http::BodyError>,
    ) -> Result<Option<B>, Failure> {
        let mut url = url.clone();
        for _ in 0..=MAX_REDIRECTS {
            let own = self.same_origin(&url);
            match self.get_with(&url, own, body)? {
                Reply::Body { body, .. } => return Ok(Some(body)),
                Reply::TooLarge(_) => return Ok(None),
                Reply::Status(code, msg) => return Err(Failure::Status(code, msg)),
                Reply::Unread(msg) => return Err(Failure::Other(msg)),
                Reply::Redirect(to) => {
                    if !self.same_origin(&to) {
                        let origin = format!("{}://{}", to.scheme(), to.authority());
                        if Endpoint::parse(&origin).is_err() {
                            return Err(Failure::Other(format!(
                                "redirected to {}: not https; not followed",
                                escape(&origin)
                            )));
                        }
                    }
                    url = to;
                }
            }
        }
        Err(Failure::Other(format!(
            "more than {MAX_REDIRECTS} redirects"
        )))
    }

    /// Notes for people about rate limits met: what was waited, and what was given up on
    /// (an answer that asks to wait a day is not waited for: the request fails at once).
    pub fn rate_note(&self) -> Option<String> {
        let n = self.rate_limited.load(Ordering::Relaxed);
        if n == 0 {
            return None;
        }
        let (waited, given_up, longest) = self.http.waits.totals();
        let mut note = format!(
            "the Hub rate-limited {n} request{} (HTTP 429); waited {waited:.1} s in all",
            plural(n as usize)
        );
        if given_up > 0 {
            note.push_str(&format!(
                "; gave up on {given_up} request{} at once, as waiting (up to {longest} s asked) \
                 would have passed the retry budget or the scan's deadline",
                plural(given_up as usize)
            ));
        }
        Some(note)
    }
}

/// The `rel="next"` target of a Link header.
pub(crate) fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        params
            .split(';')
            .any(|p| {
                let p = p.trim().replace(' ', "");
                p == "rel=\"next\"" || p == "rel=next"
            })
            .then(|| target.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_next_link() {
        assert_eq!(
            next_link("<https://h/api/x?cursor=a>; rel=\"next\""),
            Some("https://h/api/x?cursor=a".into())
        );
        assert_eq!(
            next_link("<https://h/p1>; rel=\"prev\", <https://h/p3>; rel=\"next\""),
            Some("https://h/p3".into())
        );
        assert_eq!(next_link("<https://h/p1>; rel=\"prev\""), None);
        assert_eq!(next_link("garbage"), None);
    }
}
