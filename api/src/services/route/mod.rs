//! The route: reading it whole, writing its sections, its workflow, files, comments and lists.
//! Every entry point loads the route through [`access::load`], which asks the one policy.

pub mod access;
pub mod create;
pub mod demo;
pub mod edit;
pub mod files;
pub mod flow;
pub mod list;
pub mod read;
pub mod thread;

pub use access::RouteCtx;
