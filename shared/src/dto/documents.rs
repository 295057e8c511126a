//! Documents DTOs.
