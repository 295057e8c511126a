//! End-to-end tests: the real server over HTTP, and the SPA in headless Chromium.
//! Each test starts its own server over its own fresh database (SQLite, or PostgreSQL when
//! `IOM_TEST_PG_URL` is set).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod access;
mod attestation;
mod auth;
mod badges;
mod bank;
mod browser;
mod catalogue;
mod consents;
mod diagnostics;
mod documents;
mod drafts;
mod erasure;
mod errors;
mod export;
mod integration;
mod letters;
mod matrix;
mod monitoring;
mod notifications;
mod people;
mod portfolio;
mod privacy;
mod reminders;
mod retention;
mod routes;
mod service;
mod serving;
mod sync_feeds;
mod trust;
