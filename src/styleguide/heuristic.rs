//! Names spelled more than one way within one article, found without a
//! glossary. Capitalised Latin-script words are grouped when their spellings
//! differ only in ways typical of typos and machine translation (diacritics,
//! R/L, doubled letters, one edit in a long word); the minority spellings of
//! a group are flagged. Most of the rules below exist to keep clean copy quiet.

use std::collections::HashMap as StdHashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::text::{self, Prepared};
use super::{Field, Finding, FindingKind};

/// FNV-1a: the maps here hold a few hundred short words per article, where
/// the default DoS-resistant hasher costs more than the rest of the lookup.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type HashMap<K, V> = StdHashMap<K, V, BuildHasherDefault<Fnv>>;

/// Every distinct capitalised spelling seen in the article.
struct Spelling {
    word: String,
    folded: String,
    skeleton: String,
    dedoubled: String,
    /// The folded form also occurs written in lowercase.
    also_lowercase: bool,
    /// (field index, token index) of each occurrence.
    occurrences: Vec<(usize, usize)>,
    /// Occurrences where the capital is not explained by position.
    mid_sentence: usize,
    joined: bool,
    /// Capitalised words written right before it (`Mark` in `Mark Rutte`).
    given_names: Vec<String>,
}

/// Adds inconsistency findings, skipping spans already covered in `out`.
pub(super) fn find(fields: &[Field], prepared: &[Prepared<'_>], out: &mut Vec<Finding>) {
    let mut lowercase_words: Vec<&str> = Vec::new();
    let mut spellings: Vec<Spelling> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::default();

    for (fi, (field, prep)) in fields.iter().zip(prepared).enumerate() {
        for (ti, tok) in prep.tokens.iter().enumerate() {
            let first = tok.word.chars().next();
            if first.is_some_and(char::is_lowercase) {
                lowercase_words.push(&tok.word);
                continue;
            }
            if !is_name_shaped(&tok.word) {
                continue;
            }
            let si = match index.get(tok.word.as_ref()) {
                Some(&si) => si,
                None => {
                    let folded = text::fold_lower(&tok.word);
                    spellings.push(Spelling {
                        skeleton: skeleton(&folded),
                        dedoubled: dedouble(&folded),
                        folded,
                        also_lowercase: false,
                        word: tok.word.to_string(),
                        occurrences: Vec::new(),
                        mid_sentence: 0,
                        joined: false,
                        given_names: Vec::new(),
                    });
                    index.insert(tok.word.as_ref(), spellings.len() - 1);
                    spellings.len() - 1
                }
            };
            let sp = &mut spellings[si];
            sp.occurrences.push((fi, ti));
            sp.mid_sentence += usize::from(!tok.weak_position);
            sp.joined |= tok.joined;
            if let Some(given) = given_name(field.text, prep, ti)
                && !sp.given_names.iter().any(|g| g == given)
            {
                sp.given_names.push(given.to_string());
            }
        }
    }

    if spellings.len() < 2 {
        return;
    }

    // A capitalised word whose lowercase form also occurs, or that is an
    // everyday word, is not taken for a name.
    let mut by_folded: HashMap<&str, Vec<usize>> = HashMap::default();
    for (i, s) in spellings.iter().enumerate() {
        by_folded.entry(s.folded.as_str()).or_default().push(i);
    }
    let mut lowercase_hits = Vec::new();
    for word in lowercase_words {
        let plain = word.bytes().all(|b| b.is_ascii_lowercase() || b == b'\'');
        let hit = if plain { by_folded.get(word) } else { by_folded.get(text::fold_lower(word).as_str()) };
        lowercase_hits.extend(hit.into_iter().flatten().copied());
    }
    for i in lowercase_hits {
        spellings[i].also_lowercase = true;
    }
    let eligible: Vec<usize> = (0..spellings.len())
        .filter(|&i| !spellings[i].also_lowercase && !is_common_word(&spellings[i].folded))
        .collect();

    // Only spellings sharing a key can be linked, so compare within buckets
    // rather than all pairs: same folded form, skeleton, doubled-letter-free
    // form, or first two letters (the typo rule keeps those).
    let mut buckets: HashMap<(u8, &str), Vec<usize>> = HashMap::default();
    for &i in &eligible {
        let s = &spellings[i];
        let two = s.folded.char_indices().nth(2).map_or(s.folded.as_str(), |(k, _)| &s.folded[..k]);
        for key in [(0, s.folded.as_str()), (1, s.skeleton.as_str()), (2, s.dedoubled.as_str()), (3, two)] {
            buckets.entry(key).or_default().push(i);
        }
    }
    let mut parent: Vec<usize> = (0..spellings.len()).collect();
    let mut strong = vec![false; spellings.len()];
    for members in buckets.values().filter(|m| m.len() > 1) {
        for (n, &a) in members.iter().enumerate() {
            for &b in &members[n + 1..] {
                if let Some(link) = same_name(&spellings[a], &spellings[b]) {
                    union(&mut parent, a, b);
                    if link == Link::Strong {
                        strong[a] = true;
                        strong[b] = true;
                    }
                }
            }
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::default();
    for &i in &eligible {
        let root = find_root(&mut parent, i);
        groups.entry(root).or_default().push(i);
    }
    let mut groups: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() > 1).collect();
    groups.sort_by_key(|g| g.iter().map(|&i| spellings[i].occurrences[0]).min());

    for group in groups {
        // At least one spelling must be capitalised where a common word would not be.
        if !group.iter().any(|&i| spellings[i].mid_sentence > 0) {
            continue;
        }
        let translated = group.iter().any(|&i| strong[i]);
        let Some(&best) = group.iter().max_by_key(|&&i| preference(&spellings[i], translated)) else { continue };
        let canon = &spellings[best];
        if canon.joined {
            continue;
        }
        let times = match canon.occurrences.len() {
            1 => "once".to_string(),
            2 => "twice".to_string(),
            n => format!("{n} times"),
        };
        for &i in &group {
            if i == best {
                continue;
            }
            for &(fi, ti) in &spellings[i].occurrences {
                let (Some(field), Some(tok)) = (fields.get(fi), prepared[fi].tokens.get(ti)) else { continue };
                let overlaps = out.iter().any(|f| f.field == field.name && f.start < tok.end && tok.start < f.end);
                if overlaps {
                    continue;
                }
                let found = field.text.get(tok.start..tok.end).unwrap_or_default().to_string();
                let (line, column) = text::line_column(field.text, tok.start);
                out.push(Finding {
                    field: field.name.to_string(),
                    start: tok.start,
                    end: tok.end,
                    line,
                    column,
                    message: format!("“{found}” is spelled “{}” {times} elsewhere in this article.", canon.word),
                    found,
                    suggestion: canon.word.clone(),
                    kind: FindingKind::Inconsistent,
                });
            }
        }
    }
}

/// Which spelling of a group to suggest: never a space-broken one; then, for
/// transliteration variants, the one written with a given name (articles
/// introduce people by full name, so `Mark Rutte` beats four later `Lute`s);
/// then the most frequent; then the first seen. Typo groups skip the
/// full-name rule: their stray spelling is by construction the single one.
fn preference(s: &Spelling, translated: bool) -> (bool, bool, usize, std::cmp::Reverse<(usize, usize)>) {
    let full_name = translated && !s.given_names.is_empty();
    (!s.joined, full_name, s.occurrences.len(), std::cmp::Reverse(s.occurrences[0]))
}

/// Capitalised, at least four letters, Latin script, not an acronym.
fn is_name_shaped(word: &str) -> bool {
    let mut chars = word.chars();
    let Some(first) = chars.next() else { return false };
    if !first.is_uppercase() || !is_latin(first) {
        return false;
    }
    let mut letters = 1;
    let mut has_lower = false;
    for c in chars {
        if c == '\'' || c == '’' || (!c.is_ascii() && unicode_normalization::char::is_combining_mark(c)) {
            continue;
        }
        if !is_latin(c) {
            return false;
        }
        has_lower |= c.is_lowercase();
        letters += 1;
    }
    letters >= 4 && has_lower
}

fn is_latin(c: char) -> bool {
    c.is_ascii_alphabetic() || (matches!(c as u32, 0xC0..=0x24F | 0x1E00..=0x1EFF) && c.is_alphabetic())
}

/// The capitalised word written just before token `ti`, if it looks like a
/// given name rather than a title or a sentence opener.
/// An initial (`C Thomson`, `C. Thomson`) counts too.
fn given_name<'p>(text: &str, prep: &'p Prepared<'_>, ti: usize) -> Option<&'p str> {
    let tok = prep.tokens.get(ti)?;
    let prev = prep.tokens.get(ti.checked_sub(1)?)?;
    let word = prev.word.as_ref();
    let first = word.chars().next()?;
    if !first.is_uppercase() {
        return None;
    }
    if word.chars().count() == 1 {
        let gap = text.get(prev.end..tok.start)?;
        return (gap == " " || gap == ". ").then_some(word);
    }
    // The word lists are ASCII, so ASCII lowercasing is enough to look up.
    let lower = word.to_ascii_lowercase();
    let ok = tok.follows_closely
        && word.chars().skip(1).any(char::is_lowercase)
        && !is_title(&lower)
        && !is_common_word(&lower);
    ok.then_some(word)
}

/// How two spellings were found to be one name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    /// Diacritics or R/L: transliteration variants.
    Strong,
    /// Doubled letters or one typo.
    Weak,
}

/// Given names that cannot belong to the same person (`Alan` and `C`, but not
/// `Alan` and `A`).
fn different_people(a: &[String], b: &[String]) -> bool {
    let compatible = |x: &String, y: &String| {
        let initial = |s: &String| (s.chars().count() == 1).then(|| s.chars().next());
        x == y || initial(x).is_some_and(|c| c == y.chars().next()) || initial(y).is_some_and(|c| c == x.chars().next())
    };
    !a.is_empty() && !b.is_empty() && !a.iter().any(|x| b.iter().any(|y| compatible(x, y)))
}

/// Whether two spellings are probably the same name, and on what evidence.
fn same_name(a: &Spelling, b: &Spelling) -> Option<Link> {
    // Different given names (`Gordon Brown`, `Ross Brawn`): different people.
    if different_people(&a.given_names, &b.given_names) {
        return None;
    }
    // Case alone (`PayPal`, `Paypal`) is house style, not a misspelt name.
    if a.folded == b.folded {
        return diacritics_differ_only(a, b).then_some(Link::Strong);
    }
    // R/L confusion (with or without doubled letters) is what machine
    // translation of names produces (`Rutte`, `Lute`): enough on its own.
    if a.skeleton == b.skeleton && a.dedoubled != b.dedoubled {
        return Some(Link::Strong);
    }
    // Weaker patterns also separate real, different names (`Abbot`/`Abbott`,
    // `Thomson`/`Thompson`): only trust them for one stray spelling against
    // an established one, in words long enough to carry a typo.
    let (few, many) = if a.occurrences.len() <= b.occurrences.len() { (a, b) } else { (b, a) };
    if few.occurrences.len() != 1 || many.occurrences.len() < 2 || a.folded.len().min(b.folded.len()) < 5 {
        return None;
    }
    (a.dedoubled == b.dedoubled || one_typo_apart(&a.folded, &b.folded)).then_some(Link::Weak)
}

/// Doubled letters collapsed: `Roddick` and `Rodick` agree.
fn dedouble(folded: &str) -> String {
    let mut out = String::with_capacity(folded.len());
    let mut last = None;
    for c in folded.chars() {
        if last != Some(c) {
            out.push(c);
        }
        last = Some(c);
    }
    out
}

/// One slip of the keyboard inside a long word: a swapped pair of letters, or
/// one letter changed, added or dropped. The first letter must agree, and so
/// must the last two for non-swaps, since endings make other words and names
/// (`Australia`/`Australian`, `Andrew`/`Andrea`).
fn one_typo_apart(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let n = short.len();
    if long.len() > n + 1 || n < 5 {
        return false;
    }
    let prefix = short.iter().zip(&long).take_while(|(x, y)| x == y).count();
    let suffix = short.iter().rev().zip(long.iter().rev()).take_while(|(x, y)| x == y).count().min(n - prefix);
    // Mc/Mac and similar prefixes make different surnames.
    if prefix < 2 {
        return false;
    }
    if long.len() == n {
        let swapped =
            prefix + suffix + 2 == n && short[prefix] == long[prefix + 1] && short[prefix + 1] == long[prefix];
        let changed = n >= 7 && prefix + suffix + 1 == n && suffix >= 2;
        swapped || changed
    } else {
        n >= 7 && prefix + suffix >= n && suffix >= 2
    }
}

/// True when two spellings with the same folded form differ only in
/// diacritics (`Lütte`, `Lutte`), not in case (`PayPal`, `Paypal`).
fn diacritics_differ_only(a: &Spelling, b: &Spelling) -> bool {
    text::fold(&a.word) == text::fold(&b.word)
}

/// Folded spelling with the usual transliteration confusions erased: R and L
/// merge, doubled letters collapse.
fn skeleton(folded: &str) -> String {
    let mut out = String::with_capacity(folded.len());
    let mut last = None;
    for c in folded.chars() {
        let c = if c == 'r' { 'l' } else { c };
        if c == '\'' || last == Some(c) {
            continue;
        }
        out.push(c);
        last = Some(c);
    }
    out
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let ra = find_root(parent, a);
    let rb = find_root(parent, b);
    if ra != rb {
        parent[ra.max(rb)] = ra.min(rb);
    }
}

fn find_root(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Forms of address written before a surname.
fn is_title(folded: &str) -> bool {
    TITLES.binary_search(&folded).is_ok()
}

const TITLES: &[&str] = &[
    "dr",
    "general",
    "king",
    "lady",
    "lord",
    "madam",
    "minister",
    "miss",
    "mr",
    "mrs",
    "ms",
    "pope",
    "president",
    "prince",
    "princess",
    "prof",
    "professor",
    "queen",
    "saint",
    "secretary",
    "senator",
    "sir",
];

/// Everyday words that start sentences often enough to look like names.
fn is_common_word(folded: &str) -> bool {
    COMMON_WORDS.binary_search(&folded).is_ok()
}

const COMMON_WORDS: &[&str] = &[
    "about",
    "above",
    "across",
    "after",
    "again",
    "against",
    "ahead",
    "almost",
    "already",
    "also",
    "although",
    "always",
    "among",
    "another",
    "anyone",
    "anything",
    "around",
    "aside",
    "asked",
    "back",
    "because",
    "become",
    "before",
    "behind",
    "being",
    "below",
    "besides",
    "beyond",
    "both",
    "breaking",
    "call",
    "came",
    "come",
    "coming",
    "could",
    "during",
    "each",
    "earlier",
    "early",
    "either",
    "else",
    "even",
    "ever",
    "every",
    "everyone",
    "everything",
    "except",
    "fact",
    "fail",
    "fall",
    "fast",
    "fewer",
    "final",
    "finally",
    "first",
    "firstly",
    "following",
    "from",
    "further",
    "given",
    "going",
    "good",
    "great",
    "half",
    "having",
    "hence",
    "here",
    "high",
    "however",
    "indeed",
    "instead",
    "into",
    "just",
    "keep",
    "known",
    "large",
    "last",
    "late",
    "later",
    "latest",
    "lead",
    "leading",
    "least",
    "less",
    "lest",
    "life",
    "light",
    "like",
    "likely",
    "little",
    "live",
    "long",
    "look",
    "lose",
    "loss",
    "lost",
    "love",
    "many",
    "meanwhile",
    "might",
    "more",
    "moreover",
    "most",
    "much",
    "must",
    "near",
    "nearly",
    "neither",
    "never",
    "next",
    "none",
    "nothing",
    "once",
    "only",
    "other",
    "others",
    "otherwise",
    "over",
    "overall",
    "part",
    "past",
    "perhaps",
    "plus",
    "quite",
    "rather",
    "read",
    "reading",
    "real",
    "really",
    "recent",
    "recently",
    "rest",
    "right",
    "rise",
    "role",
    "rule",
    "said",
    "same",
    "second",
    "secondly",
    "seen",
    "since",
    "some",
    "still",
    "such",
    "sure",
    "take",
    "than",
    "that",
    "their",
    "them",
    "then",
    "there",
    "therefore",
    "these",
    "they",
    "third",
    "this",
    "those",
    "though",
    "three",
    "through",
    "thus",
    "today",
    "together",
    "tomorrow",
    "under",
    "unless",
    "unlike",
    "until",
    "upon",
    "very",
    "well",
    "were",
    "what",
    "whatever",
    "when",
    "where",
    "whereas",
    "whether",
    "which",
    "while",
    "whilst",
    "whose",
    "with",
    "within",
    "without",
    "would",
    "yesterday",
    "young",
    "your",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_lists_are_sorted() {
        assert!(TITLES.windows(2).all(|w| w[0] < w[1]));
        assert!(COMMON_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn skeleton_merges_translation_confusions() {
        assert_eq!(skeleton("rutte"), skeleton("lute"));
        assert_eq!(skeleton(&text::fold_lower("Lütte")), "lute");
        assert_ne!(skeleton("brown"), skeleton("brawn"));
    }

    #[test]
    fn typo_distance_keeps_to_the_middle_of_long_words() {
        assert!(one_typo_apart("chelsea", "cheslea"));
        assert!(one_typo_apart("davenport", "daveport"));
        assert!(one_typo_apart("activision", "activison"));
        assert!(!one_typo_apart("macdonald", "mcdonald"));
        assert!(!one_typo_apart("australia", "australian"));
        assert!(!one_typo_apart("andrew", "andrea"));
        assert!(!one_typo_apart("boston", "bolton"));
        assert!(!one_typo_apart("gates", "yates"));
    }
}
