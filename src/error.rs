//! The one error type of the crate.

use std::fmt;

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
        /// What the HTTP client reported.
        source: Box<ureq::Error>,
    },
    /// The request or the response took longer than the configured timeout.
    Timeout {
        /// The call that timed out.
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
    /// The connection could not be configured (bad origin, secret, proxy, missing environment).
    Config {
        /// What is wrong and how to fix it.
        reason: Box<str>,
    },
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
}

impl ApiError {
    /// Builds the error from a raw response body: keeps the JSON `description`
    /// when there is one and a bounded excerpt of the body in any case.
    pub(crate) fn from_body(call: &'static str, status: u16, body: &[u8]) -> Self {
        #[derive(serde::Deserialize)]
        struct Described {
            description: Option<String>,
        }
        let description = serde_json::from_slice::<Described>(body)
            .ok()
            .and_then(|d| d.description);
        ApiError {
            call,
            status,
            description,
            body_excerpt: excerpt(body),
        }
    }
}

/// The first [`EXCERPT_LIMIT`] bytes of `body`, cut at a character boundary.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(EXCERPT_LIMIT)]);
    let mut text = text.into_owned();
    // A cut in the middle of a multi-byte character leaves a replacement char; drop it.
    if body.len() > EXCERPT_LIMIT && text.ends_with('\u{FFFD}') {
        text.pop();
    }
    text.trim().to_owned()
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

    pub(crate) fn from_ureq(call: &'static str, e: ureq::Error) -> Self {
        match e {
            ureq::Error::Timeout(_) => Error::Timeout {
                call,
                source: Box::new(e),
            },
            ureq::Error::BodyExceedsLimit(limit) => Error::BodyTooLarge { call, limit },
            e => Error::Transport {
                call,
                source: Box::new(e),
            },
        }
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
            | Error::BodyTooLarge { call, .. }
            | Error::Decode { call, .. } => Some(call),
            Error::InvalidInput { .. } | Error::Config { .. } => None,
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

    /// True when the call timed out.
    #[must_use]
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }

    /// True when the argument was rejected before anything was sent.
    #[must_use]
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, Error::InvalidInput { .. })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(api) => {
                write!(f, "{}: the server answered HTTP {}", api.call, api.status)?;
                match (&api.description, api.body_excerpt.is_empty()) {
                    (Some(d), _) => write!(f, ": {d}"),
                    (None, false) => write!(f, ": {}", api.body_excerpt),
                    (None, true) => Ok(()),
                }
            }
            Error::Transport { call, source } => write!(f, "{call}: transport error: {source}"),
            Error::Timeout { call, source } => write!(f, "{call}: timed out ({source})"),
            Error::BodyTooLarge { call, limit } => {
                write!(f, "{call}: the response body is larger than {limit} bytes")
            }
            Error::Decode { call, source } => {
                write!(f, "{call}: could not decode the response: {source}")
            }
            Error::InvalidInput { what, reason } => write!(f, "invalid {what}: {reason}"),
            Error::Config { reason } => write!(f, "configuration error: {reason}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport { source, .. } | Error::Timeout { source, .. } => Some(&**source),
            Error::Decode { source, .. } => Some(source),
            Error::Api(_)
            | Error::BodyTooLarge { .. }
            | Error::InvalidInput { .. }
            | Error::Config { .. } => None,
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
    fn html_body_is_bounded_excerpt() {
        let mut body = b"<html><body>401 Unauthorized ".to_vec();
        body.extend(std::iter::repeat_n(b'x', 10_000));
        let api = ApiError::from_body("list_instances", 401, &body);
        assert_eq!(api.description, None);
        assert!(api.body_excerpt.starts_with("<html><body>401"));
        assert!(api.body_excerpt.len() <= EXCERPT_LIMIT);
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
