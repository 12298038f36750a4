//! The protobuf wire format, as much of it as OTLP logs need: varints,
//! fixed-width numbers and length-delimited fields.
//!
//! Hand-written rather than generated with prost: OTLP logs use eight small
//! messages, and writing them takes ~100 lines, where prost and the
//! generated OpenTelemetry types add a proc-macro crate and a dependency tree
//! to every build with the feature (figures in the README's OTLP section).
//! Field numbers come from opentelemetry-proto (`logs/v1/logs.proto`,
//! `common/v1/common.proto`, `resource/v1/resource.proto`,
//! `collector/logs/v1/logs_service.proto`); the tests decode what is written
//! here with the official Python classes.

/// Wire type of varints (`int64`, `uint32`, `bool`, enums).
const VARINT: u32 = 0;
/// Wire type of `fixed64` and `double`.
const FIXED64: u32 = 1;
/// Wire type of strings, bytes and messages.
const LEN: u32 = 2;

pub(super) fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Bytes `varint(v)` takes.
pub(super) fn varint_len(v: u64) -> usize {
    // 1 byte per 7 bits, at least one.
    (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

fn key(out: &mut Vec<u8>, field: u32, wire: u32) {
    varint(out, u64::from(field << 3 | wire));
}

pub(super) fn uint(out: &mut Vec<u8>, field: u32, v: u64) {
    key(out, field, VARINT);
    varint(out, v);
}

/// An `int64`: two's complement, as a ten-byte varint when negative.
pub(super) fn int(out: &mut Vec<u8>, field: u32, v: i64) {
    uint(out, field, v as u64);
}

pub(super) fn fixed64(out: &mut Vec<u8>, field: u32, v: u64) {
    key(out, field, FIXED64);
    out.extend_from_slice(&v.to_le_bytes());
}

pub(super) fn double(out: &mut Vec<u8>, field: u32, v: f64) {
    key(out, field, FIXED64);
    out.extend_from_slice(&v.to_le_bytes());
}

pub(super) fn bytes(out: &mut Vec<u8>, field: u32, v: &[u8]) {
    len_prefix(out, field, v.len());
    out.extend_from_slice(v);
}

/// The key and length of a length-delimited field whose `len` bytes follow.
pub(super) fn len_prefix(out: &mut Vec<u8>, field: u32, len: usize) {
    key(out, field, LEN);
    varint(out, len as u64);
}

/// Bytes the key and length of a length-delimited field of `len` bytes take
/// (fields below 16 have one-byte keys).
pub(super) fn len_prefix_len(field: u32, len: usize) -> usize {
    varint_len(u64::from(field << 3 | LEN)) + varint_len(len as u64)
}

/// A message field whose body `body` writes; its length is put in front
/// once known.
pub(super) fn message(out: &mut Vec<u8>, field: u32, body: impl FnOnce(&mut Vec<u8>)) {
    let start = open(out, field);
    body(out);
    close(out, start);
}

/// Starts a length-delimited field whose bytes follow; returns where they
/// start, for [`close`]. One byte is kept for the length: most fields of a
/// record (an attribute, a value) are shorter than 128 bytes, and then
/// nothing has to move.
#[inline]
pub(super) fn open(out: &mut Vec<u8>, field: u32) -> usize {
    key(out, field, LEN);
    out.push(0);
    out.len()
}

/// Ends the field [`open`] started at `start`: writes its length, moving
/// the body along when the length takes more than the byte kept for it.
#[inline]
pub(super) fn close(out: &mut Vec<u8>, start: usize) {
    let end = out.len();
    let len = end - start;
    if len < 0x80 {
        out[start - 1] = len as u8;
        return;
    }
    let extra = varint_len(len as u64) - 1;
    out.resize(end + extra, 0);
    out.copy_within(start..end, start + extra);
    let mut v = len as u64;
    let mut i = start - 1;
    while v >= 0x80 {
        out[i] = (v as u8) | 0x80;
        v >>= 7;
        i += 1;
    }
    out[i] = v as u8;
}

/// What one field of a message holds, for reading answers.
#[derive(Debug, PartialEq)]
pub(super) enum Field<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    /// `fixed32`, `fixed64`: skipped.
    Other,
}

/// The fields of a message, in order; `None` at the first malformed byte.
pub(super) fn fields(mut buf: &[u8]) -> Option<Vec<(u32, Field<'_>)>> {
    fn read_varint(buf: &mut &[u8]) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let (&b, rest) = buf.split_first()?;
            *buf = rest;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Some(v);
            }
        }
        None
    }
    let mut out = Vec::new();
    while !buf.is_empty() {
        let k = read_varint(&mut buf)?;
        let field = u32::try_from(k >> 3).ok()?;
        let value = match k & 7 {
            0 => Field::Varint(read_varint(&mut buf)?),
            1 => {
                buf = buf.get(8..)?;
                Field::Other
            }
            2 => {
                let len = usize::try_from(read_varint(&mut buf)?).ok()?;
                let (v, rest) = (buf.get(..len)?, buf.get(len..)?);
                buf = rest;
                Field::Bytes(v)
            }
            5 => {
                buf = buf.get(4..)?;
                Field::Other
            }
            _ => return None,
        };
        out.push((field, value));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_match_the_protobuf_encoding_guide() {
        let mut out = Vec::new();
        varint(&mut out, 150);
        assert_eq!(out, [0x96, 0x01]);
        for v in [
            0,
            1,
            127,
            128,
            16_383,
            16_384,
            u64::from(u32::MAX),
            u64::MAX,
        ] {
            let mut out = Vec::new();
            varint(&mut out, v);
            assert_eq!(out.len(), varint_len(v), "{v}");
        }
        let mut neg = Vec::new();
        int(&mut neg, 1, -1);
        assert_eq!(neg.len(), 11);
    }

    #[test]
    fn messages_get_their_length_and_read_back() {
        let mut out = Vec::new();
        message(&mut out, 2, |m| {
            bytes(m, 1, &[b'x'; 200]);
            uint(m, 3, 7);
        });
        let top = fields(&out).unwrap();
        let Field::Bytes(inner) = top[0].1 else {
            panic!("{top:?}")
        };
        let inner = fields(inner).unwrap();
        assert_eq!(inner[1], (3, Field::Varint(7)));
        assert_eq!(
            len_prefix_len(2, 205),
            out.len() - 205,
            "the prefix size is predicted"
        );
        assert!(
            fields(&[0x0a, 0x05, 1]).is_none(),
            "a short field is refused"
        );
    }

    #[test]
    fn a_length_past_the_kept_byte_moves_the_body_along() {
        for len in [0, 127, 128, 300, 16_383, 16_384, 70_000] {
            let body: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let mut out = vec![0xff];
            let start = open(&mut out, 9);
            out.extend_from_slice(&body);
            close(&mut out, start);
            uint(&mut out, 1, 5);
            let top = fields(&out[1..]).unwrap();
            assert_eq!(top[0], (9, Field::Bytes(&body)), "{len}");
            assert_eq!(top[1], (1, Field::Varint(5)), "{len}");
            assert_eq!(out.len(), 1 + len_prefix_len(9, len) + len + 2, "{len}");
        }
    }
}
