//! Products: the sizes an instance can have, with their prices.

use serde::{Deserialize, Serialize};

use crate::de::{null_default, number_or_string, serialize_number_or_string};

/// A size an instance can have, with its resources and prices.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Product {
    /// The product's numeric id.
    #[serde(default, deserialize_with = "null_default")]
    pub id: u64,
    /// Its display name, e.g. `4U`.
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    /// The value to pass as `size` when creating an instance, e.g. `4`.
    #[serde(default, deserialize_with = "null_default")]
    pub api_name: String,
    /// The product group, e.g. `PRO`.
    #[serde(default, deserialize_with = "null_default")]
    pub product_group: String,
    /// CPU cores.
    #[serde(default, deserialize_with = "null_default")]
    pub cpu_cores: u32,
    /// CPU units, as sent (a number or a string).
    #[serde(
        default,
        deserialize_with = "number_or_string",
        serialize_with = "serialize_number_or_string"
    )]
    pub cpu_units: Option<String>,
    /// Memory in GB.
    #[serde(default, deserialize_with = "null_default")]
    pub mem_gb: f64,
    /// Disk in GB.
    #[serde(default, deserialize_with = "null_default")]
    pub disk_gb: f64,
    /// The server size, as sent (a number or a string).
    #[serde(
        default,
        deserialize_with = "number_or_string",
        serialize_with = "serialize_number_or_string"
    )]
    pub srv_size: Option<String>,
    /// Sort key for display.
    #[serde(default, deserialize_with = "null_default")]
    pub sort_by: String,
    /// Net cost per hour.
    #[serde(default, deserialize_with = "null_default")]
    pub hourly_net_cost: f64,
    /// Gross cost per hour.
    #[serde(default, deserialize_with = "null_default")]
    pub hourly_gross_cost: f64,
    /// Net cost per month.
    #[serde(default, deserialize_with = "null_default")]
    pub monthly_net_cost: f64,
    /// Gross cost per month.
    #[serde(default, deserialize_with = "null_default")]
    pub monthly_gross_cost: f64,
}
