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

/// A stored digest (an entry's content hash, a record's digest), held inline when it is at most
/// [`StoredDigest::INLINE`] bytes long, as every digest this build writes is: the heads of a list
/// of 10⁶ entries are then 2·10⁶ allocations (and, once the cycle is done, frees) fewer. A longer
/// one, written by another build, is kept as it is.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredDigest(Repr);

#[derive(Clone, PartialEq, Eq)]
enum Repr {
    Inline {
        len: u8,
        bytes: [u8; StoredDigest::INLINE],
    },
    Long(Box<str>),
}

impl StoredDigest {
    /// Thirty-two hexadecimal digits: the 16 bytes `hex` writes of an entry hash or record digest.
    pub const INLINE: usize = 32;

    pub fn new(text: &str) -> StoredDigest {
        if text.len() > Self::INLINE {
            return StoredDigest(Repr::Long(text.into()));
        }
        let mut bytes = [0; Self::INLINE];
        bytes[..text.len()].copy_from_slice(text.as_bytes());
        StoredDigest(Repr::Inline {
            len: text.len() as u8,
            bytes,
        })
    }

    /// [`hex`] of 16 bytes, made in place.
    pub fn hex(bytes: &[u8; 16]) -> StoredDigest {
        let mut out = [0; Self::INLINE];
        for (pair, &b) in out.chunks_exact_mut(2).zip(bytes) {
            pair.copy_from_slice(&hex_digits(b));
        }
        StoredDigest(Repr::Inline {
            len: Self::INLINE as u8,
            bytes: out,
        })
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline { len, bytes } => std::str::from_utf8(&bytes[..*len as usize])
                .expect("made from the bytes of a str that fit whole"),
            Repr::Long(text) => text,
        }
    }
}

impl std::fmt::Debug for StoredDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

impl PartialEq<str> for StoredDigest {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_stored_digest_reads_back_as_written_whatever_its_length() {
        let hash = super::hex(&[0xab; 16]);
        for text in [hash.as_str(), "h1", "", &"f".repeat(64)] {
            let d = super::StoredDigest::new(text);
            assert_eq!(d.as_str(), text);
            assert!(d == *text);
        }
        let bytes: [u8; 16] = std::array::from_fn(|i| (i * 17) as u8);
        assert_eq!(
            super::StoredDigest::hex(&bytes).as_str(),
            super::hex(&bytes)
        );
        assert_ne!(
            super::StoredDigest::new("h1"),
            super::StoredDigest::new("h2")
        );
    }

    #[test]
    fn bytes_are_written_as_two_lower_case_digits_each() {
        assert_eq!(super::hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
        assert_eq!(super::hex(&[]), "");
    }
}
