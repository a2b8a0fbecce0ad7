//! The program's policy documents (人材育成方針・キャリアコンサルティング実施規程, R10:
//! 職業能力開発促進法): versioned texts with their approval. A new version never changes an
//! older one; every role reads the current version of each and the history.
//!
//! The body is plain text with a few marks ([`blocks`]): `# ` a heading, `- ` an item of a
//! list, an empty line between paragraphs. Pages escape every character; nothing is HTML.

use crate::limits::TextLimit;
use crate::Invalid;
use chrono::NaiveDate;

pub const DOC_TITLE: TextLimit = TextLimit { field: "title", max: 100, label_ja: "文書名", label_en: "the title", one_line: true };
pub const DOC_BODY: TextLimit = TextLimit { field: "body", max: 40_000, label_ja: "本文", label_en: "the text", one_line: false };
pub const DOC_APPROVER: TextLimit =
    TextLimit { field: "approved_by", max: 60, label_ja: "承認者", label_en: "the approver", one_line: true };

/// Every limit of this module.
pub const LIMITS: [TextLimit; 3] = [DOC_TITLE, DOC_BODY, DOC_APPROVER];

/// A version as HR typed it, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentVersion {
    pub title: String,
    pub body: String,
    pub approved_on: NaiveDate,
    pub approved_by: String,
}

fn text(limit: TextLimit, value: &str, problems: &mut Vec<Invalid>) -> String {
    match limit.check(value) {
        Ok(v) if v.is_empty() => {
            problems.push(Invalid::new(
                limit.field,
                format!("{}を入力してください。", limit.label_ja),
                format!("Enter {}", limit.label_en),
            ));
            v
        }
        Ok(v) => v,
        Err(e) => {
            problems.push(e);
            value.trim().to_string()
        }
    }
}

/// A new version, or every problem at once: title, body, approver required; the approval date
/// as YYYY-MM-DD, not in the future.
pub fn check_version(
    title: &str,
    body: &str,
    approved_on: &str,
    approved_by: &str,
    today: NaiveDate,
) -> Result<DocumentVersion, Vec<Invalid>> {
    let mut problems = Vec::new();
    let title = text(DOC_TITLE, title, &mut problems);
    let body = text(DOC_BODY, body, &mut problems);
    let raw = approved_on.trim();
    let day = if raw.is_empty() {
        problems.push(Invalid::new("approved_on", "承認日を入力してください。", "Enter the approval date"));
        None
    } else {
        match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            Ok(d) if d > today => {
                problems.push(Invalid::new(
                    "approved_on",
                    "承認日に未来の日付は指定できません。",
                    "The approval date cannot be in the future",
                ));
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                problems.push(Invalid::new(
                    "approved_on",
                    "承認日は「2026-04-01」の形式で入力してください。",
                    "Give the approval date as YYYY-MM-DD (for example 2026-04-01)",
                ));
                None
            }
        }
    };
    let approved_by = text(DOC_APPROVER, approved_by, &mut problems);
    match (problems.is_empty(), day) {
        (true, Some(approved_on)) => Ok(DocumentVersion { title, body, approved_on, approved_by }),
        _ => Err(problems),
    }
}

/// One block of a body as a page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    Heading(String),
    Paragraph(Vec<String>),
    List(Vec<String>),
}

/// The body's blocks: `# ` (or `## `) starts a heading, `- ` or `・` an item, an empty line ends a
/// paragraph or a list. Text only; the page escapes it.
pub fn blocks(body: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut para: Vec<String> = Vec::new();
    let mut list: Vec<String> = Vec::new();
    fn flush(out: &mut Vec<Block>, para: &mut Vec<String>, list: &mut Vec<String>) {
        if !para.is_empty() {
            out.push(Block::Paragraph(std::mem::take(para)));
        }
        if !list.is_empty() {
            out.push(Block::List(std::mem::take(list)));
        }
    }
    for line in body.lines() {
        let l = line.trim_end();
        let t = l.trim_start();
        if t.is_empty() {
            flush(&mut out, &mut para, &mut list);
        } else if let Some(h) = t.strip_prefix("## ").or_else(|| t.strip_prefix("# ")) {
            flush(&mut out, &mut para, &mut list);
            out.push(Block::Heading(h.trim().to_string()));
        } else if let Some(item) = t.strip_prefix("- ").or_else(|| t.strip_prefix('・')) {
            if !para.is_empty() {
                out.push(Block::Paragraph(std::mem::take(&mut para)));
            }
            list.push(item.trim().to_string());
        } else {
            if !list.is_empty() {
                out.push(Block::List(std::mem::take(&mut list)));
            }
            para.push(t.to_string());
        }
    }
    flush(&mut out, &mut para, &mut list);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 5).unwrap_or_default()
    }

    #[test]
    fn a_version_needs_everything() {
        let e = check_version("", "", "", "", today()).unwrap_err();
        let fields: Vec<_> = e.iter().map(|p| p.field).collect();
        assert_eq!(fields, vec!["title", "body", "approved_on", "approved_by"]);
        assert!(check_version("方針", "本文", "2027-01-01", "取締役会", today()).is_err());
        let v = check_version(" 人材育成方針 ", "本文", "2026-04-01", "取締役会", today()).unwrap_or_else(|_| unreachable!());
        assert_eq!(v.title, "人材育成方針");
    }

    #[test]
    fn blocks_of_a_body() {
        let b = blocks("# 目的\n本方針は\n社員の\n\n- 一つ\n・二つ\n次の段落\n\n## 附則");
        assert_eq!(
            b,
            vec![
                Block::Heading("目的".into()),
                Block::Paragraph(vec!["本方針は".into(), "社員の".into()]),
                Block::List(vec!["一つ".into(), "二つ".into()]),
                Block::Paragraph(vec!["次の段落".into()]),
                Block::Heading("附則".into()),
            ]
        );
        // Markup is text: nothing is interpreted but the marks above.
        assert_eq!(blocks("<script>x</script>"), vec![Block::Paragraph(vec!["<script>x</script>".into()])]);
    }
}
