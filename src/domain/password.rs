//! Password policy (NIST SP 800-63B style: length, not composition rules).

use crate::error::AppError;

/// Minimum length in characters.
pub const MIN_LEN: usize = 12;
/// Maximum length in bytes (bounds the hashing work a client can ask for).
pub const MAX_BYTES: usize = 1024;

/// A password that meets the policy. Never logged: `Debug` hides it.
#[derive(Clone)]
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

impl NewPassword {
    /// Checks length and that it is not a trivially repeated character.
    pub fn parse(field: &str, raw: &str) -> Result<Self, AppError> {
        if raw.chars().count() < MIN_LEN {
            return Err(AppError::bad_input(
                field,
                format!("must be at least {MIN_LEN} characters"),
            ));
        }
        if raw.len() > MAX_BYTES {
            return Err(AppError::bad_input(field, "is too long"));
        }
        let mut chars = raw.chars();
        if let Some(first) = chars.next()
            && chars.all(|c| c == first)
        {
            return Err(AppError::bad_input(field, "must not repeat one character"));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The clear text, for hashing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::NewPassword;

    #[test]
    fn short_or_repeated_passwords_are_refused() {
        assert!(NewPassword::parse("p", "short").is_err());
        assert!(NewPassword::parse("p", "aaaaaaaaaaaaaaaa").is_err());
        assert!(NewPassword::parse("p", "correct horse battery").is_ok());
        assert!(NewPassword::parse("p", "Монгол улс 2026").is_ok());
    }
}
