//! SMS through an HTTP gateway: one `POST` of a body made from a template.

use super::DeliveryError;
use super::config::{Escaping, SmsConfig};
use super::scrub::scrub;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, HeaderName, HeaderValue, USER_AGENT};
use hyper::{Request, StatusCode, Uri};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use std::time::Duration;

/// Most of a gateway's answer read (the rest is left unread).
const MAX_ANSWER_BYTES: usize = 16 * 1024;

/// How long an idle connection to the gateway is kept for the next message.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

pub(super) struct SmsGateway {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    uri: Uri,
    auth_header: Option<(HeaderName, HeaderValue)>,
    body: String,
    content_type: HeaderValue,
    escaping: Escaping,
    timeout: Duration,
}

impl SmsGateway {
    pub(super) fn new(cfg: &SmsConfig) -> Result<Self, String> {
        let uri = cfg
            .url
            .as_str()
            .parse::<Uri>()
            .map_err(|_| "SANAL_SMS_GATEWAY_URL is not a valid URL".to_owned())?;
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(cfg.timeout));
        http.set_nodelay(true);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
            .map_err(|e| format!("TLS set-up for the SMS gateway failed: {e}"))?
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(IDLE_TIMEOUT)
            .build(https);
        Ok(Self {
            client,
            uri,
            auth_header: cfg.auth_header.clone(),
            body: cfg.body.clone(),
            content_type: cfg.content_type.clone(),
            escaping: cfg.escaping,
            timeout: cfg.timeout,
        })
    }

    /// Posts `text` for `phone` (normalized) and reads the status.
    pub(super) async fn send(&self, phone: &str, text: &str) -> Result<(), DeliveryError> {
        let body = render(&self.body, phone, text, self.escaping);
        let mut request = Request::post(self.uri.clone())
            .header(CONTENT_TYPE, self.content_type.clone())
            .header(USER_AGENT, concat!("sanal/", env!("CARGO_PKG_VERSION")))
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| DeliveryError::permanent(format!("SMS request not built: {e}")))?;
        if let Some((name, value)) = &self.auth_header {
            request.headers_mut().insert(name.clone(), value.clone());
        }
        let exchange = async {
            let response = self.client.request(request).await?;
            let status = response.status();
            // Read (some of) the answer, so the connection can serve the next message
            // and a refusal can say why; a broken answer body changes nothing.
            let answer = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            Ok::<_, hyper_util::client::legacy::Error>((status, answer))
        };
        let secrets = [phone, phone.trim_start_matches('+'), text];
        match tokio::time::timeout(self.timeout, exchange).await {
            Err(_) => Err(DeliveryError::retryable(format!(
                "SMS gateway gave no answer within {} s",
                self.timeout.as_secs()
            ))),
            Ok(Err(e)) => Err(DeliveryError::retryable(format!(
                "SMS gateway not reached: {}",
                scrub(&error_chain(&e), &secrets)
            ))),
            Ok(Ok((status, answer))) => outcome(status, &answer, &secrets),
        }
    }
}

/// 2xx is sent; 408, 429 and 5xx may pass later; anything else will not.
fn outcome(status: StatusCode, answer: &[u8], secrets: &[&str]) -> Result<(), DeliveryError> {
    if status.is_success() {
        return Ok(());
    }
    let excerpt = scrub(&String::from_utf8_lossy(answer), secrets);
    let mut message = format!("SMS gateway answered {status}");
    if !excerpt.is_empty() {
        message.push_str(": ");
        message.push_str(&excerpt);
    }
    let retryable = status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
        || status.is_server_error();
    Err(DeliveryError { retryable, message })
}

/// An error and its causes, `a: b: c`.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        s.push_str(": ");
        s.push_str(&cause.to_string());
        source = cause.source();
    }
    s
}

/// The template with `{to}` and `{text}` replaced in one pass (a value that itself
/// holds `{text}` is not replaced again).
pub(super) fn render(template: &str, to: &str, text: &str, escaping: Escaping) -> String {
    let mut out = String::with_capacity(template.len() + to.len() + text.len() * 2);
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("{to}") {
            out.push_str(&escape(to, escaping));
            rest = after;
        } else if let Some(after) = tail.strip_prefix("{text}") {
            out.push_str(&escape(text, escaping));
            rest = after;
        } else {
            out.push('{');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

fn escape(value: &str, escaping: Escaping) -> String {
    match escaping {
        Escaping::Raw => value.to_owned(),
        Escaping::Json => {
            // A JSON string, less its quotes. Serializing a `str` cannot fail; the
            // fallback is never taken.
            let quoted = serde_json::to_string(value).unwrap_or_default();
            quoted
                .strip_prefix('"')
                .and_then(|q| q.strip_suffix('"'))
                .unwrap_or_default()
                .to_owned()
        }
        Escaping::Form => {
            let mut out = String::with_capacity(value.len() * 3);
            for b in value.bytes() {
                if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                    out.push(char::from(b));
                } else {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_replaced_once() {
        assert_eq!(
            render("to={to}&m={text}&x={y}", "+976", "{to} a&b", Escaping::Form),
            "to=%2B976&m=%7Bto%7D%20a%26b&x={y}"
        );
        assert_eq!(
            render(
                r#"{"to":"{to}","text":"{text}"}"#,
                "1",
                "\"{text}\"\n",
                Escaping::Json
            ),
            r#"{"to":"1","text":"\"{text}\"\n"}"#
        );
    }

    #[test]
    fn statuses_are_sorted_into_retryable_and_permanent() {
        let r = |code: u16| outcome(StatusCode::from_u16(code).unwrap(), b"", &[]);
        assert!(r(200).is_ok() && r(202).is_ok());
        for code in [408, 429, 500, 502, 503] {
            assert!(r(code).unwrap_err().retryable, "{code}");
        }
        for code in [301, 400, 401, 403, 404, 422] {
            assert!(!r(code).unwrap_err().retryable, "{code}");
        }
    }
}
