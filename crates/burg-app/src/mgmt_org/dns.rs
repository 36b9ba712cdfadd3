//! The DNS side of a domain's challenge: the TXT records of
//! `_zitadel-challenge.<domain>`, asked of one name server over TCP (a
//! connection `egress` checks, like every other).

use std::time::Duration;

use burg_domain::{Error, Result};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::egress::Egress;

/// How long the whole question may take.
const TIMEOUT: Duration = Duration::from_secs(5);
/// ZITADEL's id of a DNS question that failed.
pub(crate) const DNS_FAILED: &str = "HTTP-Hwsw2";
const TYPE_TXT: u16 = 16;
const CLASS_IN: u16 = 1;
const RCODE_NXDOMAIN: u16 = 3;

/// What the name server said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TxtAnswer {
    /// The name does not exist.
    NoSuchName,
    /// The records (each one's strings joined, as Go's `LookupTXT` gives
    /// them); none when the name has no TXT record.
    Records(Vec<String>),
}

/// The first name server of `/etc/resolv.conf`, port 53.
pub(crate) fn system_name_server() -> Option<(String, u16)> {
    let text = std::fs::read_to_string("/etc/resolv.conf").ok()?;
    text.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        (words.next() == Some("nameserver")).then(|| words.next().map(|ip| (ip.to_string(), 53))).flatten()
    })
}

/// The question for `name`'s TXT records, with TCP's length prefix.
pub(crate) fn question(id: u16, name: &str) -> Result<Vec<u8>> {
    let mut msg = Vec::with_capacity(name.len() + 18);
    msg.extend_from_slice(&id.to_be_bytes());
    msg.extend_from_slice(&0x0100u16.to_be_bytes()); // recursion desired
    msg.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]); // one question
    for label in name.trim_end_matches('.').split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err(Error::invalid_argument("ORG-dns01", format!("{name:?} is no DNS name")));
        }
        msg.push(label.len() as u8);
        msg.extend_from_slice(label.as_bytes());
    }
    msg.push(0);
    msg.extend_from_slice(&TYPE_TXT.to_be_bytes());
    msg.extend_from_slice(&CLASS_IN.to_be_bytes());
    let len = u16::try_from(msg.len()).map_err(|_| Error::invalid_argument("ORG-dns02", "the name is too long"))?;
    let mut framed = len.to_be_bytes().to_vec();
    framed.extend_from_slice(&msg);
    Ok(framed)
}

/// A malformed answer.
fn malformed() -> Error {
    Error::internal(DNS_FAILED, "the name server's answer is malformed")
}

fn u16_at(msg: &[u8], at: usize) -> Result<u16> {
    let bytes = msg.get(at..at + 2).ok_or_else(malformed)?;
    Ok(u16::from_be_bytes([bytes[0], bytes[1]]))
}

/// The offset after the (possibly compressed) name at `at`.
fn skip_name(msg: &[u8], mut at: usize) -> Result<usize> {
    loop {
        let len = *msg.get(at).ok_or_else(malformed)?;
        match len {
            0 => return Ok(at + 1),
            l if l & 0xC0 == 0xC0 => return Ok(at + 2),
            l => at += 1 + usize::from(l),
        }
    }
}

/// Reads the answer to the question with `id` (without TCP's prefix).
pub(crate) fn parse_answer(id: u16, msg: &[u8]) -> Result<TxtAnswer> {
    if u16_at(msg, 0)? != id {
        return Err(malformed());
    }
    let flags = u16_at(msg, 2)?;
    if flags & 0x000F == RCODE_NXDOMAIN {
        return Ok(TxtAnswer::NoSuchName);
    }
    if flags & 0x000F != 0 {
        return Err(Error::internal(DNS_FAILED, format!("the name server answered code {}", flags & 0x000F)));
    }
    let questions = u16_at(msg, 4)?;
    let answers = u16_at(msg, 6)?;
    let mut at = 12;
    for _ in 0..questions {
        at = skip_name(msg, at)? + 4;
    }
    let mut records = Vec::new();
    for _ in 0..answers {
        at = skip_name(msg, at)?;
        let kind = u16_at(msg, at)?;
        let len = usize::from(u16_at(msg, at + 8)?);
        let start = at + 10;
        let data = msg.get(start..start + len).ok_or_else(malformed)?;
        at = start + len;
        if kind != TYPE_TXT {
            continue;
        }
        let mut text = Vec::with_capacity(len);
        let mut i = 0;
        while i < data.len() {
            let n = usize::from(data[i]);
            text.extend_from_slice(data.get(i + 1..i + 1 + n).ok_or_else(malformed)?);
            i += 1 + n;
        }
        records.push(String::from_utf8_lossy(&text).into_owned());
    }
    Ok(TxtAnswer::Records(records))
}

impl Egress {
    /// The TXT records of `name`, asked of `server` over TCP.
    pub(crate) async fn lookup_txt(&self, server: (&str, u16), name: &str) -> Result<TxtAnswer> {
        let ask = async {
            let id: u16 = rand::random();
            let mut stream = self.connect_tcp("domain", server.0, server.1).await?;
            let io = |e: std::io::Error| Error::internal(DNS_FAILED, format!("asking the name server failed: {e}"));
            stream.write_all(&question(id, name)?).await.map_err(io)?;
            let len = stream.read_u16().await.map_err(io)?;
            let mut msg = vec![0; usize::from(len)];
            stream.read_exact(&mut msg).await.map_err(io)?;
            parse_answer(id, &msg)
        };
        tokio::time::timeout(TIMEOUT, ask)
            .await
            .map_err(|_| Error::not_found("ORG-K563l", format!("the name server took too long to answer for {name}")))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An answer to `q` (with its prefix) with `records`, each a list of
    /// strings, the name compressed as servers do.
    fn answer(q: &[u8], rcode: u16, records: &[&[&str]]) -> Vec<u8> {
        let q = &q[2..];
        let mut msg = q[..2].to_vec();
        msg.extend_from_slice(&(0x8180u16 | rcode).to_be_bytes());
        msg.extend_from_slice(&[0, 1]);
        msg.extend_from_slice(&(records.len() as u16).to_be_bytes());
        msg.extend_from_slice(&[0, 0, 0, 0]);
        msg.extend_from_slice(&q[12..]);
        for strings in records {
            msg.extend_from_slice(&[0xC0, 12, 0, 16, 0, 1, 0, 0, 0, 60]);
            let data: Vec<u8> = strings.iter().flat_map(|s| [&[s.len() as u8][..], s.as_bytes()].concat()).collect();
            msg.extend_from_slice(&(data.len() as u16).to_be_bytes());
            msg.extend_from_slice(&data);
        }
        msg
    }

    #[test]
    fn txt_records_are_read_back() {
        let q = question(7, "_zitadel-challenge.example.com").unwrap();
        assert_eq!(u16::from_be_bytes([q[0], q[1]]) as usize, q.len() - 2);
        let a = answer(&q, 0, &[&["abc", "def"], &["token"]]);
        assert_eq!(parse_answer(7, &a).unwrap(), TxtAnswer::Records(vec!["abcdef".into(), "token".into()]));
        assert_eq!(parse_answer(7, &answer(&q, 3, &[])).unwrap(), TxtAnswer::NoSuchName);
        assert!(parse_answer(8, &a).is_err(), "another question's answer");
        assert!(parse_answer(7, &a[..a.len() - 2]).is_err(), "cut short");
        assert!(question(1, "a..b").is_err());
    }
}
