//! `careerdock report overall|management --format pdf|csv` against the demo: the PDF's text
//! (pdftotext) has the Japanese headings and the hidden-cell marker; the CSV in CP932 decodes
//! to the expected Japanese; the management report's PDF and CSV leave out the case whose
//! consent the employee withdrew after the release; bytes are not written to a terminal.

use super::*;

/// The text of a PDF file, by poppler's pdftotext.
fn pdf_text(path: &Path) -> Result<String> {
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(path)
        .arg("-")
        .output()
        .context("pdftotext (poppler-utils; scripts/ensure-test-deps.sh installs it)")?;
    ensure!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    // Layout mode may put spaces between wide characters; compare without any.
    Ok(String::from_utf8_lossy(&out.stdout).chars().filter(|c| !c.is_whitespace()).collect())
}

pub(super) fn report_exports_pdf_and_csv(backend: Backend) -> Result<()> {
    let env = Env::new(backend)?;
    env.demo()?;

    // The overall report as PDF: progress on stderr, the headings and the marker in the text.
    let pdf = env.path("overall.pdf");
    let pdf_arg = pdf.to_string_lossy().to_string();
    let out = env.run(&["report", "overall", "--tenant", "demo", "--cycle", "latest", "--format", "pdf", "-o", &pdf_arg])?.ok()?;
    ensure!(out.stderr.contains("rendering PDF") && out.stderr.contains("written ") && out.stderr.contains("bytes to"), "{out}");
    let bytes = std::fs::read(&pdf)?;
    ensure!(bytes.starts_with(b"%PDF"), "not a PDF");
    let text = pdf_text(&pdf)?;
    for s in ["全体報告書", "面談対象者全体の傾向", "組織的な課題", "非表示（", "社外秘"] {
        ensure!(text.contains(s), "{s} is not in the PDF's text: {:.600}", text);
    }
    // The trend across the demo's cycles, as in the page's PDF: the chart's title and the
    // earlier cycles' names (the operator's read brings the earlier releases).
    let cycles =
        env.sql("SELECT name FROM cycles c JOIN overall_reports o ON o.cycle_id = c.id WHERE o.state = 'released' ORDER BY c.starts_on")?;
    let cycles: Vec<String> =
        cycles.lines().map(|l| l.trim().chars().filter(|c| !c.is_whitespace()).collect()).filter(|l: &String| !l.is_empty()).collect();
    ensure!(cycles.len() >= 2, "the demo has fewer than two released cycles: {cycles:?}");
    ensure!(text.contains("サイクルごとの推移"), "no trend chart in the PDF: {:.600}", text);
    // Tags are named by the tenant's labels, never by their codes.
    ensure!(!text.contains("career_direction") && text.contains("キャリアの方向性"), "a tag's code in the PDF: {:.600}", text);
    for c in &cycles {
        ensure!(text.contains(c.as_str()), "the trend lacks the cycle {c}");
    }

    // The overall report as CSV in CP932: decodes to the Japanese header and marker.
    let csv = env.path("overall.csv");
    let csv_arg = csv.to_string_lossy().to_string();
    let args = ["report", "overall", "--tenant", "demo", "--cycle", "latest", "--format", "csv", "--encoding", "cp932", "-o", &csv_arg];
    env.run(&args)?.ok()?;
    let bytes = std::fs::read(&csv)?;
    ensure!(!bytes.starts_with(b"\xEF\xBB\xBF"), "a BOM in CP932");
    let (decoded, _, bad) = encoding_rs::SHIFT_JIS.decode(&bytes);
    ensure!(!bad, "not CP932");
    ensure!(decoded.starts_with("表,部署") || decoded.starts_with("表,"), "the header: {:.200}", decoded);
    ensure!(decoded.contains("全体") && decoded.contains("人数") && decoded.contains("非表示（"), "{:.400}", decoded);
    // UTF-8 (the default) has the BOM; standard output (a pipe here) takes the bytes.
    let out = env.run(&["report", "overall", "--tenant", "demo", "--cycle", "latest", "--format", "csv"])?.ok()?;
    ensure!(out.stdout.starts_with('\u{feff}') && out.stdout.contains("指標コード"), "{:.200}", out.stdout);

    // The management report: the demo's withdrawn case is in neither file, the granted ones are.
    let json = env.run(&["report", "management", "--tenant", "demo", "--cycle", "latest"])?.ok()?;
    let doc: serde_json::Value = serde_json::from_str(&json.stdout)?;
    let shown: Vec<String> =
        doc["cases"].as_array().context("cases")?.iter().filter_map(|c| c["summary"].as_str().map(String::from)).collect();
    ensure!(!shown.is_empty(), "the demo shows no case: {doc}");
    let withdrawn = demo::management::WITHDRAWN_CASE_SUMMARY;
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();

    let mpdf = env.path("management.pdf");
    let mpdf_arg = mpdf.to_string_lossy().to_string();
    let out = env.run(&["report", "management", "--tenant", "demo", "--cycle", "latest", "--format", "pdf", "-o", &mpdf_arg])?.ok()?;
    ensure!(out.stderr.contains("written ") && out.stderr.contains("not shown"), "{out}");
    let text = pdf_text(&mpdf)?;
    ensure!(text.contains("経営層への報告") && text.contains("重要事案") && text.contains("組織課題の対応状況"), "{:.600}", text);
    ensure!(text.contains("サイクルごとの推移"), "no trend chart in the management report's PDF: {:.600}", text);
    ensure!(!text.contains("career_direction"), "a tag's code in the management report's PDF");
    // Long summaries wrap: compare their first 12 characters.
    let head = |s: &str| squeeze(s).chars().take(12).collect::<String>();
    for s in &shown {
        ensure!(text.contains(&head(s)), "a consented case is missing from the PDF: {s}");
    }
    ensure!(!text.contains(&head(withdrawn)), "the withdrawn case is in the PDF");
    ensure!(text.contains("同意の撤回などにより表示していません"), "the withdrawal is not said");

    let mcsv = env.path("management.csv");
    let mcsv_arg = mcsv.to_string_lossy().to_string();
    env.run(&["report", "management", "--tenant", "demo", "--cycle", "latest", "--format", "csv", "-o", &mcsv_arg])?.ok()?;
    let text = String::from_utf8(std::fs::read(&mcsv)?)?;
    ensure!(text.starts_with('\u{feff}'), "no BOM");
    for s in &shown {
        ensure!(text.contains(s.as_str()), "a consented case is missing from the CSV: {s}");
    }
    ensure!(!text.contains(withdrawn) && !text.contains(demo::management::WITHDRAWN_CASE_SOLUTION), "the withdrawn case is in the CSV");
    // Tags by their labels, as in the PDF.
    ensure!(text.contains("キャリアの方向性") && !text.contains("career_direction"), "a tag's code in the management report's CSV");
    Ok(())
}
