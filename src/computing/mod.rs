//! The Computing API: instances, images, networks and products.
//!
//! Every call is a method on [`Connection`], named as in the official SDK. Each
//! validates its arguments, builds its path, query and form, and hands them to
//! the connection to sign and send.

mod image;
mod instance;
mod network;
mod product;

pub use image::{Image, ImageType};
pub use instance::{
    BlockDevice, Instance, InstanceState, Interface, NewInstance, Operation, Password, Size,
};
pub use network::{Network, check_network_name};
pub use product::Product;

use std::fmt;

use crate::connection::{Call, Method};
use crate::encode::{Form, check_hostname, check_uuid};
use crate::{Connection, Error};

/// Which details instance calls ask for (the `actions`, `vpsimage` and `cost` flags).
///
/// The default asks for none.
///
/// ```
/// use tiktalik::Details;
///
/// let with_cost = Details::cost();
/// assert!(with_cost.cost && !with_cost.actions);
/// assert!(Details::all().vpsimage);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Details {
    /// Recent operations, in [`Instance::actions`].
    pub actions: bool,
    /// The installed image, in [`Instance::vpsimage`].
    pub vpsimage: bool,
    /// The cost per hour, in [`Instance::gross_cost_per_hour`].
    pub cost: bool,
}

impl Details {
    /// No details: the cheapest listing.
    #[must_use]
    pub fn none() -> Self {
        Self::default()
    }

    /// Operations, image and cost.
    #[must_use]
    pub fn all() -> Self {
        Details {
            actions: true,
            vpsimage: true,
            cost: true,
        }
    }

    /// Only the cost per hour.
    #[must_use]
    pub fn cost() -> Self {
        Details {
            cost: true,
            ..Self::default()
        }
    }

    /// The query string: always all three flags, in the official client's order.
    fn query(self) -> &'static str {
        const QUERIES: [&str; 8] = [
            "actions=false&vpsimage=false&cost=false",
            "actions=false&vpsimage=false&cost=true",
            "actions=false&vpsimage=true&cost=false",
            "actions=false&vpsimage=true&cost=true",
            "actions=true&vpsimage=false&cost=false",
            "actions=true&vpsimage=false&cost=true",
            "actions=true&vpsimage=true&cost=false",
            "actions=true&vpsimage=true&cost=true",
        ];
        QUERIES[usize::from(self.actions) * 4
            + usize::from(self.vpsimage) * 2
            + usize::from(self.cost)]
    }
}

/// The highest interface number `add_network_interface` accepts. The API documents
/// no limit; this one is a sanity bound (a virtual machine has a few NICs), so a
/// port or an index from elsewhere passed by mistake is caught before sending.
pub const MAX_INTERFACE_SEQ: u32 = 31;

/// Several instances matched a [`Connection::find_instance`] query.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Ambiguous {
    /// What was looked for.
    pub query: String,
    /// The matching instances: hostname and UUID.
    pub candidates: Vec<(String, String)>,
}

impl fmt::Display for Ambiguous {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} matches {} instances:",
            self.query,
            self.candidates.len()
        )?;
        for (i, (hostname, uuid)) in self.candidates.iter().enumerate() {
            let sep = if i == 0 { " " } else { ", " };
            write!(f, "{sep}{hostname} ({uuid})")?;
        }
        f.write_str("; give more of the hostname or the UUID")
    }
}

/// Instances.
impl Connection {
    /// Lists every instance of the account, with the details asked for.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), tiktalik::Error> {
    /// let conn = tiktalik::Connection::from_env()?;
    /// let instances = conn.list_instances(tiktalik::Details::cost())?;
    /// let total: f64 = instances.iter().filter_map(|i| i.gross_cost_per_hour).sum();
    /// println!("{total:.4} per hour");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Api`], [`Error::Transport`], [`Error::Timeout`] or [`Error::Decode`].
    pub fn list_instances(&self, details: Details) -> Result<Vec<Instance>, Error> {
        self.json_list(Call::new("list_instances", Method::Get, "/instance").query(details.query()))
    }

    /// Fetches one instance by UUID, with the details asked for.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a malformed UUID (nothing is sent); a 404
    /// [`Error::Api`] (see [`Error::is_not_found`]) when there is no such instance.
    pub fn get_instance(&self, uuid: &str, details: Details) -> Result<Instance, Error> {
        let path = format!("/instance/{}", check_uuid("instance uuid", uuid)?);
        self.json(Call::new("get_instance", Method::Get, &path).query(details.query()))
    }

    /// Creates an instance attached to `networks` (UUIDs, or `auto`), as the tutorial does.
    ///
    /// For an SSH key or a disk size use [`create_instance_with`](Self::create_instance_with).
    ///
    /// ```no_run
    /// # fn main() -> Result<(), tiktalik::Error> {
    /// use tiktalik::Size;
    /// let conn = tiktalik::Connection::from_env()?;
    /// let networks: Vec<String> = conn.list_networks()?.into_iter().map(|n| n.uuid).collect();
    /// let image_uuid = "bb3fcb4e-d4fe-4f86-9bae-e0b7b501a934";
    /// conn.create_instance("web-123", Size::units(4)?, image_uuid, &networks)?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`create_instance_with`](Self::create_instance_with).
    pub fn create_instance<S: AsRef<str>>(
        &self,
        hostname: &str,
        size: Size,
        image_uuid: &str,
        networks: &[S],
    ) -> Result<Instance, Error> {
        self.create_instance_with(
            &NewInstance::new(hostname, size, image_uuid)
                .networks(networks.iter().map(|n| n.as_ref().to_owned())),
        )
    }

    /// Creates an instance from a full specification; the answer is the new
    /// instance, installing (state 10).
    ///
    /// # Errors
    /// [`Error::InvalidInput`], before anything is sent, for a bad hostname, image
    /// or network UUID, a standard size without a disk size, or a zero disk size.
    /// Otherwise as [`list_instances`](Self::list_instances).
    pub fn create_instance_with(&self, spec: &NewInstance) -> Result<Instance, Error> {
        check_hostname("hostname", &spec.hostname)?;
        check_uuid("image uuid", &spec.image_uuid)?;
        for network in &spec.networks {
            if network != "auto" {
                check_uuid("network uuid", network)?;
            }
        }
        match spec.disk_size_gb {
            None if spec.size.is_standard() => {
                return Err(Error::invalid(
                    "size",
                    format!(
                        "the standard size {} needs a disk size: add .disk_size_gb(..)",
                        spec.size
                    ),
                ));
            }
            Some(0) => return Err(Error::invalid("disk size", "0 GB is not a disk size")),
            _ => {}
        }
        let disk = spec.disk_size_gb.map(|gb| gb.to_string());
        let form = Form::new()
            .field("hostname", &spec.hostname)
            .field("size", spec.size.as_str())
            .field("image_uuid", &spec.image_uuid)
            .list("networks[]", &spec.networks)
            .optional("ssh_key", spec.ssh_key.as_deref().filter(|k| !k.is_empty()))
            .optional("disk_size_gb", disk.as_deref());
        self.json(Call::new("create_instance", Method::Post, "/instance").form(&form))
    }

    /// Finds one instance as the official CLI does: by exact hostname (ignoring
    /// case), else by exact UUID, else by a prefix of the hostname or the UUID.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), tiktalik::Error> {
    /// let conn = tiktalik::Connection::from_env()?;
    /// let db = conn.find_instance("db-1")?; // or "DB-1", "db", "3c4d5e6f"
    /// println!("{} is {}", db.hostname, db.uuid);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::NoMatch`] when nothing matches, [`Error::Ambiguous`] (listing hostname
    /// and UUID of each candidate) when several do, [`Error::InvalidInput`] for an
    /// empty query; otherwise as [`list_instances`](Self::list_instances).
    pub fn find_instance(&self, query: &str) -> Result<Instance, Error> {
        let wanted = query.trim().to_lowercase();
        if wanted.is_empty() {
            return Err(Error::invalid("instance query", "it is empty"));
        }
        let instances = self.list_instances(Details::none())?;
        let pick = |keep: &dyn Fn(&Instance) -> bool| -> Vec<&Instance> {
            instances.iter().filter(|i| keep(i)).collect()
        };
        let exact =
            pick(&|i| i.hostname.to_lowercase() == wanted || i.uuid.to_lowercase() == wanted);
        let found = if exact.is_empty() {
            pick(&|i| {
                i.hostname.to_lowercase().starts_with(&wanted)
                    || i.uuid.to_lowercase().starts_with(&wanted)
            })
        } else {
            exact
        };
        match found.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(Error::NoMatch {
                query: query.into(),
            }),
            several => Err(Error::Ambiguous(Box::new(Ambiguous {
                query: query.to_owned(),
                candidates: several
                    .iter()
                    .map(|i| (i.hostname.clone(), i.uuid.clone()))
                    .collect(),
            }))),
        }
    }

    /// Deletes an instance.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a malformed UUID; a 404 [`Error::Api`] when
    /// there is no such instance.
    pub fn delete_instance(&self, uuid: &str) -> Result<(), Error> {
        let path = format!("/instance/{}", check_uuid("instance uuid", uuid)?);
        self.action(Call::new("delete_instance", Method::Delete, &path))
    }

    fn instance_action(&self, name: &'static str, uuid: &str, action: &str) -> Result<(), Error> {
        let path = format!("/instance/{}/{action}", check_uuid("instance uuid", uuid)?);
        self.action(Call::new(name, Method::Post, &path))
    }

    /// Starts a stopped instance.
    ///
    /// # Errors
    /// As [`delete_instance`](Self::delete_instance).
    pub fn start_instance(&self, uuid: &str) -> Result<(), Error> {
        self.instance_action("start_instance", uuid, "start")
    }

    /// Stops an instance cleanly (an ACPI shutdown).
    ///
    /// # Errors
    /// As [`delete_instance`](Self::delete_instance).
    pub fn stop_instance(&self, uuid: &str) -> Result<(), Error> {
        self.instance_action("stop_instance", uuid, "stop")
    }

    /// Powers an instance off at once, without a shutdown.
    ///
    /// # Errors
    /// As [`delete_instance`](Self::delete_instance).
    pub fn force_stop_instance(&self, uuid: &str) -> Result<(), Error> {
        self.instance_action("force_stop_instance", uuid, "force_stop")
    }

    /// Reinstalls an instance from its image.
    ///
    /// # Errors
    /// As [`delete_instance`](Self::delete_instance).
    pub fn install_instance(&self, uuid: &str) -> Result<(), Error> {
        self.instance_action("install_instance", uuid, "install")
    }

    /// Backs a stopped instance up as an image named `name` (which may be empty).
    ///
    /// # Errors
    /// As [`delete_instance`](Self::delete_instance); the server refuses a running instance.
    pub fn backup_instance(&self, uuid: &str, name: &str) -> Result<(), Error> {
        let path = format!("/instance/{}/backup", check_uuid("instance uuid", uuid)?);
        let form = Form::new().field("backup_name", name);
        self.action(Call::new("backup_instance", Method::Post, &path).form(&form))
    }

    /// Lists an instance's network interfaces.
    ///
    /// # Errors
    /// As [`get_instance`](Self::get_instance).
    pub fn list_instance_interfaces(&self, uuid: &str) -> Result<Vec<Interface>, Error> {
        let path = format!("/instance/{}/interface", check_uuid("instance uuid", uuid)?);
        self.json_list(Call::new("list_instance_interfaces", Method::Get, &path))
    }

    /// Attaches an instance to a network as interface number `seq` (0 is eth0, at
    /// most [`MAX_INTERFACE_SEQ`]).
    /// The new interface shows in [`list_instance_interfaces`](Self::list_instance_interfaces).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a malformed UUID; otherwise as
    /// [`get_instance`](Self::get_instance).
    pub fn add_network_interface(
        &self,
        uuid: &str,
        network_uuid: &str,
        seq: u32,
    ) -> Result<(), Error> {
        let path = format!("/instance/{}/interface", check_uuid("instance uuid", uuid)?);
        if seq > MAX_INTERFACE_SEQ {
            return Err(Error::invalid(
                "interface seq",
                format!("{seq} is not an interface number; use 0 (eth0) to {MAX_INTERFACE_SEQ}"),
            ));
        }
        let form = Form::new()
            .field("network_uuid", check_uuid("network uuid", network_uuid)?)
            .field("seq", &seq.to_string());
        self.action(Call::new("add_network_interface", Method::Post, &path).form(&form))
    }

    /// Detaches a network interface from an instance.
    ///
    /// # Errors
    /// As [`add_network_interface`](Self::add_network_interface).
    pub fn remove_network_interface(&self, uuid: &str, interface_uuid: &str) -> Result<(), Error> {
        let path = format!(
            "/instance/{}/interface/{}",
            check_uuid("instance uuid", uuid)?,
            check_uuid("interface uuid", interface_uuid)?
        );
        self.action(Call::new("remove_network_interface", Method::Delete, &path))
    }

    /// Lists an instance's disks.
    ///
    /// # Errors
    /// As [`get_instance`](Self::get_instance).
    pub fn get_instance_block_devices(&self, uuid: &str) -> Result<Vec<BlockDevice>, Error> {
        let path = format!(
            "/instance/{}/blockdevice",
            check_uuid("instance uuid", uuid)?
        );
        self.json_list(Call::new("get_instance_block_devices", Method::Get, &path))
    }
}

/// Images.
impl Connection {
    /// Lists every image the account can use: system images, its own images and backups.
    ///
    /// # Errors
    /// As [`list_instances`](Self::list_instances).
    pub fn list_images(&self) -> Result<Vec<Image>, Error> {
        self.json_list(Call::new("list_images", Method::Get, "/image"))
    }

    /// Fetches one image.
    ///
    /// # Errors
    /// As [`get_instance`](Self::get_instance).
    pub fn get_image(&self, uuid: &str) -> Result<Image, Error> {
        let path = format!("/image/{}", check_uuid("image uuid", uuid)?);
        self.json(Call::new("get_image", Method::Get, &path))
    }

    /// Deletes one of the account's images or backups.
    ///
    /// # Errors
    /// As [`delete_instance`](Self::delete_instance).
    pub fn delete_image(&self, uuid: &str) -> Result<(), Error> {
        let path = format!("/image/{}", check_uuid("image uuid", uuid)?);
        self.action(Call::new("delete_image", Method::Delete, &path))
    }

    /// Renames one of the account's images or backups.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a malformed UUID or an empty name; otherwise as
    /// [`delete_instance`](Self::delete_instance).
    pub fn rename_image(&self, uuid: &str, name: &str) -> Result<(), Error> {
        let path = format!("/image/{}/set_name", check_uuid("image uuid", uuid)?);
        if name.trim().is_empty() {
            return Err(Error::invalid("image name", "it is empty"));
        }
        let form = Form::new().field("image_name", name);
        self.action(Call::new("rename_image", Method::Post, &path).form(&form))
    }
}

/// Networks and products.
impl Connection {
    /// Lists the networks the account can see: public ones and its private ones.
    ///
    /// # Errors
    /// As [`list_instances`](Self::list_instances).
    pub fn list_networks(&self) -> Result<Vec<Network>, Error> {
        self.json_list(Call::new("list_networks", Method::Get, "/network"))
    }

    /// Fetches one network.
    ///
    /// # Errors
    /// As [`get_instance`](Self::get_instance).
    pub fn get_network(&self, uuid: &str) -> Result<Network, Error> {
        let path = format!("/network/{}", check_uuid("network uuid", uuid)?);
        self.json(Call::new("get_network", Method::Get, &path))
    }

    /// Creates a private network named `name` (see [`check_network_name`]).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a name the API would refuse; otherwise as
    /// [`list_instances`](Self::list_instances).
    pub fn create_network(&self, name: &str) -> Result<Network, Error> {
        let form = Form::new().field("name", check_network_name(name)?);
        self.json(Call::new("create_network", Method::Post, "/network").form(&form))
    }

    /// Lists the instance sizes on offer, with their prices.
    ///
    /// # Errors
    /// As [`list_instances`](Self::list_instances).
    pub fn list_products(&self) -> Result<Vec<Product>, Error> {
        self.json_list(Call::new("list_products", Method::Get, "/product"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_queries_are_in_official_order() {
        assert_eq!(
            Details::cost().query(),
            "actions=false&vpsimage=false&cost=true"
        );
        assert_eq!(
            Details::all().query(),
            "actions=true&vpsimage=true&cost=true"
        );
        assert_eq!(
            Details {
                actions: true,
                vpsimage: false,
                cost: false
            }
            .query(),
            "actions=true&vpsimage=false&cost=false"
        );
    }
}
