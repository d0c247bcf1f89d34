//! Property-based fuzzing (proptest, bounded so CI stays fast) of what parses
//! client input: the answer validator, multilingual texts, short codes, periods,
//! cursors, document nesting, and the proxy address. Each property says what must
//! hold for *any* input — above all, that nothing panics.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;
use sanal::domain::page::{PageRequest, encode_cursor};
use sanal::domain::period::{Period, PeriodKind};
use sanal::domain::suggestion::{crockford, parse_tracking_code, redact, tracking_code};
use sanal::domain::survey::{Answer, validate_answers};
use sanal::domain::templates::{Template, template};
use sanal::domain::{Locale, LocalizedText};
use sanal::graphql::guard::nesting_depth;
use sanal::services::invitations::{code_hash, normalize_code};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Strings that like to break things: any char, control characters, big ones.
fn nasty_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\\x00-\\x1f\\x7f-\\x9f ӨөҮүa-z]{0,20}",
        Just(String::new()),
        Just("Ө".repeat(5_000)),
    ]
}

fn keys() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("overall".to_owned()),
        Just("comment".to_owned()),
        Just("trust".to_owned()),
        Just("went_well".to_owned()),
        Just("skm_requirements".to_owned()),
        Just("satisfaction".to_owned()),
        Just("other".to_owned()),
        any::<String>(),
    ]
}

fn answer() -> impl Strategy<Value = Answer> {
    (
        keys(),
        proptest::option::of(prop_oneof![any::<i32>(), -2..12i32]),
        proptest::collection::vec(prop_oneof![keys(), Just("other".to_owned())], 0..4),
        proptest::option::of(nasty_string()),
        any::<bool>(),
    )
        .prop_map(
            |(question_key, value, choices, text, not_applicable)| Answer {
                question_key,
                value,
                choices,
                text,
                not_applicable,
            },
        )
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_answer_validator_accepts_only_what_it_can_store_and_never_panics(
        t in prop_oneof![Just(Template::Skm9), Just(Template::A11V1), Just(Template::A11V2), Just(Template::Faces3)],
        answers in proptest::collection::vec(answer(), 0..40),
    ) {
        let content = template(t);
        match validate_answers(&content, answers) {
            Ok(stored) => {
                for a in &stored {
                    let q = content.question(&a.question_key);
                    prop_assert!(q.is_some(), "stored an answer to {}", a.question_key);
                    if let (Some(q), Some(v)) = (q, a.value) {
                        prop_assert!(v >= q.min && v <= q.max, "{} = {v}", q.key);
                    }
                    if let Some(text) = &a.text {
                        prop_assert!(!text.chars().any(|c| c.is_control() && c != '\n' && c != '\t'));
                    }
                }
                // What was accepted is accepted again, unchanged.
                prop_assert_eq!(validate_answers(&content, stored.clone()).ok(), Some(stored));
            }
            Err(problems) => {
                prop_assert!(!problems.is_empty());
            }
        }
    }

    #[test]
    fn every_well_formed_faces_answer_is_stored_as_given(v in 1..=3i32, comment in proptest::option::of("[a-zа-яөү .,!\n]{0,200}")) {
        let content = template(Template::Faces3);
        let mut answers = vec![Answer { question_key: "overall".into(), value: Some(v), choices: vec![], text: None, not_applicable: false }];
        if let Some(c) = &comment {
            answers.push(Answer { question_key: "comment".into(), value: None, choices: vec![], text: Some(c.clone()), not_applicable: false });
        }
        let stored = validate_answers(&content, answers).unwrap();
        prop_assert_eq!(stored[0].value, Some(v));
        let kept = comment.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
        prop_assert_eq!(stored.get(1).and_then(|a| a.text.clone()), kept);
    }

    #[test]
    fn a_localized_text_that_parses_has_mongolian_and_no_control_characters(
        mn in proptest::option::of(nasty_string()),
        en in proptest::option::of(nasty_string()),
        kk in proptest::option::of(nasty_string()),
        max in 1usize..300,
    ) {
        let parsed = LocalizedText::parse("name", [(Locale::Mn, mn), (Locale::En, en), (Locale::Kk, kk)], max);
        if let Ok(t) = parsed {
            prop_assert!(!t.get(Locale::Mn).is_empty());
            for l in Locale::ALL {
                let s = t.get(l);
                prop_assert!(!s.is_empty(), "falls back to mn");
                prop_assert!(s.chars().count() <= max);
                prop_assert!(!s.chars().any(|c| c.is_control() && c != '\n' && c != '\t'));
                prop_assert_eq!(s.trim(), s);
            }
        }
    }

    #[test]
    fn locale_tags_never_panic_and_round_trip(tag in any::<String>()) {
        if let Some(l) = Locale::parse(&tag) {
            prop_assert_eq!(Locale::parse(l.tag()), Some(l));
        }
    }

    #[test]
    fn short_codes_match_however_they_are_typed(code in "[0-9A-HJKMNP-TV-Z]{8}", dashes in 0usize..3, lower in any::<bool>()) {
        let canonical = format!("{}-{}", &code[..4], &code[4..]);
        let mut typed = code.clone();
        if lower {
            typed = typed.to_lowercase();
        }
        typed = format!("{}{}", " -".repeat(dashes), typed.replace('0', "O").replace('1', "l"));
        prop_assert_eq!(code_hash(&typed), code_hash(&canonical));
        let n = normalize_code(&typed);
        prop_assert_eq!(normalize_code(&n), n.clone());
        prop_assert!(!n.contains('-') && !n.chars().any(char::is_whitespace));
    }

    #[test]
    fn any_string_normalizes_as_a_code_without_panicking(s in any::<String>()) {
        let n = normalize_code(&s);
        prop_assert_eq!(normalize_code(&n), n);
    }

    #[test]
    fn calendar_periods_contain_their_day_and_chain_without_panicking(
        days in -100_000_000i64..100_000_000,
        kind in prop_oneof![Just(PeriodKind::Month), Just(PeriodKind::Quarter), Just(PeriodKind::HalfYear), Just(PeriodKind::Year)],
    ) {
        let Some(day) = NaiveDate::from_ymd_opt(2000, 1, 1)
            .and_then(|d| d.checked_add_signed(chrono::Duration::days(days))) else {
            return Ok(());
        };
        if let Ok(p) = Period::containing(kind, day) {
            prop_assert!(p.start <= day && day <= p.end);
            prop_assert_eq!(p.start.day(), 1);
            if let Some(n) = p.next() {
                prop_assert_eq!(n.start, p.end.succ_opt().unwrap());
                prop_assert_eq!(n.previous(), Some(p));
            }
            let _ = p.label();
        }
    }

    #[test]
    fn custom_periods_compare_with_an_equal_range_just_before(
        a in any::<i32>(),
        len in 0i64..4_000,
    ) {
        let Some(from) = NaiveDate::from_num_days_from_ce_opt(a) else { return Ok(()); };
        let Some(to) = from.checked_add_signed(chrono::Duration::days(len)) else { return Ok(()); };
        match Period::custom(from, to) {
            Ok(p) => {
                if let Some(prev) = p.previous() {
                    prop_assert_eq!(prev.end.succ_opt(), Some(p.start));
                    prop_assert_eq!(prev.end - prev.start, p.end - p.start);
                }
                prop_assert!(p.next().is_none());
            }
            Err(_) => prop_assert!(len > 3660),
        }
    }

    #[test]
    fn cursors_round_trip_and_anything_else_is_a_clean_refusal(
        bytes in any::<[u8; 16]>(),
        junk in any::<String>(),
        first in proptest::option::of(any::<i32>()),
    ) {
        let id = uuid::Uuid::from_bytes(bytes);
        let p = PageRequest::parse(Some(10), Some(&encode_cursor(id))).unwrap();
        prop_assert_eq!(p.after, Some(id));
        let _ = PageRequest::parse(first, Some(&junk));
        if let Ok(p) = PageRequest::parse(first, None) {
            prop_assert!(p.first <= 100);
        }
    }

    #[test]
    fn nesting_is_measured_exactly_and_bounded(depth in 0usize..200, noise in "[a-z \"#\n]{0,30}") {
        let doc = format!("{}{}{}", "{[(".repeat(depth / 3), "x", ")]}".repeat(depth / 3));
        prop_assert_eq!(nesting_depth(&doc, 1_000), (depth / 3) * 3);
        prop_assert!(nesting_depth(&doc, 64) <= 65);
        let _ = nesting_depth(&format!("{noise}{doc}{noise}"), 64);
    }

    #[test]
    fn nesting_never_panics_on_any_text(s in any::<String>()) {
        prop_assert!(nesting_depth(&s, 64) <= s.len());
    }

    #[test]
    fn the_proxy_address_is_parsed_or_the_peer_is_taken(xff in any::<String>(), hops in 0usize..4) {
        let peer: Option<std::net::IpAddr> = "192.0.2.1".parse().ok();
        let got = sanal::routes::graphql::client_ip(peer, &[xff.as_str()], true, hops);
        let ip = got.unwrap();
        prop_assert!(ip.parse::<std::net::IpAddr>().is_ok());
    }

    #[test]
    fn passwords_never_panic_the_policy(p in nasty_string(), email in any::<String>(), name in any::<String>()) {
        let _ = sanal::domain::password::NewPassword::parse_for("p", &p, &email, Some(&name));
    }

    #[test]
    fn redaction_never_panics_and_leaves_no_run_of_eight_digits(
        s in nasty_string(),
        digits in "[0-9]{8,15}",
        pre in "[ а-яӨөa-z.,(]{0,5}",
    ) {
        let _ = redact(&s);
        let out = redact(&format!("{pre} {digits} {pre}"));
        let longest = out
            .split(|c: char| !c.is_ascii_digit())
            .map(str::len)
            .max()
            .unwrap_or(0);
        prop_assert!(longest < 8, "{out}");
    }

    #[test]
    fn tracking_codes_round_trip_and_any_text_parses_or_not(
        bytes in proptest::collection::vec(any::<u8>(), 8..16),
        s in nasty_string(),
    ) {
        let code = tracking_code(&bytes);
        prop_assert_eq!(parse_tracking_code(&code.to_lowercase()), Some(code.clone()));
        prop_assert_eq!(crockford(&bytes, 3).len(), 3);
        if let Some(c) = parse_tracking_code(&s) {
            prop_assert_eq!(c.len(), 11);
        }
    }
}
