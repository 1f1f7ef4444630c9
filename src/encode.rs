//! How values go on the wire: form bodies, path segments and UUID checks.
//!
//! Form bodies are encoded exactly as Python's `urlencode` writes them (the
//! official SDK's encoder): space becomes `+`, everything but `A-Z a-z 0-9 _ . - ~`
//! becomes `%XX` of its UTF-8 bytes. Path segments use the same set with `%20`
//! for space, so `/`, `?` and `#` in a caller's value can never add a path
//! component or a query.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode, utf8_percent_encode};

use crate::Error;

/// Bytes left as they are: Python's `quote_plus` safe set.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'_')
    .remove(b'.')
    .remove(b'-')
    .remove(b'~');

fn push_encoded(out: &mut String, value: &str, space_as_plus: bool) {
    for chunk in utf8_percent_encode(value, UNRESERVED) {
        if space_as_plus && chunk == "%20" {
            out.push('+');
        } else {
            out.push_str(chunk);
        }
    }
}

/// Percent-encodes one path segment.
#[must_use]
pub fn path_segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    push_encoded(&mut out, value, false);
    out
}

/// An `application/x-www-form-urlencoded` body, fields in the order they are added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Form {
    body: String,
}

impl Form {
    /// An empty form.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `key=value`.
    #[must_use]
    pub fn field(mut self, key: &str, value: &str) -> Self {
        if !self.body.is_empty() {
            self.body.push('&');
        }
        push_encoded(&mut self.body, key, true);
        self.body.push('=');
        push_encoded(&mut self.body, value, true);
        self
    }

    /// Appends `key=value` once per value, as a list parameter (`key` such as `networks[]`).
    #[must_use]
    pub fn list<I, S>(self, key: &str, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        values
            .into_iter()
            .fold(self, |form, v| form.field(key, v.as_ref()))
    }

    /// Appends `key=value` only when there is a value.
    #[must_use]
    pub fn optional(self, key: &str, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.field(key, v),
            None => self,
        }
    }

    /// The encoded body.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.body
    }

    /// Decodes a form body (or a query string) into its fields, in order: the
    /// inverse of the encoder.
    ///
    /// Bytes that do not decode to UTF-8 are replaced, as a lenient server would.
    #[must_use]
    pub fn parse(body: &[u8]) -> Fields {
        fn decode(part: &[u8]) -> String {
            let spaced: Vec<u8> = part
                .iter()
                .map(|&b| if b == b'+' { b' ' } else { b })
                .collect();
            percent_decode(&spaced).decode_utf8_lossy().into_owned()
        }
        let fields = body
            .split(|&b| b == b'&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let mut kv = pair.splitn(2, |&b| b == b'=');
                let key = decode(kv.next().unwrap_or_default());
                let value = decode(kv.next().unwrap_or_default());
                (key, value)
            })
            .collect();
        Fields(fields)
    }
}

/// The decoded fields of a form body, in the order they came.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    /// The first value of `key`.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `key`, in order (list parameters such as `networks[]`).
    pub fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every `(key, value)` pair, in order.
    #[must_use]
    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }
}

/// Checks that `value` is a UUID in its textual form (`8-4-4-4-12` hex digits),
/// so it can go in a path as it is.
///
/// # Errors
/// [`Error::InvalidInput`] naming `what` when it is empty or malformed.
pub fn check_uuid<'a>(what: &'static str, value: &'a str) -> Result<&'a str, Error> {
    const GROUPS: [usize; 5] = [8, 4, 4, 4, 12];
    if value.is_empty() {
        return Err(Error::invalid(what, "it is empty; expected a UUID"));
    }
    let well_formed = value.len() == 36
        && value.split('-').map(str::len).eq(GROUPS.iter().copied())
        && value.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit());
    if well_formed {
        Ok(value)
    } else {
        Err(Error::invalid(
            what,
            format!(
                "{:?} is not a UUID (expected 8-4-4-4-12 hex digits, such as 71717dfb-3e86-487f-bcf0-01f6856d6bcd)",
                truncate(value, 64)
            ),
        ))
    }
}

/// Checks a host or domain name: 1 to 253 characters in dot-separated labels of at most 63
/// letters, digits and hyphens, none starting or ending with a hyphen.
///
/// # Errors
/// [`Error::InvalidInput`] naming `what` and the rule broken.
pub fn check_hostname<'a>(what: &'static str, hostname: &'a str) -> Result<&'a str, Error> {
    let reason = if hostname.is_empty() {
        Some("it is empty".to_owned())
    } else if hostname.len() > 253 {
        Some(format!(
            "{} characters is too long (at most 253)",
            hostname.len()
        ))
    } else {
        hostname.split('.').find_map(|label| {
            if label.is_empty() || label.len() > 63 {
                Some("each dot-separated label must have 1 to 63 characters".to_owned())
            } else if let Some(c) = label
                .chars()
                .find(|c| !c.is_ascii_alphanumeric() && *c != '-')
            {
                Some(format!(
                    "{c:?} is not allowed (letters, digits, '-' and '.')"
                ))
            } else if label.starts_with('-') || label.ends_with('-') {
                Some("a label must not start or end with '-'".to_owned())
            } else {
                None
            }
        })
    };
    match reason {
        None => Ok(hostname),
        Some(reason) => Err(Error::invalid(
            what,
            format!("{:?}: {reason}", truncate(hostname, 64)),
        )),
    }
}

/// At most `max` bytes of `s`, cut at a character boundary: user input quoted in
/// an error stays bounded.
pub(crate) fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_matches_python_urlencode() {
        let form = Form::new()
            .field("image_name", "Zażółć gęślą jaźń & co = 100%")
            .field("empty", "")
            .list("networks[]", ["a", "b"]);
        assert_eq!(
            form.as_str(),
            "image_name=Za%C5%BC%C3%B3%C5%82%C4%87+g%C4%99%C5%9Bl%C4%85+ja%C5%BA%C5%84+%26+co+%3D+100%25\
             &empty=&networks%5B%5D=a&networks%5B%5D=b"
        );
        assert_eq!(
            Form::new().field("k", "a+b/c~d_e.f-g*h").as_str(),
            "k=a%2Bb%2Fc~d_e.f-g%2Ah"
        );
    }

    #[test]
    fn form_round_trips() {
        let fields = [("a b", "x&y=z"), ("networks[]", "+%2B\n\r"), ("ż", "日本")];
        let form = fields.iter().fold(Form::new(), |f, (k, v)| f.field(k, v));
        let parsed = Form::parse(form.as_str().as_bytes());
        assert_eq!(parsed.get("a b"), Some("x&y=z"));
        assert_eq!(parsed.get("missing"), None);
        let parsed = parsed.pairs().to_vec();
        let expected: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(parsed, expected);
    }

    #[test]
    fn path_segments_cannot_escape() {
        assert_eq!(path_segment("c.example.com"), "c.example.com");
        assert_eq!(path_segment("../a/b?c#d e"), "..%2Fa%2Fb%3Fc%23d%20e");
    }

    #[test]
    fn uuids_are_checked() {
        assert!(check_uuid("instance uuid", "71717dfb-3e86-487f-bcf0-01f6856d6bcd").is_ok());
        assert!(check_uuid("instance uuid", "71717DFB-3E86-487F-BCF0-01F6856D6BCD").is_ok());
        for bad in [
            "",
            "71717dfb",
            "71717dfb-3e86-487f-bcf0-01f6856d6bcdx",
            "71717dfb-3e86-487f-bcf0/01f6856d6bcd",
            "71717dfb3e86-487f-bcf0-01f6856d6bcd0",
            "g1717dfb-3e86-487f-bcf0-01f6856d6bcd",
            "../../../../../../../../../../../etc",
        ] {
            let err = check_uuid("instance uuid", bad).unwrap_err();
            assert!(err.is_invalid_input());
            assert!(
                err.to_string().starts_with("invalid instance uuid"),
                "{err}"
            );
        }
    }

    #[test]
    fn hostnames() {
        for ok in ["web-123", "node-1", "a", "db.internal", "X1"] {
            assert!(check_hostname("hostname", ok).is_ok(), "{ok}");
        }
        for (bad, why) in [
            ("", "empty"),
            ("web 1", "' ' is not allowed"),
            ("-web", "start or end"),
            ("web-", "start or end"),
            ("a..b", "1 to 63"),
            ("web_1", "'_' is not allowed"),
            (&"a".repeat(64), "1 to 63"),
            (&"a.".repeat(127), "too long"),
        ] {
            let err = check_hostname("hostname", bad).unwrap_err().to_string();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(truncate("żółw", 3), "ż");
        assert_eq!(truncate("abc", 10), "abc");
    }
}
