//! Stand-ins for the outside services Sanal delivers through, on 127.0.0.1 port 0,
//! with tokio and std only: an HTTP SMS gateway and an SMTP server. Each records what
//! it received and can be told to refuse the next requests. They run on the test's
//! runtime and stop with it.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One request the SMS gateway received.
#[derive(Clone, Debug)]
pub struct HttpRequest {
    pub method: String,
    pub path: String,
    /// Names lower-cased, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// The first header of that name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn body_text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }
}

#[derive(Default)]
struct GatewayState {
    requests: Vec<HttpRequest>,
    /// Statuses for the next requests, first first; 200 when empty.
    statuses: VecDeque<u16>,
}

/// An HTTP/1.1 server that records every request and answers 200 `{"ok":true}`,
/// or the statuses it was told to give.
pub struct FakeSmsGateway {
    addr: std::net::SocketAddr,
    state: Arc<Mutex<GatewayState>>,
}

impl FakeSmsGateway {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(GatewayState::default()));
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve_http(stream, shared.clone()));
            }
        });
        Self { addr, state }
    }

    /// The gateway's address with the path `/send`.
    pub fn url(&self) -> String {
        format!("http://{}/send", self.addr)
    }

    /// Answers the next `n` requests with `status` (after any already queued).
    pub fn fail_next(&self, n: usize, status: u16) {
        let mut s = self.state.lock().unwrap();
        s.statuses.extend(std::iter::repeat_n(status, n));
    }

    /// Everything received so far.
    pub fn requests(&self) -> Vec<HttpRequest> {
        self.state.lock().unwrap().requests.clone()
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        408 => "Request Timeout",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}

/// Serves requests on one connection until the client closes it.
async fn serve_http(stream: TcpStream, state: Arc<Mutex<GatewayState>>) {
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_owned();
        let path = parts.next().unwrap_or_default().to_owned();
        let mut headers = vec![];
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).await.unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end_matches(['\r', '\n']);
            if h.is_empty() {
                break;
            }
            if let Some((n, v)) = h.split_once(':') {
                headers.push((n.trim().to_ascii_lowercase(), v.trim().to_owned()));
            }
        }
        let length: usize = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        let status = {
            let mut s = state.lock().unwrap();
            s.requests.push(HttpRequest {
                method,
                path,
                headers,
                body,
            });
            s.statuses.pop_front().unwrap_or(200)
        };
        let answer = if status == 200 {
            r#"{"ok":true}"#.to_owned()
        } else {
            // A gateway may repeat what it was sent; the adapter must not pass it on.
            let last = state.lock().unwrap().requests.last().unwrap().body_text();
            format!("refused: {last}")
        };
        let response = format!(
            "HTTP/1.1 {status} {}\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n\r\n{answer}",
            reason(status),
            answer.len()
        );
        if reader
            .get_mut()
            .write_all(response.as_bytes())
            .await
            .is_err()
        {
            return;
        }
    }
}

/// One message the SMTP server accepted.
#[derive(Clone, Debug)]
pub struct SmtpMessage {
    /// The `MAIL FROM` address, without brackets or parameters.
    pub from: String,
    /// The accepted `RCPT TO` addresses.
    pub recipients: Vec<String>,
    /// What came after `DATA`, dot-unstuffed, without the final `.` line.
    pub data: String,
}

#[derive(Default)]
struct SmtpState {
    messages: Vec<SmtpMessage>,
    /// Replies for the next `RCPT TO` commands (e.g. 550, 451), first first.
    rcpt_refusals: VecDeque<u16>,
}

/// An SMTP server speaking just enough for a client: greeting, EHLO/HELO, MAIL, RCPT,
/// DATA, RSET, NOOP, QUIT. No extensions are offered, so a client must send 7-bit
/// messages without STARTTLS or AUTH.
pub struct FakeSmtp {
    addr: std::net::SocketAddr,
    state: Arc<Mutex<SmtpState>>,
}

impl FakeSmtp {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(SmtpState::default()));
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve_smtp(stream, shared.clone()));
            }
        });
        Self { addr, state }
    }

    /// `127.0.0.1:PORT`.
    pub fn host_port(&self) -> String {
        self.addr.to_string()
    }

    /// Refuses the next `n` `RCPT TO` with `code` (550: permanent, 451: try later).
    pub fn refuse_next_rcpt(&self, n: usize, code: u16) {
        let mut s = self.state.lock().unwrap();
        s.rcpt_refusals.extend(std::iter::repeat_n(code, n));
    }

    /// Every message accepted so far.
    pub fn messages(&self) -> Vec<SmtpMessage> {
        self.state.lock().unwrap().messages.clone()
    }
}

/// The address inside `<…>` of a `MAIL FROM:` or `RCPT TO:` argument.
fn path_of(arg: &str) -> String {
    let start = arg.find('<').map_or(0, |i| i + 1);
    let end = arg[start..].find('>').map_or(arg.len(), |i| start + i);
    arg[start..end].to_owned()
}

async fn serve_smtp(stream: TcpStream, state: Arc<Mutex<SmtpState>>) {
    let mut reader = BufReader::new(stream);
    macro_rules! reply {
        ($text:expr) => {
            if reader
                .get_mut()
                .write_all(format!("{}\r\n", $text).as_bytes())
                .await
                .is_err()
            {
                return;
            }
        };
    }
    reply!("220 fake.smtp.test ESMTP ready");
    let mut from: Option<String> = None;
    let mut recipients: Vec<String> = vec![];
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end_matches(['\r', '\n']);
        let upper = line.to_ascii_uppercase();
        let verb = upper.split_whitespace().next().unwrap_or_default();
        match verb {
            "EHLO" | "HELO" => {
                from = None;
                recipients.clear();
                reply!("250 fake.smtp.test");
            }
            "MAIL" if upper.starts_with("MAIL FROM:") => {
                from = Some(path_of(&line["MAIL FROM:".len()..]));
                recipients.clear();
                reply!("250 2.1.0 Ok");
            }
            "RCPT" if upper.starts_with("RCPT TO:") => {
                let to = path_of(&line["RCPT TO:".len()..]);
                if from.is_none() {
                    reply!("503 5.5.1 MAIL first");
                    continue;
                }
                let refusal = state.lock().unwrap().rcpt_refusals.pop_front();
                match refusal {
                    // Servers name the address they refuse; the adapter must not
                    // pass it on.
                    Some(code) if code >= 500 => {
                        reply!(format!("{code} 5.1.1 <{to}>: Recipient address rejected"));
                    }
                    Some(code) => {
                        reply!(format!("{code} 4.3.0 <{to}>: Try again later"));
                    }
                    None => {
                        recipients.push(to);
                        reply!("250 2.1.5 Ok");
                    }
                }
            }
            "DATA" => {
                if from.is_none() || recipients.is_empty() {
                    reply!("554 5.5.1 No valid recipients");
                    continue;
                }
                reply!("354 End data with <CR><LF>.<CR><LF>");
                let mut data = String::new();
                loop {
                    let mut l = String::new();
                    if reader.read_line(&mut l).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if l == ".\r\n" || l == ".\n" {
                        break;
                    }
                    let l = l.strip_prefix('.').unwrap_or(&l);
                    data.push_str(l);
                }
                state.lock().unwrap().messages.push(SmtpMessage {
                    from: from.take().unwrap_or_default(),
                    recipients: std::mem::take(&mut recipients),
                    data,
                });
                reply!("250 2.0.0 Ok: queued");
            }
            "RSET" => {
                from = None;
                recipients.clear();
                reply!("250 2.0.0 Ok");
            }
            "NOOP" => reply!("250 2.0.0 Ok"),
            "QUIT" => {
                reply!("221 2.0.0 Bye");
                return;
            }
            _ => reply!("502 5.5.2 Command not recognized"),
        }
    }
}

/// Delivery settings that send SMS through the fake gateway at `url` (no e-mail).
pub fn sms_config(url: &str) -> sanal::delivery::DeliveryConfig {
    let url = url.to_owned();
    sanal::delivery::DeliveryConfig::from_lookup(&|k: &str| {
        (k == "SANAL_SMS_GATEWAY_URL").then(|| url.clone())
    })
    .expect("a valid gateway URL")
}
