//! E-mail addresses used as login names.

use super::error::Invalid;

/// A syntactically plausible, lower-cased e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Trims, lower-cases and checks the shape `local@domain`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let s = raw.trim().to_lowercase();
        let bad = |why: &str| Invalid::field("email", why);
        if s.is_empty() || s.len() > 254 {
            return Err(bad("must be 1 to 254 characters"));
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err(bad("must look like name@domain"));
        };
        if local.is_empty()
            || domain.is_empty()
            || domain.contains('@')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || s.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(bad("must look like name@domain"));
        }
        Ok(Self(s))
    }

    /// The normalized address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::Email;

    #[test]
    fn addresses_are_trimmed_and_lower_cased() {
        assert_eq!(
            Email::parse("  Bat@Gov.MN ").unwrap().as_str(),
            "bat@gov.mn"
        );
    }

    #[test]
    fn addresses_without_a_domain_are_refused() {
        for bad in ["", "bat", "bat@", "@gov.mn", "a@b@c", "a b@gov.mn", "a@.mn"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }
}
