//! Reusable pieces of UI.

pub mod dom;
pub mod form;
pub mod pager;
pub mod states;
pub mod tabs;
pub mod url;
