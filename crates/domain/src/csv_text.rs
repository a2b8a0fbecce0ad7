//! The text of an uploaded file, as HR systems and spreadsheets in Japan save it: UTF-8 with or
//! without a BOM, or Shift_JIS (CP932, the Windows variant). Every upload (the employee
//! register, a cycle's target list) is decoded here, once, the same way.
//!
//! [`decode`] detects the encoding: a UTF-8 BOM, then valid UTF-8, then Shift_JIS. Bytes that
//! are neither are refused with the line and the byte offset of the first unreadable byte,
//! in both languages; UTF-16 is refused as a whole.

use crate::Message;
use encoding_rs::SHIFT_JIS;
use std::borrow::Cow;

const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// The character encoding a file was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SourceEncoding {
    Utf8,
    Utf8Bom,
    ShiftJis,
}

impl SourceEncoding {
    pub const ALL: [SourceEncoding; 3] = [SourceEncoding::Utf8, SourceEncoding::Utf8Bom, SourceEncoding::ShiftJis];

    pub fn label(self) -> &'static str {
        match self {
            SourceEncoding::Utf8 => "UTF-8",
            SourceEncoding::Utf8Bom => "UTF-8 (BOM付き)",
            SourceEncoding::ShiftJis => "Shift_JIS (CP932)",
        }
    }

    /// The code an encoding is stored under (`utf8`, `utf8bom`, `sjis`); read back with
    /// [`SourceEncoding::from_name`].
    pub fn code(self) -> &'static str {
        match self {
            SourceEncoding::Utf8 => "utf8",
            SourceEncoding::Utf8Bom => "utf8bom",
            SourceEncoding::ShiftJis => "sjis",
        }
    }

    /// Reads an encoding name as an operator would type it: `utf-8`, `utf8-bom`, `sjis`, `cp932`, ….
    pub fn from_name(name: &str) -> Option<SourceEncoding> {
        let key: String = name.trim().chars().filter(|c| !matches!(c, '-' | '_' | ' ')).flat_map(char::to_lowercase).collect();
        match key.as_str() {
            "utf8" => Some(SourceEncoding::Utf8),
            "utf8bom" | "utf8withbom" | "bom" => Some(SourceEncoding::Utf8Bom),
            "sjis" | "shiftjis" | "cp932" | "windows31j" | "ms932" => Some(SourceEncoding::ShiftJis),
            _ => None,
        }
    }

    /// The text in this encoding, as bytes to write to a file.
    pub fn encode(self, text: &str) -> Vec<u8> {
        match self {
            SourceEncoding::Utf8 => text.as_bytes().to_vec(),
            SourceEncoding::Utf8Bom => {
                let mut out = Vec::with_capacity(text.len() + BOM.len());
                out.extend_from_slice(&BOM);
                out.extend_from_slice(text.as_bytes());
                out
            }
            SourceEncoding::ShiftJis => SHIFT_JIS.encode(text).0.into_owned(),
        }
    }

    /// Whether `text` survives a trip through this encoding unchanged. UTF-8 carries everything;
    /// Shift_JIS lacks many characters (e.g. `𠮷`), and a few come back as a different one.
    pub fn round_trips(self, text: &str) -> bool {
        match self {
            SourceEncoding::Utf8 | SourceEncoding::Utf8Bom => true,
            SourceEncoding::ShiftJis => {
                let (bytes, _, unmappable) = SHIFT_JIS.encode(text);
                !unmappable && SHIFT_JIS.decode_without_bom_handling_and_without_replacement(&bytes).as_deref() == Some(text)
            }
        }
    }
}

/// A file read as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded<'a> {
    pub encoding: SourceEncoding,
    /// The text without its BOM.
    pub text: Cow<'a, str>,
}

/// Why a file cannot be read as text, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// 1-based line of the first unreadable byte; 0 when the file as a whole is refused.
    pub line: usize,
    /// 0-based byte offset of the first unreadable byte in the file, if one is to blame.
    pub offset: Option<usize>,
    pub message: Message,
}

/// 1-based number of the line that `prefix`'s end is on (`\n`, `\r\n` and a lone `\r` end a line).
pub fn line_after(prefix: &[u8]) -> usize {
    let mut line = 1;
    let mut iter = prefix.iter().peekable();
    while let Some(&b) = iter.next() {
        if b == b'\n' || (b == b'\r' && iter.peek() != Some(&&b'\n')) {
            line += 1;
        }
    }
    line
}

/// The unreadable byte at `offset` of `bytes`, and the one after it, as hex (`0x81 0x20`).
fn bytes_at(bytes: &[u8], offset: usize) -> String {
    bytes.iter().skip(offset).take(2).map(|b| format!("0x{b:02X}")).collect::<Vec<_>>().join(" ")
}

fn undecodable(bytes: &[u8], offset: usize) -> DecodeError {
    let line = line_after(bytes.get(..offset).unwrap_or_default());
    let shown = bytes_at(bytes, offset);
    let at = offset + 1;
    DecodeError {
        line,
        offset: Some(offset),
        message: Message::new(
            format!(
                "ファイルの文字コードが UTF-8 でも Shift_JIS (CP932) でもありません（{line}行目、先頭から{at}バイト目に読めない文字 {shown} があります）。UTF-8 または Shift_JIS で保存し直してください。"
            ),
            format!(
                "the file is neither UTF-8 nor Shift_JIS (CP932): line {line}, byte {at} of the file ({shown}) cannot be read; save it again in one of these encodings"
            ),
        ),
    }
}

/// The byte offset in `bytes` of the first character Shift_JIS cannot read, if any.
fn first_bad_shift_jis(bytes: &[u8]) -> Option<usize> {
    let mut decoder = SHIFT_JIS.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(decoder.max_utf8_buffer_length_without_replacement(bytes.len()).unwrap_or(bytes.len() * 3));
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut out, true);
    match result {
        encoding_rs::DecoderResult::Malformed(bad, after) => {
            // `read` is just past the malformed sequence and the `after` bytes that follow it.
            Some(read.saturating_sub(usize::from(bad) + usize::from(after)))
        }
        encoding_rs::DecoderResult::InputEmpty | encoding_rs::DecoderResult::OutputFull => None,
    }
}

/// Detects the encoding and decodes: a UTF-8 BOM, then valid UTF-8, then Shift_JIS (CP932).
pub fn decode(bytes: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(DecodeError {
            line: 0,
            offset: None,
            message: Message::new(
                "UTF-16 のファイルには対応していません。UTF-8 または Shift_JIS (CP932) で保存し直してください。",
                "UTF-16 files are not supported; save the file as UTF-8 or Shift_JIS (CP932)",
            ),
        });
    }
    if let Some(rest) = bytes.strip_prefix(&BOM) {
        return match std::str::from_utf8(rest) {
            Ok(s) => Ok(Decoded { encoding: SourceEncoding::Utf8Bom, text: Cow::Borrowed(s) }),
            Err(e) => Err(undecodable(bytes, BOM.len() + e.valid_up_to())),
        };
    }
    let utf8_error = match std::str::from_utf8(bytes) {
        Ok(s) => return Ok(Decoded { encoding: SourceEncoding::Utf8, text: Cow::Borrowed(s) }),
        Err(e) => e,
    };
    let valid = bytes.get(..utf8_error.valid_up_to()).unwrap_or_default();
    // Shift_JIS text almost never forms three-byte UTF-8 sequences: if the readable start of the
    // file has several, it is UTF-8 with damage, and reading it as Shift_JIS would garble it.
    let wide = std::str::from_utf8(valid).map(|s| s.chars().filter(|c| c.len_utf8() >= 3).count()).unwrap_or(0);
    if wide >= 3 {
        return Err(undecodable(bytes, utf8_error.valid_up_to()));
    }
    if let Some(text) = SHIFT_JIS.decode_without_bom_handling_and_without_replacement(bytes) {
        return Ok(Decoded { encoding: SourceEncoding::ShiftJis, text });
    }
    // Neither: blame the byte that lets the file be read furthest, as it is most likely where
    // the damage is.
    let sjis_bad = first_bad_shift_jis(bytes).unwrap_or(0);
    Err(undecodable(bytes, utf8_error.valid_up_to().max(sjis_bad)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TEXT: &str = "社員番号,氏名\r\nE001,髙橋 ①郎\r\n";

    #[test]
    fn each_encoding_is_detected_and_the_bom_removed() {
        for encoding in SourceEncoding::ALL {
            let bytes = encoding.encode(TEXT);
            let d = decode(&bytes).unwrap_or_else(|e| panic!("{encoding:?}: {e:?}"));
            assert_eq!((d.encoding, d.text.as_ref()), (encoding, TEXT));
        }
        assert_eq!(decode(b"").map(|d| d.encoding), Ok(SourceEncoding::Utf8));
    }

    #[test]
    fn undecodable_bytes_are_named_by_line_and_offset_in_both_languages() {
        // 0x81 0x20 is an invalid Shift_JIS pair, and invalid UTF-8, on line 3.
        let mut bytes = b"a,b\nc,d\ne,".to_vec();
        let offset = bytes.len();
        bytes.extend_from_slice(&[0x81, 0x20, b'\n']);
        let e = decode(&bytes).err().unwrap_or_else(|| panic!("decoded"));
        assert_eq!((e.line, e.offset), (3, Some(offset)));
        assert!(e.message.ja.contains("3行目") && e.message.ja.contains(&format!("{}バイト目", offset + 1)), "{}", e.message.ja);
        assert!(e.message.ja.contains("0x81 0x20"), "{}", e.message.ja);
        assert!(e.message.en.contains("neither UTF-8 nor Shift_JIS") && e.message.en.contains("line 3"), "{}", e.message.en);
        // A lead byte followed by bytes that are neither Shift_JIS nor UTF-8.
        assert_eq!(decode(&[0x82, 0xFF, 0xFF]).map_err(|e| (e.line, e.offset)), Err((1, Some(0))));
    }

    #[test]
    fn damaged_utf8_is_not_read_as_shift_jis() {
        let mut bytes = "所属,氏名\n営業本部,山田\n".as_bytes().to_vec();
        let offset = bytes.len();
        bytes.push(0xE3); // a cut three-byte sequence on line 3
        bytes.extend_from_slice(b",x\n");
        let e = decode(&bytes).err().unwrap_or_else(|| panic!("decoded"));
        assert_eq!((e.line, e.offset), (3, Some(offset)));
        let mut with_bom = BOM.to_vec();
        with_bom.extend_from_slice(&bytes);
        let e = decode(&with_bom).err().unwrap_or_else(|| panic!("decoded"));
        assert_eq!((e.line, e.offset), (3, Some(offset + 3)));
    }

    #[test]
    fn utf16_is_refused_as_a_whole() {
        for bytes in [[0xFF, 0xFE, b'a', 0], [0xFE, 0xFF, 0, b'a']] {
            let e = decode(&bytes).err().unwrap_or_else(|| panic!("decoded"));
            assert_eq!((e.line, e.offset), (0, None));
            assert!(e.message.ja.contains("UTF-16") && e.message.en.contains("UTF-16"));
        }
    }

    #[test]
    fn line_ends_of_every_kind_count() {
        assert_eq!(line_after(b""), 1);
        assert_eq!(line_after(b"a\nb\r\nc\rd"), 4);
        assert_eq!(line_after(b"a\r"), 2);
    }

    #[test]
    fn encoding_names_and_codes() {
        assert_eq!(SourceEncoding::from_name("UTF-8"), Some(SourceEncoding::Utf8));
        assert_eq!(SourceEncoding::from_name("utf8-bom"), Some(SourceEncoding::Utf8Bom));
        assert_eq!(SourceEncoding::from_name("CP932"), Some(SourceEncoding::ShiftJis));
        assert_eq!(SourceEncoding::from_name("latin1"), None);
        for e in SourceEncoding::ALL {
            assert_eq!(SourceEncoding::from_name(e.code()), Some(e));
        }
    }

    #[test]
    fn shift_jis_cannot_carry_every_character() {
        assert!(SourceEncoding::ShiftJis.round_trips("髙橋 ①郎"));
        assert!(!SourceEncoding::ShiftJis.round_trips("𠮷田"));
        assert!(SourceEncoding::Utf8.round_trips("𠮷田") && SourceEncoding::Utf8Bom.round_trips("𠮷田"));
    }

    proptest! {
        #[test]
        fn text_survives_each_encoding(text in "[a-zA-Z0-9,\r\n 　社員番号氏名所属髙橋①ｱｲｳ\"-]{0,200}") {
            for encoding in SourceEncoding::ALL {
                let bytes = encoding.encode(&text);
                let d = decode(&bytes).map_err(|e| TestCaseError::fail(format!("{encoding:?}: {e:?}")))?;
                prop_assert_eq!(d.text.as_ref(), text.as_str());
                // Plain ASCII is valid UTF-8 whatever it was written as.
                let expected = if encoding == SourceEncoding::ShiftJis && text.is_ascii() { SourceEncoding::Utf8 } else { encoding };
                prop_assert_eq!(d.encoding, expected);
            }
        }

        #[test]
        fn any_bytes_decode_or_say_where(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            match decode(&bytes) {
                Ok(d) => {
                    let replaced = d.text.contains(char::REPLACEMENT_CHARACTER);
                    prop_assert!(!replaced || bytes.windows(3).any(|w| w == [0xEF, 0xBF, 0xBD]));
                }
                Err(e) => {
                    if let Some(offset) = e.offset {
                        prop_assert!(offset < bytes.len());
                        prop_assert_eq!(e.line, line_after(&bytes[..offset]));
                    }
                    prop_assert!(!e.message.ja.is_empty() && !e.message.en.is_empty());
                }
            }
        }
    }
}
