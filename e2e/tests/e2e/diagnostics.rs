//! Diagnostics over HTTP.
