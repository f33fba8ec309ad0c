//! Webhooks: alerts posted as JSON to a chat (Slack, Matrix, Teams) or any HTTPS endpoint,
//! through the same outbox as email. A message is composed from alerts ([`plan`]), claimed,
//! sent ([`send`]) and recorded by [`crate::outbox::deliver_all`], so the once-only and retry
//! rules are email's; every attempt of a message carries the same `Idempotency-Key`.

pub mod body;

use std::time::Duration;

use crate::config::{MailMode, WebhookConfig, WebhookFormat, WebhookUrl};
use crate::domain::alert::Alert;
use crate::email::Message;

/// Why a post was not delivered. Messages name the webhook and the host, never the whole
/// URL: a chat webhook's path is its secret.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("webhook {webhook}: URL {from}: {message}")]
    Url {
        webhook: String,
        from: String,
        message: String,
    },
    #[error("webhook {webhook}: token file {}: {source}", path.display())]
    Token {
        webhook: String,
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("webhook {webhook}: cannot start an HTTP client: {source}")]
    Client {
        webhook: String,
        source: reqwest::Error,
    },
    /// No answer: connection refused, TLS, or the timeout.
    #[error("webhook {webhook} ({host}): {}", one_line(source))]
    Request {
        webhook: String,
        host: String,
        source: reqwest::Error,
    },
    #[error("webhook {webhook} ({host}): HTTP {status}{}", if body.is_empty() { String::new() } else { format!(": {body}") })]
    Status {
        webhook: String,
        host: String,
        status: u16,
        body: String,
    },
}

/// reqwest's error and its causes ("error sending request …: connection refused"), on one line.
fn one_line(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        let c_text = c.to_string();
        if !text.contains(&c_text) {
            text.push_str(": ");
            text.push_str(&c_text);
        }
        cause = c.source();
    }
    text
}

/// Characters of an endpoint's error answer kept in the message's `last_error`.
const ERROR_BODY_CHARS: usize = 200;

/// The messages a webhook gets for `alerts`: one for them all (digest) or one each. A chat
/// digest is one post, whatever the number of alerts: it shows [`body::MAX_LINES`] of them
/// and counts the rest. A `json` digest of more than [`body::JSON_ALERTS`] alerts is several
/// posts of at most that many each (oldest first, the subject saying "part i of n"), so that
/// a program gets every alert and no post is unbounded.
pub fn plan(alerts: &[Alert], cfg: &WebhookConfig) -> Vec<(Vec<i64>, Message)> {
    match cfg.mode {
        MailMode::Digest
            if cfg.format == WebhookFormat::Json && alerts.len() > body::JSON_ALERTS =>
        {
            let parts = alerts.len().div_ceil(body::JSON_ALERTS);
            alerts
                .chunks(body::JSON_ALERTS)
                .enumerate()
                .map(|(i, part)| {
                    let mut msg = body::message(part);
                    msg.subject = format!("{} (part {} of {parts})", msg.subject, i + 1);
                    (part.iter().map(|a| a.id).collect(), msg)
                })
                .collect()
        }
        MailMode::Digest => vec![(alerts.iter().map(|a| a.id).collect(), body::message(alerts))],
        MailMode::Each => alerts
            .iter()
            .map(|a| (vec![a.id], body::message(std::slice::from_ref(a))))
            .collect(),
    }
}

/// The key every attempt of a message carries: its stored message id, without the angle
/// brackets of a Message-ID.
pub fn idempotency_key(message_id: &str) -> String {
    message_id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_string()
}

/// Posts one message (its stored subject and text, and its alerts) under `key`. Success is
/// a 2xx answer; anything else (a redirect included: it is not followed) is a failure to retry.
pub async fn send(
    cfg: &WebhookConfig,
    msg: &Message,
    alerts: &[Alert],
    key: &str,
) -> Result<(), WebhookError> {
    let url = resolve_url(cfg)?;
    let host = url.host_str().unwrap_or("?").to_string();
    let client = reqwest::Client::builder()
        .timeout(cfg.timeout)
        .connect_timeout(cfg.timeout.min(Duration::from_secs(10)))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("watchkeeper/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|source| WebhookError::Client {
            webhook: cfg.name.clone(),
            source,
        })?;
    let payload = body::payload(cfg.format, key, msg, alerts);
    let request = match cfg.format {
        // Matrix: PUT …/send/m.room.message/{txnId}; the homeserver answers a repeated
        // transaction id with the event it already made.
        WebhookFormat::Matrix => {
            let mut url = url.clone();
            url.path_segments_mut()
                .map_err(|()| url_error(cfg, "cannot take a path"))?
                .pop_if_empty()
                .push(key);
            client.put(url)
        }
        _ => client.post(url.clone()),
    };
    let mut request = request
        .header("Idempotency-Key", key)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(payload.to_string());
    if let Some(path) = &cfg.token_file {
        let token = read_line(path).map_err(|source| WebhookError::Token {
            webhook: cfg.name.clone(),
            path: path.clone(),
            source,
        })?;
        request = request.bearer_auth(token);
    }
    let response = request
        .send()
        .await
        .map_err(|source| WebhookError::Request {
            webhook: cfg.name.clone(),
            host: host.clone(),
            source: source.without_url(),
        })?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    // The answer may explain (Slack: `invalid_payload`); a short, clean excerpt of it.
    let text = tokio::time::timeout(Duration::from_secs(5), response.text())
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default();
    let body: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(ERROR_BODY_CHARS)
        .collect();
    Err(WebhookError::Status {
        webhook: cfg.name.clone(),
        host,
        status: status.as_u16(),
        body: body.trim().to_string(),
    })
}

fn url_error(cfg: &WebhookConfig, message: impl Into<String>) -> WebhookError {
    let from = match &cfg.url {
        WebhookUrl::Inline(_) => "in the config".to_string(),
        WebhookUrl::File(p) => format!("from {}", p.display()),
        WebhookUrl::Credential(c) => format!("from systemd credential {c}"),
    };
    WebhookError::Url {
        webhook: cfg.name.clone(),
        from,
        message: message.into(),
    }
}

/// The URL, read at send time when it is kept in a file or a systemd credential.
fn resolve_url(cfg: &WebhookConfig) -> Result<url::Url, WebhookError> {
    let text = match &cfg.url {
        WebhookUrl::Inline(u) => u.clone(),
        WebhookUrl::File(path) => read_line(path).map_err(|e| url_error(cfg, e.to_string()))?,
        WebhookUrl::Credential(name) => {
            let dir = std::env::var_os("CREDENTIALS_DIRECTORY").ok_or_else(|| {
                url_error(
                    cfg,
                    "neither `url` nor `url_file` is set, and there is no $CREDENTIALS_DIRECTORY (LoadCredential)",
                )
            })?;
            read_line(&std::path::Path::new(&dir).join(name))
                .map_err(|e| url_error(cfg, e.to_string()))?
        }
    };
    crate::config::check_webhook_url(&text).map_err(|m| url_error(cfg, m))
}

/// The first line of a small secret file.
fn read_line(path: &std::path::Path) -> std::io::Result<String> {
    let text = std::fs::read_to_string(path)?;
    Ok(text.lines().next().unwrap_or("").trim().to_string())
}
