//! Where the API key and secret come from: explicit arguments, then the
//! environment, then the file `~/.tiktalik/auth` that the official CLI writes.
//!
//! ```no_run
//! use tiktalik::credentials::CredentialSources;
//!
//! # fn main() -> Result<(), tiktalik::Error> {
//! let found = CredentialSources::new().resolve()?;
//! println!("using the key from {}", found.source);
//! let conn = tiktalik::Connection::builder_with(found.credentials).build()?;
//! # Ok(()) }
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use crate::Error;
use crate::auth::Credentials;

/// The environment variable pairs read, in order: this crate's, then the ones
/// existing tools (the JS CLI) use.
pub const ENV_PAIRS: [(&str, &str); 2] = [
    ("TIKTALIK_API_KEY", "TIKTALIK_API_SECRET"),
    ("TIKTALIK_KEY", "TIKTALIK_SECRET"),
];

/// The variable that names another auth file than `~/.tiktalik/auth`.
pub const AUTH_FILE_ENV: &str = "TIKTALIK_AUTH_FILE";

/// Where credentials were found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialSource {
    /// Given as arguments.
    Explicit,
    /// Read from these environment variables (key, secret).
    Environment(&'static str, &'static str),
    /// Read from this auth file.
    File(PathBuf),
}

impl fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialSource::Explicit => f.write_str("the arguments"),
            CredentialSource::Environment(key, secret) => write!(f, "{key} and {secret}"),
            CredentialSource::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// Credentials and where they came from.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FoundCredentials {
    /// The key and decoded secret.
    pub credentials: Credentials,
    /// Where they were found.
    pub source: CredentialSource,
}

type Lookup = Box<dyn Fn(&str) -> Option<String>>;

/// The places to look for credentials, in order: explicit arguments, the
/// environment ([`ENV_PAIRS`]), the auth file (`$TIKTALIK_AUTH_FILE`, else
/// `~/.tiktalik/auth`, or the path given to [`auth_file`](Self::auth_file)).
///
/// The auth file is the official CLI's: a `[main]` section with `key=` and
/// `secret=` lines. Like the CLI, a file that group or others may read or write is
/// refused: run `chmod 600` on it.
#[must_use]
pub struct CredentialSources {
    explicit: Option<(String, String)>,
    auth_file: Option<PathBuf>,
    env: Lookup,
}

impl Default for CredentialSources {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for CredentialSources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialSources")
            .field(
                "explicit",
                &self.explicit.as_ref().map(|(key, _)| (key, "<redacted>")),
            )
            .field("auth_file", &self.auth_file)
            .finish_non_exhaustive()
    }
}

impl CredentialSources {
    /// The process environment and the default auth file.
    pub fn new() -> Self {
        CredentialSources {
            explicit: None,
            auth_file: None,
            env: Box::new(|name| std::env::var(name).ok()),
        }
    }

    /// Credentials given directly, which take precedence over everything else.
    pub fn explicit(mut self, api_key: impl Into<String>, api_secret: impl Into<String>) -> Self {
        self.explicit = Some((api_key.into(), api_secret.into()));
        self
    }

    /// The auth file to read instead of `$TIKTALIK_AUTH_FILE` or `~/.tiktalik/auth`.
    pub fn auth_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.auth_file = Some(path.into());
        self
    }

    /// Reads variables through `lookup` instead of the process environment (for
    /// configuration systems, and tests). Defaults to `std::env::var`.
    pub fn env_lookup(mut self, lookup: impl Fn(&str) -> Option<String> + 'static) -> Self {
        self.env = Box::new(lookup);
        self
    }

    /// Reads a variable, treating an empty value as unset.
    pub(crate) fn var(&self, name: &str) -> Option<String> {
        (self.env)(name).filter(|v| !v.trim().is_empty())
    }

    fn default_auth_file(&self) -> Option<PathBuf> {
        if let Some(path) = self.var(AUTH_FILE_ENV) {
            return Some(PathBuf::from(path));
        }
        let home = self.var("HOME").or_else(|| self.var("USERPROFILE"))?;
        Some(Path::new(&home).join(".tiktalik").join("auth"))
    }

    /// Looks in each place in turn and returns the first credentials found.
    ///
    /// # Errors
    /// [`Error::Config`] when credentials are found but unusable (only half of a
    /// pair set, a malformed or unsafe auth file, a bad secret), or when none are
    /// found: then the message lists every place looked.
    pub fn resolve(&self) -> Result<FoundCredentials, Error> {
        let found = |credentials, source| {
            Ok(FoundCredentials {
                credentials,
                source,
            })
        };
        if let Some((key, secret)) = &self.explicit {
            return found(
                Credentials::new(key.clone(), secret)?,
                CredentialSource::Explicit,
            );
        }
        let mut looked = vec!["arguments (none given)".to_owned()];
        for (key_var, secret_var) in ENV_PAIRS {
            match (self.var(key_var), self.var(secret_var)) {
                (Some(key), Some(secret)) => {
                    return found(
                        Credentials::new(key, &secret)?,
                        CredentialSource::Environment(key_var, secret_var),
                    );
                }
                (None, None) => looked.push(format!("{key_var} and {secret_var} (not set)")),
                (Some(_), None) | (None, Some(_)) => {
                    return Err(Error::config(format!(
                        "only one of {key_var} and {secret_var} is set; set both or neither"
                    )));
                }
            }
        }
        match self.auth_file.clone().or_else(|| self.default_auth_file()) {
            None => looked.push("~/.tiktalik/auth (HOME is not set)".to_owned()),
            Some(path) => match std::fs::metadata(&path) {
                Ok(_) => {
                    let (key, secret) = read_auth_file(&path)?;
                    return found(
                        Credentials::new(key, &secret)?,
                        CredentialSource::File(path),
                    );
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    looked.push(format!("{} (no such file)", path.display()));
                }
                Err(e) => {
                    return Err(Error::config(format!(
                        "cannot read {}: {e}",
                        path.display()
                    )));
                }
            },
        }
        Err(Error::config(format!(
            "no Tiktalik credentials found; looked in: {}",
            looked.join(", ")
        )))
    }
}

/// Reads `key` and `secret` from the `[main]` section of an auth file whose
/// permissions keep it private.
fn read_auth_file(path: &Path) -> Result<(String, String), Error> {
    let shown = path.display();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path)
            .map_err(|e| Error::config(format!("cannot read {shown}: {e}")))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(Error::config(format!(
                "{shown} is accessible by group or others (mode {:03o}); \
                 it holds your API secret: run `chmod 600 {shown}`",
                mode & 0o777
            )));
        }
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::config(format!("cannot read {shown}: {e}")))?;
    let (mut section, mut key, mut secret) = (String::new(), None, None);
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with(['#', ';']) {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.trim().to_owned();
        } else if let Some((name, value)) = line.split_once(['=', ':']) {
            if section == "main" {
                match name.trim() {
                    "key" => key = Some(value.trim().to_owned()),
                    "secret" => secret = Some(value.trim().to_owned()),
                    _ => {}
                }
            }
        }
    }
    match (key, secret) {
        (Some(key), Some(secret)) if !key.is_empty() && !secret.is_empty() => Ok((key, secret)),
        _ => Err(Error::config(format!(
            "{shown} has no [main] section with both key= and secret="
        ))),
    }
}
