//! A list of words (call names, token variable names) found wherever each occurs, nested ones
//! too, in one vectorised pass over a file.

use aho_corasick::{AhoCorasick, Input, MatchKind};

/// Words compiled once per run, looked for in every file that may hold a token.
///
/// aho-corasick puts its vectorised prefilter (Teddy) in front of leftmost searches only; an
/// overlapping search without it ran at a third of the speed of the token search, and a
/// `memmem` pass a word built a searcher a word a file. [`Words::find_all`] recovers what an
/// overlapping search gives from a leftmost-longest one: at each start, the longest word and
/// the words that are prefixes of it (they match there too), then the search resumes one byte
/// later.
#[derive(Debug, Clone)]
pub struct Words {
    list: Vec<String>,
    /// For each word, the other words that are proper prefixes of it.
    prefixes: Vec<Vec<usize>>,
    matcher: AhoCorasick,
}

impl Words {
    /// The words in the order given, without empty or repeated ones.
    pub fn new<S: AsRef<str>>(words: impl IntoIterator<Item = S>) -> Self {
        let mut list: Vec<String> = Vec::new();
        for w in words {
            let w = w.as_ref();
            if !w.is_empty() && !list.iter().any(|x| x == w) {
                list.push(w.to_owned());
            }
        }
        let prefixes = list
            .iter()
            .map(|long| {
                (0..list.len())
                    .filter(|&j| list[j].len() < long.len() && long.starts_with(&list[j]))
                    .collect()
            })
            .collect();
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&list)
            .expect("word lists are small enough for aho-corasick");
        Words {
            list,
            prefixes,
            matcher,
        }
    }

    /// The words, by index.
    pub fn as_slice(&self) -> &[String] {
        &self.list
    }

    pub fn contains(&self, word: &str) -> bool {
        self.list.iter().any(|w| w == word)
    }

    /// Every `(start, word index)` where a word occurs in `data`, by start; at one start the
    /// longest word comes first.
    pub fn find_all<'a>(&'a self, data: &'a [u8]) -> impl Iterator<Item = (usize, usize)> + 'a {
        let mut at = 0;
        let mut pending: Vec<(usize, usize)> = Vec::new();
        std::iter::from_fn(move || {
            if let Some(next) = pending.pop() {
                return Some(next);
            }
            if at > data.len() || self.list.is_empty() {
                return None;
            }
            let m = self.matcher.find(Input::new(data).span(at..data.len()))?;
            at = m.start() + 1;
            let word = m.pattern().as_usize();
            pending.extend(self.prefixes[word].iter().rev().map(|&j| (m.start(), j)));
            Some((m.start(), word))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::StdRng, Rng, SeedableRng};

    #[test]
    fn find_all_is_every_occurrence_of_every_word() {
        let words = Words::new(["ab", "abc", "b", "bcd", "", "ab", "c"]);
        assert_eq!(words.as_slice(), ["ab", "abc", "b", "bcd", "c"]);
        let mut rng = StdRng::seed_from_u64(3);
        for _ in 0..2000 {
            let data: Vec<u8> = (0..rng.gen_range(0..24))
                .map(|_| b"abcdx"[rng.gen_range(0..5)])
                .collect();
            let mut want: Vec<(usize, usize)> = (0..data.len())
                .flat_map(|s| (0..5).map(move |w| (s, w)))
                .filter(|&(s, w)| data[s..].starts_with(words.as_slice()[w].as_bytes()))
                .collect();
            let mut got: Vec<(usize, usize)> = words.find_all(&data).collect();
            want.sort_unstable();
            got.sort_unstable();
            assert_eq!(got, want, "{:?}", String::from_utf8_lossy(&data));
        }
        assert_eq!(Words::new([""; 0]).find_all(b"abc").count(), 0);
    }
}
