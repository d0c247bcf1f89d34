//! Catalogue vocabulary: institution kinds, channels, service point kinds, codes.

use super::error::Invalid;
use super::vocab::string_enum;

string_enum!(
    /// What kind of body an institution is.
    InstitutionKind {
        /// A ministry.
        Ministry = "MINISTRY",
        /// An agency (under a ministry or the government).
        Agency = "AGENCY",
        /// A local unit (aimag, soum, district office or branch).
        LocalUnit = "LOCAL_UNIT",
        /// Anything else (a state-owned service provider, …).
        Other = "OTHER",
    }
);

string_enum!(
    /// How a service is delivered.
    Channel {
        /// Online (e-Mongolia, an agency's portal).
        Online = "ONLINE",
        /// In person at a counter.
        InPerson = "IN_PERSON",
        /// By phone.
        Phone = "PHONE",
        /// At a self-service kiosk.
        Kiosk = "KIOSK",
    }
);

string_enum!(
    /// What kind of place a service point is.
    ServicePointKind {
        /// A branch office.
        Branch = "BRANCH",
        /// One counter or window.
        Counter = "COUNTER",
        /// An online portal.
        OnlinePortal = "ONLINE_PORTAL",
        /// A call centre.
        CallCentre = "CALL_CENTRE",
        /// A self-service kiosk.
        Kiosk = "KIOSK",
    }
);

/// A short identifier given by people (`MOJ`, `E-MONGOLIA`, `PASSPORT.RENEW`):
/// 1–64 of `A–Z 0–9 . _ -`, stored upper-case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code(String);

impl Code {
    /// Trims, upper-cases and checks the alphabet.
    pub fn parse(field: &str, raw: &str) -> Result<Self, Invalid> {
        let s = raw.trim().to_ascii_uppercase();
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
            && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
        if !ok {
            return Err(Invalid::field(
                field,
                "must be 1-64 characters of A-Z, 0-9, '.', '_' or '-', starting with a letter or digit",
            ));
        }
        Ok(Self(s))
    }

    /// The normalized code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Parses a list of channels, without duplicates, at least one.
pub fn parse_channels(field: &str, raw: &[Channel]) -> Result<Vec<Channel>, Invalid> {
    let mut v: Vec<Channel> = raw.to_vec();
    v.sort();
    v.dedup();
    if v.is_empty() {
        return Err(Invalid::field(field, "at least one channel is required"));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_upper_cased_and_restricted() {
        assert_eq!(Code::parse("c", " moj ").unwrap().as_str(), "MOJ");
        assert!(Code::parse("c", "").is_err());
        assert!(Code::parse("c", "-x").is_err());
        assert!(Code::parse("c", "a b").is_err());
        assert!(Code::parse("c", "ӨӨ").is_err());
    }
}
