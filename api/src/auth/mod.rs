//! Authentication: passwords, access tokens, refresh tokens and the request's principal.
//! Authorization is not here: it is [`shared::access`], asked by every service.

pub mod jwt;
pub mod password;
pub mod principal;
pub mod throttle;
pub mod tokens;

pub use principal::Principal;
