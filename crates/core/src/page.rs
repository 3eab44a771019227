//! One pagination type for every list: `page` ≥ 1 (default 1), `limit` 1–100 (default 20).

use crate::Invalid;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    pub page: u64,
    pub limit: u64,
}

impl Default for Page {
    fn default() -> Self {
        Self {
            page: 1,
            limit: Self::DEFAULT_LIMIT,
        }
    }
}

/// Where a page sits in the whole list, as the API reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageInfo {
    pub page: u64,
    pub limit: u64,
    pub total_count: u64,
    pub total_pages: u64,
    pub has_next_page: bool,
    pub has_previous_page: bool,
}

impl Page {
    pub const DEFAULT_LIMIT: u64 = 20;
    pub const MAX_LIMIT: u64 = 100;
    /// Far beyond any real list; keeps `offset` comfortably inside an i64.
    pub const MAX_PAGE: u64 = 1_000_000_000;

    pub fn parse_page(raw: Option<&str>) -> Result<u64, Invalid> {
        match raw {
            None => Ok(1),
            Some(s) => s
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|p| (1..=Self::MAX_PAGE).contains(p))
                .ok_or_else(|| Invalid::new("page must be a whole number of at least 1")),
        }
    }

    pub fn parse_limit(raw: Option<&str>) -> Result<u64, Invalid> {
        match raw {
            None => Ok(Self::DEFAULT_LIMIT),
            Some(s) => s
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|l| (1..=Self::MAX_LIMIT).contains(l))
                .ok_or_else(|| Invalid::new("limit must be a whole number from 1 to 100")),
        }
    }

    pub fn offset(&self) -> u64 {
        (self.page - 1) * self.limit
    }

    pub fn info(&self, total_count: u64) -> PageInfo {
        let total_pages = total_count.div_ceil(self.limit);
        PageInfo {
            page: self.page,
            limit: self.limit,
            total_count,
            total_pages,
            has_next_page: self.page < total_pages,
            has_previous_page: self.page > 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing() {
        assert_eq!(Page::parse_page(None), Ok(1));
        assert_eq!(Page::parse_page(Some("3")), Ok(3));
        assert_eq!(Page::parse_limit(None), Ok(20));
        assert_eq!(Page::parse_limit(Some("100")), Ok(100));
        for bad in [
            "0",
            "-1",
            "1.5",
            "abc",
            "",
            "1e3",
            "99999999999999999999999",
        ] {
            assert!(Page::parse_page(Some(bad)).is_err(), "{bad}");
        }
        for bad in ["0", "101", "-5", "x", ""] {
            assert!(Page::parse_limit(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn arithmetic() {
        let p = Page { page: 2, limit: 20 };
        assert_eq!(p.offset(), 20);
        let i = p.info(41);
        assert_eq!(
            (i.total_pages, i.has_next_page, i.has_previous_page),
            (3, true, true)
        );
        let i = Page { page: 3, limit: 20 }.info(41);
        assert!(!i.has_next_page);
        let i = Page::default().info(0);
        assert_eq!(
            (i.total_pages, i.has_next_page, i.has_previous_page),
            (0, false, false)
        );
        let i = Page { page: 1, limit: 20 }.info(20);
        assert_eq!((i.total_pages, i.has_next_page), (1, false));
        let i = Page { page: 5, limit: 20 }.info(20);
        assert_eq!(
            (i.total_pages, i.has_next_page, i.has_previous_page),
            (1, false, true)
        );
    }
}
