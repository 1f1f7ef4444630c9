//! The load-balancer API (`/api/v1/loadbalancer`), as the official Python SDK 1.x
//! spoke it: balancers, their backends and domains, and their history.
//!
//! ```no_run
//! use tiktalik::loadbalancer::{BalancerType, Backend, NewLoadBalancer};
//!
//! # fn main() -> Result<(), tiktalik::Error> {
//! let conn = tiktalik::Connection::from_env()?;
//! let web = conn.create_loadbalancer(
//!     &NewLoadBalancer::new("web", BalancerType::Http)
//!         .backend(Backend::new("10.12.0.5", 80, 10)?)
//!         .backend(Backend::new("10.12.0.6", 80, 10)?)
//!         .domain("example.com"),
//! )?;
//! conn.add_loadbalancer_backend(&web.uuid, Backend::new("10.12.0.7", 80, 5)?)?;
//! # Ok(()) }
//! ```

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::connection::{Call, Method};
use crate::de::{null_default, string_enum};
use crate::encode::{Form, check_hostname, check_uuid, path_segment, truncate};
use crate::{Connection, Error};

string_enum! {
    /// What a balancer balances. Values this crate does not know are kept.
    pub enum BalancerType {
        /// Plain TCP on a port.
        Tcp = "TCP",
        /// HTTP, routed by domain.
        Http = "HTTP",
        /// HTTPS, routed by domain.
        Https = "HTTPS",
    }
}

string_enum! {
    /// Whether a balancer serves. Values this crate does not know are kept.
    pub enum BalancerStatus {
        /// Serving.
        Enabled = "enabled",
        /// Configured but not serving.
        Disabled = "disabled",
    }
}

string_enum! {
    /// How backends are checked. Values this crate does not know are kept.
    pub enum CheckType {
        /// A TCP connect.
        Tcp = "tcp",
        /// An HTTP request whose status must be one of `http_expect_alive`.
        Http = "http",
    }
}

/// A load balancer, as `list_loadbalancers` and `get_loadbalancer` return it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LoadBalancer {
    /// The balancer's UUID.
    #[serde(default, deserialize_with = "null_default")]
    pub uuid: String,
    /// Its name.
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    /// Enabled, disabled, or a status this crate does not know.
    #[serde(default)]
    pub status: Option<BalancerStatus>,
    /// TCP, HTTP or HTTPS.
    #[serde(default, rename = "type")]
    pub balancer_type: Option<BalancerType>,
    /// The entry point: an address or a host name.
    #[serde(default, deserialize_with = "null_default")]
    pub address: String,
    /// The port it listens on.
    #[serde(default)]
    pub port: Option<u16>,
    /// The domains it serves (HTTP and HTTPS).
    #[serde(default, deserialize_with = "null_default")]
    pub domains: Vec<String>,
    /// Where it sends traffic.
    #[serde(default, deserialize_with = "null_default")]
    pub backends: Vec<BackendInfo>,
    /// How it checks its backends.
    #[serde(default)]
    pub monitor: Option<Monitor>,
    /// What was done to it (only when listed with history).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<HistoryEntry>>,
}

/// A backend as the API reports it, with its UUID.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BackendInfo {
    /// The backend's UUID (for `remove_loadbalancer_backend` and `modify_loadbalancer_backend`).
    #[serde(default, deserialize_with = "null_default")]
    pub uuid: String,
    /// Its IPv4 address.
    #[serde(default, deserialize_with = "null_default")]
    pub ip: String,
    /// Its port.
    #[serde(default, deserialize_with = "null_default")]
    pub port: u16,
    /// Its share of the traffic; 0 suspends it.
    #[serde(default, deserialize_with = "null_default")]
    pub weight: u32,
}

/// How a balancer checks its backends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Monitor {
    /// TCP or HTTP.
    #[serde(default)]
    pub check_type: Option<CheckType>,
    /// Milliseconds between checks.
    #[serde(default, deserialize_with = "null_default")]
    pub interval_ms: u64,
    /// Milliseconds a check may take.
    #[serde(default, deserialize_with = "null_default")]
    pub timeout_ms: u64,
    /// For HTTP checks: the method.
    #[serde(default)]
    pub http_method: Option<String>,
    /// For HTTP checks: the path.
    #[serde(default)]
    pub http_path: Option<String>,
    /// For HTTP checks: the statuses that count as alive.
    #[serde(default, deserialize_with = "null_default")]
    pub http_expect_alive: Vec<String>,
}

/// One thing done to a balancer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HistoryEntry {
    /// When, as the API writes times.
    #[serde(default, deserialize_with = "null_default")]
    pub time: String,
    /// How the caller authenticated (e.g. `apikey`).
    #[serde(default, deserialize_with = "null_default")]
    pub auth: String,
    /// From which address.
    #[serde(default, deserialize_with = "null_default")]
    pub ip: String,
    /// What was done, e.g. `add_backend`.
    #[serde(default, deserialize_with = "null_default")]
    pub action: String,
    /// With which arguments, e.g. `10.12.0.5:80:10`.
    #[serde(default, deserialize_with = "null_default")]
    pub arguments: String,
}

/// A backend to send traffic to: an IPv4 address, a port (1-65535) and a weight
/// (0 suspends it). On the wire it is `ip:port:weight`.
///
/// ```
/// use tiktalik::loadbalancer::Backend;
///
/// let b = Backend::new("10.12.0.5", 80, 10)?;
/// assert_eq!(b.to_string(), "10.12.0.5:80:10");
/// assert_eq!("10.12.0.5:80:10".parse::<Backend>()?, b);
/// assert!(Backend::new("10.12.0.5", 0, 10).is_err());
/// assert!(Backend::new("example.com", 80, 10).is_err());
/// # Ok::<(), tiktalik::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Backend {
    ip: Ipv4Addr,
    port: u16,
    weight: u32,
}

/// Parses an IPv4 address for a backend.
fn parse_ip(ip: &str) -> Result<Ipv4Addr, Error> {
    ip.parse().map_err(|_| {
        Error::invalid(
            "backend ip",
            format!(
                "{:?} is not an IPv4 address such as 10.12.0.5",
                truncate(ip, 64)
            ),
        )
    })
}

/// Checks a port: 1 to 65535.
fn check_port(what: &'static str, port: u16) -> Result<u16, Error> {
    if port == 0 {
        return Err(Error::invalid(what, "0 is not a port; use 1 to 65535"));
    }
    Ok(port)
}

impl Backend {
    /// A backend at `ip:port` with `weight`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an address that is not IPv4 or port 0.
    pub fn new(ip: &str, port: u16, weight: u32) -> Result<Self, Error> {
        Ok(Backend {
            ip: parse_ip(ip)?,
            port: check_port("backend port", port)?,
            weight,
        })
    }

    /// Its address.
    #[must_use]
    pub fn ip(&self) -> Ipv4Addr {
        self.ip
    }

    /// Its port.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Its weight.
    #[must_use]
    pub fn weight(&self) -> u32 {
        self.weight
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.ip, self.port, self.weight)
    }
}

impl FromStr for Backend {
    type Err = Error;

    /// Reads `ip:port:weight`.
    fn from_str(s: &str) -> Result<Self, Error> {
        let mut parts = s.split(':');
        let (Some(ip), Some(port), Some(weight), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Error::invalid(
                "backend",
                format!("{:?} is not ip:port:weight", truncate(s, 64)),
            ));
        };
        let number = |what, text: &str| {
            text.parse::<u32>().map_err(|_| {
                Error::invalid(what, format!("{:?} is not a number", truncate(text, 32)))
            })
        };
        let port = u16::try_from(number("backend port", port)?)
            .map_err(|_| Error::invalid("backend port", "above 65535; use 1 to 65535"))?;
        Backend::new(ip, port, number("backend weight", weight)?)
    }
}

/// What to change in a backend: any of its address, port and weight.
///
/// ```
/// use tiktalik::loadbalancer::BackendChange;
/// let heavier = BackendChange::new().weight(20);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[must_use]
pub struct BackendChange {
    ip: Option<Ipv4Addr>,
    port: Option<u16>,
    weight: Option<u32>,
}

impl BackendChange {
    /// No change yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// A new address (checked when the change is sent).
    pub fn ip(mut self, ip: Ipv4Addr) -> Self {
        self.ip = Some(ip);
        self
    }

    /// A new port (1-65535).
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// A new weight; 0 suspends the backend.
    pub fn weight(mut self, weight: u32) -> Self {
        self.weight = Some(weight);
        self
    }
}

/// A balancer to create.
///
/// Rules, checked before anything is sent: a name, a type of TCP, HTTP or HTTPS, at
/// least one backend; a port only for TCP; domains only for HTTP and HTTPS.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct NewLoadBalancer {
    name: String,
    balancer_type: BalancerType,
    backends: Vec<Backend>,
    address: Option<String>,
    port: Option<u16>,
    domains: Vec<String>,
}

impl NewLoadBalancer {
    /// A balancer named `name` of `balancer_type`.
    pub fn new(name: impl Into<String>, balancer_type: BalancerType) -> Self {
        NewLoadBalancer {
            name: name.into(),
            balancer_type,
            backends: Vec::new(),
            address: None,
            port: None,
            domains: Vec::new(),
        }
    }

    /// Adds a backend.
    pub fn backend(mut self, backend: Backend) -> Self {
        self.backends.push(backend);
        self
    }

    /// Adds backends.
    pub fn backends(mut self, backends: impl IntoIterator<Item = Backend>) -> Self {
        self.backends.extend(backends);
        self
    }

    /// An existing entry point (IPv4 address or host name) to use. Defaults to a new one.
    pub fn address(mut self, address: impl Into<String>) -> Self {
        self.address = Some(address.into());
        self
    }

    /// The port to listen on (TCP balancers only). Defaults to the service's choice.
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// Adds a domain to serve (HTTP and HTTPS balancers only).
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.domains.push(domain.into());
        self
    }

    /// Adds domains to serve (HTTP and HTTPS balancers only).
    pub fn domains<S: Into<String>>(mut self, domains: impl IntoIterator<Item = S>) -> Self {
        self.domains.extend(domains.into_iter().map(Into::into));
        self
    }

    /// Checks the rules and encodes the form, fields in the official client's order.
    pub(crate) fn to_form(&self) -> Result<Form, Error> {
        check_name(&self.name)?;
        let kind = &self.balancer_type;
        if matches!(kind, BalancerType::Unknown(_)) {
            return Err(Error::invalid(
                "balancer type",
                format!("{kind:?} is not one of TCP, HTTP, HTTPS"),
            ));
        }
        if self.backends.is_empty() {
            return Err(Error::invalid(
                "backends",
                "a balancer needs at least one backend",
            ));
        }
        if let Some(port) = self.port {
            check_port("balancer port", port)?;
            if *kind != BalancerType::Tcp {
                return Err(Error::invalid(
                    "balancer port",
                    format!(
                        "a port applies to TCP balancers only, not {kind}; {kind} uses its standard port"
                    ),
                ));
            }
        }
        if !self.domains.is_empty() && *kind == BalancerType::Tcp {
            return Err(Error::invalid(
                "domains",
                "domains apply to HTTP and HTTPS balancers only, not TCP",
            ));
        }
        for domain in &self.domains {
            check_hostname("domain", domain)?;
        }
        if let Some(address) = &self.address {
            check_address(address)?;
        }
        let port = self.port.map(|p| p.to_string());
        Ok(Form::new()
            .field("name", &self.name)
            .field("type", kind.as_str())
            .list("backends[]", self.backends.iter().map(Backend::to_string))
            .optional("address", self.address.as_deref())
            .optional("port", port.as_deref())
            .list("domains[]", &self.domains))
    }
}

/// A balancer's name: not empty, at most 255 characters, no control characters.
pub fn check_name(name: &str) -> Result<&str, Error> {
    if name.trim().is_empty() {
        return Err(Error::invalid("balancer name", "it is empty"));
    }
    if name.chars().count() > 255 || name.chars().any(char::is_control) {
        return Err(Error::invalid(
            "balancer name",
            format!(
                "{:?}: at most 255 characters, none of them control characters",
                truncate(name, 64)
            ),
        ));
    }
    Ok(name)
}

/// An entry point: an IPv4 address or a host name.
fn check_address(address: &str) -> Result<&str, Error> {
    if address.parse::<Ipv4Addr>().is_ok() {
        return Ok(address);
    }
    check_hostname("balancer address", address)
}

/// The load-balancer API.
impl Connection {
    /// Lists the account's balancers, with their history when `history` is true.
    ///
    /// # Errors
    /// [`Error::Api`], [`Error::Transport`], [`Error::Timeout`] or [`Error::Decode`].
    pub fn list_loadbalancers(&self, history: bool) -> Result<Vec<LoadBalancer>, Error> {
        let query = if history {
            "history=true"
        } else {
            "history=false"
        };
        self.json_list(Call::loadbalancer("list_loadbalancers", Method::Get, "").query(query))
    }

    /// Fetches one balancer.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a malformed UUID (nothing is sent); a 404
    /// [`Error::Api`] when there is no such balancer.
    pub fn get_loadbalancer(&self, uuid: &str) -> Result<LoadBalancer, Error> {
        let path = format!("/{}", check_uuid("balancer uuid", uuid)?);
        self.json(Call::loadbalancer("get_loadbalancer", Method::Get, &path))
    }

    /// Creates a balancer.
    ///
    /// # Errors
    /// [`Error::InvalidInput`], before anything is sent, when the balancer breaks
    /// a rule of [`NewLoadBalancer`]; otherwise as [`list_loadbalancers`](Self::list_loadbalancers).
    pub fn create_loadbalancer(&self, spec: &NewLoadBalancer) -> Result<LoadBalancer, Error> {
        let form = spec.to_form()?;
        self.json(Call::loadbalancer("create_loadbalancer", Method::Post, "").form(&form))
    }

    fn balancer_call(
        &self,
        name: &'static str,
        method: Method,
        uuid: &str,
        rest: &str,
        form: Option<&Form>,
    ) -> Result<(), Error> {
        let path = format!("/{}{rest}", check_uuid("balancer uuid", uuid)?);
        let call = Call::loadbalancer(name, method, &path);
        self.action(match form {
            Some(form) => call.form(form),
            None => call,
        })
    }

    /// Starts serving.
    ///
    /// # Errors
    /// As [`get_loadbalancer`](Self::get_loadbalancer).
    pub fn enable_loadbalancer(&self, uuid: &str) -> Result<(), Error> {
        self.balancer_call("enable_loadbalancer", Method::Post, uuid, "/enable", None)
    }

    /// Stops serving, keeping the configuration.
    ///
    /// # Errors
    /// As [`get_loadbalancer`](Self::get_loadbalancer).
    pub fn disable_loadbalancer(&self, uuid: &str) -> Result<(), Error> {
        self.balancer_call("disable_loadbalancer", Method::Post, uuid, "/disable", None)
    }

    /// Renames a balancer.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a bad name; otherwise as [`get_loadbalancer`](Self::get_loadbalancer).
    pub fn rename_loadbalancer(&self, uuid: &str, name: &str) -> Result<(), Error> {
        let form = Form::new().field("name", check_name(name)?);
        self.balancer_call(
            "rename_loadbalancer",
            Method::Put,
            uuid,
            "/name",
            Some(&form),
        )
    }

    /// Deletes a balancer.
    ///
    /// # Errors
    /// As [`get_loadbalancer`](Self::get_loadbalancer).
    pub fn delete_loadbalancer(&self, uuid: &str) -> Result<(), Error> {
        self.balancer_call("delete_loadbalancer", Method::Delete, uuid, "", None)
    }

    /// Replaces the domains a balancer serves.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a malformed domain; otherwise as
    /// [`get_loadbalancer`](Self::get_loadbalancer) (a TCP balancer refuses domains).
    pub fn set_loadbalancer_domains<S: AsRef<str>>(
        &self,
        uuid: &str,
        domains: &[S],
    ) -> Result<(), Error> {
        for domain in domains {
            check_hostname("domain", domain.as_ref())?;
        }
        let form = Form::new().list("domains[]", domains);
        self.balancer_call(
            "set_loadbalancer_domains",
            Method::Post,
            uuid,
            "/domain",
            Some(&form),
        )
    }

    /// Adds a domain.
    ///
    /// # Errors
    /// As [`set_loadbalancer_domains`](Self::set_loadbalancer_domains).
    pub fn add_loadbalancer_domain(&self, uuid: &str, domain: &str) -> Result<(), Error> {
        let form = Form::new().field("domain", check_hostname("domain", domain)?);
        self.balancer_call(
            "add_loadbalancer_domain",
            Method::Put,
            uuid,
            "/domain",
            Some(&form),
        )
    }

    /// Removes a domain.
    ///
    /// # Errors
    /// As [`set_loadbalancer_domains`](Self::set_loadbalancer_domains).
    pub fn remove_loadbalancer_domain(&self, uuid: &str, domain: &str) -> Result<(), Error> {
        let rest = format!(
            "/domain/{}",
            path_segment(check_hostname("domain", domain)?)
        );
        self.balancer_call(
            "remove_loadbalancer_domain",
            Method::Delete,
            uuid,
            &rest,
            None,
        )
    }

    /// Replaces a balancer's backends.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty list; otherwise as
    /// [`get_loadbalancer`](Self::get_loadbalancer).
    pub fn set_loadbalancer_backends(&self, uuid: &str, backends: &[Backend]) -> Result<(), Error> {
        if backends.is_empty() {
            return Err(Error::invalid(
                "backends",
                "a balancer needs at least one backend",
            ));
        }
        let form = Form::new().list("backends[]", backends.iter().map(Backend::to_string));
        self.balancer_call(
            "set_loadbalancer_backends",
            Method::Post,
            uuid,
            "/backend",
            Some(&form),
        )
    }

    /// Adds a backend.
    ///
    /// # Errors
    /// As [`get_loadbalancer`](Self::get_loadbalancer).
    pub fn add_loadbalancer_backend(&self, uuid: &str, backend: Backend) -> Result<(), Error> {
        let form = Form::new().field("backend", &backend.to_string());
        self.balancer_call(
            "add_loadbalancer_backend",
            Method::Put,
            uuid,
            "/backend",
            Some(&form),
        )
    }

    /// Removes a backend by its UUID.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a malformed UUID; otherwise as
    /// [`get_loadbalancer`](Self::get_loadbalancer).
    pub fn remove_loadbalancer_backend(&self, uuid: &str, backend_uuid: &str) -> Result<(), Error> {
        let rest = format!("/backend/{}", check_uuid("backend uuid", backend_uuid)?);
        self.balancer_call(
            "remove_loadbalancer_backend",
            Method::Delete,
            uuid,
            &rest,
            None,
        )
    }

    /// Changes a backend's address, port or weight (only the fields set in `change`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a malformed UUID, port 0, or a change with nothing
    /// in it; otherwise as [`get_loadbalancer`](Self::get_loadbalancer).
    pub fn modify_loadbalancer_backend(
        &self,
        uuid: &str,
        backend_uuid: &str,
        change: BackendChange,
    ) -> Result<(), Error> {
        let rest = format!("/backend/{}", check_uuid("backend uuid", backend_uuid)?);
        if change == BackendChange::default() {
            return Err(Error::invalid(
                "backend change",
                "nothing to change: set an ip, a port or a weight",
            ));
        }
        if let Some(port) = change.port {
            check_port("backend port", port)?;
        }
        let ip = change.ip.map(|ip| ip.to_string());
        let port = change.port.map(|p| p.to_string());
        let weight = change.weight.map(|w| w.to_string());
        let form = Form::new()
            .optional("ip", ip.as_deref())
            .optional("port", port.as_deref())
            .optional("weight", weight.as_deref());
        self.balancer_call(
            "modify_loadbalancer_backend",
            Method::Put,
            uuid,
            &rest,
            Some(&form),
        )
    }
}

/// The calls of the official SDK's `LoadBalancer` object.
impl LoadBalancer {
    /// Starts serving. Same as [`Connection::enable_loadbalancer`].
    ///
    /// # Errors
    /// As [`Connection::enable_loadbalancer`].
    pub fn enable(&self, conn: &Connection) -> Result<(), Error> {
        conn.enable_loadbalancer(&self.uuid)
    }

    /// Stops serving. Same as [`Connection::disable_loadbalancer`].
    ///
    /// # Errors
    /// As [`Connection::disable_loadbalancer`].
    pub fn disable(&self, conn: &Connection) -> Result<(), Error> {
        conn.disable_loadbalancer(&self.uuid)
    }

    /// Deletes it. Same as [`Connection::delete_loadbalancer`].
    ///
    /// # Errors
    /// As [`Connection::delete_loadbalancer`].
    pub fn delete(&self, conn: &Connection) -> Result<(), Error> {
        conn.delete_loadbalancer(&self.uuid)
    }

    /// Fetches it again.
    ///
    /// # Errors
    /// As [`Connection::get_loadbalancer`].
    pub fn refresh(&self, conn: &Connection) -> Result<LoadBalancer, Error> {
        conn.get_loadbalancer(&self.uuid)
    }

    /// The backend at `ip:port`, if there is one.
    #[must_use]
    pub fn backend_at(&self, ip: &str, port: u16) -> Option<&BackendInfo> {
        self.backends.iter().find(|b| b.ip == ip && b.port == port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backends_parse_and_print() {
        let b: Backend = "10.12.0.5:80:0".parse().unwrap();
        assert_eq!(
            (b.ip().to_string(), b.port(), b.weight()),
            ("10.12.0.5".into(), 80, 0)
        );
        for (bad, why) in [
            ("10.12.0.5:80", "ip:port:weight"),
            ("10.12.0.5:80:1:2", "ip:port:weight"),
            ("10.12.0.256:80:1", "IPv4"),
            ("::1:80:1", "ip:port:weight"),
            ("10.12.0.5:0:1", "0 is not a port"),
            ("10.12.0.5:65536:1", "above 65535"),
            ("10.12.0.5:80:-1", "not a number"),
            ("10.12.0.5:http:1", "not a number"),
        ] {
            let err = bad.parse::<Backend>().unwrap_err().to_string();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn creation_rules_are_checked() {
        let backend = Backend::new("10.0.0.1", 80, 1).unwrap();
        let http = || NewLoadBalancer::new("web", BalancerType::Http).backend(backend);
        assert!(http().domain("example.com").to_form().is_ok());
        assert!(
            NewLoadBalancer::new("db", BalancerType::Tcp)
                .backend(backend)
                .port(5432)
                .address("37.233.98.200")
                .to_form()
                .is_ok()
        );
        let cases = [
            (
                NewLoadBalancer::new("web", BalancerType::Http),
                "at least one backend",
            ),
            (
                NewLoadBalancer::new(" ", BalancerType::Http).backend(backend),
                "empty",
            ),
            (
                NewLoadBalancer::new("x", BalancerType::Unknown("UDP".into())).backend(backend),
                "not one of TCP, HTTP, HTTPS",
            ),
            (http().port(8080), "TCP balancers only"),
            (
                NewLoadBalancer::new("db", BalancerType::Tcp)
                    .backend(backend)
                    .domain("example.com"),
                "HTTP and HTTPS balancers only",
            ),
            (
                NewLoadBalancer::new("db", BalancerType::Tcp)
                    .backend(backend)
                    .port(0),
                "0 is not a port",
            ),
            (http().domain("exa mple.com"), "invalid domain"),
            (http().address("not an address"), "invalid balancer address"),
        ];
        for (spec, why) in cases {
            let err = spec.to_form().unwrap_err().to_string();
            assert!(err.contains(why), "{spec:?}: {err}");
        }
    }

    #[test]
    fn unknown_values_are_kept() {
        let lb: LoadBalancer = serde_json::from_str(
            r#"{"type": "UDP", "status": "draining", "monitor": {"check_type": "icmp"},
                "port": null, "backends": null, "extra": 1}"#,
        )
        .unwrap();
        assert_eq!(lb.balancer_type, Some(BalancerType::Unknown("UDP".into())));
        assert_eq!(lb.status, Some(BalancerStatus::Unknown("draining".into())));
        assert_eq!(
            lb.monitor.unwrap().check_type,
            Some(CheckType::Unknown("icmp".into()))
        );
        assert!(lb.backends.is_empty() && lb.port.is_none());
    }
}
