//! Pod storage whose memory follows the pods a run still needs, not the pods it ever created.
//!
//! Ids are given in creation order and never reused: every ordering that ends in a pod id
//! (the scheduling queue, sets of pending pods) is creation order, as it always was. Storage is
//! paged: a pod its controller has fully accounted for and nothing refers to any more is
//! [`PodStore::release`]d, and a page whose pods are all released is freed. A Job whose pods
//! fail and are replaced forever therefore holds a few pages, not one record per pod ever made
//! (before: 10 GB at the event bound). Using a released pod is a bug and panics; events that may
//! outlive their pod (timers) look it up with [`PodStore::get`].

use std::ops::{Index, IndexMut};

use crate::model::store::{Pod, PodId};

const PAGE_BITS: u32 = 8;
const PAGE: usize = 1 << PAGE_BITS;

/// The pods of a run, by id.
pub type PodStore = Paged<Pod>;

#[derive(Clone, Debug)]
struct Page<T> {
    pods: Vec<Option<T>>,
    released: usize,
}

/// Records by id, in pages freed when all their records are released.
#[derive(Clone, Debug)]
pub struct Paged<T> {
    /// Pages from page `base` on; freed pages at the front are dropped from the table too, so
    /// that a run that churns through pods forever keeps a table of the pages it still needs.
    pages: Vec<Option<Box<Page<T>>>>,
    base: usize,
    /// Ids given so far (the next id).
    len: u32,
    live: usize,
    /// The last page freed, emptied, for the next new page: a run that churns through records
    /// frees a page about as often as it starts one, and allocating each page afresh costs page
    /// faults where the allocator hands freed memory back to the system at once (one-run
    /// commands, `experiment::memory_for_runs`). One page at most, so memory still follows the
    /// records held.
    spare: Option<Box<Page<T>>>,
}

impl<T> Default for Paged<T> {
    fn default() -> Self {
        Paged {
            pages: Vec::new(),
            base: 0,
            len: 0,
            live: 0,
            spare: None,
        }
    }
}

impl<T> Paged<T> {
    /// Ids given so far: every pod ever created, released or not.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Pods not released.
    pub fn live(&self) -> usize {
        self.live
    }

    /// Room for `n` more ids in the page table (pages themselves are made as they fill).
    pub fn reserve(&mut self, n: usize) {
        self.pages.reserve(n.div_ceil(PAGE));
    }

    /// Store a new pod; its id.
    pub fn push(&mut self, pod: T) -> PodId {
        let id = self.len;
        assert!(id < u32::MAX, "pod ids exhausted");
        let page = (id >> PAGE_BITS) as usize - self.base;
        if page == self.pages.len() {
            let fresh = self.spare.take().unwrap_or_else(|| {
                Box::new(Page {
                    pods: Vec::with_capacity(PAGE),
                    released: 0,
                })
            });
            self.pages.push(Some(fresh));
        }
        self.pages[page]
            .as_deref_mut()
            .expect("the newest page is never freed")
            .pods
            .push(Some(pod));
        self.len += 1;
        self.live += 1;
        id
    }

    /// The pod `id`, unless released.
    pub fn get(&self, id: PodId) -> Option<&T> {
        self.pages
            .get(((id >> PAGE_BITS) as usize).checked_sub(self.base)?)?
            .as_deref()?
            .pods
            .get(id as usize & (PAGE - 1))?
            .as_ref()
    }

    /// Free pod `id`: its controller no longer needs it and nothing refers to it.
    pub fn release(&mut self, id: PodId) {
        let page_no = ((id >> PAGE_BITS) as usize)
            .checked_sub(self.base)
            .unwrap_or_else(|| panic!("pod {id} released twice"));
        let page = self.pages[page_no]
            .as_deref_mut()
            .unwrap_or_else(|| panic!("pod {id} released twice"));
        let slot = &mut page.pods[id as usize & (PAGE - 1)];
        assert!(slot.is_some(), "pod {id} released twice");
        *slot = None;
        page.released += 1;
        self.live -= 1;
        // A full page whose pods are all released is not needed again (ids are never reused).
        if page.released == PAGE {
            let mut freed = self.pages[page_no].take().expect("the page is held");
            freed.pods.clear();
            freed.released = 0;
            self.spare = Some(freed);
            // Drop the freed pages at the front once they are half the table (amortized O(1)).
            let front = self.pages.iter().take_while(|p| p.is_none()).count();
            if front > 0 && front * 2 >= self.pages.len() {
                self.pages.drain(..front);
                self.base += front;
            }
        }
    }

    /// The pods not released, with their ids, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (PodId, &T)> {
        let base = self.base;
        self.pages.iter().enumerate().flat_map(move |(n, page)| {
            let n = n + base;
            page.iter().flat_map(move |p| {
                p.pods
                    .iter()
                    .enumerate()
                    .filter_map(move |(i, pod)| pod.as_ref().map(|pod| (((n << PAGE_BITS) + i) as PodId, pod)))
            })
        })
    }

    /// The records not released, in id order.
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.iter().map(|(_, v)| v)
    }

    /// The records not released, in id order, each page freed once its records are taken.
    pub fn into_values(self) -> impl Iterator<Item = T> {
        self.pages
            .into_iter()
            .flatten()
            .flat_map(|page| page.pods.into_iter().flatten())
    }

    /// The records not released with their ids, in id order, consumed.
    pub fn into_iter_ids(self) -> impl Iterator<Item = (PodId, T)> {
        let base = self.base;
        self.pages.into_iter().enumerate().flat_map(move |(i, page)| {
            page.into_iter().flat_map(move |page| {
                page.pods
                    .into_iter()
                    .enumerate()
                    .filter_map(move |(k, p)| p.map(|p| (((base + i) * PAGE + k) as PodId, p)))
            })
        })
    }

    /// Pages held (for tests of what is freed).
    pub fn pages_held(&self) -> usize {
        self.pages.iter().filter(|p| p.is_some()).count()
    }

    /// Entries of the page table (held or freed but not yet dropped).
    pub fn table_len(&self) -> usize {
        self.pages.len()
    }
}

impl<T> Index<usize> for Paged<T> {
    type Output = T;

    fn index(&self, id: usize) -> &T {
        self.pages
            .get((id >> PAGE_BITS).wrapping_sub(self.base))
            .and_then(|p| p.as_deref())
            .and_then(|p| p.pods[id & (PAGE - 1)].as_ref())
            .unwrap_or_else(|| panic!("pod {id} used after it was released"))
    }
}

impl<T> IndexMut<usize> for Paged<T> {
    fn index_mut(&mut self, id: usize) -> &mut T {
        let base = self.base;
        self.pages
            .get_mut((id >> PAGE_BITS).wrapping_sub(base))
            .and_then(|p| p.as_deref_mut())
            .and_then(|p| p.pods[id & (PAGE - 1)].as_mut())
            .unwrap_or_else(|| panic!("pod {id} used after it was released"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_never_reused_and_released_pages_are_freed() {
        let mut s: Paged<u64> = Paged::default();
        let n = 3 * PAGE + 5;
        for i in 0..n {
            assert_eq!(s.push(i as u64 * 10) as usize, i);
        }
        assert_eq!((s.len(), s.live(), s.pages_held()), (n, n, 4));
        // Release all of page 0 and all but one of page 1.
        for id in 0..(2 * PAGE - 1) {
            s.release(id as PodId);
        }
        assert_eq!(s.pages_held(), 3, "page 0 freed, page 1 kept for its live record");
        assert_eq!(s.get(3), None);
        assert_eq!(s[2 * PAGE - 1], (2 * PAGE as u64 - 1) * 10);
        assert_eq!(s.push(7) as usize, n, "a new record gets a new id");
        let ids: Vec<PodId> = s.iter().map(|(id, _)| id).take(2).collect();
        assert_eq!(ids, [2 * PAGE as PodId - 1, 2 * PAGE as PodId]);
        assert_eq!(s.iter().count(), s.live());
        // The newest page is never freed, even when all its records go.
        for id in (2 * PAGE - 1)..=n {
            s.release(id as PodId);
        }
        assert_eq!((s.live(), s.pages_held()), (0, 1));
        assert_eq!(s.table_len(), 1, "the freed pages before it left the table");
        assert_eq!(s.get(0), None);
        assert_eq!(s.push(9) as usize, n + 1);
    }

    #[test]
    fn values_and_into_values_give_the_live_records_in_id_order() {
        let mut s: Paged<u32> = Paged::default();
        for i in 0..(2 * PAGE as u32 + 3) {
            s.push(i);
        }
        for id in (0..PAGE as PodId).chain([PAGE as PodId + 1]) {
            s.release(id);
        }
        let live: Vec<u32> = s.values().copied().collect();
        assert_eq!(live.len(), s.live());
        assert_eq!(&live[..2], [PAGE as u32, PAGE as u32 + 2]);
        assert_eq!(s.into_values().collect::<Vec<_>>(), live);
    }

    #[test]
    fn a_table_of_churned_pages_stays_small_and_a_pinned_page_stays_readable() {
        let mut s: Paged<u32> = Paged::default();
        let pinned = s.push(42);
        for i in 0..100 * PAGE as u32 {
            let id = s.push(i);
            s.release(id);
        }
        assert_eq!(s[pinned as usize], 42, "the first page is pinned by its live record");
        assert!(s.table_len() > 100, "a pinned front page keeps the table");
        s.release(pinned);
        for i in 0..4 * PAGE as u32 {
            let id = s.push(i);
            s.release(id);
        }
        assert!(
            s.table_len() <= 4,
            "freed front pages leave the table: {}",
            s.table_len()
        );
        assert_eq!(s.iter().count(), 0);
        let id = s.push(5);
        assert_eq!((s[id as usize], s.iter().next().map(|(i, _)| i)), (5, Some(id)));
    }

    #[test]
    #[should_panic(expected = "used after it was released")]
    fn using_a_released_record_is_a_bug() {
        let mut s: Paged<u8> = Paged::default();
        s.push(1);
        s.push(2);
        s.release(0);
        let _ = s[0];
    }
}
