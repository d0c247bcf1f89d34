//! A citizen's survey link leaves Sanal by SMS (an HTTP gateway) or e-mail (SMTP),
//! and each failure says whether another attempt may succeed — checked against the
//! fake gateway and mail server of `common::fakes`.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use base64::Engine;
use common::fakes::{FakeSmsGateway, FakeSmtp};
use sanal::delivery::{
    Contact, Deliverer, DeliveryConfig, DeliveryError, Outgoing, VARIABLES, parse_contact,
};
use serde_json::Value;
use std::collections::HashMap;

const PHONE: &str = "+97688112233";
const ADDRESS: &str = "bat.dorj@example.mn";
const LINK: &str = "https://sanal.gov.mn/s/QmF0LURvcmotbGluaw";
const AUTH_VALUE: &str = "Bearer s3cr3t-token";

fn config(pairs: &[(&str, &str)]) -> Result<DeliveryConfig, String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    DeliveryConfig::from_lookup(&move |k| map.get(k).cloned())
}

fn deliverer(pairs: &[(&str, &str)]) -> Deliverer {
    Deliverer::new(&config(pairs).unwrap()).unwrap()
}

fn sms(text: &str) -> Outgoing {
    Outgoing {
        contact: Contact::Phone(PHONE.into()),
        subject: String::new(),
        text: text.into(),
    }
}

fn email(subject: &str, text: &str) -> Outgoing {
    Outgoing {
        contact: Contact::Email(ADDRESS.into()),
        subject: subject.into(),
        text: text.into(),
    }
}

/// The error says nothing of whom it was for or what it carried.
fn assert_discreet(e: &DeliveryError, text: &str) {
    for secret in [PHONE, "88112233", ADDRESS, LINK, text] {
        assert!(
            !e.message.contains(secret),
            "{secret:?} shows in {:?}",
            e.message
        );
    }
}

/// An address on this machine that nothing listens on.
async fn closed_port_url() -> String {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    format!("http://{addr}/send")
}

#[tokio::test]
async fn an_sms_reaches_the_gateway_with_the_auth_header_and_a_correctly_escaped_json_body() {
    let gateway = FakeSmsGateway::start().await;
    let d = deliverer(&[
        ("SANAL_SMS_GATEWAY_URL", &gateway.url()),
        (
            "SANAL_SMS_GATEWAY_AUTH_HEADER",
            &format!("Authorization: {AUTH_VALUE}"),
        ),
    ]);
    let text = format!("Санал: \"үйлчилгээ\" \\ {{to}}\nҮнэлнэ үү: {LINK}");
    // The future is Send: it runs on another task.
    let (d2, msg) = (d.clone(), sms(&text));
    tokio::spawn(async move { d2.send(&msg).await })
        .await
        .unwrap()
        .unwrap();

    let requests = gateway.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/send"));
    assert_eq!(r.header("authorization"), Some(AUTH_VALUE));
    assert_eq!(r.header("content-type"), Some("application/json"));
    let body: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body["to"], PHONE);
    assert_eq!(body["text"], text.as_str());
    assert_eq!(body.as_object().unwrap().len(), 2);
}

#[tokio::test]
async fn a_form_encoded_template_gets_percent_encoded_values() {
    let gateway = FakeSmsGateway::start().await;
    let d = deliverer(&[
        ("SANAL_SMS_GATEWAY_URL", &gateway.url()),
        ("SANAL_SMS_GATEWAY_BODY", "from=Sanal&phone={to}&msg={text}"),
        (
            "SANAL_SMS_GATEWAY_CONTENT_TYPE",
            "application/x-www-form-urlencoded",
        ),
    ]);
    d.send(&sms("Санал a&b=c d+e")).await.unwrap();
    let r = &gateway.requests()[0];
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        r.body_text(),
        "from=Sanal&phone=%2B97688112233&msg=%D0%A1%D0%B0%D0%BD%D0%B0%D0%BB%20a%26b%3Dc%20d%2Be"
    );
}

#[tokio::test]
async fn a_503_is_worth_retrying_a_400_is_not_and_neither_repeats_what_was_sent() {
    let gateway = FakeSmsGateway::start().await;
    let d = deliverer(&[("SANAL_SMS_GATEWAY_URL", &gateway.url())]);
    let text = format!("Үнэлнэ үү: {LINK}");
    gateway.fail_next(1, 503);
    gateway.fail_next(1, 400);

    let unavailable = d.send(&sms(&text)).await.unwrap_err();
    assert!(unavailable.retryable, "{unavailable:?}");
    assert!(unavailable.message.contains("503"), "{unavailable:?}");
    assert_discreet(&unavailable, &text);

    let bad = d.send(&sms(&text)).await.unwrap_err();
    assert!(!bad.retryable, "{bad:?}");
    assert!(bad.message.contains("400"), "{bad:?}");
    assert_discreet(&bad, &text);

    d.send(&sms(&text)).await.unwrap();
    assert_eq!(gateway.requests().len(), 3);
}

#[tokio::test]
async fn a_429_and_a_408_are_worth_retrying_and_a_401_is_not() {
    let gateway = FakeSmsGateway::start().await;
    let d = deliverer(&[("SANAL_SMS_GATEWAY_URL", &gateway.url())]);
    for (status, retryable) in [(429, true), (408, true), (401, false)] {
        gateway.fail_next(1, status);
        let e = d.send(&sms("x")).await.unwrap_err();
        assert_eq!(e.retryable, retryable, "{status}: {e:?}");
    }
}

#[tokio::test]
async fn an_unreachable_gateway_is_worth_retrying() {
    let d = deliverer(&[("SANAL_SMS_GATEWAY_URL", &closed_port_url().await)]);
    let e = d.send(&sms(LINK)).await.unwrap_err();
    assert!(e.retryable, "{e:?}");
    assert_discreet(&e, LINK);
}

#[tokio::test]
async fn a_gateway_that_never_answers_times_out_and_is_worth_retrying() {
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/send", silent.local_addr().unwrap());
    // Accepts and keeps connections open without a word.
    tokio::spawn(async move {
        let mut held = vec![];
        while let Ok((s, _)) = silent.accept().await {
            held.push(s);
        }
    });
    let d = deliverer(&[
        ("SANAL_SMS_GATEWAY_URL", &url),
        ("SANAL_SMS_GATEWAY_TIMEOUT_SECS", "1"),
    ]);
    let started = std::time::Instant::now();
    let e = d.send(&sms(LINK)).await.unwrap_err();
    assert!(e.retryable, "{e:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[tokio::test]
async fn a_server_that_does_not_speak_tls_is_worth_retrying() {
    let gateway = FakeSmsGateway::start().await;
    let smtp = FakeSmtp::start().await;
    let d = deliverer(&[
        (
            "SANAL_SMS_GATEWAY_URL",
            &gateway.url().replace("http://", "https://"),
        ),
        ("SANAL_SMS_GATEWAY_TIMEOUT_SECS", "2"),
        ("SANAL_SMTP_URL", &format!("smtps://{}", smtp.host_port())),
        ("SANAL_SMTP_FROM", "no-reply@sanal.gov.mn"),
        ("SANAL_SMTP_TIMEOUT_SECS", "2"),
    ]);
    let e = d.send(&sms(LINK)).await.unwrap_err();
    assert!(e.retryable, "{e:?}");
    let e = d.send(&email("Санал", LINK)).await.unwrap_err();
    assert!(e.retryable, "{e:?}");
    assert!(gateway.requests().is_empty() && smtp.messages().is_empty());
}

/// Headers of a raw message, unfolded, and its body.
fn split_message(data: &str) -> (Vec<(String, String)>, String) {
    let (head, body) = data.split_once("\r\n\r\n").unwrap();
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    let headers = unfolded
        .split("\r\n")
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.to_ascii_lowercase(), v.trim().to_owned())
        })
        .collect();
    (headers, body.to_owned())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    &headers.iter().find(|(n, _)| n == name).unwrap().1
}

/// RFC 2047 words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`) decoded; the space between two
/// encoded words does not count.
fn decode_words(value: &str) -> String {
    let mut out: Vec<u8> = vec![];
    let mut last_was_word = false;
    for (i, token) in value.split(' ').enumerate() {
        let word = token
            .strip_prefix("=?")
            .and_then(|t| t.strip_suffix("?="))
            .and_then(|t| {
                let mut p = t.splitn(3, '?');
                Some((p.next()?, p.next()?, p.next()?))
            });
        match word {
            Some((charset, enc, text)) => {
                assert!(charset.eq_ignore_ascii_case("utf-8"), "{charset}");
                if enc.eq_ignore_ascii_case("b") {
                    out.extend(
                        base64::engine::general_purpose::STANDARD
                            .decode(text)
                            .unwrap(),
                    );
                } else {
                    out.extend(decode_qp(&text.replace('_', " ")));
                }
                last_was_word = true;
            }
            None => {
                if i > 0 && !last_was_word {
                    out.push(b' ');
                }
                out.extend(token.as_bytes());
                last_was_word = false;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

fn decode_qp(s: &str) -> Vec<u8> {
    let s = s.replace("=\r\n", "");
    let b = s.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

fn decode_body(headers: &[(String, String)], body: &str) -> String {
    let encoding = headers
        .iter()
        .find(|(n, _)| n == "content-transfer-encoding")
        .map(|(_, v)| v.to_ascii_lowercase())
        .unwrap_or_else(|| "7bit".into());
    let bytes = match encoding.as_str() {
        "base64" => {
            let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            base64::engine::general_purpose::STANDARD
                .decode(compact)
                .unwrap()
        }
        "quoted-printable" => decode_qp(body),
        _ => body.as_bytes().to_vec(),
    };
    String::from_utf8(bytes).unwrap().replace("\r\n", "\n")
}

fn smtp_settings(smtp: &FakeSmtp) -> Vec<(&'static str, String)> {
    vec![
        ("SANAL_SMTP_URL", format!("smtp://{}", smtp.host_port())),
        ("SANAL_SMTP_FROM", "Sanal <no-reply@sanal.gov.mn>".into()),
    ]
}

fn with_settings(settings: &[(&'static str, String)]) -> Deliverer {
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    deliverer(&pairs)
}

#[tokio::test]
async fn an_email_reaches_the_mail_server_with_its_recipient_sender_subject_and_link() {
    let smtp = FakeSmtp::start().await;
    let d = with_settings(&smtp_settings(&smtp));
    let subject = "Санал асуулга: таны авсан үйлчилгээ";
    let text = format!("Сайн байна уу?\n\"Санал\" өгөхийн тулд энд дарна уу:\n{LINK}\n");
    let (d2, msg) = (d.clone(), email(subject, &text));
    tokio::spawn(async move { d2.send(&msg).await })
        .await
        .unwrap()
        .unwrap();

    let messages = smtp.messages();
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    assert_eq!(m.from, "no-reply@sanal.gov.mn");
    assert_eq!(m.recipients, vec![ADDRESS.to_owned()]);
    // The fake offers no 8BITMIME: the whole message must be 7-bit.
    assert!(m.data.is_ascii(), "{}", m.data);
    let (headers, body) = split_message(&m.data);
    assert_eq!(header(&headers, "from"), "Sanal <no-reply@sanal.gov.mn>");
    assert_eq!(header(&headers, "to"), ADDRESS);
    assert!(
        header(&headers, "subject")
            .to_ascii_lowercase()
            .starts_with("=?utf-8?"),
        "{}",
        header(&headers, "subject")
    );
    assert_eq!(decode_words(header(&headers, "subject")), subject);
    assert!(header(&headers, "message-id").ends_with("@sanal.gov.mn>"));
    assert!(
        header(&headers, "content-type")
            .to_ascii_lowercase()
            .starts_with("text/plain; charset=utf-8")
    );
    let body = decode_body(&headers, &body);
    assert!(body.contains(LINK), "{body}");
    assert_eq!(body.trim_end(), text.trim_end());
}

#[tokio::test]
async fn a_recipient_refused_with_550_is_permanent_and_with_451_worth_retrying() {
    let smtp = FakeSmtp::start().await;
    let d = with_settings(&smtp_settings(&smtp));
    let msg = email("Санал", LINK);

    smtp.refuse_next_rcpt(1, 550);
    let refused = d.send(&msg).await.unwrap_err();
    assert!(!refused.retryable, "{refused:?}");
    assert!(refused.message.contains("550"), "{refused:?}");
    assert_discreet(&refused, LINK);

    smtp.refuse_next_rcpt(1, 451);
    let later = d.send(&msg).await.unwrap_err();
    assert!(later.retryable, "{later:?}");
    assert!(later.message.contains("451"), "{later:?}");
    assert_discreet(&later, LINK);

    assert!(smtp.messages().is_empty());
    d.send(&msg).await.unwrap();
    assert_eq!(smtp.messages().len(), 1);
}

#[tokio::test]
async fn an_unreachable_mail_server_is_worth_retrying() {
    let url = closed_port_url().await.replace("http://", "smtp://");
    let url = url.trim_end_matches("/send");
    let d = deliverer(&[
        ("SANAL_SMTP_URL", url),
        ("SANAL_SMTP_FROM", "no-reply@sanal.gov.mn"),
    ]);
    let e = d.send(&email("Санал", LINK)).await.unwrap_err();
    assert!(e.retryable, "{e:?}");
    assert_discreet(&e, LINK);
}

#[tokio::test]
async fn a_channel_that_is_not_configured_cannot_send_and_says_so() {
    let gateway = FakeSmsGateway::start().await;
    let sms_only = deliverer(&[("SANAL_SMS_GATEWAY_URL", &gateway.url())]);
    assert!(sms_only.can_send(&Contact::Phone(PHONE.into())));
    assert!(!sms_only.can_send(&Contact::Email(ADDRESS.into())));
    let e = sms_only.send(&email("s", LINK)).await.unwrap_err();
    assert!(
        !e.retryable && e.message.contains("SANAL_SMTP_URL"),
        "{e:?}"
    );

    let none = deliverer(&[]);
    assert!(!none.can_send(&Contact::Phone(PHONE.into())));
    let e = none.send(&sms(LINK)).await.unwrap_err();
    assert!(!e.retryable && e.message.contains("SANAL_SMS_GATEWAY_URL"));
}

#[tokio::test]
async fn a_contact_that_does_not_parse_is_a_permanent_error_and_nothing_is_sent() {
    let gateway = FakeSmsGateway::start().await;
    let d = deliverer(&[("SANAL_SMS_GATEWAY_URL", &gateway.url())]);
    let mut msg = sms(LINK);
    msg.contact = Contact::Phone("12-34".into());
    let e = d.send(&msg).await.unwrap_err();
    assert!(!e.retryable, "{e:?}");
    assert!(gateway.requests().is_empty());
}

#[test]
fn debug_output_never_shows_a_contact_the_text_or_a_secret() {
    let c = config(&[
        (
            "SANAL_SMS_GATEWAY_URL",
            "https://sms.example.mn/api/send?key=query-secret",
        ),
        (
            "SANAL_SMS_GATEWAY_AUTH_HEADER",
            &format!("Authorization: {AUTH_VALUE}"),
        ),
        (
            "SANAL_SMS_GATEWAY_BODY",
            r#"{"apikey":"body-secret","to":"{to}","text":"{text}"}"#,
        ),
        (
            "SANAL_SMTP_URL",
            "smtp://mailer:pass-secret@mail.example.mn:587?tls=required",
        ),
        ("SANAL_SMTP_FROM", "Sanal <no-reply@sanal.gov.mn>"),
    ])
    .unwrap();
    assert!(c.sms_enabled() && c.email_enabled());
    let d = Deliverer::new(&c).unwrap();
    let shown = format!(
        "{:?} {:?} {:?} {:?} {:#?} {:?}",
        Contact::Phone(PHONE.into()),
        Contact::Email(ADDRESS.into()),
        sms(LINK),
        email("Санал", LINK),
        c,
        d
    );
    for secret in [
        PHONE,
        ADDRESS,
        LINK,
        AUTH_VALUE,
        "s3cr3t",
        "query-secret",
        "body-secret",
        "pass-secret",
        "mailer",
    ] {
        assert!(!shown.contains(secret), "{secret:?} shows in {shown}");
    }
    assert!(shown.contains("sms.example.mn") && shown.contains("authorization: <redacted>"));
    assert!(shown.contains("mail.example.mn"));
}

#[test]
fn parse_contact_accepts_the_listed_forms_and_normalizes_them() {
    let phone = |p: &str| parse_contact(Some(p), None);
    let mail = |e: &str| parse_contact(None, Some(e));
    assert_eq!(phone("88112233"), Ok(Contact::Phone("88112233".into())));
    assert_eq!(phone("8811-2233"), Ok(Contact::Phone("88112233".into())));
    assert_eq!(
        phone(" +976 8811 2233 "),
        Ok(Contact::Phone("+97688112233".into()))
    );
    assert_eq!(
        phone("+1-202-555-0147"),
        Ok(Contact::Phone("+12025550147".into()))
    );
    assert_eq!(
        phone("123456789012345"),
        Ok(Contact::Phone("123456789012345".into()))
    );
    assert_eq!(
        mail(" Bat.Dorj@Example.MN "),
        Ok(Contact::Email("Bat.Dorj@example.mn".into()))
    );
    assert_eq!(
        mail("a+b@sub.example.mn"),
        Ok(Contact::Email("a+b@sub.example.mn".into()))
    );
    // A blank one counts as not given.
    assert_eq!(
        parse_contact(Some(" "), Some(ADDRESS)),
        Ok(Contact::Email(ADDRESS.into()))
    );
}

#[test]
fn parse_contact_refuses_what_cannot_be_reached_without_repeating_it() {
    let refused = [
        (None, None),
        (Some(""), Some("")),
        (Some("88112233"), Some(ADDRESS)),
        (Some("8811223"), None),
        (Some("1234567890123456"), None),
        (Some("8811 22a3"), None),
        (Some("+ 976 8811 2233 +"), None),
        (Some("(976) 88112233"), None),
        (Some("++97688112233"), None),
        (None, Some("bat.example.mn")),
        (None, Some("bat@@example.mn")),
        (None, Some("bat@dorj@example.mn")),
        (None, Some("@example.mn")),
        (None, Some("bat@")),
        (None, Some("bat@localhost")),
        (None, Some("bat@example..mn")),
        (None, Some("bat@.example.mn")),
        (None, Some("bat dorj@example.mn")),
        (None, Some("bat\u{7}@example.mn")),
        (None, Some("bat\n@example.mn")),
    ];
    for (p, e) in refused {
        let err = parse_contact(p, e).unwrap_err();
        for given in [p, e].into_iter().flatten().filter(|s| s.len() > 3) {
            assert!(!err.contains(given.trim()), "{err} repeats {given}");
        }
    }
    let long = format!("{}@example.mn", "a".repeat(250));
    assert!(parse_contact(None, Some(&long)).is_err());
}

#[test]
fn from_lookup_refuses_malformed_settings_and_names_the_variable() {
    let refused = |pairs: &[(&str, &str)], var: &str| {
        let e = config(pairs).unwrap_err();
        assert!(e.contains(var), "{e:?} does not name {var}");
        e
    };
    for url in [
        "not a url",
        "ftp://sms.example.mn/",
        "sms.example.mn/send",
        "http://user:pw@sms.example.mn/",
    ] {
        let e = refused(&[("SANAL_SMS_GATEWAY_URL", url)], "SANAL_SMS_GATEWAY_URL");
        assert!(!e.contains("pw@"), "{e}");
    }
    let gw = ("SANAL_SMS_GATEWAY_URL", "https://sms.example.mn/send");
    for header in [
        "Bearer s3cr3t-token",
        "Authorization:",
        "Bad Name: s3cr3t-token",
        "X-Key: s3cr3t\u{1}",
    ] {
        let e = refused(
            &[gw, ("SANAL_SMS_GATEWAY_AUTH_HEADER", header)],
            "SANAL_SMS_GATEWAY_AUTH_HEADER",
        );
        assert!(!e.contains("s3cr3t"), "{e}");
    }
    refused(
        &[gw, ("SANAL_SMS_GATEWAY_BODY", r#"{"to":"{to}"}"#)],
        "SANAL_SMS_GATEWAY_BODY",
    );
    refused(
        &[gw, ("SANAL_SMS_GATEWAY_TIMEOUT_SECS", "soon")],
        "SANAL_SMS_GATEWAY_TIMEOUT_SECS",
    );
    refused(
        &[("SANAL_SMTP_URL", "http://mail.example.mn")],
        "SANAL_SMTP_URL",
    );
    refused(
        &[
            (
                "SANAL_SMTP_URL",
                "smtp://mailer:pass-secret@mail.example.mn:25",
            ),
            ("SANAL_SMTP_FROM", "no-reply@sanal.gov.mn"),
        ],
        "SANAL_SMTP_URL",
    );
    refused(
        &[("SANAL_SMTP_URL", "smtps://mail.example.mn")],
        "SANAL_SMTP_FROM",
    );
    refused(
        &[
            ("SANAL_SMTP_URL", "smtps://mail.example.mn"),
            ("SANAL_SMTP_FROM", "Sanal no-reply"),
        ],
        "SANAL_SMTP_FROM",
    );
}

#[test]
fn blank_settings_count_as_unset_and_every_variable_is_listed() {
    let c = config(&[("SANAL_SMS_GATEWAY_URL", " "), ("SANAL_SMTP_URL", "")]).unwrap();
    assert!(!c.sms_enabled() && !c.email_enabled());
    let names: Vec<&str> = VARIABLES.iter().map(|(n, _)| *n).collect();
    for n in [
        "SANAL_SMS_GATEWAY_URL",
        "SANAL_SMS_GATEWAY_AUTH_HEADER",
        "SANAL_SMS_GATEWAY_BODY",
        "SANAL_SMS_GATEWAY_CONTENT_TYPE",
        "SANAL_SMS_GATEWAY_TIMEOUT_SECS",
        "SANAL_SMTP_URL",
        "SANAL_SMTP_FROM",
    ] {
        assert!(names.contains(&n), "{n}");
    }
}
