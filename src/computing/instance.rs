//! Instances (virtual machines) and what hangs off them: interfaces, operations,
//! block devices, sizes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Image, Network};
use crate::de::{null_default, number_or_string, serialize_number_or_string};
use crate::{Connection, Error};

/// An instance (a virtual machine), as `list_instances` and `get_instance` return it.
///
/// `actions`, `vpsimage` and `gross_cost_per_hour` are present only when the call
/// asked for them (see [`Details`](super::Details)).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Instance {
    /// The instance's UUID.
    #[serde(default, deserialize_with = "null_default")]
    pub uuid: String,
    /// Its hostname.
    #[serde(default, deserialize_with = "null_default")]
    pub hostname: String,
    /// The account that owns it.
    #[serde(default, deserialize_with = "null_default")]
    pub owner: String,
    /// The image it was installed from.
    #[serde(default, deserialize_with = "null_default")]
    pub vpsimage_uuid: String,
    /// Installing, stopped, running, or a state this crate does not know yet.
    #[serde(default)]
    pub state: Option<InstanceState>,
    /// Whether the machine is running right now.
    #[serde(default, deserialize_with = "null_default")]
    pub running: bool,
    /// The size as the API sends it (`4`, `0.25`, `"1s"`); see [`Instance::size`].
    #[serde(
        default,
        rename = "size",
        deserialize_with = "number_or_string",
        serialize_with = "serialize_number_or_string"
    )]
    pub size_name: Option<String>,
    /// The billing name of the size, e.g. `TC_UNIT_4U`.
    #[serde(default, deserialize_with = "null_default")]
    pub service_name: String,
    /// The root password set at installation (redacted in `Debug`).
    #[serde(default)]
    pub default_password: Option<Password>,
    /// How many operations (install, stop, backup, ...) are still in progress.
    #[serde(default, deserialize_with = "null_default")]
    pub actions_pending_count: u32,
    /// Network interfaces, eth0 first.
    #[serde(default, deserialize_with = "null_default")]
    pub interfaces: Vec<Interface>,
    /// Recent operations (only when asked for with `actions`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<Operation>>,
    /// The image it was installed from (only when asked for with `vpsimage`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpsimage: Option<Image>,
    /// Gross cost per hour (only when asked for with `cost`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gross_cost_per_hour: Option<f64>,
}

impl Instance {
    /// The size as a [`Size`], when the API sent one this crate knows.
    #[must_use]
    pub fn size(&self) -> Option<Size> {
        self.size_name.as_deref().and_then(|s| s.parse().ok())
    }

    /// True when the instance is installed and running (state 12 and `running`).
    #[must_use]
    pub fn is_running(&self) -> bool {
        self.state == Some(InstanceState::Running) && self.running
    }

    /// Starts this instance. Same as [`Connection::start_instance`].
    ///
    /// # Errors
    /// See [`Connection::start_instance`].
    pub fn start(&self, conn: &Connection) -> Result<(), Error> {
        conn.start_instance(&self.uuid)
    }

    /// Stops this instance (a clean shutdown). Same as [`Connection::stop_instance`].
    ///
    /// ```no_run
    /// # fn main() -> Result<(), tiktalik::Error> {
    /// let conn = tiktalik::Connection::from_env()?;
    /// for node in conn.list_instances(Default::default())? {
    ///     if node.hostname.starts_with("node-") {
    ///         node.stop(&conn)?;
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// See [`Connection::stop_instance`].
    pub fn stop(&self, conn: &Connection) -> Result<(), Error> {
        conn.stop_instance(&self.uuid)
    }

    /// Powers this instance off without a shutdown. Same as [`Connection::force_stop_instance`].
    ///
    /// # Errors
    /// See [`Connection::force_stop_instance`].
    pub fn force_stop(&self, conn: &Connection) -> Result<(), Error> {
        conn.force_stop_instance(&self.uuid)
    }

    /// Backs this (stopped) instance up under `name`. Same as [`Connection::backup_instance`].
    ///
    /// # Errors
    /// See [`Connection::backup_instance`].
    pub fn backup(&self, conn: &Connection, name: &str) -> Result<(), Error> {
        conn.backup_instance(&self.uuid, name)
    }

    /// Deletes this instance. Same as [`Connection::delete_instance`].
    ///
    /// # Errors
    /// See [`Connection::delete_instance`].
    pub fn delete(&self, conn: &Connection) -> Result<(), Error> {
        conn.delete_instance(&self.uuid)
    }

    /// Fetches this instance again, with the same details as [`Details::all`](super::Details::all).
    ///
    /// # Errors
    /// See [`Connection::get_instance`].
    pub fn refresh(&self, conn: &Connection) -> Result<Instance, Error> {
        conn.get_instance(&self.uuid, super::Details::all())
    }
}

/// An instance's state code. Codes this crate does not know are kept in `Unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InstanceState {
    /// 10: being installed.
    Installing,
    /// 11: stopped.
    Stopped,
    /// 12: installed (and running when [`Instance::running`] is true).
    Running,
    /// A state code this crate does not know.
    Unknown(i64),
}

impl InstanceState {
    /// The numeric code sent by the API.
    #[must_use]
    pub fn code(self) -> i64 {
        match self {
            InstanceState::Installing => 10,
            InstanceState::Stopped => 11,
            InstanceState::Running => 12,
            InstanceState::Unknown(code) => code,
        }
    }

    /// The state for a numeric code.
    #[must_use]
    pub fn from_code(code: i64) -> Self {
        match code {
            10 => InstanceState::Installing,
            11 => InstanceState::Stopped,
            12 => InstanceState::Running,
            other => InstanceState::Unknown(other),
        }
    }
}

impl fmt::Display for InstanceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceState::Installing => f.write_str("installing"),
            InstanceState::Stopped => f.write_str("stopped"),
            InstanceState::Running => f.write_str("running"),
            InstanceState::Unknown(code) => write!(f, "state {code}"),
        }
    }
}

impl Serialize for InstanceState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.code())
    }
}

impl<'de> Deserialize<'de> for InstanceState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        i64::deserialize(d).map(InstanceState::from_code)
    }
}

/// The root password of a new instance. `Debug` never shows it.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Password(pub(crate) String);

impl Password {
    /// The password itself.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A network interface of an instance.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Interface {
    /// The interface's UUID.
    #[serde(default, deserialize_with = "null_default")]
    pub uuid: String,
    /// Its IP address.
    #[serde(default, deserialize_with = "null_default")]
    pub ip: String,
    /// Its MAC address.
    #[serde(default, deserialize_with = "null_default")]
    pub mac: String,
    /// Its position: 0 is eth0.
    #[serde(default, deserialize_with = "null_default")]
    pub seq: u32,
    /// The network it is attached to.
    #[serde(default)]
    pub network: Option<Network>,
}

/// An operation (install, stop, backup, ...) on an instance.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Operation {
    /// The operation's UUID.
    #[serde(default, deserialize_with = "null_default")]
    pub uuid: String,
    /// The operation's kind code.
    #[serde(default, deserialize_with = "null_default")]
    pub code: i64,
    /// What it does, e.g. `Create_Install: node-1`.
    #[serde(default, deserialize_with = "null_default")]
    pub description: String,
    /// Progress in percent, 0 to 100.
    #[serde(default, deserialize_with = "null_default")]
    pub progress: u32,
    /// When it was queued.
    #[serde(default)]
    pub add_time: Option<String>,
    /// When it started, if it has.
    #[serde(default)]
    pub start_time: Option<String>,
    /// When it ended; `None` while it is still running.
    #[serde(default)]
    pub end_time: Option<String>,
    /// Its result code once ended (0 is success).
    #[serde(default)]
    pub end_code: Option<i64>,
    /// Its result text once ended.
    #[serde(default)]
    pub end_desc: Option<String>,
    /// Who queued it.
    #[serde(default)]
    pub add_source: Option<String>,
}

impl Operation {
    /// True once the operation has ended (successfully or not).
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.end_time.is_some()
    }
}

/// A disk of an instance.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BlockDevice {
    /// The device's UUID.
    #[serde(default, deserialize_with = "null_default")]
    pub uuid: String,
    /// Its size in GB.
    #[serde(default, deserialize_with = "null_default")]
    pub size_gb: f64,
    /// Its position: 0 is the first disk.
    #[serde(default, deserialize_with = "null_default")]
    pub seq: u32,
}

/// Every size the API accepts, as sent in the `size` field.
const SIZES: [&str; 24] = [
    "0.25", "0.5", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15",
    "cpuhog", "cpuhog4", "1s", "2s", "4s", "8s", "16s",
];

/// An instance size: only the sizes the API accepts can be built.
///
/// PRO sizes are units (`Size::units(4)` is "4U"); `0.25` and `0.5` are fractions of
/// a unit; `cpuhog` and `cpuhog4` are CPU-heavy; `1s` .. `16s` are standard sizes,
/// which need a disk size when an instance is created.
///
/// ```
/// use tiktalik::Size;
///
/// let four: Size = "4".parse()?;
/// assert_eq!(four, Size::units(4)?);
/// assert!("1s".parse::<Size>()?.is_standard());
/// assert!("17".parse::<Size>().is_err());
/// # Ok::<(), tiktalik::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Size(&'static str);

impl Size {
    /// A quarter unit.
    pub const QUARTER: Size = Size("0.25");
    /// Half a unit.
    pub const HALF: Size = Size("0.5");
    /// The `cpuhog` size.
    pub const CPUHOG: Size = Size("cpuhog");
    /// The `cpuhog4` size.
    pub const CPUHOG4: Size = Size("cpuhog4");

    /// A PRO size of `n` units, 1 to 15 ("4" is "4U").
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for any other number.
    pub fn units(n: u32) -> Result<Size, Error> {
        if (1..=15).contains(&n) {
            Ok(Size(SIZES[n as usize + 1]))
        } else {
            Err(Error::invalid(
                "size",
                format!("{n} units is not a size; PRO sizes are 1 to 15 units"),
            ))
        }
    }

    /// The value sent in the `size` field.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// True for the standard sizes (`1s`, `2s`, `4s`, `8s`, `16s`), which need a disk size.
    #[must_use]
    pub fn is_standard(self) -> bool {
        self.0.ends_with('s')
    }

    /// Every size the API accepts.
    pub fn all() -> impl Iterator<Item = Size> {
        SIZES.iter().map(|s| Size(s))
    }
}

impl FromStr for Size {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SIZES
            .iter()
            .find(|known| **known == s)
            .map(|known| Size(known))
            .ok_or_else(|| {
                Error::invalid(
                    "size",
                    format!(
                        "{:?} is not a size; use one of {}",
                        crate::encode::truncate(s, 32),
                        SIZES.join(", ")
                    ),
                )
            })
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Debug for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Size({})", self.0)
    }
}

/// What to create: hostname, size, image and networks, plus an optional SSH key
/// and disk size.
///
/// ```
/// use tiktalik::{NewInstance, Size};
///
/// let spec = NewInstance::new("web-123", Size::units(4)?, "bb3fcb4e-d4fe-4f86-9bae-e0b7b501a934")
///     .networks(["e92e60c2-2993-4a0c-b635-c5e2b2462c7a"])
///     .ssh_key("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA alice@laptop");
/// # Ok::<(), tiktalik::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct NewInstance {
    pub(crate) hostname: String,
    pub(crate) size: Size,
    pub(crate) image_uuid: String,
    pub(crate) networks: Vec<String>,
    pub(crate) ssh_key: Option<String>,
    pub(crate) disk_size_gb: Option<u32>,
}

impl NewInstance {
    /// An instance named `hostname`, of `size`, installed from `image_uuid`.
    pub fn new(hostname: impl Into<String>, size: Size, image_uuid: impl Into<String>) -> Self {
        NewInstance {
            hostname: hostname.into(),
            size,
            image_uuid: image_uuid.into(),
            networks: Vec::new(),
            ssh_key: None,
            disk_size_gb: None,
        }
    }

    /// Networks to attach, by UUID (or the literal `auto`); the first becomes eth0.
    pub fn networks<I, S>(mut self, networks: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.networks.extend(networks.into_iter().map(Into::into));
        self
    }

    /// A public SSH key to install for root. Defaults to none.
    pub fn ssh_key(mut self, key: impl Into<String>) -> Self {
        self.ssh_key = Some(key.into());
        self
    }

    /// The disk size in GB; required for standard sizes (`1s` .. `16s`). Defaults to none.
    pub fn disk_size_gb(mut self, gb: u32) -> Self {
        self.disk_size_gb = Some(gb);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_accept_exactly_the_documented_values() {
        for s in SIZES {
            assert_eq!(s.parse::<Size>().unwrap().as_str(), s);
        }
        for bad in ["", "0", "16", "0.75", "4U", "cpuhog2", "32s", "1S", " 4"] {
            let err = bad.parse::<Size>().unwrap_err();
            assert!(err.to_string().contains("is not a size"), "{err}");
        }
        assert_eq!(Size::units(4).unwrap().as_str(), "4");
        assert_eq!(Size::units(1).unwrap().as_str(), "1");
        assert_eq!(Size::units(15).unwrap().as_str(), "15");
        assert!(Size::units(0).is_err() && Size::units(16).is_err());
        let standard: Vec<_> = Size::all().filter(|s| s.is_standard()).collect();
        assert_eq!(standard.len(), 5);
        assert!(!Size::CPUHOG.is_standard() && !Size::QUARTER.is_standard());
    }

    #[test]
    fn unknown_state_is_kept() {
        let i: Instance = serde_json::from_str(r#"{"state": 13}"#).unwrap();
        assert_eq!(i.state, Some(InstanceState::Unknown(13)));
        assert_eq!(i.state.unwrap().code(), 13);
        assert_eq!(serde_json::to_value(InstanceState::Running).unwrap(), 12);
    }

    #[test]
    fn password_is_redacted() {
        let i: Instance = serde_json::from_str(r#"{"default_password": "c933c94b8b"}"#).unwrap();
        assert!(!format!("{i:?}").contains("c933c94b8b"));
        assert_eq!(i.default_password.unwrap().expose(), "c933c94b8b");
    }

    #[test]
    fn nulls_and_missing_fields_decode() {
        let i: Instance = serde_json::from_str(
            r#"{"uuid": null, "hostname": "h", "interfaces": null, "running": null,
                "size": null, "state": null, "new_field": {"x": [1]}}"#,
        )
        .unwrap();
        assert_eq!(i.hostname, "h");
        assert!(i.interfaces.is_empty() && i.size_name.is_none() && i.state.is_none());
        let i: Instance = serde_json::from_str(r#"{"size": "1s"}"#).unwrap();
        assert_eq!(i.size(), Some("1s".parse().unwrap()));
        let i: Instance = serde_json::from_str(r#"{"size": 0.25}"#).unwrap();
        assert_eq!(i.size(), Some(Size::QUARTER));
    }
}
