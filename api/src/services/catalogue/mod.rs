//! Catalogue services.
