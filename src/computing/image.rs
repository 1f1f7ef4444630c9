//! Images: system images, backups and install images.

use serde::{Deserialize, Serialize};

use crate::de::{null_default, number_or_string, serialize_number_or_string, string_enum};

/// An image an instance can be installed from: a system image, a backup or an
/// install image. Every field may be `null` on the wire.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Image {
    /// The image's UUID.
    #[serde(default, deserialize_with = "null_default")]
    pub uuid: String,
    /// Its name, e.g. `Debian 12 64-bit`.
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    /// The account that owns it (`system` for Tiktalik's images).
    #[serde(default, deserialize_with = "null_default")]
    pub owner: String,
    /// Image, backup, install, or a kind this crate does not know.
    #[serde(default, rename = "type")]
    pub image_type: Option<ImageType>,
    /// Whether every account can use it.
    #[serde(default, deserialize_with = "null_default")]
    pub is_public: bool,
    /// A free-form description.
    #[serde(default, deserialize_with = "null_default")]
    pub description: String,
    /// When it was made, as the API writes it (`2024-06-10 12:00:00 +0200 (UTC)`).
    #[serde(default, deserialize_with = "null_default")]
    pub create_time: String,
    /// For a backup: the size of the instance it was made from.
    #[serde(
        default,
        deserialize_with = "number_or_string",
        serialize_with = "serialize_number_or_string"
    )]
    pub source_vps_size: Option<String>,
    /// For a backup: the size's name, e.g. `4U`.
    #[serde(default)]
    pub source_vps_size_name: Option<String>,
    /// For a backup: the source instance's disk size in GB.
    #[serde(default)]
    pub source_vps_size_disk: Option<f64>,
}

impl Image {
    /// True for backups (images made from an instance).
    #[must_use]
    pub fn is_backup(&self) -> bool {
        self.image_type == Some(ImageType::Backup)
    }
}

string_enum! {
    /// The kind of an image. Kinds this crate does not know are kept in `Unknown`.
    pub enum ImageType {
        /// A system or custom image.
        Image = "image",
        /// A backup of an instance.
        Backup = "backup",
        /// An install image.
        Install = "install",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_type_is_kept() {
        let i: Image = serde_json::from_str(r#"{"type": "snapshot", "is_public": null}"#).unwrap();
        assert_eq!(i.image_type, Some(ImageType::Unknown("snapshot".into())));
        assert_eq!(serde_json::to_value(&i.image_type).unwrap(), "snapshot");
        let b: Image = serde_json::from_str(r#"{"type": "backup", "source_vps_size": 4}"#).unwrap();
        assert!(b.is_backup());
        assert_eq!(b.source_vps_size.as_deref(), Some("4"));
    }
}
