//! When repeated sign-in failures slow an account or an address down.

use chrono::{DateTime, Duration, Utc};

/// Failures within this window count together.
pub const WINDOW: Duration = Duration::minutes(15);

/// The counter after a failure: how many failures in the current window, when the window
/// started, and until when sign-in is refused. Free attempts first, then a doubling pause
/// (30 s, 1 min, 2 min…) capped at the window.
pub fn after_failure(
    failures: i32,
    window_started_at: DateTime<Utc>,
    now: DateTime<Utc>,
    free_attempts: i32,
) -> (i32, DateTime<Utc>, Option<DateTime<Utc>>) {
    let (failures, started) = if now - window_started_at > WINDOW {
        (1, now)
    } else {
        (failures + 1, window_started_at)
    };
    let over = failures - free_attempts;
    let blocked = (over > 0).then(|| {
        let secs = 30i64.saturating_mul(1i64 << (over - 1).min(10));
        now + Duration::seconds(secs).min(WINDOW)
    });
    (failures, started, blocked)
}

/// Seconds left until `blocked_until`, if it is still in the future.
pub fn retry_after(blocked_until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<u64> {
    blocked_until
        .filter(|b| *b > now)
        .map(|b| u64::try_from((b - now).num_seconds()).unwrap_or(0).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_attempts_then_a_doubling_pause_capped_at_the_window() {
        let t0 = Utc::now();
        let mut state = (0, t0, None);
        for _ in 0..5 {
            state = after_failure(state.0, state.1, t0, 5);
            assert!(state.2.is_none());
        }
        state = after_failure(state.0, state.1, t0, 5);
        assert_eq!(state.2, Some(t0 + Duration::seconds(30)));
        state = after_failure(state.0, state.1, t0, 5);
        assert_eq!(state.2, Some(t0 + Duration::seconds(60)));
        for _ in 0..20 {
            state = after_failure(state.0, state.1, t0, 5);
        }
        assert_eq!(state.2, Some(t0 + WINDOW));
    }

    #[test]
    fn an_old_window_starts_over() {
        let t0 = Utc::now();
        let later = t0 + WINDOW + Duration::seconds(1);
        assert_eq!(after_failure(9, t0, later, 5), (1, later, None));
    }

    #[test]
    fn retry_after_counts_whole_seconds_left() {
        let t0 = Utc::now();
        assert_eq!(retry_after(Some(t0 + Duration::seconds(30)), t0), Some(30));
        assert_eq!(retry_after(Some(t0 - Duration::seconds(1)), t0), None);
        assert_eq!(retry_after(None, t0), None);
    }
}
