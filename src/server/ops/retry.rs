//! Writes that meet another at the same moment: PostgreSQL may end one of two transactions
//! that wait on each other (a deadlock) or could not both be true (a serialization failure);
//! SQLite may find its database busy. Such a write did nothing, so it is tried again, from the
//! start, a few times; if it keeps meeting others, the client is told to try again shortly.

use std::future::Future;
use std::time::Duration;

use rand::Rng;

use crate::model::{ApiError, ErrorCode};

/// Attempts in all, the first included.
const ATTEMPTS: usize = 4;

/// Runs `write` until it does not meet another write at the same moment, or gives up.
pub(crate) async fn retrying<T, Fut>(write: impl Fn() -> Fut) -> Result<T, ApiError>
where
    Fut: Future<Output = Result<T, ApiError>>,
{
    let mut attempt = 1;
    loop {
        match write().await {
            Err(error) if error.code == ErrorCode::Busy && attempt < ATTEMPTS => {
                attempt += 1;
                // A random pause, so that the two writes do not meet again at once.
                let pause = rand::rng().random_range(2..20 * attempt as u64);
                tokio::time::sleep(Duration::from_millis(pause)).await;
            }
            result => return result,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn busy() -> ApiError {
        ApiError::new(ErrorCode::Busy, "busy")
    }

    #[tokio::test]
    async fn a_write_that_met_another_is_tried_again_and_gives_up_in_the_end() {
        let tries = AtomicUsize::new(0);
        let result = retrying(|| async {
            let n = tries.fetch_add(1, Ordering::SeqCst);
            if n < 2 { Err(busy()) } else { Ok(n) }
        })
        .await;
        assert_eq!(result.unwrap(), 2);
        let tries = AtomicUsize::new(0);
        let result: Result<(), _> = retrying(|| async {
            tries.fetch_add(1, Ordering::SeqCst);
            Err(busy())
        })
        .await;
        assert_eq!(result.unwrap_err().code, ErrorCode::Busy);
        assert_eq!(tries.load(Ordering::SeqCst), ATTEMPTS);
        let other = retrying(|| async { Err::<(), _>(ApiError::forbidden("no")) }).await;
        assert_eq!(
            other.unwrap_err().code,
            ErrorCode::Forbidden,
            "other errors are final"
        );
    }
}
