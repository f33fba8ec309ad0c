//! Delivering a rendered [`Message`]: SMTP, one `.eml` file per message, or stdout.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::render::Message;
use crate::config::{EmailConfig, TlsMode, TransportKind};

/// How long one SMTP delivery (connect, TLS, AUTH, the message, QUIT) may take in all.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a message was not delivered.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("email config: {0}")]
    Config(String),
    #[error("invalid email address {address:?}: {source}")]
    Address {
        address: String,
        source: lettre::address::AddressError,
    },
    #[error("SMTP password: {0}")]
    Password(#[from] crate::config::ConfigError),
    #[error("cannot read CA certificate file {}: {source}", path.display())]
    CaFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("TLS setup for {host}: {source}")]
    Tls {
        host: String,
        source: lettre::transport::smtp::Error,
    },
    #[error("cannot build the message: {0}")]
    Build(#[from] lettre::error::Error),
    /// The SMTP conversation failed; lettre's message carries the server's reply code and text
    /// (e.g. `permanent error (535): Invalid credentials`) or the connection error.
    #[error("SMTP server {host}:{port}: {source}")]
    Smtp {
        host: String,
        port: u16,
        source: lettre::transport::smtp::Error,
    },
    /// lettre's own timeout covers only the TCP connect: a server that accepts and then stays
    /// silent would hang the send forever without this.
    #[error("SMTP server {host}:{port}: no complete reply within {}s", after.as_secs_f64())]
    Timeout {
        host: String,
        port: u16,
        after: Duration,
    },
    #[error("cannot write message file {}: {source}", path.display())]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write the message to stdout: {0}")]
    Stdout(std::io::Error),
}

/// Delivers one message through the configured transport, under a new Message-ID.
pub async fn send(cfg: &EmailConfig, msg: &Message) -> Result<(), SendError> {
    send_with_timeout(cfg, msg, SMTP_TIMEOUT).await
}

/// [`send`] with another bound on an SMTP delivery than [`SMTP_TIMEOUT`].
pub async fn send_with_timeout(
    cfg: &EmailConfig,
    msg: &Message,
    timeout: Duration,
) -> Result<(), SendError> {
    send_as(cfg, msg, None, timeout).await
}

/// Delivers one message under the Message-ID `message_id` (a new one when `None`): the outbox
/// sends every attempt of a message under the Message-ID it stored when it claimed it, so a
/// message resent after a crash is recognisably the same message.
pub async fn send_as(
    cfg: &EmailConfig,
    msg: &Message,
    message_id: Option<&str>,
    timeout: Duration,
) -> Result<(), SendError> {
    if msg.to.is_empty() {
        return Err(SendError::Config("the message has no recipients".into()));
    }
    match cfg.transport {
        TransportKind::Smtp => send_smtp(cfg, msg, message_id, timeout).await,
        TransportKind::File => {
            let dir = cfg
                .path
                .as_deref()
                .ok_or_else(|| SendError::Config("transport = \"file\" needs `path`".into()))?;
            write_eml(dir, &build_as(cfg, msg, message_id)?).map(|_| ())
        }
        TransportKind::Stdout => print_stdout(cfg, msg),
    }
}

fn mailbox(address: &str) -> Result<Mailbox, SendError> {
    address.trim().parse().map_err(|source| SendError::Address {
        address: address.to_string(),
        source,
    })
}

/// A new Message-ID on the domain of `from` (`localhost` if it is not an address).
pub fn new_message_id(from: &str) -> String {
    match mailbox(from) {
        Ok(m) => message_id(&m),
        Err(_) => message_id(&Mailbox::new(
            None,
            "watchkeeper@localhost".parse().expect("a valid address"),
        )),
    }
}

/// A unique Message-ID on the sender's domain: time, process and a counter make it unique
/// without a random source.
fn message_id(from: &Mailbox) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "<{nanos}.{}.{}.watchkeeper@{}>",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        from.email.domain()
    )
}

/// The RFC 5322 message: multipart/alternative with the text part first (the least preferred);
/// with attachments, multipart/mixed of that and the files.
pub fn build(cfg: &EmailConfig, msg: &Message) -> Result<lettre::Message, SendError> {
    build_as(cfg, msg, None)
}

/// [`build`] under the Message-ID `message_id` (a new one when `None`).
pub fn build_as(
    cfg: &EmailConfig,
    msg: &Message,
    message_id: Option<&str>,
) -> Result<lettre::Message, SendError> {
    let from = mailbox(&cfg.from)?;
    let id = message_id.map_or_else(|| self::message_id(&from), str::to_string);
    let mut builder = lettre::Message::builder()
        .message_id(Some(id))
        .from(from)
        .subject(msg.subject.clone())
        .date_now();
    for to in &msg.to {
        builder = builder.to(mailbox(to)?);
    }
    let body = MultiPart::alternative()
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(crlf(&msg.text)),
        )
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .body(crlf(&msg.html)),
        );
    if msg.attachments.is_empty() {
        return Ok(builder.multipart(body)?);
    }
    let mut mixed = MultiPart::mixed().multipart(body);
    for a in &msg.attachments {
        let content_type = ContentType::parse(&a.content_type).map_err(|e| {
            SendError::Config(format!(
                "attachment {}: content type {:?}: {e}",
                a.filename, a.content_type
            ))
        })?;
        mixed = mixed.singlepart(
            lettre::message::Attachment::new(a.filename.clone()).body(crlf(&a.body), content_type),
        );
    }
    Ok(builder.multipart(mixed)?)
}

/// `s` with every line ending CRLF, as a mail body needs, in one pass. lettre would do it
/// too, but by inserting each `\r` in place, which moves the rest of the text every time: a
/// body of n lines took time n × its size (most of a first load's 9,162-alert digest).
fn crlf(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 32);
    let mut previous = '\0';
    for c in s.chars() {
        if c == '\n' && previous != '\r' {
            out.push('\r');
        }
        out.push(c);
        previous = c;
    }
    out
}

/// The SMTP password from `password_file`, else the variable named by `password_env`, else
/// systemd's `$CREDENTIALS_DIRECTORY/smtp-password`.
// Kept private here while the config module grows its own resolver; to be unified with it.
fn tls_parameters(cfg: &EmailConfig, host: &str) -> Result<TlsParameters, SendError> {
    let mut builder = TlsParameters::builder(host.to_string());
    if let Some(path) = &cfg.ca_file {
        let pem = std::fs::read(path).map_err(|source| SendError::CaFile {
            path: path.clone(),
            source,
        })?;
        let cert = Certificate::from_pem(&pem).map_err(|source| SendError::Tls {
            host: host.to_string(),
            source,
        })?;
        builder = builder.add_root_certificate(cert);
    }
    builder.build_rustls().map_err(|source| SendError::Tls {
        host: host.to_string(),
        source,
    })
}

async fn send_smtp(
    cfg: &EmailConfig,
    msg: &Message,
    message_id: Option<&str>,
    timeout: Duration,
) -> Result<(), SendError> {
    let host = cfg
        .host
        .clone()
        .ok_or_else(|| SendError::Config("transport = \"smtp\" needs `host`".into()))?;
    let port = cfg.port.unwrap_or(match cfg.tls {
        TlsMode::Starttls => 587,
        TlsMode::Tls => 465,
        TlsMode::None => 25,
    });
    if cfg.tls == TlsMode::None && !is_loopback(&host) {
        return Err(SendError::Config(format!(
            "tls = \"none\" sends the password and alerts in clear text; it is allowed only \
             for a relay on this machine (localhost, 127.0.0.1, ::1), not {host}"
        )));
    }
    let tls = match cfg.tls {
        TlsMode::Starttls => Tls::Required(tls_parameters(cfg, &host)?),
        TlsMode::Tls => Tls::Wrapper(tls_parameters(cfg, &host)?),
        TlsMode::None => Tls::None,
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.clone())
        .port(port)
        .tls(tls)
        .timeout(Some(timeout));
    if let Some(user) = &cfg.username {
        let pass = crate::config::resolve_password(cfg)?.unwrap_or_default();
        builder = builder.credentials(Credentials::new(user.clone(), pass));
    }
    let transport = builder.build::<Tokio1Executor>();
    let email = build_as(cfg, msg, message_id)?;
    // lettre turns every negative reply into an error, so a returned response is a success.
    match tokio::time::timeout(timeout, transport.send(email)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(source)) => Err(SendError::Smtp { host, port, source }),
        Err(_) => Err(SendError::Timeout {
            host,
            port,
            after: timeout,
        }),
    }
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Writes the message as `<time>-<message id>.eml` into `dir`, through a hidden temporary name
/// and a rename, so a reader of the folder never sees half a file. Returns the file's path.
pub fn write_eml(dir: &Path, email: &lettre::Message) -> Result<PathBuf, SendError> {
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SendError::File { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    let id: String = email
        .headers()
        .get_raw("Message-ID")
        .unwrap_or("message")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'))
        .collect();
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.6fZ");
    let name = format!("{stamp}-{id}.eml");
    let final_path = dir.join(&name);
    let tmp_path = dir.join(format!(".{name}.tmp"));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp_path)?;
        f.write_all(&email.formatted())?;
        f.sync_all()
    };
    if let Err(e) = write() {
        let _ = std::fs::remove_file(&tmp_path);
        return Err(io_err(&tmp_path)(e));
    }
    std::fs::rename(&tmp_path, &final_path).map_err(io_err(&final_path))?;
    Ok(final_path)
}

fn print_stdout(cfg: &EmailConfig, msg: &Message) -> Result<(), SendError> {
    let mut text = format!(
        "From: {}\nTo: {}\nSubject: {}\nDate: {}\n\n{}\n",
        cfg.from,
        msg.to.join(", "),
        msg.subject,
        chrono::Local::now().to_rfc2822(),
        msg.text
    );
    // A terminal is no place for a file of thousands of rows: it is named, not printed.
    for a in &msg.attachments {
        text.push_str(&format!(
            "[attachment {} ({}, {} bytes) not printed; the file and smtp transports carry it]\n",
            a.filename,
            a.content_type,
            a.body.len()
        ));
    }
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .map_err(SendError::Stdout)
}
