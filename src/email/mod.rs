//! Email: rendering alerts into messages, and the transports that deliver them.
//! (Placeholder until the email branch lands.)

pub use render::Message;

pub mod render {
    use crate::alerts::Alert;
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Message {
        pub to: Vec<String>,
        pub subject: String,
        pub text: String,
        pub html: String,
    }
    pub fn digest(alerts: &[Alert], to: Vec<String>) -> Message {
        Message {
            to,
            subject: format!("{} alerts", alerts.len()),
            text: format!("{alerts:?}"),
            html: String::new(),
        }
    }
    pub fn test_message(to: Vec<String>) -> Message {
        digest(&[], to)
    }
    pub fn single(alert: &Alert, to: Vec<String>) -> Message {
        digest(std::slice::from_ref(alert), to)
    }
}

pub mod transport {
    #[derive(Debug, thiserror::Error)]
    #[error("not yet")]
    pub struct SendError;
    pub async fn send(
        _cfg: &crate::config::EmailConfig,
        _msg: &super::Message,
    ) -> Result<(), SendError> {
        Err(SendError)
    }
}
