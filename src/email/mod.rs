//! Email: rendering alerts into messages, and the transports that deliver them.
