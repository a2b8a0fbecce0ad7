//! Just enough of an HTML reader for the pages this server renders (askama templates: quoted
//! attributes, escaped text): the same-origin links of a page and its forms with their fields,
//! so that the walk finds what to fill without a list kept by hand.

/// A start tag: its name (lower case) and attributes (values with their entities decoded).
#[derive(Debug, Clone)]
pub struct Tag {
    pub name: String,
    pub attrs: Vec<(String, String)>,
}

impl Tag {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn has(&self, name: &str) -> bool {
        self.attrs.iter().any(|(k, _)| k == name)
    }
}

/// A token of the document: a start tag, an end tag (its name), or the text up to the next tag.
#[derive(Debug, Clone)]
pub enum Token {
    Start(Tag),
    End(String),
    Text(String),
}

/// Elements whose content is text up to their end tag, never markup.
const RAW: [&str; 4] = ["script", "style", "textarea", "title"];

/// The document's tokens, in order; the text of a raw-text element is one `Text` token.
pub fn tokens(html: &str) -> Vec<Token> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut text_from = 0;
    let flush = |out: &mut Vec<Token>, from: usize, to: usize| {
        if to > from {
            out.push(Token::Text(decode(&html[from..to])));
        }
    };
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        if html[i..].starts_with("<!--") {
            flush(&mut out, text_from, i);
            i = html[i..].find("-->").map_or(b.len(), |n| i + n + 3);
            text_from = i;
            continue;
        }
        if html[i..].starts_with("<!") || html[i..].starts_with("<?") {
            flush(&mut out, text_from, i);
            i = html[i..].find('>').map_or(b.len(), |n| i + n + 1);
            text_from = i;
            continue;
        }
        let closing = b.get(i + 1) == Some(&b'/');
        let name_at = i + 1 + usize::from(closing);
        let name_len = b[name_at..].iter().take_while(|c| c.is_ascii_alphanumeric() || **c == b'-').count();
        if name_len == 0 {
            i += 1;
            continue;
        }
        flush(&mut out, text_from, i);
        let name = html[name_at..name_at + name_len].to_ascii_lowercase();
        let (attrs, end) = attributes(html, name_at + name_len);
        i = end;
        text_from = i;
        if closing {
            out.push(Token::End(name));
            continue;
        }
        let raw = RAW.contains(&name.as_str());
        out.push(Token::Start(Tag { name: name.clone(), attrs }));
        if raw {
            let close = format!("</{name}");
            let rest = html[i..].to_ascii_lowercase();
            let stop = rest.find(&close).map_or(b.len(), |n| i + n);
            let text = &html[i..stop];
            out.push(Token::Text(if name == "textarea" || name == "title" { decode(text) } else { text.to_string() }));
            i = stop;
            text_from = i;
        }
    }
    flush(&mut out, text_from, b.len());
    out
}

/// Reads the attributes of a tag from `at` (just after its name) to its `>`; returns them and
/// the offset after the `>`.
fn attributes(html: &str, mut at: usize) -> (Vec<(String, String)>, usize) {
    let b = html.as_bytes();
    let mut attrs = Vec::new();
    loop {
        while at < b.len() && (b[at].is_ascii_whitespace() || b[at] == b'/') {
            at += 1;
        }
        if at >= b.len() {
            return (attrs, b.len());
        }
        if b[at] == b'>' {
            return (attrs, at + 1);
        }
        let start = at;
        while at < b.len() && !b[at].is_ascii_whitespace() && !matches!(b[at], b'=' | b'>' | b'/') {
            at += 1;
        }
        let name = html[start..at].to_ascii_lowercase();
        while at < b.len() && b[at].is_ascii_whitespace() {
            at += 1;
        }
        let mut value = String::new();
        if b.get(at) == Some(&b'=') {
            at += 1;
            while at < b.len() && b[at].is_ascii_whitespace() {
                at += 1;
            }
            match b.get(at) {
                Some(q @ (b'"' | b'\'')) => {
                    let end = html[at + 1..].find(char::from(*q)).map_or(b.len(), |n| at + 1 + n);
                    value = decode(&html[at + 1..end]);
                    at = (end + 1).min(b.len());
                }
                _ => {
                    let start = at;
                    while at < b.len() && !b[at].is_ascii_whitespace() && b[at] != b'>' {
                        at += 1;
                    }
                    value = decode(&html[start..at]);
                }
            }
        }
        if !name.is_empty() {
            attrs.push((name, value));
        }
    }
}

/// Decodes character references: the named ones askama writes, and numeric ones.
pub fn decode(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|n| *n <= 10);
        let decoded = end.and_then(|n| {
            let name = &rest[1..n];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .map(|h| u32::from_str_radix(h, 16).ok())
                    .unwrap_or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, n + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The same-origin links of a page, as `path?query` (relative ones resolved against `here`),
/// downloads included; `external` is told apart by a scheme and host.
pub fn links(tokens: &[Token], here: &str, base: &str) -> Vec<String> {
    let mut out = Vec::new();
    for t in tokens {
        let Token::Start(tag) = t else { continue };
        if tag.name != "a" {
            continue;
        }
        let Some(href) = tag.attr("href") else { continue };
        if let Some(path) = resolve(href, here, base) {
            out.push(path);
        }
    }
    out
}

/// `href` as a same-origin `path?query` (fragment dropped), or `None` for another origin or a
/// non-HTTP link.
pub fn resolve(href: &str, here: &str, base: &str) -> Option<String> {
    let href = href.trim();
    let href = href.split('#').next().unwrap_or_default();
    if href.is_empty() {
        return None;
    }
    if let Some(rest) = href.strip_prefix(base) {
        return Some(if rest.is_empty() { "/".into() } else { rest.to_string() });
    }
    if href.starts_with("//") || href.contains("://") || href.split(['/', '?']).next().is_some_and(|s| s.contains(':')) {
        return None;
    }
    if href.starts_with('/') {
        return Some(href.to_string());
    }
    let here_path = here.split('?').next().unwrap_or("/");
    if let Some(q) = href.strip_prefix('?') {
        return Some(format!("{here_path}?{q}"));
    }
    let dir = here_path.rsplit_once('/').map_or("", |(d, _)| d);
    Some(format!("{dir}/{href}"))
}

/// A field of a form as the page shows it.
#[derive(Debug, Clone)]
pub struct Field {
    /// `input` (with its type), `textarea`, `select`.
    pub kind: FieldKind,
    pub name: String,
    pub value: String,
    pub required: bool,
    pub max_len: Option<usize>,
    pub pattern: bool,
    /// `inputmode="numeric"`: a number typed as text.
    pub numeric: bool,
    pub disabled: bool,
    /// A checkbox's or radio's `checked`.
    pub checked: bool,
    /// A select's options: value and whether selected.
    pub options: Vec<(String, bool)>,
    pub min: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    Input(String),
    Textarea,
    Select,
}

impl Field {
    /// Whether a person would type free text into it: text, search, e-mail, URL and telephone
    /// inputs without a `pattern`, and text areas.
    pub fn free_text(&self) -> bool {
        match &self.kind {
            FieldKind::Textarea => !self.disabled,
            FieldKind::Input(t) => {
                matches!(t.as_str(), "text" | "search" | "email" | "url" | "tel") && !self.pattern && !self.numeric && !self.disabled
            }
            FieldKind::Select => false,
        }
    }

    pub fn input_type(&self) -> &str {
        match &self.kind {
            FieldKind::Input(t) => t,
            FieldKind::Textarea => "textarea",
            FieldKind::Select => "select",
        }
    }
}

/// A `<form>`: where it posts, how, its fields and its first named submit button.
#[derive(Debug, Clone)]
pub struct Form {
    pub method: String,
    pub action: String,
    pub enctype: String,
    pub fields: Vec<Field>,
    /// The name and value the form is sent with: its primary submit button's (the main
    /// action of every form of this product), else its first one's; `None` for a button
    /// without a name.
    pub button: Option<(String, String)>,
    /// Whether the chosen button is the primary one.
    primary: bool,
    /// Whether a submit button was seen.
    seen_button: bool,
}

impl Form {
    /// Notes a submit button: the first one, until a primary one comes.
    fn submit_button(&mut self, tag: &Tag) {
        let primary = tag.attr("class").is_some_and(|c| c.split_whitespace().any(|c| c == "primary"));
        if !self.seen_button || (primary && !self.primary) {
            self.seen_button = true;
            self.primary = primary;
            self.button = tag.attr("name").map(|n| (n.to_string(), tag.attr("value").unwrap_or_default().to_string()));
        }
    }

    pub fn free_text(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| f.free_text())
    }
}

/// The forms of a page; `here` resolves an empty or relative action.
pub fn forms(tokens: &[Token], here: &str, base: &str) -> Vec<Form> {
    let mut out: Vec<Form> = Vec::new();
    let mut current: Option<Form> = None;
    let mut select: Option<Field> = None;
    let mut textarea: Option<Field> = None;
    let mut option: Option<(String, bool, bool)> = None;
    for t in tokens {
        match t {
            Token::Start(tag) => match tag.name.as_str() {
                "form" => {
                    let action = tag.attr("action").unwrap_or_default();
                    let action = if action.is_empty() { Some(here.to_string()) } else { resolve(action, here, base) };
                    current = action.map(|action| Form {
                        method: tag.attr("method").unwrap_or("get").to_ascii_lowercase(),
                        action,
                        enctype: tag.attr("enctype").unwrap_or_default().to_ascii_lowercase(),
                        fields: Vec::new(),
                        button: None,
                        primary: false,
                        seen_button: false,
                    });
                }
                "input" => {
                    let Some(form) = current.as_mut() else { continue };
                    let kind = tag.attr("type").unwrap_or("text").to_ascii_lowercase();
                    if matches!(kind.as_str(), "submit" | "image" | "button" | "reset") {
                        if kind == "submit" {
                            form.submit_button(tag);
                        }
                        continue;
                    }
                    let Some(name) = tag.attr("name") else { continue };
                    form.fields.push(field(tag, FieldKind::Input(kind), name, tag.attr("value").unwrap_or_default()));
                }
                "textarea" if current.is_some() => {
                    if let Some(name) = tag.attr("name") {
                        textarea = Some(field(tag, FieldKind::Textarea, name, ""));
                    }
                }
                "select" if current.is_some() => {
                    if let Some(name) = tag.attr("name") {
                        select = Some(field(tag, FieldKind::Select, name, ""));
                    }
                }
                "option" => {
                    if let Some((v, sel, has_value)) = option.take() {
                        if let Some(s) = select.as_mut() {
                            s.options.push((if has_value { v } else { v.trim().to_string() }, sel));
                        }
                    }
                    if select.is_some() {
                        let value = tag.attr("value").map(str::to_string);
                        option = Some((value.clone().unwrap_or_default(), tag.has("selected"), value.is_some()));
                    }
                }
                "button" => {
                    let Some(form) = current.as_mut() else { continue };
                    if tag.attr("type").unwrap_or("submit") == "submit" {
                        form.submit_button(tag);
                    }
                }
                _ => {}
            },
            Token::Text(s) => {
                if let Some(ta) = textarea.as_mut() {
                    // A leading newline right after <textarea> is not part of the value.
                    ta.value = s.strip_prefix('\n').unwrap_or(s).to_string();
                } else if let Some((v, _, false)) = option.as_mut() {
                    v.push_str(s);
                }
            }
            Token::End(name) => match name.as_str() {
                "textarea" => {
                    if let (Some(ta), Some(form)) = (textarea.take(), current.as_mut()) {
                        form.fields.push(ta);
                    }
                }
                "option" => {
                    if let Some((v, sel, has_value)) = option.take() {
                        if let Some(s) = select.as_mut() {
                            s.options.push((if has_value { v } else { v.trim().to_string() }, sel));
                        }
                    }
                }
                "select" => {
                    if let Some((v, sel, has_value)) = option.take() {
                        if let Some(s) = select.as_mut() {
                            s.options.push((if has_value { v } else { v.trim().to_string() }, sel));
                        }
                    }
                    if let (Some(s), Some(form)) = (select.take(), current.as_mut()) {
                        form.fields.push(s);
                    }
                }
                "form" => {
                    if let Some(f) = current.take() {
                        out.push(f);
                    }
                }
                _ => {}
            },
        }
    }
    out
}

fn field(tag: &Tag, kind: FieldKind, name: &str, value: &str) -> Field {
    Field {
        kind,
        name: name.to_string(),
        value: value.to_string(),
        required: tag.has("required"),
        max_len: tag.attr("maxlength").and_then(|m| m.parse().ok()),
        pattern: tag.has("pattern"),
        numeric: tag.attr("inputmode") == Some("numeric"),
        disabled: tag.has("disabled"),
        checked: tag.has("checked"),
        options: Vec::new(),
        min: tag.attr("min").map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_links_and_text_are_read() {
        let html = r#"<!doctype html><html><head><title>A &amp; B</title><script>if (a<b) {}</script></head><body>
<a href="/reports/5">r</a><a href="?page=2">p</a><a href="https://other.example/x">x</a><a href="mailto:a@b">m</a>
<form method="post" action="/reports/5/edit"><input type="hidden" name="csrf" value="t&amp;k">
<input name="title" maxlength="80" value="&quot;x&#x27;" required><input type="text" name="code" pattern="[0-9]+">
<textarea name="body" maxlength="500">
line &lt;1&gt;</textarea>
<select name="kind"><option value="">choose</option><option value="b" selected>B</option></select>
<select name="plain"><option>one</option></select>
<input type="checkbox" name="flag" value="1" checked><button type="submit" name="action" value="more">More</button><button name="action" value="save" class="primary">Save</button><button name="action" value="x">X</button></form>
<!-- <a href="/hidden"> --></body></html>"#;
        let t = tokens(html);
        assert_eq!(links(&t, "/reports", "http://127.0.0.1:1"), ["/reports/5", "/reports?page=2"]);
        let f = forms(&t, "/reports/5", "http://127.0.0.1:1");
        assert_eq!(f.len(), 1);
        let f = &f[0];
        assert_eq!((f.method.as_str(), f.action.as_str()), ("post", "/reports/5/edit"));
        assert_eq!(f.button, Some(("action".into(), "save".into())));
        let names: Vec<&str> = f.fields.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, ["csrf", "title", "code", "body", "kind", "plain", "flag"]);
        assert_eq!(f.fields[0].value, "t&k");
        assert_eq!((f.fields[1].value.as_str(), f.fields[1].max_len, f.fields[1].required), ("\"x'", Some(80), true));
        let free: Vec<&str> = f.free_text().map(|x| x.name.as_str()).collect();
        assert_eq!(free, ["title", "body"]);
        assert_eq!(f.fields[3].value, "line <1>");
        assert_eq!(f.fields[4].options, [("".to_string(), false), ("b".to_string(), true)]);
        assert_eq!(f.fields[5].options, [("one".to_string(), false)]);
        assert!(f.fields[6].checked);
        assert_eq!(decode("&#60;&#x3C;&lt;&amp;amp;&unknown;"), "<<<&amp;&unknown;");
    }
}
