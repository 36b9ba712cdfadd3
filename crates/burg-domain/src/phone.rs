//! Phone numbers in E.164, as ZITADEL stores them.
//!
//! ZITADEL parses a phone number with libphonenumber (default region CH)
//! and stores it formatted as E.164; a number it cannot parse is
//! InvalidArgument `PHONE-so0wa`. The Admin API's proto rule already
//! demands a leading `+`, so burg normalises international numbers only,
//! without libphonenumber's per-country metadata: it reads the digits the
//! way libphonenumber extracts them, checks that they start with an
//! assigned country calling code and that the national number has 2 to 17
//! digits, and writes `+` and the digits. What it does not do is strip a
//! national trunk prefix written after the country code (`+41 (0)44 …`
//! keeps its `0`, libphonenumber drops it for countries whose metadata says
//! so).

use crate::error::{Error, Result};

/// The country calling codes that libphonenumber knows.
const COUNTRY_CODES: &[u16] = &[
    1, 7, 20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55, 56, 57, 58, 60,
    61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98, 211, 212, 213, 216, 218, 220, 221, 222, 223,
    224, 225, 226, 227, 228, 229, 230, 231, 232, 233, 234, 235, 236, 237, 238, 239, 240, 241, 242, 243, 244, 245, 246,
    247, 248, 249, 250, 251, 252, 253, 254, 255, 256, 257, 258, 260, 261, 262, 263, 264, 265, 266, 267, 268, 269, 290,
    291, 297, 298, 299, 350, 351, 352, 353, 354, 355, 356, 357, 358, 359, 370, 371, 372, 373, 374, 375, 376, 377, 378,
    380, 381, 382, 383, 385, 386, 387, 389, 420, 421, 423, 500, 501, 502, 503, 504, 505, 506, 507, 508, 509, 590, 591,
    592, 593, 594, 595, 596, 597, 598, 599, 670, 672, 673, 674, 675, 676, 677, 678, 679, 680, 681, 682, 683, 685, 686,
    687, 688, 689, 690, 691, 692, 800, 808, 850, 852, 853, 855, 856, 870, 878, 880, 881, 882, 883, 886, 888, 960, 961,
    962, 963, 964, 965, 966, 967, 968, 970, 971, 972, 973, 974, 975, 976, 977, 979, 992, 993, 994, 995, 996, 998,
];

/// libphonenumber's bounds on a national significant number.
const NSN_MIN: usize = 2;
const NSN_MAX: usize = 17;

/// Punctuation libphonenumber skips between digits (`VALID_PUNCTUATION`),
/// and whitespace.
fn is_punctuation(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | 'x'
                | '\u{2010}'..='\u{2015}'
                | '\u{2212}'
                | '\u{30FC}'
                | '\u{FF0D}'..='\u{FF0F}'
                | '\u{00AD}'
                | '\u{200B}'
                | '\u{2060}'
                | '\u{3000}'
                | '('
                | ')'
                | '\u{FF08}'
                | '\u{FF09}'
                | '\u{FF3B}'
                | '\u{FF3D}'
                | '.'
                | '['
                | ']'
                | '/'
                | '~'
                | '\u{2053}'
                | '\u{223C}'
                | '\u{FF5E}'
        )
}

/// A decimal digit in any script libphonenumber reads (ASCII, full-width,
/// Arabic-Indic, …), as its value.
fn digit(c: char) -> Option<u8> {
    if let Some(d) = c.to_digit(10) {
        return u8::try_from(d).ok();
    }
    // Unicode decimal digits come in runs of ten starting at a zero.
    const ZEROS: &[u32] = &[0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0xFF10];
    let code = c as u32;
    ZEROS.iter().find(|z| (**z..**z + 10).contains(&code)).and_then(|z| u8::try_from(code - z).ok())
}

/// The digit a letter stands for on a phone keypad (vanity numbers).
fn keypad(c: char) -> Option<char> {
    let d = match c.to_ascii_uppercase() {
        'A'..='C' => '2',
        'D'..='F' => '3',
        'G'..='I' => '4',
        'J'..='L' => '5',
        'M'..='O' => '6',
        'P'..='S' => '7',
        'T'..='V' => '8',
        'W'..='Z' => '9',
        _ => return None,
    };
    Some(d)
}

/// `number` in E.164 (`+41446681800`), or InvalidArgument `PHONE-so0wa`.
/// An empty number is `PHONE-Zt0NV`. Letters are read as libphonenumber
/// reads them: three or more make a vanity number whose letters stand for
/// their keypad digits (`+1 800 FLOWERS`), fewer are dropped.
pub fn normalize(number: &str) -> Result<String> {
    if number.is_empty() {
        return Err(Error::invalid_argument("PHONE-Zt0NV", "the phone number is empty"));
    }
    let invalid = |why: &str| Error::invalid_argument("PHONE-so0wa", format!("the phone number is not valid: {why}"));
    let rest = number
        .trim_start()
        .strip_prefix(['+', '\u{FF0B}'])
        .ok_or_else(|| invalid("an international number starts with `+` and the country code"))?;
    let vanity = rest.chars().filter(|c| c.is_ascii_alphabetic()).count() >= 3;
    let mut digits = String::with_capacity(rest.len());
    for c in rest.chars() {
        match digit(c) {
            Some(d) => digits.push(char::from(b'0' + d)),
            None if c.is_ascii_alphabetic() => digits.extend(keypad(c).filter(|_| vanity)),
            None if is_punctuation(c) => {}
            None => return Err(invalid(&format!("{c:?} is neither a digit nor punctuation"))),
        }
    }
    let code_len = (1..=3)
        .find(|n| {
            digits.get(..*n).and_then(|p| p.parse::<u16>().ok()).is_some_and(|cc| COUNTRY_CODES.contains(&cc))
                && !digits.starts_with('0')
        })
        .ok_or_else(|| invalid("it does not start with a country calling code"))?;
    let national = digits.len() - code_len;
    if national < NSN_MIN {
        return Err(invalid("the number after the country code is too short"));
    }
    if national > NSN_MAX {
        return Err(invalid("the number after the country code is too long"));
    }
    Ok(format!("+{digits}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn international_numbers_become_e164() {
        for (given, e164) in [
            ("+41 44 668 18 00", "+41446681800"),
            ("+41446681800", "+41446681800"),
            ("+1 (415) 555-0100", "+14155550100"),
            ("+49-30-1234567", "+49301234567"),
            ("+44.20.7946.0958", "+442079460958"),
            ("+８１ ３ １２３４ ５６７８", "+81312345678"),
            ("+1 800 FLOWERS", "+18003569377"),
        ] {
            assert_eq!(normalize(given).unwrap(), e164, "{given:?}");
        }
    }

    #[test]
    fn what_libphonenumber_cannot_parse_is_refused() {
        assert_eq!(normalize("").unwrap_err().id, "PHONE-Zt0NV");
        for bad in ["+", "+4", "+41 4", "+0 44 668 18 00", "+999 1234567", "+41 44 668 18 00!", "044 668 18 00"] {
            let err = normalize(bad).unwrap_err();
            assert_eq!((err.kind, err.id), (crate::ErrorKind::InvalidArgument, "PHONE-so0wa"), "{bad:?}");
        }
        assert!(normalize(&format!("+41{}", "1".repeat(18))).is_err(), "too long");
    }
}
