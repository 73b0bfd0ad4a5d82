//! How text becomes index terms. Words are found by the Unicode word-boundary rules (UAX #29): Latin text
//! splits at spaces and punctuation, and Chinese and Japanese ideographs become one term each, the way
//! Lucene's standard tokenizer treats them. A query for a Chinese word is then a phrase of its characters,
//! which needs no dictionary and finds every occurrence.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, Stemmer, StopWordFilter, TextAnalyzer, Token,
    TokenStream, Tokenizer,
};
use unicode_segmentation::{UWordBoundIndices, UnicodeSegmentation};

/// The analyzer for searchable text: words, lower case, accents folded, English stems.
pub const STEMMED: &str = "newsroom_stemmed";
/// The analyzer for the spelling dictionary: the same words, unstemmed, so corrections are real words.
pub const WORDS: &str = "newsroom_words";

/// Terms longer than this are noise (URLs, base64) and are dropped.
const LONGEST_TERM: usize = 40;

/// Registers both analyzers with `index`.
pub fn register(index: &tantivy::Index) {
    index.tokenizers().register(STEMMED, stemmed());
    index.tokenizers().register(WORDS, words());
}

/// See [`STEMMED`].
pub fn stemmed() -> TextAnalyzer {
    TextAnalyzer::builder(UnicodeWords::default())
        .filter(RemoveLongFilter::limit(LONGEST_TERM))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Like [`stemmed`], without English stop words: the terms that can say what an article is about, for
/// Recommend and the topic model (the index keeps stop words, which phrases need).
pub fn subject_terms() -> TextAnalyzer {
    let builder = TextAnalyzer::builder(UnicodeWords::default())
        .filter(RemoveLongFilter::limit(LONGEST_TERM))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .dynamic();
    let builder = match StopWordFilter::new(Language::English) {
        Some(stop_words) => builder.filter_dynamic(stop_words),
        None => builder,
    };
    builder.filter_dynamic(Stemmer::new(Language::English)).build()
}

/// See [`WORDS`].
pub fn words() -> TextAnalyzer {
    TextAnalyzer::builder(UnicodeWords::default())
        .filter(RemoveLongFilter::limit(LONGEST_TERM))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Splits text into words by the Unicode word-boundary rules; segments without a letter or digit (spaces,
/// punctuation) are skipped.
#[derive(Clone, Default)]
pub struct UnicodeWords {
    token: Token,
}

/// The words of one text.
pub struct UnicodeWordStream<'a> {
    segments: UWordBoundIndices<'a>,
    token: &'a mut Token,
}

impl Tokenizer for UnicodeWords {
    type TokenStream<'a> = UnicodeWordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> UnicodeWordStream<'a> {
        self.token.reset();
        UnicodeWordStream { segments: text.split_word_bound_indices(), token: &mut self.token }
    }
}

impl TokenStream for UnicodeWordStream<'_> {
    fn advance(&mut self) -> bool {
        for (offset, segment) in self.segments.by_ref() {
            if segment.chars().any(char::is_alphanumeric) {
                self.token.text.clear();
                self.token.text.push_str(segment);
                self.token.offset_from = offset;
                self.token.offset_to = offset + segment.len();
                self.token.position = self.token.position.wrapping_add(1);
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(mut analyzer: TextAnalyzer, text: &str) -> Vec<String> {
        let mut stream = analyzer.token_stream(text);
        let mut terms = Vec::new();
        while stream.advance() {
            terms.push(stream.token().text.clone());
        }
        terms
    }

    #[test]
    fn english_words_are_stemmed_and_folded() {
        assert_eq!(terms(stemmed(), "Ministers' Cafés: voting, voted!"), ["minist", "cafe", "vote", "vote"]);
    }

    #[test]
    fn subject_terms_leave_out_stop_words() {
        assert_eq!(terms(subject_terms(), "The volcano and the villages"), ["volcano", "villag"]);
    }

    #[test]
    fn ideographs_become_one_term_each_and_latin_stays_whole() {
        assert_eq!(terms(words(), "北京大学 opens Beijing"), ["北", "京", "大", "学", "opens", "beijing"]);
    }

    #[test]
    fn positions_are_consecutive_so_phrases_match() {
        let mut analyzer = words();
        let mut stream = analyzer.token_stream("中文 搜索");
        let mut positions = Vec::new();
        while stream.advance() {
            positions.push(stream.token().position);
        }
        assert_eq!(positions, [0, 1, 2, 3]);
    }
}
