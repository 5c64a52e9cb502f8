//! The one retry policy of every GET, whichever provider sends it (Cloud Run, Cloud Deploy,
//! GitHub): a few attempts, doubling backoff with jitter, the server's own wait (`Retry-After`,
//! `google.rpc.RetryInfo`, a GitHub rate-limit reset) honoured when it is short.
//!
//! What is retried is decided by the error ([`Retryable`]): 429, any 5xx, transport errors and
//! timeouts. Only reads go through [`run`]; a POST or PATCH is never re-sent here (a create is
//! re-sent only by the command engine, with the same request id; a verb without one is re-read
//! first).

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// How an error answers "may the same GET be sent again?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// No: the answer will not change by asking again (400, 403, 404, a body of the wrong shape).
    Final,
    /// Yes, after the server's own wait when it gave one.
    Retry { server_wait: Option<Duration> },
}

/// An error of a provider, judged for retrying.
pub trait Retryable {
    fn verdict(&self) -> Verdict;
}

/// Attempts and waits of one read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in all, the first one included (1 = never retry).
    pub attempts: u32,
    /// The first wait without a server hint; doubled on each retry up to `max_backoff`, plus up
    /// to a quarter more of random jitter (so many cockpits do not retry in step).
    pub base: Duration,
    pub max_backoff: Duration,
    /// A server asking for a longer wait is not retried here: the error goes back with its wait,
    /// and the poller (or the person running the command) sees why.
    pub max_server_wait: Duration,
}

impl RetryPolicy {
    /// Lane polls, pipeline polls and command reads unless a command says otherwise. A lane poll
    /// is also bounded by its poll timeout, so retries never hold a lane past one interval.
    pub const GET: RetryPolicy = RetryPolicy {
        attempts: 3,
        base: Duration::from_millis(200),
        max_backoff: Duration::from_secs(5),
        max_server_wait: Duration::from_secs(10),
    };

    /// No retries at all (tests of a single request; callers with their own loop).
    pub const ONCE: RetryPolicy = RetryPolicy {
        attempts: 1,
        ..RetryPolicy::GET
    };

    /// The wait before retry number `retry` (1-based), or `None` when it must not be retried.
    pub fn wait(&self, retry: u32, verdict: Verdict) -> Option<Duration> {
        let Verdict::Retry { server_wait } = verdict else {
            return None;
        };
        if retry >= self.attempts {
            return None;
        }
        match server_wait {
            Some(wait) if wait > self.max_server_wait => None,
            Some(wait) => Some(wait),
            None => Some(self.backoff(retry)),
        }
    }

    /// Doubling from `base`, capped, with up to 25 % jitter on top.
    pub fn backoff(&self, retry: u32) -> Duration {
        let doubled = self
            .base
            .saturating_mul(1 << retry.saturating_sub(1).min(16))
            .min(self.max_backoff);
        let jitter_pct = (uuid::Uuid::new_v4().as_u128() % 26) as u32;
        doubled + doubled * jitter_pct / 100
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy::GET
    }
}

type Notify = dyn Fn(&str, Duration) + Send + Sync;

/// Told about each retry before its wait: the error (already redacted text) and the wait.
#[derive(Clone)]
pub struct Observer(Arc<Notify>);

impl Observer {
    pub fn new(f: impl Fn(&str, Duration) + Send + Sync + 'static) -> Observer {
        Observer(Arc::new(f))
    }
}

impl fmt::Debug for Observer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Observer")
    }
}

/// Runs `call` (one GET) until it succeeds, fails for good, or the policy says stop.
pub async fn run<T, E, F, Fut>(
    policy: &RetryPolicy,
    observer: Option<&Observer>,
    mut call: F,
) -> Result<T, E>
where
    E: Retryable + fmt::Display,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut retry = 0;
    loop {
        match call().await {
            Ok(value) => return Ok(value),
            Err(error) => {
                retry += 1;
                let Some(wait) = policy.wait(retry, error.verdict()) else {
                    return Err(error);
                };
                let text = error.to_string();
                tracing::debug!("retry {retry} in {} ms: {text}", wait.as_millis());
                if let Some(observer) = observer {
                    (observer.0)(&text, wait);
                }
                tokio::time::sleep(wait).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOON: Verdict = Verdict::Retry { server_wait: None };

    #[test]
    fn backoff_doubles_with_bounded_jitter_and_stops_after_the_attempts() {
        let policy = RetryPolicy {
            attempts: 4,
            base: Duration::from_millis(100),
            max_backoff: Duration::from_millis(300),
            max_server_wait: Duration::from_secs(1),
        };
        for (retry, low) in [(1, 100), (2, 200), (3, 300)] {
            let wait = policy.wait(retry, SOON).unwrap();
            let low = Duration::from_millis(low);
            assert!(wait >= low && wait <= low + low / 4, "{retry}: {wait:?}");
        }
        assert_eq!(policy.wait(4, SOON), None, "four attempts, three retries");
        assert_eq!(policy.wait(1, Verdict::Final), None);
    }

    #[test]
    fn the_servers_wait_is_honoured_only_when_short() {
        let policy = RetryPolicy::GET;
        let asked = |secs| Verdict::Retry {
            server_wait: Some(Duration::from_secs(secs)),
        };
        assert_eq!(policy.wait(1, asked(2)), Some(Duration::from_secs(2)));
        assert_eq!(policy.wait(1, asked(30)), None);
        assert_eq!(RetryPolicy::ONCE.wait(1, SOON), None);
    }

    #[derive(Debug)]
    struct Flaky(Verdict);

    impl fmt::Display for Flaky {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "flaky")
        }
    }

    impl Retryable for Flaky {
        fn verdict(&self) -> Verdict {
            self.0
        }
    }

    #[tokio::test]
    async fn run_retries_until_success_and_tells_the_observer() {
        let policy = RetryPolicy {
            base: Duration::from_millis(1),
            ..RetryPolicy::GET
        };
        let told = Arc::new(std::sync::Mutex::new(0));
        let counter = told.clone();
        let observer = Observer::new(move |_, _| *counter.lock().unwrap() += 1);
        let mut calls = 0;
        let result: Result<u32, Flaky> = run(&policy, Some(&observer), || {
            calls += 1;
            let answer = if calls < 3 {
                Err(Flaky(SOON))
            } else {
                Ok(calls)
            };
            async move { answer }
        })
        .await;
        assert_eq!(result.unwrap(), 3);
        assert_eq!(*told.lock().unwrap(), 2);
        let mut calls = 0;
        let result: Result<u32, Flaky> = run(&policy, None, || {
            calls += 1;
            async { Err(Flaky(Verdict::Final)) }
        })
        .await;
        assert!(result.is_err());
        assert_eq!(calls, 1, "a final error is not retried");
    }
}
