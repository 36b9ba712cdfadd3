//! Where things are in a JSON document, found without building them.
//!
//! An import reads its document twice, and an organization can hold
//! millions of bytes. This scanner walks the bytes through a buffer and
//! tells where each member of an organization lies (a byte range), and
//! hands out list items one at a time; serde parses each item, and only
//! the item. It checks the structure (strings, nesting, commas and
//! colons); what an item holds is checked by the parser that reads it.

use std::io::BufRead;
use std::ops::Range;

/// Deeper than this is refused (serde_json's own limit is 128).
const MAX_DEPTH: usize = 128;

/// A structural fault, with the byte offset where it was seen.
#[derive(Debug)]
pub(crate) struct Fault {
    pub(crate) at: u64,
    pub(crate) message: String,
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "{} (byte {})", self.message, self.at)
    }
}

impl From<Fault> for String {
    fn from(fault: Fault) -> String {
        fault.to_string()
    }
}

pub(crate) type Scanned<T> = std::result::Result<T, Fault>;

/// A reader of JSON bytes that knows its offset.
pub(crate) struct Scan<R> {
    reader: R,
    pos: u64,
}

impl<R: BufRead> Scan<R> {
    /// `start`: the offset of the reader's first byte in the document.
    pub(crate) fn new(reader: R, start: u64) -> Self {
        Scan { reader, pos: start }
    }

    pub(crate) fn pos(&self) -> u64 {
        self.pos
    }

    fn fault(&self, message: impl Into<String>) -> Fault {
        Fault { at: self.pos, message: message.into() }
    }

    fn peek(&mut self) -> Scanned<Option<u8>> {
        let pos = self.pos;
        match self.reader.fill_buf() {
            Ok(buf) => Ok(buf.first().copied()),
            Err(e) => Err(Fault { at: pos, message: format!("cannot read: {e}") }),
        }
    }

    fn bump(&mut self) {
        self.reader.consume(1);
        self.pos += 1;
    }

    /// Skips whitespace; the next byte, if any.
    pub(crate) fn ws(&mut self) -> Scanned<Option<u8>> {
        loop {
            match self.peek()? {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.bump(),
                other => return Ok(other),
            }
        }
    }

    /// Skips whitespace and takes `byte`.
    pub(crate) fn expect(&mut self, byte: u8) -> Scanned<()> {
        match self.ws()? {
            Some(b) if b == byte => {
                self.bump();
                Ok(())
            }
            Some(b) => Err(self.fault(format!("expected `{}`, found `{}`", byte as char, b.escape_ascii()))),
            None => Err(self.fault(format!("expected `{}`, found the end", byte as char))),
        }
    }

    /// After an item of a list or a member of an object: `true` when
    /// another follows (a comma), `false` at `close`.
    pub(crate) fn more(&mut self, close: u8) -> Scanned<bool> {
        match self.ws()? {
            Some(b',') => {
                self.bump();
                Ok(true)
            }
            Some(b) if b == close => {
                self.bump();
                Ok(false)
            }
            _ => Err(self.fault(format!("expected `,` or `{}`", close as char))),
        }
    }

    /// Opens a list or an object (`open` is `[` or `{`): `true` when it
    /// has members, `false` when it closed at once.
    pub(crate) fn open(&mut self, open: u8) -> Scanned<bool> {
        self.expect(open)?;
        let close = if open == b'[' { b']' } else { b'}' };
        if self.ws()? == Some(close) {
            self.bump();
            return Ok(false);
        }
        Ok(true)
    }

    /// An object member's name (and the colon after it).
    pub(crate) fn key(&mut self) -> Scanned<String> {
        let at = self.pos;
        let mut raw = Vec::new();
        if self.ws()? != Some(b'"') {
            return Err(self.fault("expected a member name"));
        }
        self.value(Some(&mut raw))?;
        let key = serde_json::from_slice(&raw).map_err(|e| Fault { at, message: format!("a member name: {e}") })?;
        self.expect(b':')?;
        Ok(key)
    }

    /// Reads one value, copying its bytes into `out` when given; answers
    /// where it lay.
    pub(crate) fn value(&mut self, mut out: Option<&mut Vec<u8>>) -> Scanned<Range<u64>> {
        let first = self.ws()?.ok_or_else(|| self.fault("expected a value, found the end"))?;
        let start = self.pos;
        let mut closers: Vec<u8> = Vec::new();
        let mut in_string = false;
        let mut escaped = false;
        let mut scalar = !matches!(first, b'{' | b'[' | b'"');
        loop {
            let Some(b) = self.peek()? else {
                if scalar && closers.is_empty() {
                    break;
                }
                return Err(self.fault("the document ends inside a value"));
            };
            if scalar
                && !in_string
                && closers.is_empty()
                && matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
            {
                break;
            }
            if in_string && !escaped && b != b'"' && b != b'\\' {
                // The plain run of a string, taken from the buffer at once.
                let pos = self.pos;
                let buf =
                    self.reader.fill_buf().map_err(|e| Fault { at: pos, message: format!("cannot read: {e}") })?;
                let run = buf.iter().position(|&c| c == b'"' || c == b'\\').unwrap_or(buf.len());
                if let Some(out) = out.as_deref_mut() {
                    out.extend_from_slice(&buf[..run]);
                }
                self.reader.consume(run);
                self.pos += run as u64;
                continue;
            }
            self.bump();
            if let Some(out) = out.as_deref_mut() {
                out.push(b);
            }
            if in_string {
                match (escaped, b) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
                if !in_string && closers.is_empty() {
                    break;
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => {
                    if scalar && closers.is_empty() {
                        return Err(self.fault("unexpected bracket"));
                    }
                    if closers.len() == MAX_DEPTH {
                        return Err(self.fault("nested too deeply"));
                    }
                    closers.push(if b == b'{' { b'}' } else { b']' });
                }
                b'}' | b']' => {
                    if closers.pop() != Some(b) {
                        return Err(self.fault("brackets do not match"));
                    }
                    if closers.is_empty() {
                        break;
                    }
                }
                _ => {}
            }
            scalar = scalar && closers.is_empty();
        }
        Ok(start..self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(text: &str) -> Scan<&[u8]> {
        Scan::new(text.as_bytes(), 0)
    }

    #[test]
    fn values_end_where_they_end() {
        for (text, len) in [
            (r#"{"a":[1,{"b":"]}"}]} ,"#, 20),
            (r#""x\"y\\" ,"#, 8),
            ("123.5e3,", 7),
            ("true]", 4),
            ("null", 4),
            ("[[], {}]", 8),
        ] {
            let mut out = Vec::new();
            let range = scan(text).value(Some(&mut out)).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(range, 0..len, "{text}");
            assert_eq!(out, text.as_bytes()[..len as usize].to_vec(), "{text}");
        }
    }

    #[test]
    fn broken_structure_is_a_fault() {
        for text in ["[1, 2", "{\"a\": [}", "\"open", "", "[{]}"] {
            assert!(scan(text).value(None).is_err(), "{text}");
        }
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert!(scan(&deep).value(None).is_err());
        let mut s = scan("[1 2]");
        assert!(s.open(b'[').unwrap());
        s.value(None).unwrap();
        assert!(s.more(b']').is_err(), "a missing comma");
    }

    #[test]
    fn members_and_items() {
        let mut s = scan(r#" { "a\u0062" : [ 1 , "two" ] , "c" : {} } "#);
        assert!(s.open(b'{').unwrap());
        assert_eq!(s.key().unwrap(), "ab");
        assert!(s.open(b'[').unwrap());
        let mut items = Vec::new();
        loop {
            let mut out = Vec::new();
            s.value(Some(&mut out)).unwrap();
            items.push(String::from_utf8(out).unwrap());
            if !s.more(b']').unwrap() {
                break;
            }
        }
        assert_eq!(items, ["1", "\"two\""]);
        assert!(s.more(b'}').unwrap());
        assert_eq!(s.key().unwrap(), "c");
        assert!(!s.open(b'{').unwrap());
        assert!(!s.more(b'}').unwrap());
        assert_eq!(s.ws().unwrap(), None);
    }
}
