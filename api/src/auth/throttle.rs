//! When repeated sign-in failures slow an account or an address down.
//!
//! Two counters: one per account (every address together) and one per address (every account
//! together). Each allows some free failures within a window, then makes the next attempt wait
//! a doubling delay after the last failure. The account's delay is short and capped low, so
//! nobody can lock a named person out by failing on purpose: the person waits at most that
//! cap and signs in with the right password. An address may be slowed down for longer.

use chrono::{DateTime, Duration, Utc};

/// One counter's rule: free failures, then `first_delay`, doubling up to `max_delay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub free_attempts: i32,
    pub first_delay: Duration,
    pub max_delay: Duration,
}

/// How failed sign-ins slow things down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Failures within this window count together; a quiet window starts over.
    pub window: Duration,
    /// Per account: 5 free, then 2 s, 4 s, 8 s… never more than a minute.
    pub account: Limit,
    /// Per address (many people may share a school's address): 30 free, then 30 s, 1 min…
    /// up to the window.
    pub address: Limit,
}

impl Default for Policy {
    fn default() -> Self {
        let window = Duration::minutes(15);
        Policy {
            window,
            account: Limit {
                free_attempts: 5,
                first_delay: Duration::seconds(2),
                max_delay: Duration::seconds(60),
            },
            address: Limit {
                free_attempts: 30,
                first_delay: Duration::seconds(30),
                max_delay: window,
            },
        }
    }
}

/// The counter after a failure: how many failures in the current window, when the window
/// started, and until when the next attempt must wait.
pub fn after_failure(
    failures: i32,
    window_started_at: DateTime<Utc>,
    now: DateTime<Utc>,
    window: Duration,
    limit: Limit,
) -> (i32, DateTime<Utc>, Option<DateTime<Utc>>) {
    let (failures, started) = if now - window_started_at > window {
        (1, now)
    } else {
        (failures.saturating_add(1), window_started_at)
    };
    let over = failures - limit.free_attempts;
    let wait = (over > 0).then(|| {
        let doubled = limit
            .first_delay
            .num_milliseconds()
            .saturating_mul(1i64 << (over - 1).min(30));
        now + Duration::milliseconds(doubled).min(limit.max_delay)
    });
    (failures, started, wait)
}

/// Seconds left until `blocked_until`, if it is still in the future.
pub fn retry_after(blocked_until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<u64> {
    blocked_until.filter(|b| *b > now).map(|b| {
        let ms = (b - now).num_milliseconds();
        // Whole seconds, rounded up: waiting the advertised time is always enough.
        u64::try_from((ms + 999) / 1000).unwrap_or(1).max(1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_gets_free_attempts_then_a_doubling_delay_capped_at_a_minute() {
        let p = Policy::default();
        let t0 = Utc::now();
        let mut state = (0, t0, None);
        for _ in 0..5 {
            state = after_failure(state.0, state.1, t0, p.window, p.account);
            assert!(state.2.is_none());
        }
        let mut waits = Vec::new();
        for _ in 0..8 {
            state = after_failure(state.0, state.1, t0, p.window, p.account);
            waits.push((state.2.unwrap() - t0).num_seconds());
        }
        assert_eq!(waits, [2, 4, 8, 16, 32, 60, 60, 60]);
        for _ in 0..1000 {
            state = after_failure(state.0, state.1, t0, p.window, p.account);
        }
        assert_eq!(
            state.2,
            Some(t0 + Duration::seconds(60)),
            "however many failures, a person never waits more than the cap"
        );
    }

    #[test]
    fn an_address_is_slowed_for_longer_but_still_within_the_window() {
        let p = Policy::default();
        let t0 = Utc::now();
        let mut state = (0, t0, None);
        for _ in 0..30 {
            state = after_failure(state.0, state.1, t0, p.window, p.address);
            assert!(state.2.is_none());
        }
        state = after_failure(state.0, state.1, t0, p.window, p.address);
        assert_eq!(state.2, Some(t0 + Duration::seconds(30)));
        for _ in 0..20 {
            state = after_failure(state.0, state.1, t0, p.window, p.address);
        }
        assert_eq!(state.2, Some(t0 + p.window));
    }

    #[test]
    fn an_old_window_starts_over() {
        let p = Policy::default();
        let t0 = Utc::now();
        let later = t0 + p.window + Duration::seconds(1);
        assert_eq!(
            after_failure(9, t0, later, p.window, p.account),
            (1, later, None)
        );
    }

    #[test]
    fn retry_after_counts_whole_seconds_left_rounded_up() {
        let t0 = Utc::now();
        assert_eq!(retry_after(Some(t0 + Duration::seconds(30)), t0), Some(30));
        assert_eq!(
            retry_after(Some(t0 + Duration::milliseconds(1500)), t0),
            Some(2)
        );
        assert_eq!(retry_after(Some(t0 - Duration::seconds(1)), t0), None);
        assert_eq!(retry_after(None, t0), None);
    }
}
