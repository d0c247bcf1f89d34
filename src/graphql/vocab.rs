//! The API's names for the domain's vocabulary: GraphQL enums mirroring domain
//! enums, shared by every area (so areas need not import each other).

use super::common::mirror_enum;

mirror_enum!(
    /// How a service is delivered.
    Channel => crate::domain::catalogue::Channel {
        /// Online (e-Mongolia, an agency portal).
        Online,
        /// In person at a counter.
        InPerson,
        /// By phone.
        Phone,
        /// At a self-service kiosk.
        Kiosk,
    }
);
