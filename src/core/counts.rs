//! A counted set: how many times each key was added, a key present while its count is
//! above zero. Used wherever several posts can hold the same thing — a date, a spelling
//! of a tag, a declared series.

use std::collections::BTreeMap;
use std::ops::RangeBounds;

#[derive(Debug, Clone)]
pub struct Counts<K: Ord>(BTreeMap<K, usize>);

impl<K: Ord> Default for Counts<K> {
    fn default() -> Self {
        Counts(BTreeMap::new())
    }
}

impl<K: Ord> Counts<K> {
    pub fn add(&mut self, key: K) {
        *self.0.entry(key).or_default() += 1;
    }

    /// [`Counts::add`] that makes an owned key only when `key` is new.
    pub fn add_borrowed<Q>(&mut self, key: &Q)
    where
        K: std::borrow::Borrow<Q>,
        Q: Ord + ToOwned<Owned = K> + ?Sized,
    {
        match self.0.get_mut(key) {
            Some(n) => *n += 1,
            None => {
                self.0.insert(key.to_owned(), 1);
            }
        }
    }

    /// One fewer of `key`; gone at zero.
    pub fn remove<Q>(&mut self, key: &Q)
    where
        K: std::borrow::Borrow<Q>,
        Q: Ord + ?Sized,
    {
        if let Some(n) = self.0.get_mut(key) {
            *n -= 1;
            if *n == 0 {
                self.0.remove(key);
            }
        }
    }

    pub fn contains<Q>(&self, key: &Q) -> bool
    where
        K: std::borrow::Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.0.contains_key(key)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The largest key present.
    pub fn last(&self) -> Option<&K> {
        self.0.keys().next_back()
    }

    /// The keys present in `range`, in order.
    pub fn range(&self, range: impl RangeBounds<K>) -> impl Iterator<Item = &K> {
        self.0.range(range).map(|(k, _)| k)
    }

    /// Each key with its count, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, usize)> {
        self.0.iter().map(|(k, n)| (k, *n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_stays_until_its_last_holder_goes() {
        let mut c = Counts::default();
        c.add(2);
        c.add(2);
        c.add(5);
        c.remove(&2);
        assert!(c.contains(&2));
        c.remove(&2);
        assert!(!c.contains(&2));
        c.remove(&7);
        assert_eq!(c.last(), Some(&5));
        assert_eq!(c.range(3..).collect::<Vec<_>>(), [&5]);
    }
}
