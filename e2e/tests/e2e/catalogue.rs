//! Catalogue over HTTP.
