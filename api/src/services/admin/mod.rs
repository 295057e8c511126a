//! Administration of the hierarchy and of the people in it. Who may do what is itself scoped:
//! every action asks the one policy ([`shared::access`]).

pub mod assignments;
pub mod import;
pub mod people;
pub mod units;
