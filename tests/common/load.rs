//! What the load tests share: broadcast markers in update frames, update
//! versions, percentiles, and the process's limits and memory.
#![allow(dead_code)]

use std::time::Duration;

pub fn marker(i: usize) -> String {
    format!("m-{i}.")
}

/// The broadcast indices whose markers (`m-<digits>.`) occur in `text`.
pub fn markers(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.match_indices("m-").filter_map(|(at, _)| {
        let rest = &text[at + 2..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || rest.as_bytes().get(digits) != Some(&b'.') {
            return None;
        }
        rest[..digits].parse().ok()
    })
}

/// The soft "Max open files" of this process (`None`: unlimited).
pub fn open_file_limit() -> Option<u64> {
    let limits =
        std::fs::read_to_string("/proc/self/limits").expect("/proc/self/limits is readable");
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .expect("/proc/self/limits has a \"Max open files\" line");
    let soft = line["Max open files".len()..]
        .split_whitespace()
        .next()
        .expect("a soft limit");
    if soft == "unlimited" {
        None
    } else {
        Some(soft.parse().expect("a number of files"))
    }
}

/// Resident set size of this process, in bytes.
pub fn rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse::<u64>()
        .ok()?;
    Some(kb * 1024)
}

/// The version of an `update` frame, read without parsing its fragments
/// (the client's cost per frame stays small next to the server's): the
/// number that opens `[n,[…],…]` (`ServerMessage::Update`). `None` for
/// anything else.
pub fn update_version(text: &str) -> Option<u64> {
    let rest = text.strip_prefix('[')?;
    let end = rest.find(|c: char| !c.is_ascii_digit())?;
    match rest.as_bytes()[end] {
        b',' | b']' => rest[..end].parse().ok(),
        _ => None,
    }
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64) * p).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}
