//! Diagnostics DTOs.
