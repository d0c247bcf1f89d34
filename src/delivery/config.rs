//! [`DeliveryConfig`]: the delivery settings, checked once when they are read.

use hyper::header::{HeaderName, HeaderValue};
use lettre::message::Mailbox;
use std::fmt;
use std::time::Duration;

const SMS_URL: &str = "SANAL_SMS_GATEWAY_URL";
const SMS_AUTH_HEADER: &str = "SANAL_SMS_GATEWAY_AUTH_HEADER";
const SMS_BODY: &str = "SANAL_SMS_GATEWAY_BODY";
const SMS_CONTENT_TYPE: &str = "SANAL_SMS_GATEWAY_CONTENT_TYPE";
const SMS_TIMEOUT: &str = "SANAL_SMS_GATEWAY_TIMEOUT_SECS";
const SMTP_URL: &str = "SANAL_SMTP_URL";
const SMTP_FROM: &str = "SANAL_SMTP_FROM";
const SMTP_TIMEOUT: &str = "SANAL_SMTP_TIMEOUT_SECS";

const DEFAULT_SMS_BODY: &str = r#"{"to":"{to}","text":"{text}"}"#;
const DEFAULT_SMS_CONTENT_TYPE: &str = "application/json";
const DEFAULT_SMS_TIMEOUT_SECS: &str = "10";
const DEFAULT_SMTP_TIMEOUT_SECS: &str = "30";

/// Every variable [`DeliveryConfig::from_lookup`] reads, with its default (`""`: none,
/// the channel or option is off).
pub const VARIABLES: &[(&str, &str)] = &[
    (SMS_URL, ""),
    (SMS_AUTH_HEADER, ""),
    (SMS_BODY, DEFAULT_SMS_BODY),
    (SMS_CONTENT_TYPE, DEFAULT_SMS_CONTENT_TYPE),
    (SMS_TIMEOUT, DEFAULT_SMS_TIMEOUT_SECS),
    (SMTP_URL, ""),
    (SMTP_FROM, ""),
    (SMTP_TIMEOUT, DEFAULT_SMTP_TIMEOUT_SECS),
];

/// The delivery settings (see the module documentation for the variables). `Default`
/// has both channels off. `Debug` shows no credential, no URL path or query and no
/// body template.
#[derive(Clone, Default)]
pub struct DeliveryConfig {
    pub(super) sms: Option<SmsConfig>,
    pub(super) smtp: Option<SmtpConfig>,
}

/// How values are written into the SMS body template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Escaping {
    /// JSON string contents.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// As they are.
    Raw,
}

#[derive(Clone)]
pub(super) struct SmsConfig {
    pub url: url::Url,
    pub auth_header: Option<(HeaderName, HeaderValue)>,
    pub body: String,
    pub content_type: HeaderValue,
    pub escaping: Escaping,
    pub timeout: Duration,
}

#[derive(Clone)]
pub(super) struct SmtpConfig {
    /// Checked: lettre accepts it.
    pub url: String,
    /// Whether the URL names the `EHLO` name itself.
    pub url_has_hello_name: bool,
    pub from: Mailbox,
    pub timeout: Duration,
}

impl DeliveryConfig {
    /// Reads the settings through `get` (a blank value counts as unset). The error
    /// names the variable and never repeats a secret.
    pub fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        let get = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let sms = match get(SMS_URL) {
            None => None,
            Some(url) => Some(SmsConfig {
                url: sms_url(&url)?,
                auth_header: get(SMS_AUTH_HEADER).map(|h| auth_header(&h)).transpose()?,
                body: sms_body(get(SMS_BODY).as_deref().unwrap_or(DEFAULT_SMS_BODY))?,
                content_type: HeaderValue::from_str(
                    get(SMS_CONTENT_TYPE)
                        .as_deref()
                        .unwrap_or(DEFAULT_SMS_CONTENT_TYPE)
                        .trim(),
                )
                .map_err(|_| format!("{SMS_CONTENT_TYPE} is not a valid header value"))?,
                escaping: escaping(
                    get(SMS_CONTENT_TYPE)
                        .as_deref()
                        .unwrap_or(DEFAULT_SMS_CONTENT_TYPE),
                ),
                timeout: seconds(SMS_TIMEOUT, get(SMS_TIMEOUT), DEFAULT_SMS_TIMEOUT_SECS)?,
            }),
        };
        let smtp = match get(SMTP_URL) {
            None => None,
            Some(url) => {
                let (url, url_has_hello_name) = smtp_url(&url)?;
                let from = get(SMTP_FROM)
                    .ok_or_else(|| format!("{SMTP_FROM} is required when {SMTP_URL} is set"))?;
                let from = from
                    .trim()
                    .parse::<Mailbox>()
                    .map_err(|_| format!("{SMTP_FROM} must be an address or `Name <address>`"))?;
                Some(SmtpConfig {
                    url,
                    url_has_hello_name,
                    from,
                    timeout: seconds(SMTP_TIMEOUT, get(SMTP_TIMEOUT), DEFAULT_SMTP_TIMEOUT_SECS)?,
                })
            }
        };
        Ok(Self { sms, smtp })
    }

    /// Reads the process environment.
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(&|k| std::env::var(k).ok())
    }

    /// Whether `SANAL_SMS_GATEWAY_URL` is set.
    pub fn sms_enabled(&self) -> bool {
        self.sms.is_some()
    }

    /// Whether `SANAL_SMTP_URL` is set.
    pub fn email_enabled(&self) -> bool {
        self.smtp.is_some()
    }
}

fn sms_url(raw: &str) -> Result<url::Url, String> {
    let bad = |why: &str| format!("{SMS_URL} {why}");
    let url = url::Url::parse(raw.trim()).map_err(|_| bad("is not a valid URL"))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(bad("must start with http:// or https://"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("must name a host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(&format!(
            "must not hold credentials: put them in {SMS_AUTH_HEADER}"
        )));
    }
    if url.fragment().is_some() {
        return Err(bad("must not have a #fragment"));
    }
    // The HTTP client must take it too.
    url.as_str()
        .parse::<hyper::Uri>()
        .map_err(|_| bad("is not a valid URL"))?;
    Ok(url)
}

fn auth_header(raw: &str) -> Result<(HeaderName, HeaderValue), String> {
    let bad = || format!("{SMS_AUTH_HEADER} must look like `Name: value`");
    let (name, value) = raw.split_once(':').ok_or_else(bad)?;
    let name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| bad())?;
    let value = value.trim();
    if value.is_empty() {
        return Err(bad());
    }
    let mut value = HeaderValue::from_str(value).map_err(|_| bad())?;
    value.set_sensitive(true);
    Ok((name, value))
}

fn sms_body(template: &str) -> Result<String, String> {
    for p in ["{to}", "{text}"] {
        if !template.contains(p) {
            return Err(format!("{SMS_BODY} must contain {p}"));
        }
    }
    Ok(template.to_owned())
}

fn escaping(content_type: &str) -> Escaping {
    let ct = content_type.trim().to_ascii_lowercase();
    if ct.contains("json") {
        Escaping::Json
    } else if ct.starts_with("application/x-www-form-urlencoded") {
        Escaping::Form
    } else {
        Escaping::Raw
    }
}

fn seconds(var: &str, value: Option<String>, default: &str) -> Result<Duration, String> {
    let v = value.as_deref().unwrap_or(default).trim();
    match v.parse::<u64>() {
        Ok(n @ 1..=300) => Ok(Duration::from_secs(n)),
        _ => Err(format!("{var} must be a whole number of seconds, 1 to 300")),
    }
}

/// Checks the SMTP URL as lettre reads it and refuses a password sent in clear to
/// another machine. Also says whether the URL names the `EHLO` name (its path).
fn smtp_url(raw: &str) -> Result<(String, bool), String> {
    let bad = |why: &str| format!("{SMTP_URL} {why}");
    let raw = raw.trim();
    let url = url::Url::parse(raw).map_err(|_| bad("is not a valid URL"))?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("must name a host"));
    }
    let tls = url
        .query_pairs()
        .find(|(k, _)| k == "tls")
        .map(|(_, v)| v.into_owned());
    let encrypted = match (url.scheme(), tls.as_deref()) {
        ("smtps", None) => true,
        ("smtp", Some("required")) => true,
        ("smtp", None | Some("opportunistic")) => false,
        ("smtp" | "smtps", Some(_)) => {
            return Err(bad(
                "takes ?tls=required or ?tls=opportunistic, with smtp:// only",
            ));
        }
        _ => return Err(bad("must start with smtp:// or smtps://")),
    };
    // `smtp:` is not a scheme the URL standard knows, so its host stays text.
    let loopback = url.host_str().is_some_and(|h| {
        h.eq_ignore_ascii_case("localhost")
            || h.trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|a| a.is_loopback())
    });
    if url.password().is_some() && !encrypted && !loopback {
        return Err(bad(
            "sends its password only over TLS: use smtps:// or ?tls=required",
        ));
    }
    lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(raw)
        .map_err(|_| bad("is not a mail server address lettre can use"))?;
    Ok((raw.to_owned(), url.path().len() > 1))
}

/// `scheme://host[:port]`, and `/…` when more followed: what `Debug` may show of a URL.
fn shown(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or_default();
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let more = if url.path().len() > 1 || url.query().is_some() {
        "/…"
    } else {
        ""
    };
    format!("{}://{host}{port}{more}", url.scheme())
}

impl fmt::Debug for SmsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmsConfig")
            .field("url", &shown(&self.url))
            .field(
                "auth_header",
                &self
                    .auth_header
                    .as_ref()
                    .map(|(name, _)| format!("{name}: <redacted>")),
            )
            .field(
                "body",
                &format_args!("<template of {} chars>", self.body.chars().count()),
            )
            .field("content_type", &self.content_type)
            .field("escaping", &self.escaping)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = url::Url::parse(&self.url)
            .map(|u| shown(&u))
            .unwrap_or_else(|_| "<invalid>".into());
        f.debug_struct("SmtpConfig")
            .field("url", &url)
            .field("from", &self.from.to_string())
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl fmt::Debug for DeliveryConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeliveryConfig")
            .field("sms", &self.sms)
            .field("smtp", &self.smtp)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    }

    #[test]
    fn nothing_set_means_both_channels_off() {
        let c = DeliveryConfig::from_lookup(&lookup(&[])).unwrap();
        assert!(!c.sms_enabled() && !c.email_enabled());
    }

    #[test]
    fn content_types_choose_the_escaping() {
        assert_eq!(escaping("application/json; charset=utf-8"), Escaping::Json);
        assert_eq!(
            escaping("application/x-www-form-urlencoded"),
            Escaping::Form
        );
        assert_eq!(escaping("text/plain"), Escaping::Raw);
    }

    #[test]
    fn a_password_in_clear_is_refused_except_on_this_machine() {
        let with = |url: &str| {
            DeliveryConfig::from_lookup(&lookup(&[(SMTP_URL, url), (SMTP_FROM, "a@b.mn")]))
        };
        assert!(with("smtp://u:p@mail.example.mn:587").is_err());
        assert!(with("smtp://u:p@mail.example.mn:587?tls=required").is_ok());
        assert!(with("smtps://u:p@mail.example.mn").is_ok());
        assert!(with("smtp://u:p@127.0.0.1:2525").is_ok());
        assert!(with("smtp://u:p@[::1]:2525").is_ok());
        assert!(with("smtp://u:p@localhost:2525").is_ok());
        assert!(with("smtp://mail.example.mn?tls=sometimes").is_err());
        assert!(with("smtps://mail.example.mn?tls=required").is_err());
    }

    #[test]
    fn timeouts_are_bounded() {
        let with = |v: &str| {
            DeliveryConfig::from_lookup(&lookup(&[
                (SMS_URL, "http://127.0.0.1:1/"),
                (SMS_TIMEOUT, v),
            ]))
        };
        assert!(with("0").is_err_and(|e| e.contains(SMS_TIMEOUT)));
        assert!(with("301").is_err());
        assert!(with("ten").is_err());
        assert_eq!(with("7").unwrap().sms.unwrap().timeout.as_secs(), 7);
    }
}
