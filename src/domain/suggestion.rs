//! A citizen's suggestion, request, complaint or praise: its life as a pure
//! transition table, its tracking code, the redaction of what becomes public, and
//! the working-day arithmetic of its deadlines.
//!
//! Life: `RECEIVED → ACKNOWLEDGED → IN_REVIEW → ANSWERED → CLOSED`. Before it is
//! answered, the institution holding it may refer it to another one (`REFERRED`:
//! the receiver holds it now, the clock keeps running). An answer may come at any
//! point before (acknowledging is then implied). The citizen confirms the answer
//! (`CLOSED`, resolved or not) or reopens it once (`REOPENED`), after which the
//! institution answers again; 30 days after an answer without a reply it closes.

use super::vocab::SuggestionStatus;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use std::collections::HashSet;

/// Something that moves a suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuggestionMove {
    /// The institution says it has it.
    Acknowledge,
    /// The institution starts looking into it.
    Review,
    /// The institution routes it to another one, with a reason.
    Refer,
    /// The institution answers it officially.
    Answer,
    /// The citizen says whether the answer resolved it.
    Confirm,
    /// The citizen reopens it, once, with a reason.
    Reopen,
    /// Nobody replied to the answer in time: it closes.
    Expire,
}

impl SuggestionMove {
    /// Every move.
    pub const ALL: [SuggestionMove; 7] = [
        SuggestionMove::Acknowledge,
        SuggestionMove::Review,
        SuggestionMove::Refer,
        SuggestionMove::Answer,
        SuggestionMove::Confirm,
        SuggestionMove::Reopen,
        SuggestionMove::Expire,
    ];

    /// Whether the citizen (not the institution) makes this move.
    pub fn by_citizen(self) -> bool {
        matches!(self, SuggestionMove::Confirm | SuggestionMove::Reopen)
    }
}

/// The status `m` moves `from` to; `None` when it may not.
pub fn next(from: SuggestionStatus, m: SuggestionMove) -> Option<SuggestionStatus> {
    use SuggestionMove as M;
    use SuggestionStatus::*;
    match (from, m) {
        (Received | Referred, M::Acknowledge) => Some(Acknowledged),
        (Acknowledged | Reopened, M::Review) => Some(InReview),
        (Received | Acknowledged | InReview | Referred, M::Refer) => Some(Referred),
        (Received | Acknowledged | InReview | Referred | Reopened, M::Answer) => Some(Answered),
        (Answered, M::Confirm | M::Expire) => Some(Closed),
        (Answered, M::Reopen) => Some(Reopened),
        _ => None,
    }
}

/// Whether a suggestion in `s` still waits for the institution's answer.
pub fn awaits_answer(s: SuggestionStatus) -> bool {
    !matches!(s, SuggestionStatus::Answered | SuggestionStatus::Closed)
}

/// Crockford's base-32 alphabet (no I, L, O, U).
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters of a tracking code (without its dash): 10 × 5 = 50 random bits.
pub const CODE_CHARS: usize = 10;

/// `bytes` as Crockford base 32 (the first `chars` characters).
pub fn crockford(bytes: &[u8], chars: usize) -> String {
    let mut out = String::with_capacity(chars);
    let mut acc: u16 = 0;
    let mut bits = 0;
    for b in bytes {
        acc = (acc << 8) | u16::from(*b);
        bits += 8;
        while bits >= 5 {
            if out.len() == chars {
                return out;
            }
            bits -= 5;
            out.push(char::from(CROCKFORD[usize::from((acc >> bits) & 31)]));
        }
        acc &= (1 << bits) - 1;
    }
    out
}

/// A tracking code from random bytes (at least 7): `XXXXX-XXXXX`.
pub fn tracking_code(random: &[u8]) -> String {
    let s = crockford(random, CODE_CHARS);
    format!("{}-{}", &s[..5], &s[5..])
}

/// A tracking code as a citizen types it, normalized: case and dashes and spaces
/// do not matter, and the look-alikes I, L (as 1) and O (as 0) are forgiven.
/// `None` if it cannot be a code.
pub fn parse_tracking_code(raw: &str) -> Option<String> {
    if raw.len() > 40 {
        return None;
    }
    let mut s = String::with_capacity(CODE_CHARS);
    for c in raw.chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' => continue,
            'I' | 'L' => '1',
            'O' => '0',
            c if c.is_ascii() && CROCKFORD.contains(&(c as u8)) => c,
            _ => return None,
        };
        s.push(c);
    }
    (s.len() == CODE_CHARS).then(|| format!("{}-{}", &s[..5], &s[5..]))
}

/// What replaces personal data in a published text.
pub const MASK: &str = "***";

/// `text` with phone numbers, e-mail addresses and Mongolian register numbers (two
/// Cyrillic letters and eight digits) masked, everything else kept as written.
pub fn redact(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if let Some(end) = email_at(&chars, i).or_else(|| register_at(&chars, i)) {
            out.push_str(MASK);
            i = end;
        } else if let Some(end) = phone_at(&chars, i) {
            out.push_str(MASK);
            i = end;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

fn is_email_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | '%')
}

/// The end of an e-mail address starting at `i` (a word start), if one does.
fn email_at(c: &[char], i: usize) -> Option<usize> {
    if i > 0 && is_email_char(c[i - 1]) {
        return None;
    }
    let mut j = i;
    while j < c.len() && is_email_char(c[j]) {
        j += 1;
    }
    if j == i || j >= c.len() || c[j] != '@' {
        return None;
    }
    let mut k = j + 1;
    while k < c.len() && (c[k].is_alphanumeric() || c[k] == '.' || c[k] == '-') {
        k += 1;
    }
    // A trailing dot ends the sentence, not the domain.
    while k > j + 1 && c[k - 1] == '.' {
        k -= 1;
    }
    let domain: String = c[j + 1..k].iter().collect();
    let labels: Vec<&str> = domain.split('.').collect();
    (labels.len() >= 2 && labels.iter().all(|l| !l.is_empty())).then_some(k)
}

fn is_cyrillic_letter(c: char) -> bool {
    matches!(c, 'А'..='я' | 'Ё' | 'ё' | 'Ө' | 'ө' | 'Ү' | 'ү')
}

/// The end of a register number (two Cyrillic letters, optionally a space, eight
/// digits) starting at `i`, if one does.
fn register_at(c: &[char], i: usize) -> Option<usize> {
    if i > 0 && c[i - 1].is_alphanumeric() {
        return None;
    }
    if i + 2 > c.len() || !is_cyrillic_letter(c[i]) || !is_cyrillic_letter(c[i + 1]) {
        return None;
    }
    let mut j = i + 2;
    if j < c.len() && c[j] == ' ' {
        j += 1;
    }
    let digits = c[j..].iter().take_while(|d| d.is_ascii_digit()).count();
    (digits == 8).then_some(j + 8)
}

/// The end of a phone number starting at `i`: an optional `+`, then digits with
/// single spaces, dashes, dots or brackets between them, 8 to 15 digits in all
/// (a bracket before the first digit stays outside).
fn phone_at(c: &[char], i: usize) -> Option<usize> {
    if i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '+') {
        return None;
    }
    let mut j = i;
    if c[j] == '+' {
        j += 1;
    }
    let mut digits = 0;
    let mut end = None;
    while j < c.len() {
        if c[j].is_ascii_digit() {
            digits += 1;
            j += 1;
            end = Some(j);
        } else if matches!(c[j], ' ' | '-' | '.' | '(' | ')')
            && j + 1 < c.len()
            && (c[j + 1].is_ascii_digit() || c[j + 1] == '(')
            && digits > 0
        {
            j += 1;
        } else {
            break;
        }
        if digits > 15 {
            return None;
        }
    }
    let end = end?;
    if end < c.len() && c[end].is_alphanumeric() {
        return None;
    }
    (8..=15).contains(&digits).then_some(end)
}

/// Public holidays: fixed dates every year (month, day), and dates of one year
/// (the moving ones: Tsagaan Sar, Chinggis Khaan's birthday), as an ADMIN keeps them.
#[derive(Debug, Clone, Default)]
pub struct HolidayCalendar {
    every_year: HashSet<(u32, u32)>,
    dated: HashSet<NaiveDate>,
}

impl HolidayCalendar {
    /// A calendar of `(year, month, day)` entries; no year: every year.
    pub fn new(entries: impl IntoIterator<Item = (Option<i32>, u32, u32)>) -> Self {
        let mut c = Self::default();
        for (year, month, day) in entries {
            match year {
                None => {
                    c.every_year.insert((month, day));
                }
                Some(y) => {
                    if let Some(d) = NaiveDate::from_ymd_opt(y, month, day) {
                        c.dated.insert(d);
                    }
                }
            }
        }
        c
    }

    /// Whether `d` is a public holiday.
    pub fn is_holiday(&self, d: NaiveDate) -> bool {
        self.dated.contains(&d) || self.every_year.contains(&(d.month(), d.day()))
    }

    /// Whether `d` is a working day: not Saturday, Sunday or a public holiday.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.is_holiday(d)
    }

    /// The `n`th working day after `from` (`from` itself never counts).
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> NaiveDate {
        let mut d = from;
        let mut left = n;
        // A year of holidays cannot hold more than 366 days: the loop ends.
        let mut guard = 0;
        while left > 0 && guard < 100_000 {
            d += Duration::days(1);
            guard += 1;
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days after `from` up to and including `to` (0 when `to` ≤ `from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d += Duration::days(1);
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SuggestionMove as M;
    use SuggestionStatus::*;

    #[test]
    fn every_status_and_move_pair_is_decided_by_the_table() {
        let expected = |from: SuggestionStatus, m: SuggestionMove| match (from, m) {
            (Received, M::Acknowledge) => Some(Acknowledged),
            (Received, M::Refer) => Some(Referred),
            (Received, M::Answer) => Some(Answered),
            (Acknowledged, M::Review) => Some(InReview),
            (Acknowledged, M::Refer) => Some(Referred),
            (Acknowledged, M::Answer) => Some(Answered),
            (InReview, M::Refer) => Some(Referred),
            (InReview, M::Answer) => Some(Answered),
            (Referred, M::Acknowledge) => Some(Acknowledged),
            (Referred, M::Refer) => Some(Referred),
            (Referred, M::Answer) => Some(Answered),
            (Answered, M::Confirm) => Some(Closed),
            (Answered, M::Reopen) => Some(Reopened),
            (Answered, M::Expire) => Some(Closed),
            (Reopened, M::Review) => Some(InReview),
            (Reopened, M::Answer) => Some(Answered),
            _ => None,
        };
        let mut pairs = 0;
        let mut allowed = 0;
        for from in SuggestionStatus::ALL {
            for m in SuggestionMove::ALL {
                assert_eq!(next(*from, m), expected(*from, m), "{from:?} × {m:?}");
                pairs += 1;
                allowed += usize::from(expected(*from, m).is_some());
            }
        }
        assert_eq!((pairs, allowed), (49, 16));
    }

    #[test]
    fn a_closed_suggestion_never_moves_again() {
        for m in SuggestionMove::ALL {
            assert_eq!(next(Closed, m), None);
        }
    }

    #[test]
    fn tracking_codes_are_crockford_and_forgive_look_alikes() {
        let code = tracking_code(&[0xff; 8]);
        assert_eq!(code, "ZZZZZ-ZZZZZ");
        let code = tracking_code(&[0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(code, "00000-00000");
        assert_eq!(crockford(&[0b0000_1000, 0b0100_0011], 3), "111");
        assert_eq!(
            parse_tracking_code("abcde-fghjk").as_deref(),
            Some("ABCDE-FGHJK")
        );
        assert_eq!(
            parse_tracking_code("o1l2i 3456x").as_deref(),
            Some("01121-3456X")
        );
        assert_eq!(parse_tracking_code("ABCDE-FGHJ"), None);
        assert_eq!(parse_tracking_code("ABCDE-FGHJU"), None);
        assert_eq!(parse_tracking_code("ЁЁЁЁЁ-ЁЁЁЁЁ"), None);
    }

    #[test]
    fn redaction_masks_phones_emails_and_register_numbers_only() {
        let t = "Утас 8811-2233, +976 99 11 22 33 эсвэл bat.erdene@mail.mn. РД: УБ99112233, ав 12345678.";
        assert_eq!(redact(t), "Утас ***, *** эсвэл ***. РД: ***, ***.");
        let kept = "2026 онд 3 удаа, 15 минут хүлээсэн. Цонх №4. 1,500,000 төгрөг";
        assert_eq!(redact(kept), kept);
        assert_eq!(redact("ТА 12345678"), "***");
        assert_eq!(redact("а@б"), "а@б");
        assert_eq!(redact("x@y.mn"), "***");
        assert_eq!(redact("(99112233)"), "(***)");
        assert_eq!(redact("(976) 9911 2233."), "(976) ***.");
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let naadam = (11..=15).map(|day| (None, 7, day));
        let cal = HolidayCalendar::new(
            [(None, 11, 26), (None, 12, 29), (Some(2027), 2, 8)]
                .into_iter()
                .chain(naadam),
        );
        // Friday 2026-11-20 + 3 working days → Wednesday 2026-11-25.
        assert_eq!(cal.add_working_days(d(2026, 11, 20), 3), d(2026, 11, 25));
        // Tuesday 2026-11-24 + 3: Wed 25, (Thu 26 Republic Day), Fri 27, Mon 30.
        assert_eq!(cal.add_working_days(d(2026, 11, 24), 3), d(2026, 11, 30));
        // Naadam: Thursday 2027-07-08 + 2 → Fri 9, (Sat–Thu 10–15) Fri 16.
        assert_eq!(cal.add_working_days(d(2027, 7, 8), 2), d(2027, 7, 16));
        // A holiday of one year only counts that year.
        assert!(cal.is_holiday(d(2027, 2, 8)));
        assert!(!cal.is_holiday(d(2028, 2, 8)));
        assert_eq!(
            cal.working_days_between(d(2026, 11, 24), d(2026, 11, 30)),
            3
        );
        assert_eq!(
            cal.working_days_between(d(2026, 11, 30), d(2026, 11, 24)),
            0
        );
    }
}
