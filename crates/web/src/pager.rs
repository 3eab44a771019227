//! Page links of a paginated list.

/// The links between the pages of a list, and where the reader is.
#[derive(Default)]
pub struct Pager {
    pub page: u64,
    pub total_pages: u64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// `url(n)` is the address of page `n` with the list's other parameters kept.
    pub fn new(info: &manageros_core::PageInfo, url: impl Fn(u64) -> String) -> Self {
        Self {
            page: info.page,
            total_pages: info.total_pages,
            prev: info.has_previous_page.then(|| url(info.page - 1)),
            next: info.has_next_page.then(|| url(info.page + 1)),
        }
    }

    /// Whether there is more than one page.
    pub fn shown(&self) -> bool {
        self.total_pages > 1
    }
}
