//! A consultant's printout: the individual report and the interview page, printed to PDF by
//! headless Chromium as its print dialog would (Page.printToPDF with the page's own @page
//! size), then read back with poppler-utils: A4, the report's Japanese text and the
//! confidentiality line on every page, none of the screen's navigation or buttons, and every
//! font embedded, the text set in Noto CJK JP.

use super::fixture::{self, Fixture, CONSULTANT1};
use super::{Timer, Ui};
use crate::support::{spawn_app, App};
use anyhow::{bail, Context, Result};
use axum::http::Method;
use base64::Engine;
use domain::report::{ReportFlags, ReportSections};
use serde_json::{json, Value};
use std::process::Command;
use testkit::Backend;

const CONFIDENTIAL: &str = "社外秘・要配慮個人情報";
const PRINT_BUTTON: &str = "印刷する";
const NOTE: &str = "異動の希望について、次回までに社内公募の情報を確認する。";

fn sections() -> ReportSections {
    ReportSections {
        career_awareness: "今後のキャリアの方向性に迷いがあると話した。".repeat(12),
        workplace: "チーム内での役割分担に課題を感じている。".repeat(12),
        organization: "部門間の連携に課題があると感じている。".repeat(12),
        support_plan: "強みを言語化し、社内公募の情報を提供する。".repeat(12),
        next_steps: "3か月後に追加面談を行い、進捗を確認する。".repeat(12),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_and_the_interview_print_on_a4_in_japanese_without_navigation() -> Result<()> {
    let _t = Timer::start("print to PDF");
    let app = spawn_app(Backend::Sqlite).await?;
    let fx = fixture::held_interview(&app).await?;
    let me = fx.consultant1.as_consultant()?;
    let id = app.store.create_report(&me, fx.interview).await?;
    app.store.save_report(&me, id, &sections(), &[], ReportFlags::default(), 1).await?;
    app.store.write_interview_note(&me, fx.interview, NOTE).await?;
    let ui = Ui::open(&app).await?;
    let outcome = print_flow(&app, &fx, &ui, id.get()).await;
    ui.finish(outcome).await
}

async fn print_flow(_app: &App, fx: &Fixture, ui: &Ui, report: i64) -> Result<()> {
    ui.sign_in(CONSULTANT1).await?;

    ui.goto(&format!("/reports/{report}")).await?;
    let visible = ui
        .js("const b = document.querySelector('button[data-print]'); return !!b && !b.hidden && b.offsetParent !== null;", vec![])
        .await?;
    if visible != json!(true) {
        bail!("the report page shows no 「{PRINT_BUTTON}」 button");
    }
    let screen_only = screen_labels(ui).await?;
    let pdf = PrintedPdf::of(ui).await.context("printing the report")?;
    pdf.expect_a4()?;
    let text = pdf.text()?;
    let s = sections();
    let start = |t: &str| t.chars().take(20).collect::<String>();
    for needle in ["山田 太郎", "相談員 一号", "面談日", &start(&s.career_awareness), &start(&s.next_steps)] {
        if !text.contains(needle) {
            bail!("the printed report lacks {needle:?}:\n{text}");
        }
    }
    pdf.expect_confidential_on_every_page()?;
    pdf.expect_absent(&screen_only, &text)?;
    pdf.expect_embedded_fonts()?;
    expect_cjk_font(ui, ".prose").await?;

    ui.goto(&format!("/interviews/{}", fx.interview)).await?;
    let screen_only = screen_labels(ui).await?;
    let pdf = PrintedPdf::of(ui).await.context("printing the interview page")?;
    pdf.expect_a4()?;
    let text = pdf.text()?;
    for needle in ["山田 太郎", "相談員 一号", "本社 面談室A", NOTE] {
        if !text.contains(needle) {
            bail!("the printed interview page lacks {needle:?}:\n{text}");
        }
    }
    pdf.expect_confidential_on_every_page()?;
    pdf.expect_absent(&screen_only, &text)?;
    pdf.expect_embedded_fonts()?;
    Ok(())
}

/// The labels of the navigation, the header's tools and every button and form control label on
/// the page: none may be printed. Labels that are also the page's printed content (such as the
/// title repeated in the navigation) are left out.
async fn screen_labels(ui: &Ui) -> Result<Vec<String>> {
    let v = ui
        .js(
            "const main = document.querySelector('main');
             const printed = Array.from(main.querySelectorAll('h1, dl, .prose, .report-section h2, .comments')).map((e) => e.innerText).join('\\n');
             const labels = Array.from(document.querySelectorAll('.site-nav a, .site-header a, .site-header button, main button, main form label'))
               .map((e) => e.innerText.trim()).filter((t) => t.length > 1 && !printed.includes(t));
             return Array.from(new Set(labels));",
            vec![],
        )
        .await?;
    let labels: Vec<String> = v.as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect()).unwrap_or_default();
    if !labels.iter().any(|l| l == PRINT_BUTTON) || labels.len() < 4 {
        bail!("expected the navigation and the print button among the screen's labels, got {labels:?}");
    }
    Ok(labels)
}

/// Fails unless the computed font of `css`, as printed, is Noto Sans or Serif CJK JP.
async fn expect_cjk_font(ui: &Ui, css: &str) -> Result<()> {
    cdp(ui, "Emulation.setEmulatedMedia", json!({ "media": "print" })).await?;
    cdp(ui, "DOM.enable", json!({})).await?;
    cdp(ui, "CSS.enable", json!({})).await?;
    let root = cdp(ui, "DOM.getDocument", json!({ "depth": 0 })).await?;
    let root = root.pointer("/root/nodeId").and_then(Value::as_i64).context("no document node")?;
    let node = cdp(ui, "DOM.querySelector", json!({ "nodeId": root, "selector": css })).await?;
    let node = node.get("nodeId").and_then(Value::as_i64).filter(|n| *n > 0).with_context(|| format!("no {css}"))?;
    // The text node inside the element carries the glyphs.
    let fonts = cdp(ui, "CSS.getPlatformFontsForNode", json!({ "nodeId": node })).await?;
    let names: Vec<String> = fonts
        .get("fonts")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|f| f.get("familyName").and_then(Value::as_str).map(str::to_string)).collect())
        .unwrap_or_default();
    cdp(ui, "Emulation.setEmulatedMedia", json!({ "media": "" })).await?;
    if !names.iter().any(|n| n.starts_with("Noto Sans CJK JP") || n.starts_with("Noto Serif CJK JP")) {
        bail!("{css} is printed in {names:?}, not in Noto Sans/Serif CJK JP");
    }
    Ok(())
}

/// A Chrome DevTools command through chromedriver (`goog/cdp/execute`).
async fn cdp(ui: &Ui, cmd: &str, params: Value) -> Result<Value> {
    let out = ui.client().issue_cmd(Cdp { cmd: cmd.to_string(), params }).await.with_context(|| format!("CDP {cmd}"))?;
    Ok(out)
}

#[derive(Debug)]
struct Cdp {
    cmd: String,
    params: Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/goog/cdp/execute", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (Method, Option<String>) {
        (Method::POST, Some(json!({ "cmd": self.cmd, "params": self.params }).to_string()))
    }
}

/// A page printed to PDF, kept in a temporary file for poppler-utils.
struct PrintedPdf {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

impl PrintedPdf {
    async fn of(ui: &Ui) -> Result<PrintedPdf> {
        let out = cdp(ui, "Page.printToPDF", json!({ "preferCSSPageSize": true, "printBackground": true })).await?;
        let data = out.get("data").and_then(Value::as_str).context("Page.printToPDF returned no data")?;
        let bytes = base64::engine::general_purpose::STANDARD.decode(data)?;
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("printed.pdf");
        std::fs::write(&path, &bytes)?;
        Ok(PrintedPdf { _dir: dir, path })
    }

    fn run(&self, tool: &str, args: &[&str]) -> Result<String> {
        let out = Command::new(tool).args(args).arg(&self.path).args(if tool == "pdftotext" { &["-"][..] } else { &[][..] }).output();
        let out = out.with_context(|| format!("running {tool} (poppler-utils; scripts/ensure-test-deps.sh installs it)"))?;
        if !out.status.success() {
            bail!("{tool} failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    fn pages(&self) -> Result<usize> {
        let info = self.run("pdfinfo", &[])?;
        info.lines().find_map(|l| l.strip_prefix("Pages:")).and_then(|n| n.trim().parse().ok()).context("pdfinfo gave no page count")
    }

    fn expect_a4(&self) -> Result<()> {
        let info = self.run("pdfinfo", &[])?;
        let size = info.lines().find(|l| l.starts_with("Page size:")).unwrap_or_default();
        if !size.contains("(A4)") {
            bail!("the printout is not A4: {size:?}\n{info}");
        }
        Ok(())
    }

    fn text(&self) -> Result<String> {
        // Lines joined: a long sentence may wrap anywhere on paper.
        Ok(self.run("pdftotext", &["-enc", "UTF-8"])?.replace('\n', ""))
    }

    fn expect_confidential_on_every_page(&self) -> Result<()> {
        let pages = self.pages()?;
        for page in 1..=pages {
            let p = page.to_string();
            let text = self.run("pdftotext", &["-enc", "UTF-8", "-f", &p, "-l", &p])?;
            if !text.contains(CONFIDENTIAL) {
                bail!("page {page} of {pages} lacks {CONFIDENTIAL:?}:\n{text}");
            }
        }
        Ok(())
    }

    fn expect_absent(&self, labels: &[String], text: &str) -> Result<()> {
        let printed: Vec<&String> = labels.iter().filter(|l| text.contains(l.as_str())).collect();
        if !printed.is_empty() {
            bail!("the printout shows screen-only labels {printed:?}:\n{text}");
        }
        Ok(())
    }

    /// Every font of the PDF is embedded (Chromium embeds the CFF outlines of Noto CJK as
    /// Type 3 fonts, with a Unicode map so the text can be searched).
    fn expect_embedded_fonts(&self) -> Result<()> {
        let list = self.run("pdffonts", &[])?;
        let rows: Vec<&str> = list.lines().skip(2).filter(|l| !l.trim().is_empty()).collect();
        if rows.is_empty() {
            bail!("the printout has no fonts:\n{list}");
        }
        for row in &rows {
            // name, type…, encoding, emb, sub, uni, object, id: emb is the fifth field from the end.
            let cols: Vec<&str> = row.split_whitespace().collect();
            let emb = cols.len().checked_sub(5).and_then(|i| cols.get(i)).copied().unwrap_or_default();
            if emb != "yes" {
                bail!("a font is not embedded: {row}\n{list}");
            }
        }
        Ok(())
    }
}
