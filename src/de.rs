//! Serde helpers that make models tolerant of what real payloads do: `null` where
//! a value is documented, numbers where strings are expected and vice versa.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serializer};

/// `null` (or a missing field, with `#[serde(default)]`) becomes the type's default.
pub(crate) fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

struct NumberOrString;

impl<'de> Visitor<'de> for NumberOrString {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number, a string or null")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_owned()))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(NumberOrString)
    }
}

/// A value the API sends sometimes as a number (`4`, `0.25`) and sometimes as a
/// string (`"1s"`), kept as its text.
pub(crate) fn number_or_string<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    d.deserialize_option(NumberOrString)
}

/// Writes a text kept by [`number_or_string`] back as a number when it is one,
/// so a model serializes to the shape the API sends.
pub(crate) fn serialize_number_or_string<S: Serializer>(
    value: &Option<String>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match value.as_deref() {
        None => s.serialize_none(),
        Some(text) => match (text.parse::<u64>(), text.parse::<f64>()) {
            (Ok(n), _) => s.serialize_u64(n),
            (_, Ok(f)) if f.is_finite() => s.serialize_f64(f),
            _ => s.serialize_str(text),
        },
    }
}

/// Declares an enum of the string values the API sends, with an `Unknown(String)`
/// variant that keeps any value this crate does not know, and the conversions
/// every such enum needs (`as_str`, `From<&str>`, `Display`, serde both ways).
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this crate does not know, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// The value as the API sends it.
            #[must_use]
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $text, )+
                    $name::Unknown(other) => other,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $( $text => $name::$variant, )+
                    other => $name::Unknown(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Ok($name::from(&*s))
            }
        }
    };
}

pub(crate) use string_enum;

/// Why a streamed body did not decode.
#[derive(Debug)]
pub(crate) enum StreamError {
    /// Reading the body failed.
    Io(std::io::Error),
    /// The bytes are not the expected JSON.
    Json(serde_json::Error),
}

/// Decodes a JSON array of objects as its bytes stream in, one element at a time,
/// each with serde_json's slice parser over a window of the body.
///
/// serde_json's reader-based parser goes byte by byte (about half the speed on
/// large listings); decoding the whole body as a slice holds the body and the
/// models at once. This keeps the slice parser's speed with memory bounded by the
/// models plus the window. `head` holds bytes already read from `rest`.
///
/// Only the array's own punctuation (`[`, `,`, `]`) is handled here; each element is
/// found and parsed by serde_json. Elements must be self-delimiting (objects,
/// arrays or strings), as every list of the API is.
pub(crate) fn array_from_reader<T: serde::de::DeserializeOwned>(
    head: Vec<u8>,
    rest: impl std::io::Read,
) -> Result<Vec<T>, StreamError> {
    use serde::de::Error as _;

    let mut w = Window {
        bytes: head,
        start: 0,
        ended: false,
        rest,
    };
    let unexpected = |what: &str, at: usize| {
        StreamError::Json(serde_json::Error::custom(format!(
            "expected {what} at byte {at} of the window"
        )))
    };
    if w.next_token()? != Some(b'[') {
        return Err(unexpected("`[`", w.start));
    }
    w.start += 1;
    let mut items = Vec::new();
    if w.next_token()? == Some(b']') {
        w.start += 1;
    } else {
        loop {
            if w.next_token()?.is_none() {
                return Err(unexpected("an element", w.start));
            }
            let parsed = {
                let mut values =
                    serde_json::Deserializer::from_slice(&w.bytes[w.start..]).into_iter::<T>();
                match values.next() {
                    Some(Ok(item)) => Ok((item, values.byte_offset())),
                    Some(Err(e)) => Err(e),
                    None => Err(serde_json::Error::custom("expected an element")),
                }
            };
            match parsed {
                Ok((item, used)) => {
                    items.push(item);
                    w.start += used;
                }
                // The element runs past the window: read more and parse it again.
                Err(e) if e.is_eof() && !w.ended => {
                    w.more()?;
                    continue;
                }
                Err(e) => return Err(StreamError::Json(e)),
            }
            match w.next_token()? {
                Some(b',') => w.start += 1,
                Some(b']') => {
                    w.start += 1;
                    break;
                }
                _ => return Err(unexpected("`,` or `]`", w.start)),
            }
        }
    }
    if w.next_token()?.is_some() {
        return Err(unexpected("the end of the body", w.start));
    }
    Ok(items)
}

/// The unread part of a body: bytes read so far from `start` on, and the rest.
struct Window<R> {
    bytes: Vec<u8>,
    start: usize,
    ended: bool,
    rest: R,
}

impl<R: std::io::Read> Window<R> {
    /// Reads another chunk, dropping what was consumed once it is most of the window.
    /// A chunk is at least as large as the unparsed part, so an element larger than
    /// a chunk is parsed again only a logarithmic number of times.
    fn more(&mut self) -> Result<(), StreamError> {
        const CHUNK: usize = 64 * 1024;
        if self.start > self.bytes.len() / 2 {
            self.bytes.drain(..self.start);
            self.start = 0;
        }
        let len = self.bytes.len();
        self.bytes.resize(len + CHUNK.max(len - self.start), 0);
        let read = loop {
            match self.rest.read(&mut self.bytes[len..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(StreamError::Io(e)),
            }
        };
        self.bytes.truncate(len + read);
        self.ended = read == 0;
        Ok(())
    }

    /// The next byte that is not whitespace, reading as needed; `None` at the end.
    fn next_token(&mut self) -> Result<Option<u8>, StreamError> {
        loop {
            match self.bytes[self.start..]
                .iter()
                .position(|b| !b.is_ascii_whitespace())
            {
                Some(skip) => {
                    self.start += skip;
                    return Ok(Some(self.bytes[self.start]));
                }
                None if self.ended => return Ok(None),
                None => {
                    self.start = self.bytes.len();
                    self.more()?;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Item {
        name: String,
    }

    /// A reader that hands out `step` bytes at a time, so every element straddles
    /// window boundaries somewhere.
    struct Trickle<'a>(&'a [u8], usize);

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn decode(json: &str, head: usize, step: usize) -> Result<Vec<Item>, StreamError> {
        let bytes = json.as_bytes();
        let head = head.min(bytes.len());
        array_from_reader(bytes[..head].to_vec(), Trickle(&bytes[head..], step))
    }

    #[test]
    fn arrays_decode_across_any_split() {
        let names: Vec<String> = (0..50).map(|i| format!("n{i}-\"ż\" ]}},[")).collect();
        let json = serde_json::to_string(
            &names
                .iter()
                .map(|n| serde_json::json!({ "name": n, "extra": [1, {"x": "]"}] }))
                .collect::<Vec<_>>(),
        )
        .unwrap();
        let spaced = json.replace(",{", " ,\n {");
        for text in [&json, &spaced] {
            for (head, step) in [(0, 5), (3, 7), (100, 64), (usize::MAX, 1)] {
                let items = decode(text, head, step).unwrap();
                let got: Vec<&str> = items.iter().map(|i| i.name.as_str()).collect();
                assert_eq!(got, names, "head {head}, step {step}");
            }
        }
        assert!(decode("  [ ] ", 0, 1).unwrap().is_empty());
    }

    #[test]
    fn malformed_arrays_are_errors() {
        for bad in [
            "",
            "{}",
            "[",
            "[{\"name\": \"a\"}",
            "[{\"name\": \"a\"} {\"name\": \"b\"}]",
            "[{\"name\": \"a\"},]",
            "[{\"name\": \"a\"}] x",
            "[{\"name\": 1}]",
            "[{\"name\": \"a\"",
        ] {
            for step in [1, 1000] {
                let err = decode(bad, 0, step).unwrap_err();
                assert!(matches!(err, StreamError::Json(_)), "{bad:?}: {err:?}");
            }
        }
    }
}
