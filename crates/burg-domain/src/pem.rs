//! PEM read the way ZITADEL's Go code reads it (`encoding/pem`): blocks
//! are found anywhere in the text (what comes before, between and after
//! them is skipped), a block whose lines do not decode is skipped, and
//! `Key: value` header lines after the BEGIN line are allowed. Stricter
//! readers (RFC 7468) refuse texts ZITADEL accepts, so the IdP checks that
//! mirror ZITADEL's use this one.

use base64::Engine;
use base64::engine::{GeneralPurpose, GeneralPurposeConfig};

/// One PEM block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The label of its BEGIN line (`CERTIFICATE`, `PRIVATE KEY`, …).
    pub label: String,
    /// Whether it has `Key: value` header lines.
    pub has_headers: bool,
    /// The decoded content.
    pub bytes: Vec<u8>,
}

const BEGIN: &[u8] = b"-----BEGIN ";
const END: &[u8] = b"-----END ";
const DASHES: &[u8] = b"-----";

/// Standard base64 with padding; like Go's `StdEncoding`, it does not
/// insist that the unused bits of the last character are zero.
const BASE64: GeneralPurpose =
    GeneralPurpose::new(&base64::alphabet::STANDARD, GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true));

/// The blocks of `data`, in order.
pub fn blocks(data: &[u8]) -> Vec<Block> {
    let mut found = Vec::new();
    let mut rest = data;
    while let Some((block, after)) = next_block(rest) {
        found.push(block);
        rest = after;
    }
    found
}

/// The first block of `data`, if it has one.
pub fn first_block(data: &[u8]) -> Option<Block> {
    next_block(data).map(|(block, _)| block)
}

/// A line without its line break and without trailing spaces, tabs and
/// carriage returns; and what follows the line break.
fn line(data: &[u8]) -> (&[u8], &[u8]) {
    let (line, rest) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &data[data.len()..]),
    };
    let end = line.iter().rposition(|&b| !matches!(b, b' ' | b'\t' | b'\r')).map_or(0, |i| i + 1);
    (&line[..end], rest)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Finds the next block that decodes: the block and the text after its END
/// line.
fn next_block(data: &[u8]) -> Option<(Block, &[u8])> {
    let mut rest = data;
    loop {
        // A BEGIN line at the very start, or at the start of any later line.
        rest = if rest.starts_with(BEGIN) {
            &rest[BEGIN.len()..]
        } else {
            let at = find(rest, b"\n-----BEGIN ")?;
            &rest[at + 1 + BEGIN.len()..]
        };
        let (type_line, after_type) = line(rest);
        rest = after_type;
        let Some(label) = type_line.strip_suffix(DASHES) else { continue };
        let mut has_headers = false;
        loop {
            if rest.is_empty() {
                return None;
            }
            let (header, next) = line(rest);
            if !header.contains(&b':') {
                break;
            }
            has_headers = true;
            rest = next;
        }
        let body = rest;
        // Without headers the END line may follow the BEGIN line at once.
        let (end_at, trailer_at) = if !has_headers && body.starts_with(END) {
            (0, END.len())
        } else {
            match find(body, b"\n-----END ") {
                Some(i) => (i, i + 1 + END.len()),
                None => continue,
            }
        };
        let trailer = &body[trailer_at..];
        let trailer_len = label.len() + DASHES.len();
        if trailer.len() < trailer_len {
            continue;
        }
        let (end_label, after_end) = trailer.split_at(trailer_len);
        if !end_label.starts_with(label) || !end_label.ends_with(DASHES) {
            continue;
        }
        let (end_line_rest, after) = line(after_end);
        if !end_line_rest.is_empty() {
            continue;
        }
        let text: Vec<u8> =
            body[..end_at].iter().copied().filter(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n')).collect();
        let Ok(bytes) = BASE64.decode(&text) else { continue };
        let label = String::from_utf8_lossy(label).into_owned();
        return Some((Block { label, has_headers, bytes }, after));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_found_among_other_text() {
        let text = b"notes before\n-----BEGIN THING-----\naGVs\nbG8=\n-----END THING-----\nbetween\n\
                     -----BEGIN OTHER-----\nProc-Type: 4,ENCRYPTED\n\nd29ybGQ=\n-----END OTHER-----  \nafter";
        let found = blocks(text);
        assert_eq!(found.len(), 2);
        assert_eq!(
            (found[0].label.as_str(), found[0].bytes.as_slice(), found[0].has_headers),
            ("THING", &b"hello"[..], false)
        );
        assert_eq!(
            (found[1].label.as_str(), found[1].bytes.as_slice(), found[1].has_headers),
            ("OTHER", &b"world"[..], true)
        );
        assert_eq!(first_block(text), Some(found[0].clone()));
    }

    #[test]
    fn broken_blocks_are_skipped() {
        // Bad base64, then an END line of another label, then a good one.
        let text = b"-----BEGIN A-----\n!!!!\n-----END A-----\n-----BEGIN B-----\naGk=\n-----END C-----\n\
                     -----BEGIN D-----\naGk=\n-----END D-----\n";
        let found = blocks(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].label.as_str(), found[0].bytes.as_slice()), ("D", &b"hi"[..]));
        assert!(blocks(b"no pem here").is_empty());
        assert!(blocks(b"-----BEGIN A-----\naGk=\n").is_empty(), "no END line");
        assert!(blocks(b"-----BEGIN A-----\naGk=\n-----END A----- x\n").is_empty(), "text after END");
        assert!(blocks(b"x -----BEGIN A-----\naGk=\n-----END A-----\n").is_empty(), "BEGIN not at a line start");
        let empty = blocks(b"-----BEGIN E-----\n-----END E-----\n");
        assert_eq!(empty.len(), 1);
        assert!(empty[0].bytes.is_empty());
    }
}
