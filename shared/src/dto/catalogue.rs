//! Catalogue DTOs.
