//! E-mail through an SMTP server (lettre), one connection per message.

use super::DeliveryError;
use super::config::SmtpConfig;
use super::scrub::scrub;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::extension::ClientId;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

pub(super) struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpSender {
    pub(super) fn new(cfg: &SmtpConfig) -> Result<Self, String> {
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(&cfg.url)
            .map_err(|_| "SANAL_SMTP_URL is not a mail server address lettre can use".to_owned())?
            .timeout(Some(cfg.timeout));
        if !cfg.url_has_hello_name {
            builder = builder.hello_name(ClientId::Domain(cfg.from.email.domain().to_owned()));
        }
        Ok(Self {
            transport: builder.build(),
            from: cfg.from.clone(),
        })
    }

    /// Sends a plain-text message to `address` (normalized).
    pub(super) async fn send(
        &self,
        address: &str,
        subject: &str,
        text: &str,
    ) -> Result<(), DeliveryError> {
        let to: Address = address
            .parse()
            .map_err(|_| DeliveryError::permanent("the e-mail address cannot be sent to"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(None, to))
            .subject(subject)
            .message_id(Some(format!(
                "<{}@{}>",
                uuid::Uuid::new_v4(),
                self.from.email.domain()
            )))
            .header(ContentType::TEXT_PLAIN)
            .body(text.to_owned())
            .map_err(|e| DeliveryError::permanent(format!("e-mail not built: {e}")))?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) => Err(classify(&e, address, &[address, text])),
        }
    }
}

/// A `5xx` reply will come again, and so will a non-ASCII address to a server without
/// SMTPUTF8. A `4xx` reply, connection, TLS and time-out failures, and the client's
/// other refusals (settings that don't fit the server: no STARTTLS, no common AUTH
/// mechanism) may pass later.
fn classify(e: &lettre::transport::smtp::Error, address: &str, secrets: &[&str]) -> DeliveryError {
    let retryable = !(e.is_permanent() || (e.is_client() && !address.is_ascii()));
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let s = cause.to_string();
        // lettre's Display already ends with its first cause.
        if !text.ends_with(&s) {
            text.push_str(": ");
            text.push_str(&s);
        }
        source = cause.source();
    }
    DeliveryError {
        retryable,
        message: format!("mail server: {}", scrub(&text, secrets)),
    }
}
