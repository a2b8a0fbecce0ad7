//! One table of an employee's own history (わたしの面談's interviews, わたしの同意's records):
//! a section with its heading, a sentence when it is empty, and rows whose first cell heads
//! the row. Cells are plain text (escaped by the template), optionally the tenant's data
//! (`lang="ja"`), a link, or a tag after the text.

/// A history table and the words around it.
pub struct HistoryTable {
    /// The section's id prefix (`{id}-heading`).
    pub id: &'static str,
    pub heading: String,
    pub empty: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// One cell.
#[derive(Default)]
pub struct Cell {
    pub text: String,
    /// `date`, `nowrap` or nothing.
    pub class: &'static str,
    /// The tenant's data (a name, a place): marked `lang="ja"`.
    pub user_data: bool,
    /// A link around the text (empty: none).
    pub href: String,
    /// The link leaves the application (an online meeting's address).
    pub external: bool,
    /// A tag after the text (empty: none).
    pub tag: String,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell { text: text.into(), ..Cell::default() }
    }

    pub fn class(mut self, class: &'static str) -> Cell {
        self.class = class;
        self
    }

    pub fn data(mut self) -> Cell {
        self.user_data = true;
        self
    }

    pub fn link(mut self, href: impl Into<String>, external: bool) -> Cell {
        self.href = href.into();
        self.external = external;
        self
    }

    pub fn tag(mut self, tag: impl Into<String>) -> Cell {
        self.tag = tag.into();
        self
    }
}
