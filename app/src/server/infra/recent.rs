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

/// `Recent` values by key (a locale, a system), each a `Recent` of its own: made again by the
/// first request after it went stale, without holding up the other keys meanwhile.
pub struct RecentMap<K, V>(
    std::sync::Arc<std::sync::Mutex<std::collections::HashMap<K, Recent<V>>>>,
);

impl<K, V> Default for RecentMap<K, V> {
    fn default() -> Self {
        RecentMap(Default::default())
    }
}

/// Keys come from what readers ask for (a system's code in the address): past this many, the
/// map starts again rather than keep whatever was asked.
const MOST_KEYS: usize = 256;

impl<K: std::hash::Hash + Eq, V: Clone> RecentMap<K, V> {
    pub async fn get_or(
        &self,
        key: K,
        make: impl std::future::Future<Output = Result<V, AppError>>,
    ) -> Result<V, AppError> {
        let recent = {
            // Held only to find the key's `Recent`, never across an await.
            let mut map = self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if map.len() >= MOST_KEYS && !map.contains_key(&key) {
                map.clear();
            }
            map.entry(key).or_default().clone()
        };
        recent.get_or(make).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn each_key_is_kept_while_fresh_and_strange_keys_do_not_pile_up() {
        let map: RecentMap<String, usize> = RecentMap::default();
        assert_eq!(map.get_or("zh".into(), async { Ok(1) }).await.ok(), Some(1));
        assert_eq!(map.get_or("zh".into(), async { Ok(2) }).await.ok(), Some(1));
        assert_eq!(map.get_or("en".into(), async { Ok(3) }).await.ok(), Some(3));
        for n in 0..MOST_KEYS * 2 {
            let _ = map.get_or(format!("x{n}"), async { Ok(0) }).await;
        }
        let keys = map.0.lock().map(|m| m.len()).unwrap_or(usize::MAX);
        assert!(keys <= MOST_KEYS, "{keys} keys");
    }
}
