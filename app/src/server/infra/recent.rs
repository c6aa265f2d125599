//! A small in-memory cache for values every request asks for and nobody needs to the second.
use crate::AppError;

/// How long a `Recent` value is served again.
const FRESH: std::time::Duration = std::time::Duration::from_secs(5);

/// A value this instance worked out at most `FRESH` ago (the queue's counts, who can be
/// assigned): shared by every request, made again by the first one after it went stale.
pub struct Recent<T>(std::sync::Arc<tokio::sync::Mutex<Option<(std::time::Instant, T)>>>);

impl<T> Default for Recent<T> {
    fn default() -> Self {
        Recent(Default::default())
    }
}

impl<T> Clone for Recent<T> {
    fn clone(&self) -> Self {
        Recent(self.0.clone())
    }
}

impl<T: Clone> Recent<T> {
    pub async fn get_or(
        &self,
        make: impl std::future::Future<Output = Result<T, AppError>>,
    ) -> Result<T, AppError> {
        let mut cached = self.0.lock().await;
        if let Some((at, value)) = cached.as_ref() {
            if at.elapsed() < FRESH {
                return Ok(value.clone());
            }
        }
        let value = make.await?;
        *cached = Some((std::time::Instant::now(), value.clone()));
        Ok(value)
    }
}

/// `Recent` values by key (a locale, a system): each made again by the first request after it
/// went stale.
pub struct RecentMap<K, V>(
    std::sync::Arc<tokio::sync::Mutex<std::collections::HashMap<K, (std::time::Instant, V)>>>,
);

impl<K, V> Default for RecentMap<K, V> {
    fn default() -> Self {
        RecentMap(Default::default())
    }
}

impl<K: std::hash::Hash + Eq, V: Clone> RecentMap<K, V> {
    pub async fn get_or(
        &self,
        key: K,
        make: impl std::future::Future<Output = Result<V, AppError>>,
    ) -> Result<V, AppError> {
        let mut cached = self.0.lock().await;
        if let Some((at, value)) = cached.get(&key) {
            if at.elapsed() < FRESH {
                return Ok(value.clone());
            }
        }
        let value = make.await?;
        // Never more than a handful of keys (locales, systems); dropped when stale.
        cached.retain(|_, (at, _)| at.elapsed() < FRESH);
        cached.insert(key, (std::time::Instant::now(), value.clone()));
        Ok(value)
    }
}
