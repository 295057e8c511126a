//! The pieces pages are made of.

pub mod badge;
pub mod charts;
pub mod details;
pub mod feedback;
pub mod fields;
pub mod link;
pub mod page;
pub mod shell;

pub use badge::{Badge, BadgeKind};
pub use charts::{BarChart, StackedBarChart};
pub use details::{DetailRow, Details};
pub use feedback::{Alert, AlertKind, ErrorAlert, Loading, error_fallback};
pub use fields::{
    CheckList, Checkbox, Choice, FormAlert, FormState, Input, Select, TextArea, TextField,
    enum_choices, opt, optional_enum_choices,
};
pub use link::WebLink;
pub use page::{PageHeader, set_title};
pub use shell::{PublicShell, Shell, focus_element, focus_main};
