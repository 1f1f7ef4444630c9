//! The one error type of the crate.

use std::fmt;
use std::time::{Duration, SystemTime};

use crate::computing::Ambiguous;
use crate::wait::WaitError;

/// How many bytes of an error response body an [`ApiError`] keeps.
pub(crate) const EXCERPT_LIMIT: usize = 512;

/// Everything that can go wrong in a call.
///
/// Each variant that comes from a request names the call (for example
/// `"get_instance"`), so a log line says which request failed.
///
/// ```
/// # fn demo(conn: &tiktalik::Connection) -> Result<(), tiktalik::Error> {
/// match conn.get_instance("71717dfb-3e86-487f-bcf0-01f6856d6bcd", tiktalik::Details::none()) {
///     Ok(instance) => println!("{} is {:?}", instance.hostname, instance.state),
///     Err(e) if e.is_not_found() => println!("no such instance"),
///     Err(e) => return Err(e),
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with a status other than 2xx.
    Api(Box<ApiError>),
    /// The request could not be sent or the response could not be read
    /// (DNS, connection refused, TLS, a connection closed mid-body).
    Transport {
        /// The call that failed, e.g. `"list_instances"`.
        call: &'static str,
        /// How many times the request was sent (GETs are retried).
        attempts: u32,
        /// What the HTTP client reported.
        source: Box<ureq::Error>,
    },
    /// The request or the response took longer than the configured timeout.
    Timeout {
        /// The call that timed out.
        call: &'static str,
        /// How many times the request was sent (GETs are retried).
        attempts: u32,
        /// What the HTTP client reported.
        source: Box<ureq::Error>,
    },
    /// A POST, PUT or DELETE went out but its answer was lost (the connection broke
    /// or timed out after sending). It may have taken effect: look before repeating
    /// it. Such calls are never retried automatically.
    ResponseLost {
        /// The call whose answer was lost, e.g. `"create_instance"`.
        call: &'static str,
        /// What the HTTP client reported.
        source: Box<ureq::Error>,
    },
    /// The response body was larger than the configured limit
    /// (see [`ConnectionBuilder::max_response_bytes`](crate::ConnectionBuilder::max_response_bytes)).
    BodyTooLarge {
        /// The call whose response was too large.
        call: &'static str,
        /// The limit in bytes.
        limit: u64,
    },
    /// The response was 2xx but its body did not decode into the expected model.
    Decode {
        /// The call whose response did not decode.
        call: &'static str,
        /// What serde_json reported, with line and column.
        source: serde_json::Error,
    },
    /// An argument was rejected before anything was sent.
    InvalidInput {
        /// Which argument, e.g. `"instance uuid"`.
        what: &'static str,
        /// Why it was rejected.
        reason: Box<str>,
    },
    /// The connection could not be configured (bad origin, secret, proxy, missing
    /// or unsafe credentials).
    Config {
        /// What is wrong and how to fix it.
        reason: Box<str>,
    },
    /// Waiting for an instance failed: it timed out, the instance vanished, or an
    /// operation ended with a failure code.
    Wait(Box<WaitError>),
    /// [`find_instance`](crate::Connection::find_instance) matched no instance.
    NoMatch {
        /// What was looked for.
        query: Box<str>,
    },
    /// [`find_instance`](crate::Connection::find_instance) matched several instances.
    Ambiguous(Box<Ambiguous>),
}

/// An answer from the server with a status other than 2xx.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The call that failed.
    pub call: &'static str,
    /// The HTTP status code.
    pub status: u16,
    /// The server's `description` when the body was JSON with one.
    pub description: Option<String>,
    /// The start of the raw body (at most 512 bytes, lossily decoded), for bodies
    /// that are not JSON, such as the HTML page of a signature failure.
    pub body_excerpt: String,
    /// How many times the request was sent (GETs are retried on 5xx and 429).
    pub attempts: u32,
    /// The server's `Retry-After`, when it sent one.
    pub retry_after: Option<Duration>,
    /// The `Date` this request carried.
    pub request_date: Option<SystemTime>,
    /// The server's `Date` header.
    pub server_date: Option<SystemTime>,
}

impl ApiError {
    /// Builds the error from a raw response body: keeps the JSON `description`
    /// when there is one and a bounded excerpt of the body in any case.
    pub(crate) fn from_body(call: &'static str, status: u16, body: &[u8]) -> Self {
        // Only an object's string `description` counts (serde would also read a
        // struct from an array, such as `[""]`).
        let description = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.get("description")?.as_str().map(str::to_owned));
        ApiError {
            call,
            status,
            description,
            body_excerpt: excerpt(body),
            attempts: 1,
            retry_after: None,
            request_date: None,
            server_date: None,
        }
    }

    /// How far apart this machine's clock and the server's were, when that is more
    /// than a minute and the server refused the signature (401): the usual cause of a
    /// 401 with the right key and secret.
    #[must_use]
    pub fn clock_skew(&self) -> Option<Duration> {
        let (ours, theirs) = (self.request_date?, self.server_date?);
        let apart = ours
            .duration_since(theirs)
            .or_else(|_| theirs.duration_since(ours))
            .unwrap_or_default();
        (self.status == 401 && apart > Duration::from_secs(60)).then_some(apart)
    }
}

/// At most [`EXCERPT_LIMIT`] bytes of text from the start of `body`: invalid UTF-8
/// becomes U+FFFD (three bytes each), so the cut is made after decoding, at a
/// character boundary.
fn excerpt(body: &[u8]) -> String {
    let head = &body[..body.len().min(EXCERPT_LIMIT)];
    let text = String::from_utf8_lossy(head);
    crate::encode::truncate(text.trim(), EXCERPT_LIMIT).to_owned()
}

impl Error {
    pub(crate) fn invalid(what: &'static str, reason: impl Into<Box<str>>) -> Self {
        Error::InvalidInput {
            what,
            reason: reason.into(),
        }
    }

    pub(crate) fn config(reason: impl Into<Box<str>>) -> Self {
        Error::Config {
            reason: reason.into(),
        }
    }

    /// Maps a transport failure; `read_only` is false for POST, PUT and DELETE,
    /// whose answers, once the request may have left, are reported as lost.
    pub(crate) fn from_ureq(call: &'static str, read_only: bool, e: ureq::Error) -> Self {
        use std::io::ErrorKind;
        let not_sent = matches!(
            &e,
            ureq::Error::HostNotFound
                | ureq::Error::ConnectionFailed
                | ureq::Error::BadUri(_)
                | ureq::Error::Http(_)
                | ureq::Error::InvalidProxyUrl
                | ureq::Error::Timeout(ureq::Timeout::Resolve | ureq::Timeout::Connect)
        ) || matches!(&e, ureq::Error::Io(io) if io.kind() == ErrorKind::ConnectionRefused);
        match e {
            ureq::Error::BodyExceedsLimit(limit) => Error::BodyTooLarge { call, limit },
            e if !read_only && !not_sent => Error::ResponseLost {
                call,
                source: Box::new(e),
            },
            ureq::Error::Timeout(_) => Error::Timeout {
                call,
                attempts: 1,
                source: Box::new(e),
            },
            e => Error::Transport {
                call,
                attempts: 1,
                source: Box::new(e),
            },
        }
    }

    /// Whether a GET that failed this way is worth sending again.
    pub(crate) fn is_retryable(&self) -> bool {
        match self {
            Error::Transport { .. } | Error::Timeout { .. } => true,
            Error::Api(api) => api.status == 429 || api.status >= 500,
            _ => false,
        }
    }

    /// Records how many times the request was sent.
    pub(crate) fn after_attempts(mut self, n: u32) -> Self {
        match &mut self {
            Error::Api(api) => api.attempts = n,
            Error::Transport { attempts, .. } | Error::Timeout { attempts, .. } => *attempts = n,
            _ => {}
        }
        self
    }

    /// How many times the request was sent before this error: more than 1 when a
    /// GET was retried; 0 when nothing was sent.
    #[must_use]
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Api(api) => api.attempts,
            Error::Transport { attempts, .. } | Error::Timeout { attempts, .. } => *attempts,
            Error::ResponseLost { .. } | Error::BodyTooLarge { .. } | Error::Decode { .. } => 1,
            _ => 0,
        }
    }

    /// The server's `Retry-After`, when it sent one (with a 429 or 503).
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api(api) => api.retry_after,
            _ => None,
        }
    }

    /// True when a POST, PUT or DELETE may have taken effect although it failed
    /// (its answer was lost): check the state before sending it again.
    #[must_use]
    pub fn may_have_succeeded(&self) -> bool {
        matches!(self, Error::ResponseLost { .. })
    }

    /// The HTTP status when the server answered with an error.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(api) => Some(api.status),
            _ => None,
        }
    }

    /// The server's description of an API error, when it sent one.
    #[must_use]
    pub fn description(&self) -> Option<&str> {
        match self {
            Error::Api(api) => api.description.as_deref(),
            _ => None,
        }
    }

    /// The call that failed (e.g. `"get_instance"`); `None` for input and configuration errors.
    #[must_use]
    pub fn call(&self) -> Option<&'static str> {
        match self {
            Error::Api(api) => Some(api.call),
            Error::Transport { call, .. }
            | Error::Timeout { call, .. }
            | Error::ResponseLost { call, .. }
            | Error::BodyTooLarge { call, .. }
            | Error::Decode { call, .. } => Some(call),
            _ => None,
        }
    }

    /// True for a 404: the instance, image or network does not exist (any more).
    #[must_use]
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// True for a 401: the key, the secret or the clock is wrong.
    #[must_use]
    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(401)
    }

    /// True when the call timed out, or a wait ran out of time.
    #[must_use]
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Timeout { .. } => true,
            Error::Wait(wait) => matches!(wait.reason, crate::wait::WaitFailure::TimedOut),
            _ => false,
        }
    }

    /// True when the argument was rejected before anything was sent.
    #[must_use]
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, Error::InvalidInput { .. })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tries = |n: u32| {
            if n > 1 {
                format!(" (after {n} attempts)")
            } else {
                String::new()
            }
        };
        match self {
            Error::Api(api) => {
                write!(f, "{}: the server answered HTTP {}", api.call, api.status)?;
                match (&api.description, api.body_excerpt.is_empty()) {
                    (Some(d), _) => write!(f, ": {d}")?,
                    (None, false) => write!(f, ": {}", api.body_excerpt)?,
                    (None, true) => {}
                }
                f.write_str(&tries(api.attempts))?;
                if let (Some(apart), Some(ours), Some(theirs)) =
                    (api.clock_skew(), api.request_date, api.server_date)
                {
                    write!(
                        f,
                        "; the clocks disagree by {} s: this machine dated the request {}, \
                         the server's clock said {}; correct this machine's clock",
                        apart.as_secs(),
                        httpdate::fmt_http_date(ours),
                        httpdate::fmt_http_date(theirs)
                    )?;
                }
                Ok(())
            }
            Error::Transport {
                call,
                attempts,
                source,
            } => write!(f, "{call}: transport error: {source}{}", tries(*attempts)),
            Error::Timeout {
                call,
                attempts,
                source,
            } => write!(f, "{call}: timed out ({source}){}", tries(*attempts)),
            Error::ResponseLost { call, source } => write!(
                f,
                "{call}: the request was sent but its answer was lost ({source}); \
                 it may have taken effect, so check before repeating it"
            ),
            Error::BodyTooLarge { call, limit } => {
                write!(f, "{call}: the response body is larger than {limit} bytes")
            }
            Error::Decode { call, source } => {
                write!(f, "{call}: could not decode the response: {source}")
            }
            Error::InvalidInput { what, reason } => write!(f, "invalid {what}: {reason}"),
            Error::Config { reason } => write!(f, "configuration error: {reason}"),
            Error::Wait(wait) => wait.fmt(f),
            Error::NoMatch { query } => write!(f, "no instance matches {query:?}"),
            Error::Ambiguous(ambiguous) => ambiguous.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport { source, .. }
            | Error::Timeout { source, .. }
            | Error::ResponseLost { source, .. } => Some(&**source),
            Error::Decode { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_send_sync_and_small() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<Error>();
        assert!(
            std::mem::size_of::<Error>() <= 40,
            "Error grew to {} bytes",
            std::mem::size_of::<Error>()
        );
    }

    #[test]
    fn json_description_is_kept() {
        let e = Error::Api(Box::new(ApiError::from_body(
            "get_instance",
            404,
            br#"{"description": "Not found"}"#,
        )));
        assert!(e.is_not_found());
        assert_eq!(e.description(), Some("Not found"));
        assert_eq!(
            e.to_string(),
            "get_instance: the server answered HTTP 404: Not found"
        );
    }

    #[test]
    fn only_an_object_describes_an_error() {
        for body in [&b"[\"Not found\"]"[..], b"{\"description\": 404}", b"\"x\""] {
            assert_eq!(ApiError::from_body("c", 500, body).description, None);
        }
    }

    #[test]
    fn html_body_is_bounded_excerpt() {
        let mut body = b"<html><body>401 Unauthorized ".to_vec();
        body.extend(std::iter::repeat_n(b'x', 10_000));
        let api = ApiError::from_body("list_instances", 401, &body);
        assert_eq!(api.description, None);
        assert!(api.body_excerpt.starts_with("<html><body>401"));
        assert!(api.body_excerpt.len() <= EXCERPT_LIMIT);
    }

    #[test]
    fn excerpt_of_invalid_utf8_stays_bounded() {
        let ex = excerpt(&[0xff; 2000]);
        assert!(ex.len() <= EXCERPT_LIMIT, "{}", ex.len());
        assert!(ex.chars().all(|c| c == '\u{FFFD}'));
    }

    #[test]
    fn excerpt_cuts_at_char_boundary() {
        let body = "ż".repeat(EXCERPT_LIMIT); // two bytes each, cut lands mid-char or not
        let mut odd = b"a".to_vec();
        odd.extend_from_slice(body.as_bytes());
        for b in [body.as_bytes(), &odd[..]] {
            let ex = excerpt(b);
            assert!(!ex.contains('\u{FFFD}'));
            assert!(ex.len() <= EXCERPT_LIMIT);
        }
    }

    #[test]
    fn source_is_exposed() {
        use std::error::Error as _;
        let decode = serde_json::from_slice::<u8>(b"x").unwrap_err();
        let e = Error::Decode {
            call: "list_images",
            source: decode,
        };
        assert!(e.source().is_some());
        assert!(e.to_string().starts_with("list_images: could not decode"));
        assert!(Error::invalid("size", "nope").source().is_none());
    }
}
