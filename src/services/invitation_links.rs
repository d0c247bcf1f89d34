//! What a citizen's invitation is reached by: its secret token (for the link) and
//! its short code (for SMS and voice), both derived from the invitation's id with a
//! server key, so neither is ever stored — only their SHA-256.

use crate::auth::secrets::{hmac_sha256, purpose_key, sha256_hex};
use crate::state::AppState;
use base64::Engine;
use uuid::Uuid;

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The token of an invitation: HMAC of its id under a server key.
pub fn derive_token(state: &AppState, id: Uuid) -> String {
    let mac = hmac_sha256(
        &purpose_key(state.config.hmac_root(), "invitation-token"),
        id.as_bytes(),
    );
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac)
}

/// The short code of an invitation: 40 bits of another HMAC, Crockford base32.
pub fn derive_code(state: &AppState, id: Uuid) -> String {
    let mac = hmac_sha256(
        &purpose_key(state.config.hmac_root(), "invitation-code"),
        id.as_bytes(),
    );
    let mut bits: u64 = 0;
    for b in &mac[..5] {
        bits = (bits << 8) | u64::from(*b);
    }
    let chars: String = (0..8)
        .rev()
        .map(|i| CROCKFORD[((bits >> (i * 5)) & 31) as usize] as char)
        .collect();
    format!("{}-{}", &chars[..4], &chars[4..])
}

/// Normalizes a code as typed (case, dashes, spaces, O/I/L look-alikes).
pub fn normalize_code(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

/// Lookup hash of a code.
pub fn code_hash(raw: &str) -> String {
    sha256_hex(&format!("code:{}", normalize_code(raw)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_forgive_case_dashes_and_look_alikes() {
        assert_eq!(normalize_code("ab0i-l9xz"), "AB0119XZ");
        assert_eq!(code_hash("AB01-19XZ"), code_hash("ab0i l9xz"));
        assert_ne!(code_hash("AB01-19XZ"), code_hash("AB01-19XY"));
    }
}
