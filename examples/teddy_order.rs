//! Finds the order of the detector's built-in literals that makes Teddy verify the fewest
//! false candidates (see `TEDDY_ORDER` in src/scan.rs), from trigram counts of real text.
//!
//!     cargo run --release --example teddy_order -- DIR [DIR ...]
//!
//! Each folder counts equally (up to 300 MB of it is read). It prints the current order's
//! cost, the best order found and its buckets; paste the order into `TEDDY_ORDER`.
//! It models aho-corasick 1.1's Teddy: 8 buckets, a literal goes to bucket `7 - id % 8`
//! unless an earlier literal's first three bytes have the same low nybbles, and a byte
//! matches a bucket's position when both its nybbles are among that position's nybbles.

use rand::{rngs::StdRng, Rng, SeedableRng};
use std::collections::BTreeMap;
use std::path::Path;

const MASK: usize = 3;

/// Adds the byte trigrams of files under `dir` to `counts`, until `budget` bytes are read.
fn count(dir: &Path, counts: &mut [u64], budget: &mut usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(ft) = entry.file_type() else { continue };
        if *budget == 0 {
            return;
        }
        if ft.is_dir() {
            count(&entry.path(), counts, budget);
        } else if ft.is_file() {
            let Ok(data) = std::fs::read(entry.path()) else {
                continue;
            };
            let n = data.len().min(*budget);
            *budget -= n;
            for w in data[..n].windows(MASK) {
                counts[usize::from(w[0]) << 16 | usize::from(w[1]) << 8 | usize::from(w[2])] += 1;
            }
        }
    }
}

/// The buckets Teddy makes of the literals in this order.
fn buckets(order: &[usize], lits: &[Vec<u8>]) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); 8];
    let mut by_nybbles: BTreeMap<Vec<u8>, usize> = BTreeMap::new();
    for (id, &lit) in order.iter().enumerate() {
        let low: Vec<u8> = lits[lit][..MASK].iter().map(|b| b & 0xF).collect();
        let bucket = *by_nybbles.entry(low).or_insert(7 - id % 8);
        out[bucket].push(lit);
    }
    out
}

/// Candidates per million trigrams (each weighted by the literals verified), summed over the
/// folders' frequency tables.
fn cost(order: &[usize], lits: &[Vec<u8>], freqs: &[Vec<f64>]) -> f64 {
    let mut total = 0.0;
    for bucket in buckets(order, lits).iter().filter(|b| !b.is_empty()) {
        let accepts: Vec<Vec<usize>> = (0..MASK)
            .map(|i| {
                let (mut lo, mut hi) = (0u16, 0u16);
                for &lit in bucket {
                    lo |= 1 << (lits[lit][i] & 0xF);
                    hi |= 1 << (lits[lit][i] >> 4);
                }
                (0..256)
                    .filter(|x| lo & (1 << (x & 0xF)) != 0 && hi & (1 << (x >> 4)) != 0)
                    .collect()
            })
            .collect();
        for freq in freqs {
            let mut hits = 0.0;
            for &a in &accepts[0] {
                for &b in &accepts[1] {
                    for &c in &accepts[2] {
                        hits += freq[a << 16 | b << 8 | c];
                    }
                }
            }
            total += hits * bucket.len() as f64;
        }
    }
    total / freqs.len() as f64
}

fn show(order: &[usize], lits: &[Vec<u8>]) {
    let text = |l: usize| String::from_utf8_lossy(&lits[l]).escape_debug().to_string();
    for (k, bucket) in buckets(order, lits).iter().enumerate() {
        let names: Vec<String> = bucket.iter().map(|&l| text(l)).collect();
        println!("  bucket {k}: {}", names.join("  "));
    }
    let listed: Vec<String> = order.iter().map(|&l| format!("b\"{}\"", text(l))).collect();
    println!("  order: [{}]", listed.join(", "));
}

fn main() {
    let dirs: Vec<String> = std::env::args().skip(1).collect();
    if dirs.is_empty() {
        eprintln!("usage: teddy_order DIR [DIR ...]");
        std::process::exit(2);
    }
    let mut freqs = Vec::new();
    for dir in &dirs {
        let mut counts = vec![0u64; 1 << 24];
        let mut budget = 300usize << 20;
        count(Path::new(dir), &mut counts, &mut budget);
        let sum = counts.iter().sum::<u64>().max(1) as f64;
        freqs.push(
            counts
                .iter()
                .map(|&c| c as f64 / sum * 1e6)
                .collect::<Vec<f64>>(),
        );
    }
    let lits = hfaudit::detect::built_in_literals();
    let n = lits.len();
    let first: Vec<usize> = (0..n).collect();
    println!("order as built: {:.1}", cost(&first, &lits, &freqs));
    show(&first, &lits);
    // Simulated annealing over orders, from a few random starts.
    let mut rng = StdRng::seed_from_u64(1);
    let (mut best, mut best_cost) = (first.clone(), cost(&first, &lits, &freqs));
    for _ in 0..20 {
        let mut cur = first.clone();
        for i in (1..n).rev() {
            cur.swap(i, rng.gen_range(0..=i));
        }
        let mut cur_cost = cost(&cur, &lits, &freqs);
        let mut temp = cur_cost * 0.2;
        for _ in 0..20_000 {
            let (i, j) = (rng.gen_range(0..n), rng.gen_range(0..n));
            cur.swap(i, j);
            let c = cost(&cur, &lits, &freqs);
            if c < cur_cost || rng.gen::<f64>() < ((cur_cost - c) / temp.max(1e-9)).exp() {
                cur_cost = c;
                if c < best_cost {
                    (best, best_cost) = (cur.clone(), c);
                }
            } else {
                cur.swap(i, j);
            }
            temp *= 0.9995;
        }
    }
    println!("best: {best_cost:.1}");
    show(&best, &lits);
    let tuned: Vec<usize> = hfaudit::detect::TEDDY_ORDER
        .iter()
        .filter_map(|t| lits.iter().position(|l| l == t))
        .collect();
    if tuned.len() == n {
        for (dir, freq) in dirs.iter().zip(&freqs) {
            let one = std::slice::from_ref(freq);
            println!(
                "{dir}: as built {:.1}, TEDDY_ORDER {:.1}, best {:.1}",
                cost(&first, &lits, one),
                cost(&tuned, &lits, one),
                cost(&best, &lits, one)
            );
        }
    }
}
