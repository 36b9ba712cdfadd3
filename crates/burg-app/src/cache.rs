//! Read caches that are never stale: each entry remembers the database's
//! change generation it was read at and counts only while the generation
//! is the same (see `burg_store::Db::generation`).

use std::collections::HashMap;
use std::sync::Mutex;

pub(crate) struct GenCache<V> {
    entries: Mutex<HashMap<String, (u64, V)>>,
    capacity: usize,
}

impl<V: Clone> GenCache<V> {
    pub fn new(capacity: usize) -> Self {
        GenCache { entries: Mutex::new(HashMap::new()), capacity }
    }

    /// The entry for `key` if it was read at `generation`.
    pub fn get(&self, key: &str, generation: Option<u64>) -> Option<V> {
        let generation = generation?;
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.get(key).filter(|(g, _)| *g == generation).map(|(_, v)| v.clone())
    }

    /// Remembers `value`, read at `generation` (taken before the read).
    pub fn put(&self, key: String, generation: Option<u64>, value: V) {
        let Some(generation) = generation else { return };
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= self.capacity {
            // Old generations are dead weight; a full cache starts over.
            entries.retain(|_, (g, _)| *g == generation);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(key, (generation, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_count_only_in_their_generation() {
        let cache = GenCache::new(2);
        cache.put("a".into(), Some(1), 10);
        assert_eq!(cache.get("a", Some(1)), Some(10));
        assert_eq!(cache.get("a", Some(2)), None, "a newer generation misses");
        assert_eq!(cache.get("a", None), None, "no generation, no cache");
        cache.put("b".into(), None, 20);
        assert_eq!(cache.get("b", Some(1)), None, "nothing is kept without a generation");
        cache.put("b".into(), Some(2), 20);
        cache.put("c".into(), Some(2), 30);
        cache.put("d".into(), Some(2), 40);
        assert_eq!(cache.get("d", Some(2)), Some(40), "a full cache makes room");
    }
}
