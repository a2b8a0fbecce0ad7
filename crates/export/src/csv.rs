//! Tables as CSV files that Excel in Japan opens as they are: UTF-8 with a byte-order mark, or
//! CP932 (Windows' Shift_JIS). Lines end with CRLF; cells are quoted when they need it.
//!
//! **Formula injection.** A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
//! (or their full-width forms `＝`, `＋`, `－`, `＠`, which Japanese spreadsheets may also read as
//! formulas) is written with a leading apostrophe `'`: Excel and LibreOffice then show the cell
//! as text, and every other reader sees the original text after one visible `'`. This is
//! OWASP's recommendation; the same choice as the audit log's CSV. It applies to every cell,
//! headers and labels included. The numbers the exports write (counts, shares) are never
//! negative, so no number gets the apostrophe.
//!
//! **CP932.** The few characters that Unicode and Windows' CP932 tables map differently are
//! written as the character Windows shows for them: `—` (U+2014) as `―`, `〜` as `～`, `‖` as
//! `∥`, `−` as `－`, `¢ £ ¬` as `￠ ￡ ￢` (the dash of 「—」 in a label would otherwise be lost).
//! Any other character CP932 cannot encode (a rare kanji such as 𠮷, an emoji) is replaced
//! by 〓 (the geta mark, the customary sign for a missing character in Japanese print) and
//! reported in [`CsvFile::replaced`] with its line and column, so that the caller can tell the
//! user; UTF-8 loses nothing. A cell is made formula-safe after this mapping, so that `−1`
//! (which becomes `－1`) gets its apostrophe too.

use encoding_rs::SHIFT_JIS;
use std::borrow::Cow;

/// The sign written in place of a character CP932 cannot encode.
pub const REPLACEMENT: char = '〓';

const BOM: &[u8] = b"\xEF\xBB\xBF";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum CsvEncoding {
    /// UTF-8 with a byte-order mark (Excel needs the mark to read UTF-8).
    #[default]
    Utf8Bom,
    /// CP932 (Windows-31J), as older Japanese systems expect.
    Cp932,
}

impl CsvEncoding {
    /// Reads `utf8`, `utf-8`, `utf8bom`, `bom`, `sjis`, `shift_jis`, `cp932`, `windows-31j`.
    pub fn parse(name: &str) -> Option<CsvEncoding> {
        let key: String = name.trim().chars().filter(|c| !matches!(c, '-' | '_' | ' ')).flat_map(char::to_lowercase).collect();
        match key.as_str() {
            "utf8" | "utf8bom" | "bom" => Some(CsvEncoding::Utf8Bom),
            "sjis" | "shiftjis" | "cp932" | "windows31j" | "ms932" => Some(CsvEncoding::Cp932),
            _ => None,
        }
    }

    /// The `charset` of the HTTP `Content-Type`.
    pub fn charset(self) -> &'static str {
        match self {
            CsvEncoding::Utf8Bom => "utf-8",
            CsvEncoding::Cp932 => "Shift_JIS",
        }
    }
}

/// A character that CP932 cannot encode, replaced by [`REPLACEMENT`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replaced {
    /// 1-based line of the file (the header is line 1).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    pub character: char,
}

/// A CSV file's bytes and what could not be encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvFile {
    pub bytes: Vec<u8>,
    pub encoding: CsvEncoding,
    /// Empty for UTF-8.
    pub replaced: Vec<Replaced>,
}

#[derive(Debug, thiserror::Error)]
#[error("CSV を書けませんでした / the CSV could not be written: {0}")]
pub struct CsvError(String);

/// Neutralizes a cell that a spreadsheet would run as a formula (see the module's text).
pub fn formula_safe(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// Writes a header row and data rows.
pub fn write(header: &[String], rows: &[Vec<String>], encoding: CsvEncoding) -> Result<CsvFile, CsvError> {
    let mut replaced = Vec::new();
    let mut writer = ::csv::WriterBuilder::new().flexible(true).terminator(::csv::Terminator::CRLF).from_writer(Vec::new());
    for (i, row) in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)).enumerate() {
        let cells = row.iter().enumerate().map(|(j, cell)| match encoding {
            CsvEncoding::Utf8Bom => formula_safe(cell).into_owned(),
            CsvEncoding::Cp932 => {
                let mapped = cp932_variants(cell);
                cp932_safe(&formula_safe(&mapped), i + 1, j + 1, &mut replaced)
            }
        });
        let cells: Vec<String> = cells.collect();
        writer.write_record(&cells).map_err(|e| CsvError(e.to_string()))?;
    }
    let text = writer.into_inner().map_err(|e| CsvError(e.to_string()))?;
    let bytes = match encoding {
        CsvEncoding::Utf8Bom => [BOM, &text].concat(),
        CsvEncoding::Cp932 => {
            let text = String::from_utf8(text).map_err(|e| CsvError(e.to_string()))?;
            let (bytes, _, _) = SHIFT_JIS.encode(&text);
            bytes.into_owned()
        }
    };
    Ok(CsvFile { bytes, encoding, replaced })
}

/// The characters Unicode's and Windows' tables give different code points, as Windows has them.
fn cp932_variant(c: char) -> char {
    match c {
        '\u{2014}' => '\u{2015}', // EM DASH → HORIZONTAL BAR
        '\u{301C}' => '\u{FF5E}', // WAVE DASH → FULLWIDTH TILDE
        '\u{2016}' => '\u{2225}', // DOUBLE VERTICAL LINE → PARALLEL TO
        '\u{2212}' => '\u{FF0D}', // MINUS SIGN → FULLWIDTH HYPHEN-MINUS
        '\u{00A2}' => '\u{FFE0}', // CENT SIGN → FULLWIDTH CENT SIGN
        '\u{00A3}' => '\u{FFE1}', // POUND SIGN → FULLWIDTH POUND SIGN
        '\u{00AC}' => '\u{FFE2}', // NOT SIGN → FULLWIDTH NOT SIGN
        c => c,
    }
}

/// The cell with each character CP932 lacks but has a variant of written as that variant. The
/// minus sign always is (the encoder would write it as `－` anyway), so that the formula check
/// sees what the spreadsheet will.
fn cp932_variants(cell: &str) -> Cow<'_, str> {
    let mut buf = [0u8; 4];
    let mut swap = |c: char| {
        let v = cp932_variant(c);
        if v != c && (c == '\u{2212}' || SHIFT_JIS.encode(c.encode_utf8(&mut buf)).2) {
            v
        } else {
            c
        }
    };
    if cell.chars().all(|c| swap(c) == c) {
        return Cow::Borrowed(cell);
    }
    Cow::Owned(cell.chars().map(swap).collect())
}

/// The cell with every character CP932 cannot encode replaced and recorded.
fn cp932_safe(cell: &str, line: usize, column: usize, replaced: &mut Vec<Replaced>) -> String {
    let (_, _, unmappable) = SHIFT_JIS.encode(cell);
    if !unmappable {
        return cell.to_string();
    }
    let mut buf = [0u8; 4];
    cell.chars()
        .map(|c| {
            let (_, _, bad) = SHIFT_JIS.encode(c.encode_utf8(&mut buf));
            if bad {
                replaced.push(Replaced { line, column, character: c });
                REPLACEMENT
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_names() {
        assert_eq!(CsvEncoding::parse("UTF-8"), Some(CsvEncoding::Utf8Bom));
        assert_eq!(CsvEncoding::parse("Shift_JIS"), Some(CsvEncoding::Cp932));
        assert_eq!(CsvEncoding::parse("cp932"), Some(CsvEncoding::Cp932));
        assert_eq!(CsvEncoding::parse("latin1"), None);
    }

    #[test]
    fn unicode_variants_are_written_as_windows_has_them() {
        for c in ['\u{2014}', '\u{301C}', '\u{2016}', '\u{2212}', '\u{00A2}', '\u{00A3}', '\u{00AC}'] {
            let (_, _, bad) = SHIFT_JIS.encode(cp932_variant(c).encode_utf8(&mut [0; 4]));
            assert!(!bad, "{c:?} maps to a CP932 character");
            let (_, _, bad) = SHIFT_JIS.encode(&cp932_variants(&c.to_string()));
            assert!(!bad, "{c:?} is written in CP932");
        }
        assert_eq!(cp932_variants("—"), "―");
        assert!(matches!(cp932_variants("面談"), Cow::Borrowed(_)));
    }

    #[test]
    fn the_replacement_sign_is_cp932() {
        let (_, _, bad) = SHIFT_JIS.encode("〓");
        assert!(!bad);
    }
}
