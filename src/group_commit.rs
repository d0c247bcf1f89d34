//! Group commit: one writer task per server instance takes validated submissions
//! from a bounded queue and stores them in groups, answering each caller once its
//! group is durable. What a group's transaction does is the services' business
//! ([`StoreGroup`], given at start-up); this module gathers, bounds and answers.
//!
//! - A group is up to [`GroupSettings::max`] submissions gathered for at most
//!   [`GroupSettings::wait`] after its first.
//! - Should a group fail, each of its submissions is stored alone, so one bad
//!   submission fails alone.
//! - The queue holds at most [`GroupSettings::queue`] submissions; a full queue
//!   answers `RATE_LIMITED` with a retry hint instead of growing.

use crate::config::GroupSettings;
use crate::db::Db;
use crate::domain::submission::{Outcome, Submission};
use crate::error::{AppError, AppResult};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Stores a group in one transaction and gives each submission's outcome, in order.
pub type StoreGroup = Arc<
    dyn Fn(Db, Vec<Submission>) -> Pin<Box<dyn Future<Output = AppResult<Vec<Outcome>>> + Send>>
        + Send
        + Sync,
>;

struct Job {
    submission: Submission,
    reply: oneshot::Sender<AppResult<Outcome>>,
}

/// The handle services use to store responses.
#[derive(Clone)]
pub struct GroupWriter {
    tx: mpsc::Sender<Job>,
}

impl GroupWriter {
    /// Starts the writer task on the current runtime; `store` does a group's work.
    pub fn start(db: Db, settings: GroupSettings, store: StoreGroup) -> Self {
        let (tx, rx) = mpsc::channel(settings.queue.max(1));
        tokio::spawn(run(db, settings, store, rx));
        Self { tx }
    }

    /// Queues a submission and waits until its group is durable.
    pub async fn store(&self, submission: Submission) -> AppResult<Outcome> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .try_send(Job { submission, reply })
            .map_err(|e| match e {
                mpsc::error::TrySendError::Full(_) => {
                    crate::telemetry::metrics::submit_queue_full();
                    AppError::RateLimited {
                        retry_after_secs: 1,
                    }
                }
                mpsc::error::TrySendError::Closed(_) => AppError::Unavailable {
                    retry_after_secs: 5,
                },
            })?;
        answer.await.unwrap_or(Err(AppError::Unavailable {
            retry_after_secs: 5,
        }))
    }
}

async fn run(db: Db, settings: GroupSettings, store: StoreGroup, mut rx: mpsc::Receiver<Job>) {
    let max = settings.max.max(1);
    while let Some(first) = rx.recv().await {
        let mut group = vec![first];
        let deadline = tokio::time::Instant::now() + settings.wait;
        while group.len() < max {
            // Take what is already queued without waiting, then wait for company.
            match rx.try_recv() {
                Ok(job) => group.push(job),
                Err(mpsc::error::TryRecvError::Disconnected) => break,
                Err(mpsc::error::TryRecvError::Empty) => {
                    match tokio::time::timeout_at(deadline, rx.recv()).await {
                        Ok(Some(job)) => group.push(job),
                        Ok(None) | Err(_) => break,
                    }
                }
            }
        }
        commit(&db, &store, group).await;
    }
}

async fn commit(db: &Db, store: &StoreGroup, group: Vec<Job>) {
    let started = std::time::Instant::now();
    let size = group.len();
    let (subs, replies): (Vec<Submission>, Vec<_>) =
        group.into_iter().map(|j| (j.submission, j.reply)).unzip();
    let singles = (size > 1).then(|| subs.clone());
    match store(db.clone(), subs).await {
        Ok(outcomes) => {
            for (reply, outcome) in replies.into_iter().zip(outcomes) {
                let _ = reply.send(Ok(outcome));
            }
        }
        Err(e) => match singles {
            Some(singles) => {
                tracing::warn!(error = %e, size, "a group failed; storing its submissions one by one");
                for (reply, sub) in replies.into_iter().zip(singles) {
                    let r = store(db.clone(), vec![sub])
                        .await
                        .map(|o| o.first().copied().unwrap_or(Outcome::Lost));
                    let _ = reply.send(r);
                }
            }
            None => {
                for reply in replies {
                    let _ = reply.send(Err(e.clone()));
                }
            }
        },
    }
    crate::telemetry::metrics::group_committed(size, started.elapsed());
}
