//! The navigation: what each section is and when a page is under it.

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

impl NavItem {
    pub(crate) fn new(href: &'static str, label: &'static str, here: &str) -> Self {
        let path = here.split('?').next().unwrap_or(here);
        Self {
            href,
            label,
            current: under(path, href),
        }
    }

    /// An entry that also stands for other sections (People for Teams too).
    pub(crate) fn with(mut self, also: &[&str], here: &str) -> Self {
        let path = here.split('?').next().unwrap_or(here);
        self.current |= also.iter().any(|a| under(path, a));
        self
    }
}

pub(crate) fn under(path: &str, section: &str) -> bool {
    path == section
        || path
            .strip_prefix(section)
            .is_some_and(|rest| rest.starts_with('/'))
}
