//! A small document model rendered to PDF through typst, used as a library.
//!
//! - [`Document`]: a title, a metadata line, blocks (headings, paragraphs, notes, key–value
//!   lists, tables with a header row, charts) and a footer line (the tenant and 「社外秘」), with
//!   page numbers (`3 / 7`) on every page.
//! - [`Renderer`]: the fonts (Noto Sans CJK JP, Regular and Bold, from Debian's
//!   `fonts-noto-cjk`, read at run time) and typst's standard library, loaded once and reused by
//!   every render; a missing font is a [`PdfError::FontsMissing`] that says what to install.
//! - Our own `World` serves exactly three kinds of file: the generated markup, the charts' SVG
//!   and the fonts. Any other path (an `#import`, a `#read("/etc/passwd")`, a `@preview`
//!   package) is refused, so nothing outside the document is ever read or downloaded.
//! - **Text is never markup.** Every piece of text of the model (titles, labels, user-written
//!   narrative) reaches typst as a string literal (`#"…"` with `\` and `"` escaped): `#`, `*`,
//!   `$`, `[`, `]`, `<` or `@` in it are printed as they are.
//! - typst memoizes through `comemo`, whose cache is global; every render evicts what the last
//!   few renders did not use, so a long-running server does not grow.

use crate::charts::Chart;
use crate::Locale;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

/// The font family of every text of the PDF.
pub const FONT_FAMILY: &str = "Noto Sans CJK JP";
/// Debian's `fonts-noto-cjk` files (OpenType collections: JP, KR, SC, TC and HK faces).
pub const FONT_FILES: [&str; 2] = ["NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc"];
/// Where [`Renderer::system`] looks for [`FONT_FILES`]: Debian and Ubuntu, then other layouts.
pub const FONT_DIRS: [&str; 3] = ["/usr/share/fonts/opentype/noto", "/usr/share/fonts/noto-cjk", "/usr/share/fonts/google-noto-cjk"];
/// comemo entries unused for this many renders are evicted after each render.
const CACHE_MAX_AGE: usize = 8;

/// A document to render.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    pub locale: Locale,
    pub title: String,
    /// The line under the title: cycle, version, release date, population.
    pub subtitle: Option<String>,
    /// At the foot of every page, left of the page number: the tenant and 「社外秘」.
    pub footer: String,
    pub blocks: Vec<Block>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// Level 1 (section) to 3; bold.
    Heading {
        level: u8,
        text: String,
    },
    /// Text; a blank line starts a new paragraph, a line break is kept.
    Paragraph(String),
    /// Small grey text (explanations, the suppression rule).
    Note(String),
    /// Pairs shown as a two-column list (対象サイクル: 2025年度).
    KeyValues(Vec<(String, String)>),
    Table(Table),
    /// Drawn by [`Chart::svg`] and placed at the text's width.
    Chart(Chart),
    /// An SVG made elsewhere, with its alternative text.
    Svg {
        svg: String,
        alt: String,
    },
    PageBreak,
}

/// A table with one header row (repeated on every page the table spans).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Table {
    pub caption: Option<String>,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub header: String,
    /// Right-aligned, narrow.
    pub numeric: bool,
}

impl Column {
    pub fn text(header: impl Into<String>) -> Column {
        Column { header: header.into(), numeric: false }
    }
    pub fn numeric(header: impl Into<String>) -> Column {
        Column { header: header.into(), numeric: true }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub text: String,
    /// A suppressed cell: its marker is printed in grey.
    pub hidden: bool,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell { text: text.into(), hidden: false }
    }
    pub fn hidden(marker: impl Into<String>) -> Cell {
        Cell { text: marker.into(), hidden: true }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(
        "PDF に使う日本語フォント（{family} の Regular と Bold）が見つかりません。Debian のパッケージ fonts-noto-cjk を入れてください（探した場所: {looked_in}） / the Japanese fonts for the PDF ({family} Regular and Bold) were not found: install Debian's package fonts-noto-cjk (looked in {looked_in})",
        family = FONT_FAMILY,
        looked_in = .looked_in.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    FontsMissing { looked_in: Vec<PathBuf> },
    #[error("フォントファイル {path} を読めませんでした / the font file {path} could not be read: {message}")]
    FontUnreadable { path: PathBuf, message: String },
    #[error(transparent)]
    Chart(#[from] crate::charts::ChartError),
    #[error("PDF を組版できませんでした / the PDF could not be typeset: {0}")]
    Typeset(String),
}

/// Fonts and typst's library, loaded once; [`Renderer::render`] may be called any number of
/// times, from several threads.
pub struct Renderer {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer").field("fonts", &self.fonts.len()).finish()
    }
}

static SHARED: OnceLock<Renderer> = OnceLock::new();

impl Renderer {
    /// The fonts of [`FONT_FILES`] from the first of [`FONT_DIRS`] that has both.
    pub fn system() -> Result<Renderer, PdfError> {
        let dir = FONT_DIRS.iter().map(Path::new).find(|d| FONT_FILES.iter().all(|f| d.join(f).is_file()));
        match dir {
            Some(dir) => Renderer::from_dir(dir),
            None => Err(PdfError::FontsMissing { looked_in: FONT_DIRS.iter().map(PathBuf::from).collect() }),
        }
    }

    /// One renderer for the whole process (a server renders every PDF with it), made by
    /// [`Renderer::system`] on first use. An error is not kept: the next call tries again (after
    /// the fonts were installed, say).
    pub fn shared() -> Result<&'static Renderer, PdfError> {
        if let Some(r) = SHARED.get() {
            return Ok(r);
        }
        let renderer = Renderer::system()?;
        Ok(SHARED.get_or_init(|| renderer))
    }

    /// The fonts of [`FONT_FILES`] in `dir`.
    pub fn from_dir(dir: &Path) -> Result<Renderer, PdfError> {
        let paths: Vec<PathBuf> = FONT_FILES.iter().map(|f| dir.join(f)).collect();
        if !paths.iter().all(|p| p.is_file()) {
            return Err(PdfError::FontsMissing { looked_in: vec![dir.to_path_buf()] });
        }
        Renderer::from_font_files(&paths)
    }

    /// The fonts in these files (TrueType/OpenType fonts or collections); they must hold
    /// [`FONT_FAMILY`] in a regular and a bold weight.
    pub fn from_font_files(paths: &[PathBuf]) -> Result<Renderer, PdfError> {
        let mut fonts = Vec::new();
        for path in paths {
            let data = std::fs::read(path).map_err(|e| PdfError::FontUnreadable { path: path.clone(), message: e.to_string() })?;
            fonts.extend(Font::iter(Bytes::new(data)));
        }
        let family = FONT_FAMILY.to_lowercase();
        let weights: Vec<u16> =
            fonts.iter().filter(|f| f.info().family.to_lowercase() == family).map(|f| f.info().variant.weight.to_number()).collect();
        if !(weights.iter().any(|w| *w < 600) && weights.iter().any(|w| *w >= 600)) {
            return Err(PdfError::FontsMissing { looked_in: paths.iter().map(|p| p.parent().unwrap_or(p).to_path_buf()).collect() });
        }
        let book = FontBook::from_fonts(&fonts);
        Ok(Renderer { library: LazyHash::new(Library::builder().build()), book: LazyHash::new(book), fonts })
    }

    /// The document as PDF bytes.
    pub fn render(&self, doc: &Document) -> Result<Vec<u8>, PdfError> {
        self.render_logged(doc).0
    }

    /// Renders, and returns the paths of every file the world served.
    fn render_logged(&self, doc: &Document) -> (Result<Vec<u8>, PdfError>, Vec<String>) {
        let job = match markup(doc).and_then(|(markup, files)| Job::new(self, markup, files)) {
            Ok(job) => job,
            Err(e) => return (Err(e), Vec::new()),
        };
        let result =
            typst::compile::<PagedDocument>(&job).output.map_err(|diags| PdfError::Typeset(messages(&diags))).and_then(|document| {
                let options =
                    typst_pdf::PdfOptions { creator: Smart::Custom(Some("careerdock".to_string())), ..typst_pdf::PdfOptions::default() };
                typst_pdf::pdf(&document, &options).map_err(|diags| PdfError::Typeset(messages(&diags)))
            });
        typst::comemo::evict(CACHE_MAX_AGE);
        let served = job.served.lock().map(|a| a.clone()).unwrap_or_default();
        (result, served)
    }
}

fn messages(diags: &[SourceDiagnostic]) -> String {
    diags.iter().map(|d| d.message.to_string()).collect::<Vec<_>>().join("; ")
}

fn file_id(path: &str) -> Result<FileId, PdfError> {
    let vpath = VirtualPath::new(path).map_err(|e| PdfError::Typeset(format!("{path}: {e:?}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// One render: the markup and the charts, over the renderer's fonts and library. Only these
/// files exist; every other request is refused. What is served is recorded, for the tests.
struct Job<'a> {
    renderer: &'a Renderer,
    main_id: FileId,
    main: Source,
    files: Vec<(FileId, Bytes)>,
    served: Mutex<Vec<String>>,
}

impl<'a> Job<'a> {
    fn new(renderer: &'a Renderer, markup: String, files: Files) -> Result<Job<'a>, PdfError> {
        // Paths are ours (`/main.typ`, `/chart-N.svg`) and interned once for the process.
        let main_id = file_id("/main.typ")?;
        let files = files.into_iter().map(|(path, data)| Ok((file_id(&path)?, Bytes::new(data)))).collect::<Result<Vec<_>, PdfError>>()?;
        Ok(Job { renderer, main_id, main: Source::new(main_id, markup), files, served: Mutex::new(Vec::new()) })
    }

    fn log(&self, id: FileId) {
        if let Ok(mut a) = self.served.lock() {
            a.push(id.vpath().get_with_slash().to_string());
        }
    }
}

impl World for Job<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.renderer.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.renderer.book
    }

    fn main(&self) -> FileId {
        self.main_id
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main_id {
            self.log(id);
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main_id {
            self.log(id);
            return Ok(Bytes::from_string(self.main.clone()));
        }
        let found = self.files.iter().find(|(f, _)| *f == id).map(|(_, b)| b.clone());
        if found.is_some() {
            self.log(id);
        }
        found.ok_or(FileError::AccessDenied)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.renderer.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

/// A typst string literal of the text: `\` and `"` escaped, line breaks and tabs as escapes,
/// other control characters as spaces.
pub(crate) fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Content (`[…]`) showing the text as it is; each line break becomes a `linebreak()`.
fn content(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<String> = text.split('\n').map(|l| format!("#{}", literal(l))).collect();
    format!("[{}]", lines.join("#linebreak()"))
}

/// A table cell's content: a string literal where the text is one line (typst makes it text,
/// without evaluating a content block per cell: tables have thousands of cells), else
/// [`content`].
fn cell_content(text: &str) -> String {
    if text.contains(['\n', '\r']) {
        content(text)
    } else {
        literal(text)
    }
}

/// The typst markup of the document and the files it refers to.
/// The files a document refers to: path and bytes.
type Files = Vec<(String, Vec<u8>)>;

fn markup(doc: &Document) -> Result<(String, Files), PdfError> {
    use std::fmt::Write;
    let mut m = String::with_capacity(4096);
    let mut files = Vec::new();
    let lang = doc.locale.code();
    let _ = writeln!(m, "#set document(title: {})", literal(&doc.title));
    let _ = writeln!(
        m,
        "#set page(paper: \"a4\", margin: (top: 18mm, bottom: 22mm, x: 17mm), footer: context {{ set text(size: 8pt, fill: luma(90)); grid(columns: (1fr, auto), column-gutter: 12pt, {}, counter(page).display(\"1 / 1\", both: true)) }})",
        content(&doc.footer)
    );
    let _ = writeln!(m, "#set text(font: ({},), size: 10pt, lang: \"{lang}\")", literal(FONT_FAMILY));
    m.push_str(
        "#set par(leading: 0.8em, spacing: 1.2em)\n\
         #show heading: set text(weight: \"bold\")\n\
         #show heading: set block(above: 1.5em, below: 0.8em)\n\
         #show heading.where(level: 1): set text(size: 14pt)\n\
         #show heading.where(level: 2): set text(size: 12pt)\n\
         #show heading.where(level: 3): set text(size: 10.5pt)\n\
         #set table(stroke: 0.5pt + luma(170), inset: (x: 4pt, y: 3pt))\n\
         #show table: set text(size: 9pt)\n",
    );
    let _ = writeln!(m, "#block(below: 0.6em, text(size: 19pt, weight: \"bold\", {}))", content(&doc.title));
    if let Some(sub) = &doc.subtitle {
        let _ = writeln!(m, "#block(below: 1.4em, text(size: 9pt, fill: luma(70), {}))", content(sub));
    }
    for block in &doc.blocks {
        match block {
            Block::Heading { level, text } => {
                let _ = writeln!(m, "#heading(level: {}, {})", (*level).clamp(1, 3), content(text));
            }
            Block::Paragraph(text) => {
                let text = text.replace("\r\n", "\n");
                for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
                    let _ = writeln!(m, "#par({})", content(para));
                }
            }
            Block::Note(text) => {
                let _ = writeln!(m, "#block(text(size: 8.5pt, fill: luma(70), {}))", content(text));
            }
            Block::KeyValues(pairs) => {
                let cells: Vec<String> =
                    pairs.iter().flat_map(|(k, v)| [format!("text(fill: luma(70), {})", content(k)), content(v)]).collect();
                let _ = writeln!(
                    m,
                    "#block(below: 1.2em, grid(columns: (auto, 1fr), column-gutter: 14pt, row-gutter: 7pt, {}))",
                    cells.join(", ")
                );
            }
            Block::Table(table) => write_table(&mut m, table),
            Block::Chart(chart) => {
                let svg = chart.svg()?;
                image(&mut m, &mut files, svg, &chart.summary());
            }
            Block::Svg { svg, alt } => image(&mut m, &mut files, svg.clone(), alt),
            Block::PageBreak => m.push_str("#pagebreak(weak: true)\n"),
        }
    }
    Ok((m, files))
}

fn image(m: &mut String, files: &mut Files, svg: String, alt: &str) {
    use std::fmt::Write;
    let path = format!("/chart-{}.svg", files.len());
    let _ = writeln!(
        m,
        "#block(breakable: false, above: 1em, below: 1.2em, image({}, format: \"svg\", width: 100%, alt: {}))",
        literal(&path),
        literal(alt)
    );
    files.push((path, svg.into_bytes()));
}

fn write_table(m: &mut String, table: &Table) {
    use std::fmt::Write;
    if table.columns.is_empty() {
        return;
    }
    if let Some(caption) = &table.caption {
        let _ = writeln!(m, "#block(above: 1.2em, below: 0.5em, sticky: true, text(weight: \"bold\", {}))", content(caption));
    }
    let widths: Vec<&str> = table.columns.iter().map(|c| if c.numeric { "auto" } else { "1fr" }).collect();
    let aligns: Vec<&str> = table.columns.iter().map(|c| if c.numeric { "right" } else { "left" }).collect();
    // The header's cells are bold by themselves: a show rule on `table.cell.where(y: 0)` is
    // matched against every cell of every table.
    let header: Vec<String> = table.columns.iter().map(|c| format!("text(weight: \"bold\", {})", content(&c.header))).collect();
    let _ = write!(m, "#table(columns: ({},), align: ({},), table.header({})", widths.join(", "), aligns.join(", "), header.join(", "));
    let n = table.columns.len();
    for row in &table.rows {
        for i in 0..n {
            match row.get(i) {
                Some(cell) if cell.hidden => {
                    let _ = write!(m, ", text(fill: luma(95), {})", cell_content(&cell.text));
                }
                Some(cell) => {
                    let _ = write!(m, ", {}", cell_content(&cell.text));
                }
                None => m.push_str(", []"),
            }
        }
    }
    m.push_str(")\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_escape_what_typst_reads() {
        assert_eq!(literal("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(literal("#read(\"/etc/passwd\")"), "\"#read(\\\"/etc/passwd\\\")\"");
        assert_eq!(literal("一\n二\t三\u{7}"), "\"一\\n二\\t三 \"");
        assert_eq!(content("a\nb"), "[#\"a\"#linebreak()#\"b\"]");
    }

    #[test]
    fn missing_fonts_are_a_clear_error() {
        let dir = std::env::temp_dir().join("careerdock-export-no-fonts");
        let err = Renderer::from_dir(&dir).map(|_| ()).err();
        let text = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(text.contains("fonts-noto-cjk") && text.contains("日本語フォント"), "{text}");
    }

    #[test]
    fn the_world_serves_only_the_markup_and_the_charts() {
        let Ok(renderer) = Renderer::system() else {
            panic!("fonts-noto-cjk is needed: run scripts/ensure-test-deps.sh");
        };
        let hostile = Document {
            locale: Locale::Ja,
            title: "#import \"/etc/passwd\"".into(),
            subtitle: Some("#read(\"/etc/passwd\")".into()),
            footer: "#include \"/etc/hostname\"".into(),
            blocks: vec![Block::Paragraph("#image(\"/etc/hosts\") #read(\"passwd\") @preview ] $x$ *b*".into())],
        };
        let (pdf, served) = renderer.render_logged(&hostile);
        assert!(pdf.map(|p| p.starts_with(b"%PDF")).unwrap_or(false));
        assert_eq!(served.iter().filter(|p| *p != "/main.typ").count(), 0, "{served:?}");

        // An SVG that links a file: typst asks the world, which refuses.
        let linked = Document {
            blocks: vec![Block::Svg {
                svg: "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><image href=\"passwd\" width=\"5\" height=\"5\"/></svg>".into(),
                alt: "x".into(),
            }],
            ..hostile
        };
        let (pdf, served) = renderer.render_logged(&linked);
        let err = pdf.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("passwd"), "{err}");
        assert!(served.iter().all(|p| p == "/main.typ" || p == "/chart-0.svg"), "{served:?}");
    }
}
