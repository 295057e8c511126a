//! Documents services.
