//! Password hashes: recognizing imported hashes in modular crypt format,
//! and hashing plain passwords.
//!
//! burg never needs to verify an imported hash here: it keeps it as given,
//! so that users log in with their old password wherever the hash is
//! verified. What it must not do is accept garbage and lose the password
//! silently, so every hash is checked against the format it claims.

use crate::error::{Error, Result};

/// The formats burg accepts on import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashFormat {
    Bcrypt,
    Argon2i,
    Argon2id,
    Argon2d,
    Scrypt,
    Pbkdf2Sha1,
    Pbkdf2Sha256,
    Pbkdf2Sha512,
    Md5Crypt,
    Sha256Crypt,
    Sha512Crypt,
}

const CRYPT64: &str = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn all_in(s: &str, alphabet: &str) -> bool {
    s.chars().all(|c| alphabet.contains(c))
}

fn b64ish(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '.' | '-' | '_' | '='))
}

fn params(s: &str, keys: &[&str]) -> bool {
    let parts: Vec<&str> = s.split(',').collect();
    keys.iter().all(|k| {
        parts
            .iter()
            .any(|p| p.strip_prefix(k).and_then(|v| v.strip_prefix('=')).is_some_and(|v| v.parse::<u64>().is_ok()))
    })
}

/// The format of `hash`, or InvalidArgument saying why it is not one.
pub fn recognize(hash: &str) -> Result<HashFormat> {
    let bad = |why: &str| Error::invalid_argument("PASSW-fmt01", format!("password hash is not valid {why}"));
    let parts: Vec<&str> = hash.split('$').collect();
    if parts.len() < 3 || !parts[0].is_empty() {
        return Err(Error::invalid_argument(
            "PASSW-fmt00",
            "password hash is not in modular crypt format ($id$…); supported: bcrypt, argon2, scrypt, pbkdf2, md5-crypt, sha-crypt",
        ));
    }
    match parts[1] {
        "2a" | "2b" | "2y" => {
            let ok = parts.len() == 4
                && parts[2].len() == 2
                && parts[2].parse::<u32>().is_ok_and(|c| (4..=31).contains(&c))
                && parts[3].len() == 53
                && all_in(parts[3], CRYPT64);
            if ok { Ok(HashFormat::Bcrypt) } else { Err(bad("bcrypt ($2a$NN$ + 53 characters)")) }
        }
        id @ ("argon2i" | "argon2id" | "argon2d") => {
            // $argon2id$v=19$m=65536,t=3,p=4$salt$hash (the version is optional)
            let rest = if parts.get(2).is_some_and(|p| p.starts_with("v=")) { &parts[3..] } else { &parts[2..] };
            let ok = rest.len() == 3 && params(rest[0], &["m", "t", "p"]) && b64ish(rest[1]) && b64ish(rest[2]);
            if !ok {
                return Err(bad("argon2 ($argon2id$v=19$m=…,t=…,p=…$salt$hash)"));
            }
            Ok(match id {
                "argon2i" => HashFormat::Argon2i,
                "argon2d" => HashFormat::Argon2d,
                _ => HashFormat::Argon2id,
            })
        }
        "scrypt" => {
            let ok = parts.len() == 5 && params(parts[2], &["ln", "r", "p"]) && b64ish(parts[3]) && b64ish(parts[4]);
            if ok { Ok(HashFormat::Scrypt) } else { Err(bad("scrypt ($scrypt$ln=…,r=…,p=…$salt$hash)")) }
        }
        id @ ("pbkdf2" | "pbkdf2-sha1" | "pbkdf2-sha256" | "pbkdf2-sha512") => {
            // $pbkdf2-sha256$rounds$salt$hash, or PHC: $pbkdf2-sha256$i=rounds,l=len$salt$hash
            let rounds_ok = parts.get(2).is_some_and(|r| r.parse::<u64>().is_ok_and(|n| n > 0) || params(r, &["i"]));
            let ok = parts.len() == 5 && rounds_ok && b64ish(parts[3]) && b64ish(parts[4]);
            if !ok {
                return Err(bad("pbkdf2 ($pbkdf2-sha256$rounds$salt$hash)"));
            }
            Ok(match id {
                "pbkdf2-sha256" => HashFormat::Pbkdf2Sha256,
                "pbkdf2-sha512" => HashFormat::Pbkdf2Sha512,
                _ => HashFormat::Pbkdf2Sha1,
            })
        }
        "1" => {
            let ok = parts.len() == 4
                && parts[2].len() <= 8
                && all_in(parts[2], CRYPT64)
                && parts[3].len() == 22
                && all_in(parts[3], CRYPT64);
            if ok { Ok(HashFormat::Md5Crypt) } else { Err(bad("md5-crypt ($1$salt$22 characters)")) }
        }
        id @ ("5" | "6") => {
            let rest = if parts.get(2).is_some_and(|p| p.starts_with("rounds=")) { &parts[3..] } else { &parts[2..] };
            let len = if id == "5" { 43 } else { 86 };
            let ok = rest.len() == 2 && rest[0].len() <= 16 && rest[1].len() == len && all_in(rest[1], CRYPT64);
            match (ok, id) {
                (true, "5") => Ok(HashFormat::Sha256Crypt),
                (true, _) => Ok(HashFormat::Sha512Crypt),
                (false, _) => Err(bad("sha-crypt ($5$ or $6$)")),
            }
        }
        other => Err(Error::invalid_argument(
            "PASSW-fmt02",
            format!(
                "password hash format ${other}$ is not supported; supported: bcrypt, argon2, scrypt, pbkdf2, md5-crypt, sha-crypt"
            ),
        )),
    }
}

/// Hashes a plain password with bcrypt at `cost` (4–31).
pub fn hash_plain(password: &str, cost: u32) -> Result<String> {
    bcrypt::hash(password, cost)
        .map_err(|e| Error::invalid_argument("PASSW-hash1", format!("cannot hash the password: {e}")))
}

/// The default password complexity policy of a new instance, checked as
/// ZITADEL's `PasswordComplexityPolicy.Check` does: at least 8 bytes (not
/// characters), an ASCII lowercase letter, an ASCII uppercase letter, an
/// ASCII digit and a symbol, which is anything else (`ä` is a symbol, `Ä`
/// is no uppercase letter). The first rule that fails answers, with its id.
pub fn check_default_complexity(password: &str) -> Result<()> {
    const MIN_LENGTH: usize = 8;
    let has = |f: fn(&u8) -> bool| password.as_bytes().iter().any(f);
    if password.len() < MIN_LENGTH {
        return Err(Error::invalid_argument(
            "DOMAIN-HuJf6",
            format!("the password needs at least {MIN_LENGTH} bytes; it has {}", password.len()),
        ));
    }
    let rules: [(bool, &'static str, &str); 4] = [
        (has(u8::is_ascii_lowercase), "DOMAIN-co3Xw", "a lowercase letter (a-z)"),
        (has(u8::is_ascii_uppercase), "DOMAIN-VoaRj", "an uppercase letter (A-Z)"),
        (has(u8::is_ascii_digit), "DOMAIN-ZBv4H", "a digit"),
        (has(|b| !b.is_ascii_alphanumeric()), "DOMAIN-ZDLwA", "a symbol"),
    ];
    match rules.into_iter().find(|(ok, _, _)| !ok) {
        None => Ok(()),
        Some((_, id, what)) => Err(Error::invalid_argument(id, format!("the password needs {what}"))),
    }
}

/// Whether `secret` is the one bcrypt hash `hash` was made from (a client
/// secret: machine users', applications'); `false` for a hash of another
/// format.
pub fn secret_matches(secret: &str, hash: &str) -> bool {
    !hash.is_empty() && bcrypt::verify(secret, hash).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognizes_common_formats() {
        let cases = [
            ("$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", HashFormat::Bcrypt),
            ("$2y$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW", HashFormat::Bcrypt),
            ("$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG", HashFormat::Argon2id),
            ("$argon2i$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$3qKQhuqlJfyn0Kh+ZJNH5Q", HashFormat::Argon2i),
            (
                "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E",
                HashFormat::Scrypt,
            ),
            ("$pbkdf2-sha256$12000$ZnJvbnRlbmQ$o3pIuXn1zxkLhb8F4BbGkJ8BT6iQ3jxNgm7ZGsL4HcQ", HashFormat::Pbkdf2Sha256),
            ("$pbkdf2-sha512$i=1000,l=64$c2FsdA$aGFzaA", HashFormat::Pbkdf2Sha512),
            ("$pbkdf2$1000$c2FsdA$aGFzaA", HashFormat::Pbkdf2Sha1),
            ("$1$saltsalt$qjXMvbEw8oaL.CzflDugX/", HashFormat::Md5Crypt),
        ];
        for (hash, format) in cases {
            assert_eq!(recognize(hash).unwrap(), format, "{hash}");
        }
    }

    #[test]
    fn refuses_what_it_cannot_keep() {
        for hash in [
            "",
            "plaintext",
            "$2a$10$tooshort",
            "$2a$99$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
            "$argon2id$v=19$m=65536$c29tZXNhbHQ$RdescudvJCsgt3ub",
            "$md5$whatever",
            "$1$salt$short",
        ] {
            assert!(recognize(hash).is_err(), "{hash:?} must be refused");
        }
    }

    #[test]
    fn plain_passwords_are_hashed_with_bcrypt() {
        let hash = hash_plain("Correct-Horse-9", 4).unwrap();
        assert_eq!(recognize(&hash).unwrap(), HashFormat::Bcrypt);
        assert!(bcrypt::verify("Correct-Horse-9", &hash).unwrap());
    }

    #[test]
    fn default_complexity_as_zitadel() {
        for ok in ["Password1!", "Passwört1", "Ab1!äöü"] {
            assert!(check_default_complexity(ok).is_ok(), "{ok:?}");
        }
        for (bad, id) in [
            ("Ab1!", "DOMAIN-HuJf6"),
            ("ÄÖ1!", "DOMAIN-HuJf6"),
            ("PASSWORD1!", "DOMAIN-co3Xw"),
            ("ÄÖÜäöü12", "DOMAIN-co3Xw"),
            ("password1!", "DOMAIN-VoaRj"),
            ("Password!", "DOMAIN-ZBv4H"),
            ("Password1", "DOMAIN-ZDLwA"),
        ] {
            assert_eq!(check_default_complexity(bad).unwrap_err().id, id, "{bad:?}");
        }
    }
}
