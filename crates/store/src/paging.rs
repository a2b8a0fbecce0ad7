//! The paging convention of every list the store answers (issue 7, "one list pattern").
//!
//! A list function takes a [`PageRequest`] (already clamped: at most [`MAX_PAGE_SIZE`] rows,
//! a non-negative offset), a typed sort of its own (an enum whose every variant maps to a fixed
//! `ORDER BY` text, never to a caller's string) and a [`Direction`], and answers a [`Paged`]:
//! the rows of the page and the total number of rows the same conditions select.
//!
//! The SQL follows one shape, so the count and the page can never disagree:
//!
//! ```text
//! let cond = "t.tenant_id = $1 AND ($2 IS NULL OR …)";
//! SELECT COUNT(*) AS n FROM … WHERE {cond}
//! SELECT … FROM … WHERE {cond} ORDER BY {sort}, t.id {dir} LIMIT $n OFFSET $m
//! ```
//!
//! The `ORDER BY` always ends with the table's id, so every row has one place and a page
//! boundary never repeats or skips a row. Where the policy decides each row (reports), the SQL
//! condition is a prefilter that selects exactly the rows the policy lets the actor see — a
//! test compares the two on the demo world — and the policy's `decide` stays the final word.

/// The most rows one page may hold, whatever the caller asks.
pub const MAX_PAGE_SIZE: i64 = 200;

/// Which rows of the ordered list to answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    limit: i64,
    offset: i64,
}

impl PageRequest {
    /// `limit` is clamped to 1..=[`MAX_PAGE_SIZE`], `offset` to 0 or more.
    pub fn new(limit: i64, offset: i64) -> Self {
        PageRequest { limit: limit.clamp(1, MAX_PAGE_SIZE), offset: offset.max(0) }
    }

    /// The first page of `limit` rows.
    pub fn first(limit: i64) -> Self {
        Self::new(limit, 0)
    }

    pub fn limit(&self) -> i64 {
        self.limit
    }

    pub fn offset(&self) -> i64 {
        self.offset
    }
}

/// Ascending or descending, as the `ORDER BY` keyword.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Direction {
    #[default]
    Asc,
    Desc,
}

impl Direction {
    pub fn sql(self) -> &'static str {
        match self {
            Direction::Asc => "ASC",
            Direction::Desc => "DESC",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Asc => "asc",
            Direction::Desc => "desc",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "asc" => Some(Direction::Asc),
            "desc" => Some(Direction::Desc),
            _ => None,
        }
    }

    pub fn reversed(self) -> Self {
        match self {
            Direction::Asc => Direction::Desc,
            Direction::Desc => Direction::Asc,
        }
    }
}

/// One page of a list and the number of rows of the whole list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paged<T> {
    pub total: i64,
    pub items: Vec<T>,
}

impl<T> Paged<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged { total: self.total, items: self.items.into_iter().map(f).collect() }
    }
}

/// Escapes LIKE's wildcards (with '!', itself escaped) so a search holding % or _ matches only
/// itself; every LIKE given such a pattern says `ESCAPE '!'`.
pub fn like_pattern(search: &str) -> Option<String> {
    let s = search.trim();
    if s.is_empty() {
        return None;
    }
    Some(format!("%{}%", s.to_lowercase().replace('!', "!!").replace('%', "!%").replace('_', "!_")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_clamped() {
        assert_eq!(PageRequest::new(0, -5), PageRequest { limit: 1, offset: 0 });
        assert_eq!(PageRequest::new(10_000, 40).limit(), MAX_PAGE_SIZE);
        assert_eq!(PageRequest::first(50).offset(), 0);
    }

    #[test]
    fn directions_read_and_print() {
        assert_eq!(Direction::parse("desc"), Some(Direction::Desc));
        assert_eq!(Direction::parse("DROP"), None);
        assert_eq!(Direction::Asc.reversed().sql(), "DESC");
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("  "), None);
        assert_eq!(like_pattern("A_b%!").as_deref(), Some("%a!_b!%!!%"));
    }
}
