use chrono::{DateTime, Duration, Utc};
use tokio::time::Instant;

/// Simulated time: starts at the real UTC time and runs `speed` times faster.
#[derive(Debug, Clone, Copy)]
pub struct SimClock {
    started: Instant,
    started_wall: DateTime<Utc>,
    speed: f64,
}

impl SimClock {
    pub fn new(speed: f64) -> SimClock {
        SimClock {
            started: Instant::now(),
            started_wall: Utc::now(),
            speed: if speed.is_finite() && speed > 0.0 {
                speed
            } else {
                1.0
            },
        }
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// The wall-clock time at which simulated time `t` happened (or will happen), so that a
    /// timestamp shown to a client is never in the future: before the sandbox started, simulated
    /// and wall time are the same; after, simulated time is squeezed back by the speed.
    pub fn shown(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        if t <= self.started_wall {
            return t;
        }
        let ahead_ms = (t - self.started_wall).num_milliseconds() as f64;
        self.started_wall + Duration::milliseconds((ahead_ms / self.speed) as i64)
    }

    /// Simulated seconds since the sandbox started.
    pub fn elapsed_secs(&self) -> f64 {
        self.started.elapsed().as_secs_f64() * self.speed
    }

    pub fn now(&self) -> DateTime<Utc> {
        let real = self.started.elapsed().as_secs_f64();
        let simulated_ms = (real * self.speed * 1000.0) as i64;
        self.started_wall + Duration::milliseconds(simulated_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_times_are_never_ahead_of_the_wall_clock() {
        let clock = SimClock::new(1000.0);
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert!(clock.now() > Utc::now(), "simulated time runs ahead");
        assert!(clock.shown(clock.now()) <= Utc::now());
        let past = clock.now() - Duration::days(3);
        assert!(clock.shown(past) < clock.shown(clock.now()));
    }
}

/// A tiny xorshift generator: the sandbox needs cheap, seedable randomness, not cryptography.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn seeded(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    pub fn from_time() -> Rng {
        let nanos = Utc::now().timestamp_nanos_opt().unwrap_or(0x9E37_79B9);
        Rng::seeded(nanos as u64)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn letters(&mut self, count: usize) -> String {
        (0..count)
            .map(|_| (b'a' + self.below(26) as u8) as char)
            .collect()
    }
}
