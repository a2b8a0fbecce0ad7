//! Small text helpers shared by the formats.

use domain::locale::Locale;

/// The marker a suppressed cell shows in every format: 「非表示（10人未満）」 /
/// "Hidden (fewer than 10)". A cell hidden by secondary suppression shows the same marker, so
/// that the marker does not tell which cells were below k.
pub fn hidden_marker(locale: Locale, k: u32) -> String {
    match locale {
        Locale::Ja => format!("非表示（{k}人未満）"),
        Locale::En => format!("Hidden (fewer than {k})"),
    }
}

/// A number as the reports print it: whole numbers with thousands separators (`1,234`), other
/// values with one decimal (`12.5`). Not locale-dependent: Japanese and English both use `,`
/// and `.`.
pub fn format_number(value: f64) -> String {
    if !value.is_finite() {
        return "-".to_string();
    }
    let rounded = value.round();
    if (value - rounded).abs() < 1e-9 && rounded.abs() < 1e15 {
        group_thousands(&format!("{}", rounded.abs() as u64), rounded < 0.0)
    } else {
        let text = format!("{:.1}", value.abs());
        let (int, frac) = text.split_once('.').unwrap_or((&text, "0"));
        format!("{}.{}", group_thousands(int, value < 0.0), frac)
    }
}

fn group_thousands(digits: &str, negative: bool) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if negative {
        out.push('-');
    }
    let len = digits.len();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (len - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An estimate of a text's width in em: CJK and other wide characters take one em, the rest a
/// little over half. Used for the layout of chart labels (the SVG does not measure text).
pub(crate) fn estimate_em(text: &str) -> f64 {
    text.chars().map(char_em).sum()
}

fn char_em(c: char) -> f64 {
    let cp = c as u32;
    if (0x1100..=0x115F).contains(&cp)
        || (0x2E80..=0xA4CF).contains(&cp)
        || (0xAC00..=0xD7A3).contains(&cp)
        || (0xF900..=0xFAFF).contains(&cp)
        || (0xFE30..=0xFE4F).contains(&cp)
        || (0xFF00..=0xFF60).contains(&cp)
        || (0xFFE0..=0xFFE6).contains(&cp)
        || cp >= 0x1F300
    {
        1.0
    } else if c.is_ascii_uppercase() || matches!(c, 'm' | 'w' | 'M' | 'W' | '@') {
        0.68
    } else {
        0.56
    }
}

/// The text cut to at most `max_em` em, with `…` when cut.
pub(crate) fn truncate_em(text: &str, max_em: f64) -> String {
    if estimate_em(text) <= max_em {
        return text.to_string();
    }
    let mut out = String::new();
    let mut width = 0.0;
    for c in text.chars() {
        let w = char_em(c);
        if width + w > max_em - 1.0 {
            break;
        }
        width += w;
        out.push(c);
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_and_rounded() {
        assert_eq!(format_number(0.0), "0");
        assert_eq!(format_number(12.0), "12");
        assert_eq!(format_number(1234.0), "1,234");
        assert_eq!(format_number(1234567.0), "1,234,567");
        assert_eq!(format_number(-1234.0), "-1,234");
        assert_eq!(format_number(12.345), "12.3");
        assert_eq!(format_number(1234.56), "1,234.6");
        assert_eq!(format_number(f64::NAN), "-");
    }

    #[test]
    fn markers_say_k() {
        assert_eq!(hidden_marker(Locale::Ja, 10), "非表示（10人未満）");
        assert_eq!(hidden_marker(Locale::En, 5), "Hidden (fewer than 5)");
    }

    #[test]
    fn long_labels_are_cut_with_an_ellipsis() {
        assert_eq!(truncate_em("営業部", 10.0), "営業部");
        let cut = truncate_em("営業本部第一営業部法人営業課", 6.0);
        assert!(cut.ends_with('…') && estimate_em(&cut) <= 6.0, "{cut}");
    }
}
