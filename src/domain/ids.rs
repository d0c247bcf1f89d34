//! Id newtypes where mixing two ids up is plausible: a service and a service point
//! travel together through invitations, delivered counts and open channels, in
//! both orders (`enable_open_channel(point, service)` but
//! `report_delivered(service, point)`). With their own types a swap does not compile:
//!
//! ```compile_fail
//! use sanal::domain::ids::{ServiceId, ServicePointId};
//! fn deliver(_service: ServiceId, _point: ServicePointId) {}
//! let (service, point) = (ServiceId(uuid::Uuid::nil()), ServicePointId(uuid::Uuid::nil()));
//! deliver(point, service); // the wrong order: a type error
//! ```
//!
//! ```
//! use sanal::domain::ids::{ServiceId, ServicePointId};
//! fn deliver(_service: ServiceId, _point: ServicePointId) {}
//! let (service, point) = (ServiceId(uuid::Uuid::nil()), ServicePointId(uuid::Uuid::nil()));
//! deliver(service, point);
//! ```

use std::fmt;
use uuid::Uuid;

macro_rules! id_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// The UUID inside (for queries).
            pub fn uuid(self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_newtype!(
    /// A service's id.
    ServiceId
);
id_newtype!(
    /// A service point's id.
    ServicePointId
);
