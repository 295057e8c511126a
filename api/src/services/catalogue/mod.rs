//! The catalogue of educational events: the calendar, enrolment, recommendations, cohorts and
//! calendar feeds. Every entry point asks the one policy (`shared::access`).

pub mod cohorts;
pub mod enrol;
pub mod events;
pub mod ical;
pub mod notify;
pub mod recommend;
