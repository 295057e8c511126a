//! Documents over HTTP.
