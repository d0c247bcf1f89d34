//! Sending a citizen their survey link, by SMS or e-mail, from Sanal itself: when an
//! institution's front-office system reports a delivered service, the institution never
//! sees the link.
//!
//! This module is the adapters only: [`Deliverer::send`] makes one attempt at one
//! [`Outgoing`] message and says whether a failure is worth retrying
//! ([`DeliveryError::retryable`]). Queueing, retries and back-off belong to the caller.
//!
//! # Settings
//!
//! Read by [`DeliveryConfig::from_lookup`] (the environment, or a map in tests). A blank
//! value counts as unset. A malformed value is refused with a message naming the
//! variable (and never repeating a secret).
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `SANAL_SMS_GATEWAY_URL` | unset: SMS off | `http://` or `https://` address the SMS gateway takes a `POST` on. No `user:password@`: put credentials in the auth header. |
//! | `SANAL_SMS_GATEWAY_AUTH_HEADER` | unset | One extra request header, written `Name: value`, e.g. `Authorization: Bearer xyz` or `X-Api-Key: xyz`. |
//! | `SANAL_SMS_GATEWAY_BODY` | `{"to":"{to}","text":"{text}"}` | The request body. `{to}` becomes the phone number as [`parse_contact`] normalized it (digits, with a leading `+` when one was given); `{text}` becomes the message. Both must appear. |
//! | `SANAL_SMS_GATEWAY_CONTENT_TYPE` | `application/json` | The body's `Content-Type`. When it contains `json`, the substituted values are escaped as JSON string contents (the template supplies the quotes); when it is `application/x-www-form-urlencoded`, they are percent-encoded (UTF-8, space as `%20`); otherwise they are inserted as they are. |
//! | `SANAL_SMS_GATEWAY_TIMEOUT_SECS` | `10` | Limit of one attempt, connection included (1–300). |
//! | `SANAL_SMTP_URL` | unset: e-mail off | The mail server: `smtp://HOST:PORT` (plain, port 25 by default: a local relay or tests), `smtp://HOST:587?tls=required` (STARTTLS, refused without it), `smtp://HOST:587?tls=opportunistic`, or `smtps://HOST:465` (TLS from the start). Credentials go before the host, percent-encoded: `smtp://USER:PASSWORD@mail.example.mn:587?tls=required`; they are refused on a plain connection to anything but this machine. A path sets the name Sanal greets with (`EHLO`): `smtps://mail.example.mn/sanal.gov.mn` (default: the domain of `SANAL_SMTP_FROM`). |
//! | `SANAL_SMTP_FROM` | required with `SANAL_SMTP_URL` | The sender, `Sanal <no-reply@sanal.gov.mn>` or a bare address; its domain also names the `Message-ID`. |
//! | `SANAL_SMTP_TIMEOUT_SECS` | `30` | Limit of each exchange with the mail server (1–300). |
//!
//! TLS (for `https://` and the mail server) is rustls with the Mozilla root
//! certificates built in, so the runtime image needs no CA bundle; a server whose
//! certificate chains to a private CA is refused.
//!
//! # Outcomes
//!
//! - SMS: success is any `2xx` answer. `408`, `429`, `5xx`, a refused or broken
//!   connection and a time-out are retryable; any other answer (other `4xx`, `3xx`:
//!   redirects are not followed) is permanent.
//! - E-mail: success is the server accepting the message (`250` after `DATA`). A
//!   `5xx` reply (e.g. `550` to `RCPT`) is permanent, a `4xx` reply (e.g. `451`),
//!   connection, TLS and time-out failures are retryable. An address that cannot be
//!   sent to is permanent.
//! - A channel that is not configured is a permanent error: check
//!   [`Deliverer::can_send`] before accepting a contact.
//!
//! [`DeliveryError::message`] never contains the phone number, the address, the text
//! (and so the link) or a credential: text the remote side sent back is cut short and
//! scrubbed of anything that looks like one, so the message can be stored and shown
//! to staff.
//!
//! # Wiring
//!
//! [`Deliverer::new`] needs no runtime; [`Deliverer::send`] must run on a Tokio
//! runtime with I/O and time enabled (`#[tokio::main]`, actix-rt, `tokio::spawn`). Its
//! future is `Send`. Clones share one HTTP connection pool.

mod config;
mod email;
mod scrub;
mod sms;

pub use config::{DeliveryConfig, VARIABLES};

use std::fmt;
use std::sync::Arc;

/// How a citizen is reached: a normalized phone number or e-mail address (see
/// [`parse_contact`]). `Debug` never shows the number or the address.
#[derive(Clone, PartialEq, Eq)]
pub enum Contact {
    /// Digits, with a leading `+` when one was given (`88112233`, `+97688112233`).
    Phone(String),
    /// `local@domain`, the domain lower-cased.
    Email(String),
}

impl Contact {
    /// `"sms"` or `"email"`: the channel, for logs and metrics.
    pub fn channel(&self) -> &'static str {
        match self {
            Contact::Phone(_) => "sms",
            Contact::Email(_) => "email",
        }
    }
}

impl fmt::Debug for Contact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Contact::Phone(_) => f.write_str("Phone(<redacted>)"),
            Contact::Email(_) => f.write_str("Email(<redacted>)"),
        }
    }
}

/// One message to one citizen. The subject is used by e-mail only. `Debug` shows the
/// subject but neither the contact nor the text (it holds the link).
#[derive(Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub contact: Contact,
    pub subject: String,
    pub text: String,
}

impl fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Outgoing")
            .field("contact", &self.contact)
            .field("subject", &self.subject)
            .field(
                "text",
                &format_args!("<{} chars>", self.text.chars().count()),
            )
            .finish()
    }
}

/// Why one attempt failed. `retryable` is false for errors that another attempt would
/// meet again (a refused address, a `4xx` other than `408`/`429`, an SMTP `5xx`).
/// `message` holds no contact, text or credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryError {
    pub retryable: bool,
    pub message: String,
}

impl DeliveryError {
    /// A failure another attempt may get past.
    pub fn retryable(message: impl Into<String>) -> Self {
        Self {
            retryable: true,
            message: message.into(),
        }
    }

    /// A failure every attempt would meet.
    pub fn permanent(message: impl Into<String>) -> Self {
        Self {
            retryable: false,
            message: message.into(),
        }
    }
}

impl fmt::Display for DeliveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.retryable {
            "retryable"
        } else {
            "permanent"
        };
        write!(f, "{} ({kind})", self.message)
    }
}

impl std::error::Error for DeliveryError {}

/// Longest e-mail address accepted (RFC 5321's path limit less the brackets).
const MAX_EMAIL_LEN: usize = 254;

/// Checks a citizen's contact as an institution's system gives it and normalizes it.
/// Exactly one of `phone` and `email` must be given (a blank one counts as not given).
///
/// - phone: an optional leading `+` and 8 to 15 digits; spaces and dashes are dropped
///   (`8811-2233`, `+976 8811 2233`).
/// - email: trimmed; one `@` between a non-empty local part and a domain with a dot
///   and no empty label; at most 254 characters; no whitespace or control characters;
///   the domain is lower-cased.
///
/// The error text never repeats the value.
pub fn parse_contact(phone: Option<&str>, email: Option<&str>) -> Result<Contact, String> {
    let phone = phone.filter(|s| !s.trim().is_empty());
    let email = email.filter(|s| !s.trim().is_empty());
    match (phone, email) {
        (Some(_), Some(_)) => Err("give a phone number or an e-mail address, not both".into()),
        (None, None) => Err("a phone number or an e-mail address is required".into()),
        (Some(p), None) => parse_phone(p).map(Contact::Phone),
        (None, Some(e)) => parse_email(e).map(Contact::Email),
    }
}

fn parse_phone(raw: &str) -> Result<String, String> {
    let compact: String = raw
        .trim()
        .chars()
        .filter(|c| *c != ' ' && *c != '-')
        .collect();
    let (plus, digits) = match compact.strip_prefix('+') {
        Some(rest) => ("+", rest),
        None => ("", compact.as_str()),
    };
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(
            "a phone number has only digits, an optional leading +, spaces and dashes".into(),
        );
    }
    if !(8..=15).contains(&digits.len()) {
        return Err("a phone number has 8 to 15 digits".into());
    }
    Ok(format!("{plus}{digits}"))
}

fn parse_email(raw: &str) -> Result<String, String> {
    let s = raw.trim();
    let bad = || "an e-mail address must look like name@domain.mn".to_owned();
    if s.len() > MAX_EMAIL_LEN {
        return Err(format!(
            "an e-mail address has at most {MAX_EMAIL_LEN} characters"
        ));
    }
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("an e-mail address has no spaces or control characters".into());
    }
    let Some((local, domain)) = s.split_once('@') else {
        return Err(bad());
    };
    if local.is_empty()
        || domain.contains('@')
        || !domain.contains('.')
        || domain.split('.').any(str::is_empty)
    {
        return Err(bad());
    }
    let normalized = format!("{local}@{}", domain.to_lowercase());
    // What the mail library would refuse at sending time is refused now.
    if normalized.parse::<lettre::Address>().is_err() {
        return Err(bad());
    }
    Ok(normalized)
}

/// Sends [`Outgoing`] messages over the configured channels. Cheap to clone.
#[derive(Clone)]
pub struct Deliverer {
    inner: Arc<Channels>,
}

struct Channels {
    sms: Option<sms::SmsGateway>,
    email: Option<email::SmtpSender>,
}

impl fmt::Debug for Deliverer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Deliverer")
            .field("sms", &self.inner.sms.is_some())
            .field("email", &self.inner.email.is_some())
            .finish()
    }
}

impl Deliverer {
    /// Builds the clients of the configured channels (none opens a connection yet).
    pub fn new(cfg: &DeliveryConfig) -> Result<Self, String> {
        let sms = cfg.sms.as_ref().map(sms::SmsGateway::new).transpose()?;
        let email = cfg.smtp.as_ref().map(email::SmtpSender::new).transpose()?;
        Ok(Self {
            inner: Arc::new(Channels { sms, email }),
        })
    }

    /// Whether the channel this contact needs is configured.
    pub fn can_send(&self, contact: &Contact) -> bool {
        match contact {
            Contact::Phone(_) => self.inner.sms.is_some(),
            Contact::Email(_) => self.inner.email.is_some(),
        }
    }

    /// One attempt at delivering `msg`. The contact is checked again as
    /// [`parse_contact`] would (an invalid one is a permanent error).
    pub async fn send(&self, msg: &Outgoing) -> Result<(), DeliveryError> {
        match &msg.contact {
            Contact::Phone(raw) => {
                let Some(gateway) = &self.inner.sms else {
                    return Err(DeliveryError::permanent(
                        "SMS is not configured (SANAL_SMS_GATEWAY_URL)",
                    ));
                };
                let phone = parse_phone(raw).map_err(DeliveryError::permanent)?;
                gateway.send(&phone, &msg.text).await
            }
            Contact::Email(raw) => {
                let Some(sender) = &self.inner.email else {
                    return Err(DeliveryError::permanent(
                        "e-mail is not configured (SANAL_SMTP_URL)",
                    ));
                };
                let address = parse_email(raw).map_err(DeliveryError::permanent)?;
                sender.send(&address, &msg.subject, &msg.text).await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_normalized() {
        assert_eq!(parse_phone("8811-2233").unwrap(), "88112233");
        assert_eq!(parse_phone(" +976 8811 2233 ").unwrap(), "+97688112233");
        assert!(parse_phone("+").is_err());
        assert!(parse_phone("++97688112233").is_err());
        assert!(parse_phone("8811223").is_err());
        assert!(parse_phone("1234567890123456").is_err());
        assert!(parse_phone("8811 22a3").is_err());
    }

    #[test]
    fn email_domains_are_lower_cased_but_local_parts_kept() {
        assert_eq!(parse_email(" Bat@Gov.MN ").unwrap(), "Bat@gov.mn");
        assert!(parse_email("bat@gov..mn").is_err());
        assert!(parse_email("bat@.gov.mn").is_err());
    }
}
