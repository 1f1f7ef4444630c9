//! Where a request is signed: `TKAuth` credentials, the canonical string,
//! HMAC-SHA1 signatures and `Content-MD5`.
//!
//! The client signs with [`Credentials::authorization`]; a server (such as the
//! crate's fake) checks with [`Credentials::verify`], which recomputes the same
//! signature, so the two cannot drift apart.
//!
//! ```
//! use tiktalik::auth::{Credentials, StringToSign};
//!
//! let creds = Credentials::new("EXAMPLEKEY1234", "ULQ/dVl0JWsrP/J1fEREIkn7DCE=")?;
//! let request = StringToSign {
//!     method: "GET",
//!     content_md5: "",
//!     content_type: "",
//!     date: "Fri, 10 Mar 2017 17:36:00 GMT",
//!     target: "/api/v1/computing/image",
//! };
//! assert_eq!(
//!     creds.authorization(&request),
//!     "TKAuth EXAMPLEKEY1234:N26Bivws5NjCr+ZyJE9Ljeb6ZzM="
//! );
//! # Ok::<(), tiktalik::Error>(())
//! ```

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit, Mac};
use md5::{Digest, Md5};
use sha1::Sha1;

use crate::Error;

/// The scheme word of the `Authorization` header.
pub const SCHEME: &str = "TKAuth";

/// An API key and its decoded secret.
///
/// The secret is base64-decoded once, here, and kept only as a ready HMAC key.
/// `Debug` shows the key but never the secret.
#[derive(Clone)]
pub struct Credentials {
    api_key: String,
    mac: Hmac<Sha1>,
}

impl Credentials {
    /// Checks the key and decodes the secret (base64 text, as the admin panel shows it).
    ///
    /// # Errors
    /// [`Error::Config`] when the key is empty or contains characters that cannot
    /// go in a header, or when the secret is empty or not valid base64.
    pub fn new(api_key: impl Into<String>, api_secret: &str) -> Result<Self, Error> {
        let api_key = api_key.into();
        if api_key.is_empty() {
            return Err(Error::config("the API key is empty"));
        }
        if let Some(c) = api_key.chars().find(|c| !c.is_ascii_graphic() || *c == ':') {
            return Err(Error::config(format!(
                "the API key contains {c:?}, which cannot be part of a TKAuth header"
            )));
        }
        let secret = BASE64.decode(api_secret.trim()).map_err(|e| {
            // Say where, never which character: this is the secret.
            let at = match e {
                base64::DecodeError::InvalidByte(offset, _)
                | base64::DecodeError::InvalidLastSymbol { offset, .. } => {
                    format!(" (bad character at position {offset})")
                }
                base64::DecodeError::InvalidLength(len) => {
                    format!(" (length {len} is not a valid base64 length)")
                }
                base64::DecodeError::InvalidPadding => " (bad padding)".to_owned(),
            };
            Error::config(format!(
                "the API secret is not valid base64{at}; copy it again from the admin panel"
            ))
        })?;
        if secret.is_empty() {
            return Err(Error::config("the API secret is empty"));
        }
        let mac = Hmac::<Sha1>::new_from_slice(&secret)
            .map_err(|_| Error::config("the API secret cannot be used as an HMAC key"))?;
        Ok(Credentials { api_key, mac })
    }

    /// The API key (not secret: it travels in every `Authorization` header).
    #[must_use]
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    fn mac_of(&self, request: &StringToSign<'_>) -> Hmac<Sha1> {
        let mut mac = self.mac.clone();
        for (i, part) in request.parts().iter().enumerate() {
            if i > 0 {
                mac.update(b"\n");
            }
            mac.update(part.as_bytes());
        }
        mac
    }

    /// The base64 HMAC-SHA1 signature of the request's canonical string.
    #[must_use]
    pub fn signature(&self, request: &StringToSign<'_>) -> String {
        BASE64.encode(self.mac_of(request).finalize().into_bytes())
    }

    /// The whole `Authorization` header value: `TKAuth <key>:<signature>`.
    #[must_use]
    pub fn authorization(&self, request: &StringToSign<'_>) -> String {
        format!("{SCHEME} {}:{}", self.api_key, self.signature(request))
    }

    /// Checks an `Authorization` header against the request it came with.
    ///
    /// True only when the header names this key and carries the signature this
    /// secret gives for `request`; the signature is compared in constant time.
    #[must_use]
    pub fn verify(&self, request: &StringToSign<'_>, authorization: &str) -> bool {
        let Some((key, signature)) = authorization
            .strip_prefix(SCHEME)
            .and_then(|rest| rest.strip_prefix(' '))
            .and_then(|rest| rest.split_once(':'))
        else {
            return false;
        };
        let Ok(signature) = BASE64.decode(signature) else {
            return false;
        };
        key == self.api_key && self.mac_of(request).verify_slice(&signature).is_ok()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("api_key", &self.api_key)
            .field("api_secret", &"<redacted>")
            .finish()
    }
}

/// The five parts of a request that its signature covers.
///
/// Absent headers are empty strings. `target` is the exact request target sent on
/// the wire: the percent-encoded path plus `?query` when there is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StringToSign<'a> {
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: &'a str,
    /// The `Content-MD5` header: lowercase hex MD5 of the body, or empty.
    pub content_md5: &'a str,
    /// The `Content-Type` header, or empty.
    pub content_type: &'a str,
    /// The `Date` header, an IMF-fixdate such as `Thu, 03 Dec 2026 09:15:42 GMT`.
    pub date: &'a str,
    /// The request target: path and query as sent.
    pub target: &'a str,
}

impl StringToSign<'_> {
    fn parts(&self) -> [&str; 5] {
        [
            self.method,
            self.content_md5,
            self.content_type,
            self.date,
            self.target,
        ]
    }

    /// The canonical string the signature is computed over: the five parts joined by `\n`.
    #[must_use]
    pub fn canonical(&self) -> String {
        self.parts().join("\n")
    }
}

/// The `Content-MD5` header value for a body: lowercase hex (not base64).
#[must_use]
pub fn content_md5(body: &[u8]) -> String {
    use fmt::Write as _;
    let digest = Md5::digest(body);
    let mut hex = String::with_capacity(32);
    for byte in digest.iter() {
        // Writing to a String cannot fail.
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct VectorFile {
        api_key: String,
        api_secret: String,
        vectors: Vec<Vector>,
    }

    #[derive(serde::Deserialize)]
    struct Vector {
        name: String,
        method: String,
        target: String,
        date: String,
        content_type: String,
        content_md5: String,
        body: String,
        authorization: String,
        canonical_string: String,
    }

    /// Every captured request: its MD5, canonical string and Authorization header
    /// come out byte for byte, and `verify` accepts exactly the captured header.
    fn check_vectors(file: &str) {
        let path = format!(
            "{}/../shared/conformance/{file}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let vf: VectorFile = serde_json::from_str(&text).unwrap();
        let creds = Credentials::new(vf.api_key, &vf.api_secret).unwrap();
        assert!(
            vf.vectors.len() >= 15,
            "{file} has {} vectors",
            vf.vectors.len()
        );
        for v in &vf.vectors {
            let md5 = if v.body.is_empty() {
                String::new()
            } else {
                content_md5(v.body.as_bytes())
            };
            assert_eq!(md5, v.content_md5, "{}: Content-MD5", v.name);
            let sts = StringToSign {
                method: &v.method,
                content_md5: &md5,
                content_type: &v.content_type,
                date: &v.date,
                target: &v.target,
            };
            assert_eq!(sts.canonical(), v.canonical_string, "{}: canonical", v.name);
            assert_eq!(creds.authorization(&sts), v.authorization, "{}", v.name);
            assert!(creds.verify(&sts, &v.authorization), "{}: verify", v.name);
            let tampered = StringToSign {
                target: "/api/v2/computing/instance/other",
                ..sts
            };
            assert!(!creds.verify(&tampered, &v.authorization), "{}", v.name);
        }
    }

    #[test]
    fn computing_signing_vectors() {
        check_vectors("signing-vectors.json");
    }

    #[test]
    fn loadbalancer_signing_vectors() {
        check_vectors("loadbalancer-vectors.json");
    }

    #[test]
    fn java_client_known_answer() {
        let creds = Credentials::new("k", "ULQ/dVl0JWsrP/J1fEREIkn7DCE=").unwrap();
        let sts = StringToSign {
            method: "GET",
            content_md5: "",
            content_type: "",
            date: "Fri, 10 Mar 2017 17:36:00 GMT",
            target: "/api/v1/computing/image",
        };
        assert_eq!(creds.signature(&sts), "N26Bivws5NjCr+ZyJE9Ljeb6ZzM=");
    }

    #[test]
    fn bad_secret_is_a_clear_error_without_the_secret() {
        let err = Credentials::new("key", "not*base64!").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("not valid base64"), "{text}");
        assert!(text.contains("position 3"), "{text}");
        assert!(!text.contains("not*base64!"), "{text}");
        assert!(Credentials::new("key", "").is_err());
        assert!(Credentials::new("", "ULQ/dVl0JWsrP/J1fEREIkn7DCE=").is_err());
        assert!(Credentials::new("a:b", "ULQ/dVl0JWsrP/J1fEREIkn7DCE=").is_err());
    }

    #[test]
    fn debug_redacts_secret() {
        let creds = Credentials::new("KEY", "ULQ/dVl0JWsrP/J1fEREIkn7DCE=").unwrap();
        let debug = format!("{creds:?}");
        assert!(
            debug.contains("KEY") && debug.contains("<redacted>"),
            "{debug}"
        );
        assert!(!debug.contains("ULQ/"), "{debug}");
    }

    #[test]
    fn verify_rejects_malformed_headers() {
        let creds = Credentials::new("KEY", "ULQ/dVl0JWsrP/J1fEREIkn7DCE=").unwrap();
        let sts = StringToSign {
            method: "GET",
            content_md5: "",
            content_type: "",
            date: "Fri, 10 Mar 2017 17:36:00 GMT",
            target: "/x",
        };
        let good = creds.authorization(&sts);
        assert!(creds.verify(&sts, &good));
        for bad in [
            "",
            "TKAuth",
            "TKAuth KEY",
            "Basic KEY:abc",
            "TKAuth OTHER:abc",
            &good.replace("KEY", "KEX"),
            &good[..good.len() - 2],
        ] {
            assert!(!creds.verify(&sts, bad), "{bad:?}");
        }
    }
}
