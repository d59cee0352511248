//! `--shard K/N`: which part of N a repository belongs to, by a hash of its id alone (adding
//! or removing a repository moves no other one), so N CI jobs read the organisation between them.

use sha2::{Digest, Sha256};

/// One part of `N`, `index` from 1: `--shard 2/3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// Parses `K/N` (1 ≤ K ≤ N ≤ 10,000).
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("{text:?} is not a shard like 2/3 (part K of N, 1 ≤ K ≤ N)");
        let (k, n) = text.trim().split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || index > count || count > 10_000 {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether the repository (or bucket) named `name` (`spaces/acme/demo`) is in this part:
    /// rendezvous hashing on SHA-256, so each name's part depends only on the name and `N`
    /// (adding or removing a repository moves no other one).
    pub fn holds(&self, name: &str) -> bool {
        part_of(name, self.count) == self.index
    }
}

/// The part (1..=`count`) that `name` belongs to: the part with the highest SHA-256 of
/// `part:name`.
pub fn part_of(name: &str, count: u32) -> u32 {
    (1..=count.max(1))
        .max_by_key(|k| {
            let digest = Sha256::digest(format!("{k}:{name}").as_bytes());
            u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
        })
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every repository is in exactly one part; adding repositories moves none of the others;
    /// the parts are about even.
    #[test]
    fn shards_partition_stably_and_evenly() {
        let names: Vec<String> = (0..3000).map(|i| format!("acme/model-{i}")).collect();
        let parts: Vec<u32> = names.iter().map(|n| part_of(n, 3)).collect();
        for (n, p) in names.iter().zip(&parts) {
            let holders: Vec<u32> = (1..=3)
                .filter(|k| {
                    Shard {
                        index: *k,
                        count: 3,
                    }
                    .holds(n)
                })
                .collect();
            assert_eq!(holders, vec![*p]);
        }
        for k in 1..=3 {
            let size = parts.iter().filter(|p| **p == k).count();
            assert!((900..=1100).contains(&size), "part {k}: {size}");
        }
        // Going from 3 parts to 4 moves only what lands in the new part.
        let moved = names
            .iter()
            .zip(&parts)
            .filter(|(n, p)| part_of(n, 4) != **p)
            .all(|(n, _)| part_of(n, 4) == 4);
        assert!(moved);
        assert_eq!(part_of("acme/model-7", 1), 1);
        assert!(Shard::parse("0/3").is_err() && Shard::parse("4/3").is_err());
        assert!(Shard::parse("3").is_err() && Shard::parse("a/b").is_err());
        assert_eq!(Shard::parse("2/3"), Ok(Shard { index: 2, count: 3 }));
    }
}
