//! The page served at `GET /`: one self-contained HTML file, no external
//! assets. It asks for the token once and keeps it in the page's memory.

/// The page.
pub(crate) const PAGE: &str = include_str!("page.html");
