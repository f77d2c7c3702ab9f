//! Reusable pieces of UI.

pub mod dom;
pub mod form;
pub mod list;
pub mod pager;
pub mod permissions;
pub mod states;
pub mod tabs;
pub mod theme;
pub mod url;
