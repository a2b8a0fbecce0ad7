//! Focus indicators reach 3:1 against their background (WCAG 2.2 SC 1.4.11 and 2.4.13), checked
//! on the stylesheet's colour values: the ring (`--focus`) against the page, the cards and the
//! white inner offset, and the header's ring (`--focus-on-brand`) against the header (`--brand`).

use std::collections::HashMap;

const CSS: &str = include_str!("../../../static/app.css");

/// The custom properties of `:root` that hold a `#rrggbb` colour.
fn colours() -> HashMap<String, String> {
    let root = CSS.split(":root {").nth(1).and_then(|r| r.split('}').next()).unwrap_or_default();
    root.split(';')
        .filter_map(|decl| decl.trim().split_once(':'))
        .filter(|(_, v)| v.trim().starts_with('#'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// `#rgb` or `#rrggbb` as `#rrggbb`.
fn long_hex(hex: &str) -> String {
    match hex.len() {
        4 => hex.chars().take(1).chain(hex.chars().skip(1).flat_map(|c| [c, c])).collect(),
        _ => hex.to_string(),
    }
}

fn channel(hex: &str, i: usize) -> f64 {
    let v = u8::from_str_radix(&hex[1 + 2 * i..3 + 2 * i], 16).unwrap_or_else(|e| panic!("{hex}: {e}"));
    let c = f64::from(v) / 255.0;
    if c <= 0.039_28 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// WCAG relative luminance of `#rrggbb`.
fn luminance(hex: &str) -> f64 {
    let hex = &long_hex(hex);
    assert!(hex.len() == 7 && hex.starts_with('#'), "not a #rrggbb colour: {hex}");
    0.2126 * channel(hex, 0) + 0.7152 * channel(hex, 1) + 0.0722 * channel(hex, 2)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (a, b) = (luminance(a), luminance(b));
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

#[test]
fn contrast_is_computed_as_wcag_defines_it() {
    assert!((contrast("#000000", "#ffffff") - 21.0).abs() < 1e-9);
    assert!((contrast("#000", "#fff") - 21.0).abs() < 1e-9);
    assert!((contrast("#777777", "#ffffff") - 4.48).abs() < 0.01);
    // The former amber ring on white: the 1.6:1.
    assert!((contrast("#ffbf47", "#ffffff") - 1.64).abs() < 0.01);
}

#[test]
fn focus_rings_reach_3_to_1_against_their_background() {
    let c = colours();
    let get = |name: &str| c.get(name).cloned().unwrap_or_else(|| panic!("app.css :root defines no colour {name}: {c:?}"));
    let focus = get("--focus");
    for bg in ["--bg", "--card"] {
        let ratio = contrast(&focus, &get(bg));
        assert!(ratio >= 3.0, "the focus ring {focus} on {bg} {}: {ratio:.2}:1", get(bg));
    }
    // The white inner offset (box-shadow) between the ring and a control.
    assert!(contrast(&focus, "#ffffff") >= 3.0);
    let on_brand = get("--focus-on-brand");
    let ratio = contrast(&on_brand, &get("--brand"));
    assert!(ratio >= 3.0, "the header's focus ring {on_brand} on {}: {ratio:.2}:1", get("--brand"));
    // The rules use them: the ring everywhere, the header's own ring inside the header.
    assert!(CSS.contains(":focus-visible { outline: 3px solid var(--focus);"), "the focus ring rule changed");
    assert!(
        CSS.contains(".site-header :focus-visible") && CSS.contains("outline-color: var(--focus-on-brand)"),
        "the header's ring rule changed"
    );
}
