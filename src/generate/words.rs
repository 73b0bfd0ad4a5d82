//! Words for generated articles: real topic words per section, common words, and thousands of invented
//! words drawn with a Zipf distribution, so that text looks like text to search and compression.

use rand::Rng;
use rand::rngs::StdRng;

/// First names for generated authors.
pub const FIRST_NAMES: [&str; 24] = [
    "Ada", "Bram", "Carla", "Dev", "Elif", "Femi", "Greta", "Hugo", "Ines", "Jonas", "Kemi", "Lars", "Mina", "Nils",
    "Olga", "Pavel", "Quinn", "Rosa", "Sami", "Tove", "Uma", "Viktor", "Wen", "Yara",
];
/// Last names for generated authors.
pub const LAST_NAMES: [&str; 24] = [
    "Abara", "Berg", "Castell", "Dunmore", "Eklund", "Farrow", "Gallo", "Hale", "Ivers", "Jansen", "Keane", "Lund",
    "Moreau", "Novak", "Okafor", "Pike", "Quist", "Rahman", "Sousa", "Tanaka", "Ueda", "Vance", "Weller", "Zeller",
];

/// Topic words per section, in the order of the generator's sections.
const TOPICS: [&[&str]; 8] = [
    &[
        "council",
        "residents",
        "tram",
        "harbour",
        "housing",
        "police",
        "school",
        "hospital",
        "budget",
        "bridge",
        "flood",
        "street",
        "mayor",
        "district",
        "permit",
    ],
    &[
        "ministers",
        "border",
        "summit",
        "treaty",
        "ceasefire",
        "embassy",
        "refugees",
        "sanctions",
        "alliance",
        "election",
        "capital",
        "protest",
        "envoy",
        "talks",
        "region",
    ],
    &[
        "parliament",
        "vote",
        "party",
        "coalition",
        "minister",
        "bill",
        "opposition",
        "campaign",
        "reform",
        "tax",
        "senate",
        "poll",
        "leader",
        "committee",
        "ballot",
    ],
    &[
        "markets",
        "inflation",
        "shares",
        "bank",
        "profits",
        "investors",
        "exports",
        "wages",
        "startup",
        "retail",
        "energy",
        "prices",
        "merger",
        "factory",
        "growth",
    ],
    &[
        "researchers",
        "climate",
        "species",
        "satellite",
        "vaccine",
        "ocean",
        "genome",
        "battery",
        "telescope",
        "algorithm",
        "reactor",
        "fossil",
        "glacier",
        "robot",
        "virus",
    ],
    &[
        "festival",
        "novel",
        "album",
        "theatre",
        "gallery",
        "director",
        "exhibition",
        "orchestra",
        "film",
        "poet",
        "stage",
        "premiere",
        "museum",
        "dancer",
        "critics",
    ],
    &[
        "match",
        "goal",
        "season",
        "coach",
        "league",
        "striker",
        "final",
        "stadium",
        "injury",
        "title",
        "relay",
        "transfer",
        "keeper",
        "derby",
        "tournament",
    ],
    &[
        "argument",
        "trust",
        "freedom",
        "duty",
        "future",
        "fairness",
        "courage",
        "truth",
        "reform",
        "promise",
        "democracy",
        "doubt",
        "responsibility",
        "choice",
        "unity",
    ],
];

const COMMON: [&str; 48] = [
    "the", "of", "and", "to", "in", "a", "that", "is", "for", "on", "with", "as", "was", "by", "at", "from", "it",
    "this", "which", "after", "new", "said", "more", "would", "their", "has", "have", "been", "were", "over", "than",
    "when", "could", "about", "into", "year", "people", "first", "last", "between", "while", "since", "under", "local",
    "public", "plan", "week", "city",
];

const SYLLABLES: [&str; 32] = [
    "ba", "ce", "di", "fo", "gu", "ha", "ke", "li", "mo", "nu", "pa", "re", "si", "to", "va", "we", "zo", "bri", "cla",
    "dre", "fla", "gro", "pla", "sto", "tri", "ver", "mar", "len", "dor", "kin", "sel", "tum",
];

/// The generator's vocabulary: invented words made once per seed.
pub struct Vocabulary {
    invented: Vec<String>,
}

/// An index into a list of `len`, small indexes far more likely (Zipf with exponent about 1).
pub fn zipf_index(rng: &mut StdRng, len: usize) -> usize {
    let x: f64 = rng.gen_range(0.0..1.0);
    let index = ((len as f64 + 1.0).powf(x) - 1.0) as usize;
    index.min(len.saturating_sub(1))
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

impl Vocabulary {
    /// Invents 20,000 words from syllables.
    pub fn new(rng: &mut StdRng) -> Vocabulary {
        let invented = (0..20_000)
            .map(|_| (0..rng.gen_range(2..=4)).map(|_| SYLLABLES[rng.gen_range(0..SYLLABLES.len())]).collect())
            .collect();
        Vocabulary { invented }
    }

    fn word(&self, rng: &mut StdRng, section: usize) -> &str {
        match rng.gen_range(0..100) {
            0..=44 => COMMON[zipf_index(rng, COMMON.len())],
            45..=74 => TOPICS[section][rng.gen_range(0..TOPICS[section].len())],
            _ => &self.invented[zipf_index(rng, self.invented.len())],
        }
    }

    /// A sentence of a length drawn from `words`.
    pub fn sentence(&self, rng: &mut StdRng, section: usize, words: std::ops::Range<usize>) -> String {
        let count = rng.gen_range(words);
        let mut text = String::with_capacity(count * 7);
        for i in 0..count {
            let word = self.word(rng, section);
            if i == 0 {
                text.push_str(&capitalise(word));
            } else {
                text.push(' ');
                text.push_str(word);
                if i + 1 < count && rng.gen_ratio(1, 12) {
                    text.push(',');
                }
            }
        }
        text.push('.');
        text
    }

    /// A headline: a few topic words and invented names, in sentence case.
    pub fn headline(&self, rng: &mut StdRng, section: usize) -> String {
        let sentence = self.sentence(rng, section, 6..12);
        sentence.trim_end_matches('.').replace(',', "")
    }

    /// A Markdown body of about `words` words in paragraphs, with an occasional subheading.
    pub fn body(&self, rng: &mut StdRng, section: usize, words: usize) -> String {
        let mut body = String::with_capacity(words * 7);
        let mut written = 0;
        let mut paragraphs = 0;
        while written < words {
            if paragraphs > 0 && paragraphs % 4 == 0 {
                body.push_str("## ");
                body.push_str(&self.headline(rng, section));
                body.push_str("\n\n");
            }
            for _ in 0..rng.gen_range(3..6) {
                let sentence = self.sentence(rng, section, 10..24);
                written += sentence.split(' ').count();
                body.push_str(&sentence);
                body.push(' ');
            }
            body.push_str("\n\n");
            paragraphs += 1;
        }
        body
    }

    /// The name of tag number `index`: topic words for the most used tags, invented names after them.
    pub fn tag_name(&self, rng: &mut StdRng, index: usize) -> String {
        let topic = TOPICS[index % TOPICS.len()];
        let base = match topic.get(index / TOPICS.len()) {
            Some(word) => (*word).to_owned(),
            None => self.invented[rng.gen_range(0..self.invented.len())].clone(),
        };
        format!("{} {index}", capitalise(&base))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn bodies_are_about_the_asked_length_and_vary() {
        let mut rng = StdRng::seed_from_u64(1);
        let vocabulary = Vocabulary::new(&mut rng);
        let body = vocabulary.body(&mut rng, 3, 800);
        let words = body.split_whitespace().count();
        assert!((800..1100).contains(&words), "{words} words");
        let distinct: std::collections::HashSet<&str> = body.split_whitespace().collect();
        assert!(distinct.len() > 200, "varied vocabulary: {} distinct", distinct.len());
    }

    #[test]
    fn zipf_prefers_small_indexes() {
        let mut rng = StdRng::seed_from_u64(2);
        let draws: Vec<usize> = (0..10_000).map(|_| zipf_index(&mut rng, 1_000)).collect();
        let low = draws.iter().filter(|&&i| i < 10).count();
        let high = draws.iter().filter(|&&i| (500..510).contains(&i)).count();
        assert!(low > high * 10, "low {low}, high {high}");
        assert!(draws.iter().all(|&i| i < 1_000));
    }
}
