//! Making text a remote server sent back fit for a stored error message: no contact,
//! no message text (it holds the link), nothing that looks like an address, a number
//! or a link, no control characters, and short.

/// Longest excerpt of remote text kept, in characters.
const MAX_CHARS: usize = 200;

/// Runs of at least this many digits are taken for phone numbers.
const MIN_NUMBER_DIGITS: usize = 6;

/// `text` with each of `secrets` (case-insensitively), every word holding an `@` or
/// `://`, every run of 6 or more digits and every control character replaced, cut to
/// 200 characters.
pub(super) fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut s: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    for secret in secrets.iter().filter(|x| !x.trim().is_empty()) {
        s = replace_ignoring_case(&s, secret, "[redacted]");
    }
    let words: Vec<String> = s
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| {
            if w.contains('@') {
                "[address]".to_owned()
            } else if w.contains("://") {
                "[link]".to_owned()
            } else {
                mask_numbers(w)
            }
        })
        .collect();
    let joined = words.join(" ");
    if joined.chars().count() > MAX_CHARS {
        let cut: String = joined.chars().take(MAX_CHARS).collect();
        format!("{cut}…")
    } else {
        joined
    }
}

fn replace_ignoring_case(haystack: &str, needle: &str, with: &str) -> String {
    let lower_needle = needle.to_lowercase();
    let mut out = String::with_capacity(haystack.len());
    let mut rest = haystack;
    'outer: while !rest.is_empty() {
        // Compare at each char boundary; lengths may change with case, so compare
        // char by char.
        let mut hay = rest.char_indices();
        let mut needle_chars = lower_needle.chars();
        let mut end = 0;
        loop {
            match needle_chars.next() {
                None => {
                    out.push_str(with);
                    rest = &rest[end..];
                    continue 'outer;
                }
                Some(n) => match hay.next() {
                    Some((i, h)) if h.to_lowercase().eq(n.to_lowercase()) => {
                        end = i + h.len_utf8();
                    }
                    _ => break,
                },
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.push(c);
        }
        rest = chars.as_str();
    }
    out
}

fn mask_numbers(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.len() >= MIN_NUMBER_DIGITS {
            out.push_str("[number]");
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in word.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::scrub;

    #[test]
    fn contacts_links_and_numbers_are_taken_out() {
        let s = scrub(
            "550 5.1.1 <Bat@Gov.mn>: unknown\r\nuser bat@gov.mn; to +97688112233 id 42 see https://x.mn/s/abc",
            &["bat@gov.mn"],
        );
        assert!(!s.to_lowercase().contains("bat@gov.mn"), "{s}");
        assert!(!s.contains("88112233"), "{s}");
        assert!(!s.contains("x.mn/s/abc"), "{s}");
        assert!(s.contains("id 42"), "{s}");
        assert!(!s.contains('\n'));
    }

    #[test]
    fn secrets_are_removed_whatever_their_case_and_script() {
        let s = scrub("Санал өгнө үү: САНАЛ", &["санал"]);
        assert_eq!(s, "[redacted] өгнө үү: [redacted]");
    }

    #[test]
    fn long_text_is_cut() {
        assert!(scrub(&"a".repeat(500), &[]).chars().count() <= 201);
    }
}
