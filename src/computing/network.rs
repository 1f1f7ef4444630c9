//! Networks: the public network and an account's private networks.

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::de::null_default;

/// A network instances can be attached to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Network {
    /// The network's UUID.
    #[serde(default, deserialize_with = "null_default")]
    pub uuid: String,
    /// Its name, e.g. `pub2` or `backend`.
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    /// Its address range in CIDR form, e.g. `10.12.0.0/16`.
    #[serde(default, deserialize_with = "null_default")]
    pub net: String,
    /// The account that owns it (`system` for public networks).
    #[serde(default, deserialize_with = "null_default")]
    pub owner: String,
    /// The DNS domain of its addresses.
    #[serde(default, deserialize_with = "null_default")]
    pub domainname: String,
    /// Whether it is a public network.
    #[serde(default, deserialize_with = "null_default")]
    pub public: bool,
}

/// Checks a name for a new private network: 1 to 15 characters, lowercase ASCII
/// letters and digits, not starting with a digit.
///
/// # Errors
/// [`Error::InvalidInput`] saying which rule the name breaks.
pub fn check_network_name(name: &str) -> Result<&str, Error> {
    let reason = if name.is_empty() {
        "it is empty".to_owned()
    } else if name.chars().count() > 15 {
        format!(
            "{} characters is too long (at most 15)",
            name.chars().count()
        )
    } else if let Some(c) = name
        .chars()
        .find(|c| !c.is_ascii_lowercase() && !c.is_ascii_digit())
    {
        format!("{c:?} is not allowed (only lowercase letters a-z and digits)")
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        "it must not start with a digit".to_owned()
    } else {
        return Ok(name);
    };
    Err(Error::invalid(
        "network name",
        format!("{:?}: {reason}", crate::encode::truncate(name, 32)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_names() {
        for ok in ["backend2", "a", "abcdefghijklmno"] {
            assert!(check_network_name(ok).is_ok(), "{ok}");
        }
        for (bad, why) in [
            ("", "empty"),
            ("abcdefghijklmnop", "too long"),
            ("Backend", "not allowed"),
            ("back-end", "not allowed"),
            ("żaba", "not allowed"),
            ("2net", "start with a digit"),
        ] {
            let err = check_network_name(bad).unwrap_err().to_string();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }
}
