//! Base64 (RFC 4648) as the client uses it: the URL-safe alphabet without padding for tokens, the
//! standard one with canonical padding for webhook secrets and signatures. Strict as the `base64`
//! crate's engines are (no stray padding, no unused bits set), in a fraction of its wasm.
//!
//! Hand-written because of size: the `base64` crate's engines cost 1.7 KB gzip of the shipped
//! module (132.2 → 130.5 KB, `node bench/size.mjs`). The crate stays a dev-dependency, and the
//! tests check this module against it on every encoded string and many invalid ones.

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The 6-bit value of one character: `-` and `_` in the URL-safe alphabet, `+` and `/` in the
/// standard one.
fn value(c: u8, url_safe: bool) -> Option<u32> {
    Some(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' if url_safe => 62,
        b'_' if url_safe => 63,
        b'+' if !url_safe => 62,
        b'/' if !url_safe => 63,
        _ => return None,
    } as u32)
}

/// Appends `bytes` to `out` in the URL-safe alphabet, without padding.
pub fn encode_url_safe(bytes: impl AsRef<[u8]>, out: &mut String) {
    let mut acc = 0u32;
    let mut bits = 0;
    for &b in bytes.as_ref() {
        acc = acc << 8 | u32::from(b);
        bits += 8;
        while bits >= 6 {
            bits -= 6;
            out.push(url_char(acc >> bits));
        }
    }
    if bits > 0 {
        out.push(url_char(acc << (6 - bits)));
    }
}

fn url_char(six: u32) -> char {
    match STANDARD[(six & 63) as usize] {
        b'+' => '-',
        b'/' => '_',
        c => c as char,
    }
}

/// Decodes the URL-safe alphabet without padding; `None` for anything else.
pub fn decode_url_safe(text: &str) -> Option<Vec<u8>> {
    decode(text.as_bytes(), true)
}

/// Decodes the standard alphabet with canonical padding (a multiple of 4 characters); `None` for
/// anything else.
pub fn decode_standard(text: &str) -> Option<Vec<u8>> {
    let s = text.as_bytes();
    if s.len() % 4 != 0 {
        return None;
    }
    let pad = s.iter().rev().take(2).take_while(|&&c| c == b'=').count();
    decode(&s[..s.len() - pad], false)
}

fn decode(s: &[u8], url_safe: bool) -> Option<Vec<u8>> {
    if s.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for &c in s {
        acc = (acc << 6 | value(c, url_safe)?) & 0xFFFF;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    // The last character's unused bits must be zero: one text per byte string.
    (acc & ((1 << bits) - 1) == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::base64::engine::general_purpose::{STANDARD as STD, URL_SAFE_NO_PAD};
    use ::base64::Engine as _;

    /// Every byte string up to 5 bytes from a small alphabet of bytes, and long ones.
    fn samples() -> Vec<Vec<u8>> {
        let mut out = vec![Vec::new()];
        let alphabet = [0u8, 1, 0x3e, 0x3f, 0x7f, 0x80, 0xfb, 0xff];
        for len in 1..=4 {
            let mut next = Vec::new();
            for s in out.iter().filter(|s| s.len() == len - 1) {
                for &b in &alphabet {
                    let mut t = s.clone();
                    t.push(b);
                    next.push(t);
                }
            }
            out.extend(next);
        }
        out.push((0..=255).collect());
        out
    }

    #[test]
    fn encodes_as_the_base64_crate() {
        for s in samples() {
            let mut ours = String::from("x.");
            encode_url_safe(&s, &mut ours);
            assert_eq!(ours, format!("x.{}", URL_SAFE_NO_PAD.encode(&s)), "{s:?}");
            assert_eq!(decode_url_safe(&ours[2..]), Some(s.clone()));
            assert_eq!(decode_standard(&STD.encode(&s)), Some(s));
        }
    }

    #[test]
    fn decodes_what_the_base64_crate_decodes_and_refuses_the_rest() {
        let chars = [
            "", "A", "Q", "R", "-", "_", "+", "/", "=", " ", "é", "AA", "QQ", "QR",
        ];
        let mut texts = vec![String::new()];
        for _ in 0..4 {
            let mut next = Vec::new();
            for t in &texts {
                for c in chars {
                    next.push(format!("{t}{c}"));
                }
            }
            texts = next;
            texts.sort();
            texts.dedup();
        }
        texts.extend(
            [
                "QUJD", "QUI=", "QQ==", "QQ=", "QQ===", "Q===", "====", "QUJDRA", "QUJDRA==",
            ]
            .map(String::from),
        );
        for t in &texts {
            assert_eq!(
                decode_url_safe(t),
                URL_SAFE_NO_PAD.decode(t).ok(),
                "url-safe {t:?}"
            );
            assert_eq!(decode_standard(t), STD.decode(t).ok(), "standard {t:?}");
        }
    }
}
