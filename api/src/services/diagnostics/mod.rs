//! Diagnostics services.
