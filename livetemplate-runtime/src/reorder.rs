//! Reorderings of a range's items: finding one, and the moves that make it.
//!
//! A list whose new items are its old items in another order (equal by
//! value) is sent as one granular `move` fragment, never as a replacement:
//! the items of a longest run already in order stay where they are, and
//! every other item moves once. Go's livetemplate and Phoenix LiveView's
//! keyed comprehensions send moves too; here the identity of an item is its
//! value (`PartialEq`), so no key has to be declared.
//!
//! Used twice: on the user's items in generated code (before a sequence
//! diff, which would spend O(n·d) on a reordering and then rebuild the moved
//! items), and on the rendered items in `diff`.

/// Lists longer than this are not searched for a reordering (the search
/// may compare n²/2 pairs of items); they are diffed as before.
pub const MAX_REORDER: usize = 1024;

/// When `new` holds the items of `old` in another order (equal by value),
/// the old index of each new item; `None` otherwise, or for lists of fewer
/// than 2 or more than [`MAX_REORDER`] items. Items in place are matched
/// first; `key` is a cheap value that equal items share (a length, say),
/// compared before the items.
pub fn reordering<T: PartialEq, K: PartialEq>(
    old: &[T],
    new: &[T],
    key: impl Fn(&T) -> K,
) -> Option<Vec<usize>> {
    let n = old.len();
    if n != new.len() || !(2..=MAX_REORDER).contains(&n) {
        return None;
    }
    let mut used = vec![false; n];
    let mut order = vec![usize::MAX; n];
    for t in 0..n {
        if old[t] == new[t] {
            used[t] = true;
            order[t] = t;
        }
    }
    let keys: Vec<K> = old.iter().map(&key).collect();
    for t in 0..n {
        if order[t] == usize::MAX {
            let k = key(&new[t]);
            let j = (0..n).find(|&j| !used[j] && keys[j] == k && old[j] == new[t])?;
            used[j] = true;
            order[t] = j;
        }
    }
    Some(order)
}

/// True when `order` holds each of `0..order.len()` once (an empty order
/// is one).
pub fn is_permutation(order: &[usize]) -> bool {
    let mut seen = vec![false; order.len()];
    order
        .iter()
        .all(|&o| o < seen.len() && !std::mem::replace(&mut seen[o], true))
}

/// Which entries of `seq` form a longest strictly increasing subsequence
/// (patience sorting, O(n log n)).
pub fn longest_increasing(seq: &[usize]) -> Vec<bool> {
    // tails[k]: index in seq of the smallest tail of a run of length k + 1
    let mut tails: Vec<usize> = Vec::new();
    let mut prev = vec![usize::MAX; seq.len()];
    for (i, &v) in seq.iter().enumerate() {
        let k = tails.partition_point(|&t| seq[t] < v);
        if k > 0 {
            prev[i] = tails[k - 1];
        }
        match tails.get_mut(k) {
            Some(t) => *t = i,
            None => tails.push(i),
        }
    }
    let mut keep = vec![false; seq.len()];
    let mut at = tails.last().copied().unwrap_or(usize::MAX);
    while at != usize::MAX {
        keep[at] = true;
        at = prev[at];
    }
    keep
}

/// The `(from, to)` moves (see [`crate::GranularData::moves`]) that put
/// the items in `order` (old index per new index): the items of a longest
/// run already in order stay, and each other item, taken in new order, goes
/// right after its new predecessor. `n − run` moves at most.
///
/// Positions are counted, not searched. Every place an item ever takes is
/// a node of one linked list, in list order: the front, the n old places,
/// and one node per move, linked right after the node of the item's new
/// predecessor (each node is linked after at most once: an item is the
/// predecessor of one other at most). An item's position is then the
/// number of occupied nodes before its own, kept in a Fenwick tree: O(n log
/// n) with no search, where shifting a vector of the list costs O(n²).
pub fn moves_for(order: &[usize]) -> Vec<(usize, usize)> {
    let n = order.len();
    if order.iter().any(|&o| o >= n) {
        return Vec::new();
    }
    let keep = longest_increasing(order);
    // Nodes: 0 the front, 1 + i old item i's place, then one per move.
    let moved = keep.iter().filter(|&&k| !k).count();
    let mut next: Vec<usize> = (1..=n + 1 + moved).collect();
    next[n] = usize::MAX;
    let mut moves_at: Vec<(usize, usize)> = Vec::with_capacity(moved); // (item, node)
    let mut prev = 0; // the node of the item before t
    for (t, &item) in order.iter().enumerate() {
        if keep[t] {
            prev = item + 1;
            continue;
        }
        let node = n + 1 + moves_at.len();
        next[node] = next[prev];
        next[prev] = node;
        moves_at.push((item, node));
        prev = node;
    }
    // Each node's place in the list.
    let mut slot = vec![0; next.len()];
    let (mut node, mut k) = (0, 0);
    while node != usize::MAX {
        slot[node] = k;
        k += 1;
        node = next[node];
    }
    let mut tree = Fenwick(vec![0; next.len() + 1]);
    for i in 0..n {
        tree.add(slot[i + 1], 1);
    }
    let mut moves = Vec::with_capacity(moved);
    for (item, node) in moves_at {
        let old = slot[item + 1];
        let from = tree.below(old);
        tree.add(old, -1);
        let to = tree.below(slot[node]);
        tree.add(slot[node], 1);
        if from != to {
            moves.push((from, to));
        }
    }
    moves
}

/// Counts per slot, for prefix sums in O(log n).
struct Fenwick(Vec<i32>);

impl Fenwick {
    fn add(&mut self, slot: usize, delta: i32) {
        let mut i = slot + 1;
        while i < self.0.len() {
            self.0[i] += delta;
            i += i & i.wrapping_neg();
        }
    }

    /// The count in the slots before `slot`.
    fn below(&self, slot: usize) -> usize {
        let (mut i, mut sum) = (slot, 0i64);
        while i > 0 {
            sum += i64::from(self.0[i]);
            i -= i & i.wrapping_neg();
        }
        usize::try_from(sum).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Applies moves as the reconstructors do.
    fn apply(n: usize, moves: &[(usize, usize)]) -> Vec<usize> {
        let mut v: Vec<usize> = (0..n).collect();
        for &(from, to) in moves {
            assert!(from < n && to < n, "move {from} to {to} of {n}");
            let x = v.remove(from);
            v.insert(to, x);
        }
        v
    }

    #[test]
    fn permutations() {
        assert!(is_permutation(&[]));
        assert!(is_permutation(&[2, 0, 1]));
        assert!(!is_permutation(&[0, 0, 1]));
        assert!(!is_permutation(&[0, 1, 3]));
    }

    #[test]
    fn small_cases() {
        assert_eq!(moves_for(&[0, 1, 2]), []);
        assert_eq!(moves_for(&[1, 2, 3, 0]), [(0, 3)]);
        assert_eq!(moves_for(&[3, 0, 1, 2]), [(3, 0)]);
        assert_eq!(apply(4, &moves_for(&[3, 1, 2, 0])), [3, 1, 2, 0]);
        assert_eq!(moves_for(&[3, 1, 2, 0]).len(), 2);
        assert_eq!(longest_increasing(&[2, 0, 1]), [false, true, true]);
    }

    #[test]
    fn reorderings_are_found_and_only_they() {
        let len = |s: &&str| s.len();
        assert_eq!(
            reordering(&["a", "bb", "c"], &["c", "a", "bb"], len),
            Some(vec![2, 0, 1])
        );
        // duplicates: each old item used once
        assert_eq!(
            reordering(&["a", "a", "b"], &["a", "b", "a"], len),
            Some(vec![0, 2, 1])
        );
        assert_eq!(reordering(&["a", "a", "b"], &["a", "b", "b"], len), None);
        assert_eq!(reordering(&["a", "b"], &["a", "c"], len), None);
        assert_eq!(reordering(&["a", "b"], &["a", "b", "c"], len), None);
        assert_eq!(reordering(&["a"], &["a"], len), None);
        assert_eq!(reordering(&["a", "b"], &["a", "b"], len), Some(vec![0, 1]));
        let long: Vec<usize> = (0..=MAX_REORDER).collect();
        let mut rev = long.clone();
        rev.reverse();
        assert_eq!(reordering(&long, &rev, |&x| x), None);
    }

    /// [`moves_for`] by shifting a vector of the list (O(n²)), the oracle
    /// of its ranks: the same moves.
    fn moves_by_shifting(order: &[usize]) -> Vec<(usize, usize)> {
        let keep = longest_increasing(order);
        let mut cur: Vec<usize> = (0..order.len()).collect();
        let mut moves = Vec::new();
        for (t, &item) in order.iter().enumerate() {
            if keep[t] {
                continue;
            }
            let from = cur.iter().position(|&v| v == item).unwrap();
            cur.remove(from);
            let to = match t {
                0 => 0,
                _ => cur.iter().position(|&v| v == order[t - 1]).unwrap() + 1,
            };
            cur.insert(to, item);
            if from != to {
                moves.push((from, to));
            }
        }
        moves
    }

    #[test]
    fn orders_that_are_no_permutation_give_no_panic() {
        let _ = moves_for(&[0, 0, 1]);
        assert_eq!(moves_for(&[0, 5]), []);
    }

    proptest! {
        /// The moves give the order, and there are as few as the longest
        /// run of items already in order allows.
        #[test]
        fn moves_give_the_order(order in (1usize..200).prop_flat_map(|n| Just((0..n).collect::<Vec<_>>()).prop_shuffle())) {
            let moves = moves_for(&order);
            prop_assert_eq!(apply(order.len(), &moves), order.clone());
            prop_assert_eq!(&moves, &moves_by_shifting(&order));
            let run = longest_increasing(&order).iter().filter(|&&k| k).count();
            prop_assert!(moves.len() <= order.len() - run);
            // no longer run exists (O(n²) check)
            let mut best = vec![1usize; order.len()];
            for i in 0..order.len() {
                for j in 0..i {
                    if order[j] < order[i] {
                        best[i] = best[i].max(best[j] + 1);
                    }
                }
            }
            prop_assert_eq!(run, best.iter().copied().max().unwrap_or(0));
        }

        /// A shuffled list is found to be a reordering of itself, with an
        /// order that maps it back.
        #[test]
        fn shuffles_are_reorderings(items in proptest::collection::vec(0u8..6, 2..30).prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))) {
            let (old, new) = items;
            let order = reordering(&old, &new, |&x| x).expect("a reordering");
            for (t, &o) in order.iter().enumerate() {
                prop_assert_eq!(old[o], new[t]);
            }
        }
    }
}
