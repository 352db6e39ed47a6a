// SPDX-License-Identifier: GPL-2.0

//! An interval tree that owns its entries: the kernel's augmented rbtree template
//! (`include/linux/interval_tree_generic.h`, instantiated in `kfs_helpers.c` as `kfs_itree_*`)
//! around nodes allocated here. Insertion and removal take O(log n); the entries that
//! overlap a range are found in O(log n + k). Intervals may overlap one another.
//!
//! Insertion never fails: the node is allocated beforehand ([`IntervalTree::reserve`]), so
//! a caller can check everything that may fail, commit elsewhere, and only then insert.
//!
//! C headers:
//! [`include/linux/interval_tree_generic.h`](srctree/include/linux/interval_tree_generic.h),
//! [`include/linux/rbtree_types.h`](srctree/include/linux/rbtree_types.h),
//! [`include/linux/rbtree.h`](srctree/include/linux/rbtree.h), and the layer's own
//! `rust/kfs_helpers.h`

use super::sys;
use core::{marker::PhantomData, mem::MaybeUninit, ptr};
use kernel::{alloc::flags::GFP_KERNEL, prelude::*};

/// One entry: the C node first (so a node pointer is an entry pointer), then the value.
#[repr(C)]
struct Node<T> {
    link: sys::kfs_itree_node,
    value: T,
}

/// An allocated, not yet inserted entry (see [`IntervalTree::reserve`]).
///
/// # Invariants
///
/// The allocation is in no tree; whatever it holds is uninitialised until an insertion
/// writes the node and gives the allocation to the tree.
pub(crate) struct Reservation<T>(KBox<MaybeUninit<Node<T>>>);

/// A set of closed intervals `[start, last]`, each with a value.
///
/// # Invariants
///
/// Every node reachable from `root` is the `link` of a `Node<T>` leaked from a `KBox`
/// (`KBox::into_raw`) by [`IntervalTree::insert`], owned by this tree, and in no other
/// tree; `root` is a valid (possibly empty) `rb_root_cached` of such nodes.
pub(crate) struct IntervalTree<T> {
    root: sys::rb_root_cached,
    _owns: PhantomData<KBox<Node<T>>>,
}

// SAFETY: The tree owns its entries as a `KBox` would, and the C tree functions have
// no thread affinity: sending the tree sends the values.
unsafe impl<T: Send> Send for IntervalTree<T> {}
// SAFETY: Through `&IntervalTree` the entries are only read (`iter`), which gives out
// `&T`.
unsafe impl<T: Sync> Sync for IntervalTree<T> {}

impl<T> IntervalTree<T> {
    /// An empty tree.
    pub(crate) fn new() -> Self {
        // INVARIANT: An all-NULL `rb_root_cached` is the empty tree (`RB_ROOT_CACHED`).
        Self {
            root: sys::rb_root_cached {
                rb_root: sys::rb_root {
                    rb_node: ptr::null_mut(),
                },
                rb_leftmost: ptr::null_mut(),
            },
            _owns: PhantomData,
        }
    }

    /// Allocates one entry, to be inserted later without failing.
    pub(crate) fn reserve() -> Result<Reservation<T>> {
        Ok(Reservation(KBox::new_uninit(GFP_KERNEL)?))
    }

    /// Inserts `value` over `[start, last]` (`start <= last`) in the entry `r`.
    pub(crate) fn insert(&mut self, r: Reservation<T>, start: u64, last: u64, value: T) {
        let node = r.0.write(Node {
            link: sys::kfs_itree_node {
                rb: sys::rb_node {
                    __rb_parent_color: 0,
                    rb_right: ptr::null_mut(),
                    rb_left: ptr::null_mut(),
                },
                start,
                last,
                subtree_last: last,
            },
            value,
        });
        let p = KBox::into_raw(node);
        // INVARIANT: `p` comes from `KBox::into_raw` and is now owned by this tree only.
        // SAFETY: `p` is a valid, unlinked node; the root is valid (type invariant), and
        // `&mut self` excludes every other access to the tree.
        unsafe { sys::kfs_itree_insert(&raw mut (*p).link, &mut self.root) };
    }

    /// The entries that overlap `[start, last]`, as `(start, last, value)`, in order of
    /// their start.
    pub(crate) fn iter(&self, start: u64, last: u64) -> Iter<'_, T> {
        // SAFETY: The root is valid (type invariant); `iter_first` only reads the tree
        // (the cast to a mutable pointer is for its C signature), and `&self` excludes
        // changes while the iterator lives.
        let next = unsafe {
            sys::kfs_itree_first(
                ptr::from_ref::<sys::rb_root_cached>(&self.root).cast_mut(),
                start,
                last,
            )
        };
        // INVARIANT: `iter_first` returns NULL or the first overlapping node of the tree.
        Iter {
            next,
            start,
            last,
            _tree: PhantomData,
        }
    }

    /// Removes the first entry overlapping `[start, last]` whose value `pred` accepts, and
    /// returns its value.
    pub(crate) fn remove_first(
        &mut self,
        start: u64,
        last: u64,
        mut pred: impl FnMut(&T) -> bool,
    ) -> Option<T> {
        let mut it = self.iter(start, last);
        let found = loop {
            let n = it.next;
            let (_, _, v) = it.next()?;
            if pred(v) {
                break n;
            }
        };
        // SAFETY: `found` is a node of this tree (it came from the iteration above, which
        // has ended), and `&mut self` excludes every other access.
        unsafe { sys::kfs_itree_remove(found, &mut self.root) };
        // SAFETY: By the type invariant the node is the first field of a `Node<T>` leaked
        // from a `KBox`; it is unlinked now, so the box is ours again.
        let node = unsafe { KBox::from_raw(found.cast::<Node<T>>()) };
        Some(KBox::into_inner(node).value)
    }
}

impl<T> Drop for IntervalTree<T> {
    fn drop(&mut self) {
        // SAFETY: The root is valid (type invariant).
        let mut rb = unsafe { sys::rb_first_postorder(&self.root.rb_root) };
        while !rb.is_null() {
            // SAFETY: `rb` is a node of the tree; in post-order, the nodes after it are
            // found without reading the nodes already visited (freed below).
            let next = unsafe { sys::rb_next_postorder(rb) };
            // SAFETY: `rb` is the first field of a `kfs_itree_node`, itself the first
            // field of a `Node<T>` leaked from a `KBox` (type invariant), visited once.
            drop(unsafe { KBox::from_raw(rb.cast::<Node<T>>()) });
            rb = next;
        }
    }
}

/// The entries of an [`IntervalTree`] that overlap a range (see [`IntervalTree::iter`]).
///
/// # Invariants
///
/// `next` is NULL or the `link` of a node of the tree borrowed for `'a`, which overlaps
/// `[start, last]`.
pub(crate) struct Iter<'a, T> {
    next: *mut sys::kfs_itree_node,
    start: u64,
    last: u64,
    _tree: PhantomData<&'a IntervalTree<T>>,
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = (u64, u64, &'a T);

    fn next(&mut self) -> Option<Self::Item> {
        let cur = self.next;
        if cur.is_null() {
            return None;
        }
        // SAFETY: `cur` is a node of the tree, which is borrowed for `'a` (so unchanged);
        // it is the first field of a `Node<T>` (type invariant of the tree).
        let node = unsafe { &*cur.cast::<Node<T>>() };
        // SAFETY: As above; `iter_next` only reads the tree.
        self.next = unsafe { sys::kfs_itree_next(cur, self.start, self.last) };
        Some((node.link.start, node.link.last, &node.value))
    }
}
