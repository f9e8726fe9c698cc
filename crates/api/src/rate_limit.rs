//! Rate limits for sign-in, sign-up, password reset and the public lead form, per client
//! IP and per account.
//! Counters live in the database (fixed windows), so every instance behind a load
//! balancer enforces the same limit. The per-IP limits scale with
//! `PARTNERLY_RATE_LIMIT_IP_FACTOR` (for many partners behind one office NAT); the
//! per-account limits, which stop password guessing, do not.

use partnerly_db::{DbConn, rate_limit};

use crate::error::ApiError;

/// A limit: at most `max` attempts per `window_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub name: &'static str,
    pub max: i32,
    pub window_secs: i64,
}

/// Sign-in attempts from one IP.
pub const SIGN_IN_PER_IP: Limit = Limit {
    name: "sign-in:ip",
    max: 30,
    window_secs: 600,
};
/// Failed sign-ins on one account (a success clears it).
pub const SIGN_IN_FAILURES_PER_ACCOUNT: Limit = Limit {
    name: "sign-in-failures:account",
    max: 5,
    window_secs: 900,
};
/// Sign-ups from one IP.
pub const SIGN_UP_PER_IP: Limit = Limit {
    name: "sign-up:ip",
    max: 10,
    window_secs: 3600,
};
/// Reset requests from one IP.
pub const RESET_PER_IP: Limit = Limit {
    name: "reset:ip",
    max: 10,
    window_secs: 3600,
};
/// Reset requests for one email (whether or not it has an account).
pub const RESET_PER_ACCOUNT: Limit = Limit {
    name: "reset:account",
    max: 3,
    window_secs: 3600,
};
/// Reset confirmations (token guesses) from one IP.
pub const RESET_CONFIRM_PER_IP: Limit = Limit {
    name: "reset-confirm:ip",
    max: 20,
    window_secs: 3600,
};

/// Leads from one IP (the public lead form, T8).
pub const LEADS_PER_IP: Limit = Limit {
    name: "lead:ip",
    max: 20,
    window_secs: 3600,
};

/// Invitations one partner sends by email in a day (T4): enough for a partner's own
/// contacts, too few to make Partnerly a spam relay.
pub const INVITATIONS_PER_ACCOUNT: Limit = Limit {
    name: "invite:account",
    max: 50,
    window_secs: 86_400,
};

/// The limits in force, with the per-IP ones scaled by the configured factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    pub sign_in_per_ip: Limit,
    pub sign_in_failures_per_account: Limit,
    pub sign_up_per_ip: Limit,
    pub reset_per_ip: Limit,
    pub reset_per_account: Limit,
    pub reset_confirm_per_ip: Limit,
    pub leads_per_ip: Limit,
    pub invitations_per_account: Limit,
}

impl RateLimits {
    /// The default limits with the per-IP maximums multiplied by `ip_factor` (≥ 1).
    pub fn new(ip_factor: u32) -> Self {
        let factor = i32::try_from(ip_factor.max(1)).unwrap_or(i32::MAX);
        let per_ip = |limit: Limit| Limit {
            max: limit.max.saturating_mul(factor),
            ..limit
        };
        Self {
            sign_in_per_ip: per_ip(SIGN_IN_PER_IP),
            sign_in_failures_per_account: SIGN_IN_FAILURES_PER_ACCOUNT,
            sign_up_per_ip: per_ip(SIGN_UP_PER_IP),
            reset_per_ip: per_ip(RESET_PER_IP),
            reset_per_account: RESET_PER_ACCOUNT,
            reset_confirm_per_ip: per_ip(RESET_CONFIRM_PER_IP),
            leads_per_ip: per_ip(LEADS_PER_IP),
            invitations_per_account: INVITATIONS_PER_ACCOUNT,
        }
    }
}

impl Limit {
    fn bucket(&self, key: &str) -> String {
        format!("{}:{key}", self.name)
    }

    fn window(&self, now: i64) -> (i64, u64) {
        let start = now - now.rem_euclid(self.window_secs);
        let retry_after = u64::try_from(start + self.window_secs - now)
            .unwrap_or(1)
            .max(1);
        (start, retry_after)
    }

    /// Counts one attempt and refuses it when the window is already full.
    pub fn hit(&self, conn: &mut DbConn, key: &str, now: i64) -> Result<(), ApiError> {
        let (start, retry_after) = self.window(now);
        let hits = rate_limit::hit(conn, &self.bucket(key), start)?;
        if hits > self.max {
            tracing::warn!(limit = self.name, "rate limit reached");
            return Err(ApiError::RateLimited { retry_after });
        }
        Ok(())
    }

    /// Forgets the counts of `key` (a successful sign-in clears its failures).
    pub fn clear(&self, conn: &mut DbConn, key: &str) -> Result<(), ApiError> {
        rate_limit::clear(conn, &self.bucket(key))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_factor_scales_only_the_per_ip_limits() {
        let limits = RateLimits::new(3);
        assert_eq!(limits.sign_up_per_ip.max, SIGN_UP_PER_IP.max * 3);
        assert_eq!(limits.sign_in_per_ip.max, SIGN_IN_PER_IP.max * 3);
        assert_eq!(
            limits.sign_in_failures_per_account,
            SIGN_IN_FAILURES_PER_ACCOUNT
        );
        assert_eq!(limits.reset_per_account, RESET_PER_ACCOUNT);
        assert_eq!(RateLimits::new(0), RateLimits::new(1));
    }

    #[test]
    fn windows_are_aligned_and_retry_after_is_what_remains() {
        let limit = Limit {
            name: "t",
            max: 1,
            window_secs: 600,
        };
        assert_eq!(limit.window(1_200), (1_200, 600));
        assert_eq!(limit.window(1_799), (1_200, 1));
        assert_eq!(limit.window(1_800), (1_800, 600));
    }
}
