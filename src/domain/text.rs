//! Plain strings from clients: what characters they may hold.
//!
//! Every string that reaches Sanal is checked twice. At the boundary (the GraphQL
//! guard) any string holding NUL or another control character except tab, line
//! feed and carriage return is refused, whatever field it is in — PostgreSQL cannot
//! store NUL in text, and no field has a use for the others. Then each field's own
//! parser decides between a single line ([`single_line`]: names, codes, references)
//! and free text ([`free_text`]: comments, answers), which keeps tabs and line breaks.

use super::error::Invalid;

/// Whether `c` may appear in any client string: not NUL, not a control character
/// other than tab, line feed or carriage return.
pub fn allowed_anywhere(c: char) -> bool {
    !c.is_control() || matches!(c, '\t' | '\n' | '\r')
}

/// The first character of `s` that no client string may hold, if any.
pub fn first_forbidden(s: &str) -> Option<char> {
    s.chars().find(|c| !allowed_anywhere(*c))
}

/// A trimmed single line of at most `max_chars` characters, with no control
/// characters at all. Empty input is refused.
pub fn single_line(field: &str, raw: &str, max_chars: usize) -> Result<String, Invalid> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(Invalid::field(field, "must not be empty"));
    }
    if s.chars().any(char::is_control) {
        return Err(Invalid::field(
            field,
            "must be a single line without control characters",
        ));
    }
    if s.chars().count() > max_chars {
        return Err(Invalid::field(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    Ok(s.to_owned())
}

/// Trimmed free text of at most `max_chars` characters: tabs and line breaks are
/// kept (`\r\n` becomes `\n`), every other control character is refused.
pub fn free_text(field: &str, raw: &str, max_chars: usize) -> Result<String, Invalid> {
    let s = raw.trim().replace("\r\n", "\n").replace('\r', "\n");
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Invalid::field(
            field,
            "must not contain control characters other than tabs and line breaks",
        ));
    }
    if s.chars().count() > max_chars {
        return Err(Invalid::field(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    Ok(s)
}

/// A supervisor's or administrator's reason for a consequential change (field
/// `reason`): free text of 10 to 1,000 characters, so every such change says why.
pub fn reason(raw: &str) -> Result<String, Invalid> {
    let s = free_text("reason", raw, 1_000)?;
    if s.chars().count() < 10 {
        return Err(Invalid::field(
            "reason",
            "say why, in at least 10 characters",
        ));
    }
    Ok(s)
}

/// Someone's explanation (a reason, a note) in field `field`: free text of 10 to
/// `max_chars` characters, so that it says something.
pub fn explanation(field: &str, raw: &str, max_chars: usize) -> Result<String, Invalid> {
    let s = free_text(field, raw, max_chars)?;
    if s.chars().count() < 10 {
        return Err(Invalid::field(field, "say why, in at least 10 characters"));
    }
    Ok(s)
}

/// A link in field `field`: an absolute https URL with a host, at most 500 characters.
pub fn https_link(field: &str, raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    let ok = s.len() <= 500
        && url::Url::parse(s)
            .ok()
            .is_some_and(|u| u.scheme() == "https" && u.host_str().is_some());
    if !ok {
        return Err(Invalid::field(
            field,
            "must be an https URL of at most 500 characters",
        ));
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_and_escape_characters_are_never_allowed() {
        assert_eq!(first_forbidden("ab\u{0}c"), Some('\u{0}'));
        assert_eq!(first_forbidden("a\u{1b}[31m"), Some('\u{1b}'));
        assert_eq!(first_forbidden("a\u{85}"), Some('\u{85}'));
        assert_eq!(first_forbidden("Өдөр\tсайн\r\nбайна"), None);
    }

    #[test]
    fn a_single_line_refuses_line_breaks_and_tabs() {
        assert!(single_line("name", "Киоск 1", 10).is_ok());
        assert!(single_line("name", "Киоск\n1", 10).is_err());
        assert!(single_line("name", "a\tb", 10).is_err());
        assert!(single_line("name", "   ", 10).is_err());
        assert!(single_line("name", "ааааааааааа", 10).is_err());
    }

    #[test]
    fn free_text_keeps_line_breaks_and_normalises_them() {
        assert_eq!(
            free_text("comment", " нэг\r\nхоёр\tгурав ", 100).unwrap(),
            "нэг\nхоёр\tгурав"
        );
        assert!(free_text("comment", "a\u{7}b", 100).is_err());
        assert!(free_text("comment", "a\u{0}b", 100).is_err());
    }
}
