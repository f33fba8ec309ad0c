//! Digests as text: how hashes of content are written wherever they are stored or shown.

/// Lower-case hexadecimal, two digits a byte.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.extend(hex_digits(b).map(char::from));
    }
    out
}

/// The two lower-case hexadecimal digits of a byte.
fn hex_digits(b: u8) -> [u8; 2] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    [DIGITS[(b >> 4) as usize], DIGITS[(b & 15) as usize]]
}

/// A stored digest (an entry's content hash, a record's digest), held as its 16 bytes when it
/// is the 32 lower-case hexadecimal digits every digest this build writes is: the heads of a
/// list of 10⁶ entries are read every cycle, and at that size their memory is most of what
/// reading them costs (each new page of it is a fault). Any other text, written by another
/// build, is kept as it is. Two digests are equal when their texts are.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredDigest(Repr);

#[derive(Clone, PartialEq, Eq)]
enum Repr {
    Bytes([u8; 16]),
    Text(Box<str>),
}

impl StoredDigest {
    pub fn new(text: &str) -> StoredDigest {
        match from_hex(text) {
            Some(bytes) => StoredDigest(Repr::Bytes(bytes)),
            None => StoredDigest(Repr::Text(text.into())),
        }
    }

    /// The digest [`hex`] writes of these 16 bytes.
    pub fn hex(bytes: &[u8; 16]) -> StoredDigest {
        StoredDigest(Repr::Bytes(*bytes))
    }

    /// The 16 bytes, when the text is the 32 hexadecimal digits this build writes.
    pub fn bytes(&self) -> Option<&[u8; 16]> {
        match &self.0 {
            Repr::Bytes(bytes) => Some(bytes),
            Repr::Text(_) => None,
        }
    }
}

/// [`hex`] of 16 bytes, written into `out`.
fn hex_into<'a>(bytes: &[u8; 16], out: &'a mut [u8; 32]) -> &'a str {
    for (pair, &b) in out.chunks_exact_mut(2).zip(bytes) {
        pair.copy_from_slice(&hex_digits(b));
    }
    std::str::from_utf8(out).expect("hexadecimal digits")
}

/// The 16 bytes that 32 lower-case hexadecimal digits stand for; `None` for any other text, so
/// that a digest read back is written as it was.
fn from_hex(text: &str) -> Option<[u8; 16]> {
    // by table, and one test of every digit at the end: 2·10⁶ of them are read each cycle
    const NOT_A_DIGIT: u8 = 0x10;
    const VALUE: [u8; 256] = {
        let mut t = [NOT_A_DIGIT; 256];
        let mut c = 0;
        while c < 16 {
            t[b"0123456789abcdef"[c] as usize] = c as u8;
            c += 1;
        }
        t
    };
    let text: &[u8; 32] = text.as_bytes().try_into().ok()?;
    let mut out = [0; 16];
    let mut seen = 0;
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        let (high, low) = (VALUE[pair[0] as usize], VALUE[pair[1] as usize]);
        seen |= high | low;
        *byte = high << 4 | low;
    }
    (seen & NOT_A_DIGIT == 0).then_some(out)
}

impl std::fmt::Display for StoredDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Repr::Bytes(bytes) => f.write_str(hex_into(bytes, &mut [0; 32])),
            Repr::Text(text) => f.write_str(text),
        }
    }
}

impl std::fmt::Debug for StoredDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.to_string().fmt(f)
    }
}

impl PartialEq<str> for StoredDigest {
    fn eq(&self, other: &str) -> bool {
        match (&self.0, from_hex(other)) {
            (Repr::Bytes(bytes), Some(other)) => *bytes == other,
            (Repr::Text(text), None) => **text == *other,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_stored_digest_reads_back_as_written_whatever_its_length() {
        let hash = super::hex(&[0xab; 16]);
        // the digest this build writes, and texts other builds may have written: upper case
        // (not folded: it must read back as it was written), short, long
        let upper = hash.to_uppercase();
        for text in [hash.as_str(), &upper, "h1", "", &"f".repeat(64)] {
            let d = super::StoredDigest::new(text);
            assert_eq!(d.to_string(), text);
            assert!(d == *text);
            assert!(d != *format!("{text}0"));
        }
        let bytes: [u8; 16] = std::array::from_fn(|i| (i * 17) as u8);
        assert_eq!(
            super::StoredDigest::hex(&bytes).to_string(),
            super::hex(&bytes)
        );
        assert_ne!(
            super::StoredDigest::new("h1"),
            super::StoredDigest::new("h2")
        );
        assert_ne!(
            super::StoredDigest::new(&hash),
            super::StoredDigest::new(&upper)
        );
    }

    #[test]
    fn bytes_are_written_as_two_lower_case_digits_each() {
        assert_eq!(super::hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
        assert_eq!(super::hex(&[]), "");
    }
}
