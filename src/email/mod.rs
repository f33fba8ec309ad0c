//! Email: rendering alerts into messages, and the transports that deliver them.

pub mod render;
pub mod transport;

pub use render::{digest, single, test_message, Message};
pub use transport::{send, SendError};
