//! Roles a user can hold (see ARCHITECTURE.md).

use super::error::Invalid;

/// A role; the scope it applies to is held beside it in an assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// System operator.
    Admin,
    /// Analyst of the Authority of Government Supervision.
    Supervisor,
    /// Head of an institution's service quality (scope: institution subtree).
    InstitutionManager,
    /// Officer of an institution (scope: institution subtree).
    InstitutionStaff,
    /// Member of an accredited NGO (scope: the NGO).
    NgoReviewer,
    /// Registered citizen.
    Citizen,
}

/// Where an assignment applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Everywhere (ADMIN, SUPERVISOR, CITIZEN).
    Global,
    /// An institution and everything below it.
    Institution(uuid::Uuid),
    /// An NGO (NGOs are registered in a later release; the id is kept as given).
    Ngo(Option<uuid::Uuid>),
}

/// A (role, scope) pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Assignment {
    /// The role.
    pub role: Role,
    /// Where it applies.
    pub scope: Scope,
}

impl Role {
    /// Stable storage / API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "ADMIN",
            Self::Supervisor => "SUPERVISOR",
            Self::InstitutionManager => "INSTITUTION_MANAGER",
            Self::InstitutionStaff => "INSTITUTION_STAFF",
            Self::NgoReviewer => "NGO_REVIEWER",
            Self::Citizen => "CITIZEN",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "ADMIN" => Self::Admin,
            "SUPERVISOR" => Self::Supervisor,
            "INSTITUTION_MANAGER" => Self::InstitutionManager,
            "INSTITUTION_STAFF" => Self::InstitutionStaff,
            "NGO_REVIEWER" => Self::NgoReviewer,
            "CITIZEN" => Self::Citizen,
            _ => return None,
        })
    }

    /// Whether this role is held within an institution subtree.
    pub fn is_institutional(self) -> bool {
        matches!(self, Self::InstitutionManager | Self::InstitutionStaff)
    }
}

impl Assignment {
    /// Builds an assignment, checking the scope fits the role.
    pub fn parse(
        role: Role,
        institution_id: Option<uuid::Uuid>,
        ngo_id: Option<uuid::Uuid>,
    ) -> Result<Self, Invalid> {
        let scope = match (role, institution_id, ngo_id) {
            (r, Some(i), None) if r.is_institutional() => Scope::Institution(i),
            (r, _, _) if r.is_institutional() => {
                return Err(Invalid::field(
                    "assignments",
                    format!("{} needs an institutionId (and no ngoId)", r.as_str()),
                ));
            }
            (Role::NgoReviewer, None, ngo) => Scope::Ngo(ngo),
            (Role::Admin | Role::Supervisor | Role::Citizen, None, None) => Scope::Global,
            (r, _, _) => {
                return Err(Invalid::field(
                    "assignments",
                    format!("{} takes no institutionId", r.as_str()),
                ));
            }
        };
        Ok(Self { role, scope })
    }

    /// The institution this assignment is scoped to, if any.
    pub fn institution_id(&self) -> Option<uuid::Uuid> {
        match self.scope {
            Scope::Institution(i) => Some(i),
            _ => None,
        }
    }

    /// The NGO this assignment is scoped to, if any.
    pub fn ngo_id(&self) -> Option<uuid::Uuid> {
        match self.scope {
            Scope::Ngo(n) => n,
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn institution_roles_need_an_institution() {
        assert!(Assignment::parse(Role::InstitutionStaff, None, None).is_err());
        assert!(Assignment::parse(Role::Admin, Some(uuid::Uuid::nil()), None).is_err());
        let a = Assignment::parse(Role::InstitutionManager, Some(uuid::Uuid::nil()), None).unwrap();
        assert_eq!(a.institution_id(), Some(uuid::Uuid::nil()));
    }

    #[test]
    fn role_names_round_trip() {
        for r in [
            Role::Admin,
            Role::Supervisor,
            Role::InstitutionManager,
            Role::InstitutionStaff,
            Role::NgoReviewer,
            Role::Citizen,
        ] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
    }
}
