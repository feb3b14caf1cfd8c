//! "Did you mean" suggestions for misspelt names.

/// Edit distance between two strings (Levenshtein, by characters).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The candidate closest to `name`, if it is close enough to be a likely typo
/// (distance at most a third of the length, at least 1), or equal ignoring case.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| {
            let d = if c.eq_ignore_ascii_case(name) {
                0
            } else {
                distance(name, c)
            };
            (d, c)
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn suggests_near_names_only() {
        let fields = ["title", "items", "filter"];
        assert_eq!(closest("titel", fields), Some("title"));
        assert_eq!(closest("Title", fields), Some("title"));
        assert_eq!(closest("item", fields), Some("items"));
        assert_eq!(closest("zzz", fields), None);
        assert_eq!(closest("x", Vec::<&str>::new()), None);
    }
}
