//! Turning what a reader typed into a query, and running it.
//!
//! Input is reduced to what the search box promises (words, "quoted phrases", `-excluded` words) before
//! tantivy's parser sees it, so field names, ranges, boosts and stray brackets typed by readers are plain text
//! and never errors. Words of five letters or more that appear nowhere on the site are replaced by the
//! closest word that does (one edit, two for long words), and the page says so.

use std::collections::HashMap;
use std::ops::Bound;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Order, Searcher, Term};

use super::{SearchError, SearchIndex, analysis};

/// Longest query looked at; the rest is ignored (nobody types more, and it bounds the work).
const MAX_QUERY_CHARS: usize = 200;
/// Most words (and phrases) looked at.
const MAX_QUERY_PARTS: usize = 16;
/// Words shorter than this are not corrected: too many short words are one edit apart.
const MIN_CORRECTED_CHARS: usize = 5;
/// From this length on, two edits are forgiven.
const TWO_EDITS_FROM_CHARS: usize = 8;
/// Extra weight of an article whose headline holds the query's words in order.
const HEADLINE_PHRASE_BOOST: f32 = 2.0;
/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 220;

/// The order of results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// Best match first.
    #[default]
    Relevance,
    /// Newest first.
    Newest,
}

/// A search as a reader asked for it.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// What was typed.
    pub text: String,
    /// Only this section (slug).
    pub section: Option<String>,
    /// Only articles in this language (an edition's search).
    pub language: Option<String>,
    /// Only articles by this author (slug).
    pub author: Option<String>,
    /// Published at or after this Unix time.
    pub from: Option<i64>,
    /// Published at or before this Unix time.
    pub to: Option<i64>,
    /// The order.
    pub sort: Sort,
    /// Results to skip.
    pub offset: usize,
    /// Results to return.
    pub limit: usize,
    /// The present (Unix time): nothing published later is found.
    pub now: i64,
}

/// What a search found.
pub struct SearchResults {
    /// How many articles match in all.
    pub total: usize,
    /// Article ids of the requested page, in order.
    pub ids: Vec<i64>,
    /// The query actually run, when spelling was corrected.
    pub corrected: Option<String>,
    snippets: Option<SnippetGenerator>,
}

impl std::fmt::Debug for SearchResults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchResults").field("total", &self.total).field("ids", &self.ids).finish_non_exhaustive()
    }
}

impl SearchResults {
    /// The passage of `text` (an article's plain body) that best matches the query, as HTML: escaped, with
    /// matched words in `<mark>`. Empty when nothing in `text` matches.
    pub fn snippet(&self, text: &str) -> String {
        let Some(generator) = &self.snippets else { return String::new() };
        let mut snippet = generator.snippet(text);
        if snippet.is_empty() {
            return String::new();
        }
        snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
        snippet.to_html()
    }
}

/// One part of a cleaned query.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Word { text: String, excluded: bool },
    Phrase { text: String, excluded: bool },
}

/// Reduces typed text to words, phrases and exclusions; everything else becomes a separator.
fn clean(raw: &str) -> Vec<Part> {
    let raw: String = raw.chars().take(MAX_QUERY_CHARS).collect();
    let mut parts = Vec::new();
    let mut pieces = raw.split('"').enumerate().peekable();
    while let Some((index, piece)) = pieces.next() {
        // Odd pieces sit between quotes, unless the last quote was never closed.
        let quoted = index % 2 == 1 && pieces.peek().is_some();
        if quoted {
            let excluded = raw_excludes_phrase(&raw, piece);
            let text = words_of(piece).join(" ");
            if !text.is_empty() {
                parts.push(Part::Phrase { text, excluded });
            }
            continue;
        }
        for token in piece.split_whitespace() {
            let excluded = token.starts_with('-') && token.len() > 1;
            for word in words_of(token) {
                parts.push(Part::Word { text: word, excluded });
            }
        }
    }
    parts.truncate(MAX_QUERY_PARTS);
    parts
}

/// Whether the phrase `piece` is written as `-"…"`.
fn raw_excludes_phrase(raw: &str, piece: &str) -> bool {
    raw.find(&format!("\"{piece}\"")).is_some_and(|at| raw[..at].ends_with('-'))
}

/// The words of `text`, lower-cased: runs of letters and digits, with apostrophes inside a word kept (the
/// index reads "minister's" as one word, so the query must too).
fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '\u{2019}'))
        .map(|word| word.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|word| !word.is_empty())
        .map(|word| word.replace('\u{2019}', "'").to_lowercase())
        .collect()
}

/// The cleaned query in tantivy's syntax (only words, quotes and `-` remain, all safe).
fn to_syntax(parts: &[Part]) -> String {
    let mut syntax = Vec::with_capacity(parts.len());
    for part in parts {
        let (text, excluded, quoted) = match part {
            Part::Word { text, excluded } => (text, *excluded, false),
            Part::Phrase { text, excluded } => (text, *excluded, true),
        };
        let sign = if excluded { "-" } else { "" };
        syntax.push(if quoted { format!("{sign}\"{text}\"") } else { format!("{sign}{text}") });
    }
    syntax.join(" ")
}

impl SearchIndex {
    /// Runs `request`. Never fails on what a reader typed; only on a broken index.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        let searcher = self.reader.searcher();
        let mut parts = clean(&request.text);
        let corrected = self.correct(&searcher, &mut parts)?;
        let text_query: Option<Box<dyn Query>> = if parts
            .iter()
            .any(|p| matches!(p, Part::Word { excluded: false, .. } | Part::Phrase { excluded: false, .. }))
        {
            Some(self.with_headline_phrase(&parts, self.parse(&to_syntax(&parts), true)))
        } else {
            None
        };
        let filtered =
            request.section.is_some() || request.author.is_some() || request.from.is_some() || request.to.is_some();
        if text_query.is_none() && !filtered {
            return Ok(SearchResults { total: 0, ids: Vec::new(), corrected: None, snippets: None });
        }
        let mut results = self.run(&searcher, text_query.as_deref(), request)?;
        // Every word required found nothing: offer the articles that match most of them instead.
        if results.total == 0 && parts.len() > 1 && text_query.is_some() {
            let loose = self.with_headline_phrase(&parts, self.parse(&to_syntax(&parts), false));
            results = self.run(&searcher, Some(loose.as_ref()), request)?;
        }
        results.corrected = corrected.then(|| to_syntax(&parts));
        Ok(results)
    }

    /// `query`, ranking first the articles whose headline holds the typed words in the typed order: someone
    /// typing a headline is looking for that article.
    fn with_headline_phrase(&self, parts: &[Part], query: Box<dyn Query>) -> Box<dyn Query> {
        let words: Vec<&str> = parts
            .iter()
            .filter_map(|part| match part {
                Part::Word { text, excluded: false } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        if words.len() < 2 {
            return query;
        }
        let parser = QueryParser::for_index(&self.index, vec![self.fields.headline]);
        let phrase = parser.parse_query_lenient(&format!("\"{}\"", words.join(" "))).0;
        Box::new(BooleanQuery::new(vec![
            (Occur::Must, query),
            (Occur::Should, Box::new(BoostQuery::new(phrase, HEADLINE_PHRASE_BOOST))),
        ]))
    }

    fn parse(&self, syntax: &str, every_word: bool) -> Box<dyn Query> {
        let fields = &self.fields;
        let mut parser = QueryParser::for_index(
            &self.index,
            vec![fields.headline, fields.standfirst, fields.body, fields.tags, fields.authors],
        );
        if every_word {
            parser.set_conjunction_by_default();
        }
        parser.set_field_boost(fields.headline, 3.0);
        parser.set_field_boost(fields.standfirst, 1.5);
        parser.set_field_boost(fields.tags, 2.0);
        parser.set_field_boost(fields.authors, 2.0);
        // The syntax is ours (see `to_syntax`), so errors cannot occur; lenient parsing keeps that a promise.
        parser.parse_query_lenient(syntax).0
    }

    fn run(
        &self,
        searcher: &Searcher,
        text_query: Option<&dyn Query>,
        request: &SearchRequest,
    ) -> Result<SearchResults, SearchError> {
        let fields = &self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(query) = text_query {
            clauses.push((Occur::Must, query.box_clone()));
        }
        if let Some(section) = &request.section {
            clauses.push((Occur::Must, term_query(fields.section, section)));
        }
        if let Some(language) = &request.language {
            clauses.push((Occur::Must, term_query(fields.language, language)));
        }
        if let Some(author) = &request.author {
            clauses.push((Occur::Must, term_query(fields.author_slugs, author)));
        }
        let upto = request.to.map_or(request.now, |to| to.min(request.now));
        let from =
            request.from.map_or(Bound::Unbounded, |from| Bound::Included(Term::from_field_i64(fields.published, from)));
        clauses.push((
            Occur::Must,
            Box::new(RangeQuery::new(from, Bound::Included(Term::from_field_i64(fields.published, upto)))),
        ));
        let query = BooleanQuery::new(clauses);
        let limit = request.limit.max(1);
        let page = TopDocs::with_limit(limit).and_offset(request.offset);
        let (total, addresses): (usize, Vec<DocAddress>) = match request.sort {
            Sort::Relevance if text_query.is_some() => {
                let (total, hits) = searcher.search(&query, &(Count, page.order_by_score()))?;
                (total, hits.into_iter().map(|(_, address)| address).collect())
            }
            _ => {
                let (total, hits) =
                    searcher.search(&query, &(Count, page.order_by_fast_field::<i64>("published", Order::Desc)))?;
                (total, hits.into_iter().map(|(_, address)| address).collect())
            }
        };
        let ids = addresses.into_iter().map(|address| self.stored_id(searcher, address)).collect::<Result<_, _>>()?;
        let snippets = match text_query {
            Some(query) => {
                let mut generator = SnippetGenerator::create(searcher, query, fields.body)?;
                generator.set_max_num_chars(SNIPPET_CHARS);
                Some(generator)
            }
            None => None,
        };
        Ok(SearchResults { total, ids, corrected: None, snippets })
    }

    /// Replaces unknown longer words by the closest known word; says whether anything changed.
    fn correct(&self, searcher: &Searcher, parts: &mut [Part]) -> Result<bool, SearchError> {
        let mut changed = false;
        for part in parts.iter_mut() {
            let Part::Word { text, excluded: false } = part else { continue };
            if text.chars().count() < MIN_CORRECTED_CHARS {
                continue;
            }
            let Some(word) = single_term(text) else { continue };
            if searcher.doc_freq(&Term::from_field_text(self.fields.spelling, &word))? > 0 {
                continue;
            }
            if let Some(better) = self.closest_word(searcher, &word)? {
                *text = better;
                changed = true;
            }
        }
        Ok(changed)
    }

    /// The known word nearest to `word`: fewest edits, then most articles.
    fn closest_word(&self, searcher: &Searcher, word: &str) -> Result<Option<String>, SearchError> {
        let most_edits = if word.chars().count() >= TWO_EDITS_FROM_CHARS { 2 } else { 1 };
        for edits in 1..=most_edits {
            let automaton =
                FuzzyTermQuery::new(Term::from_field_text(self.fields.spelling, word), edits, true).automaton()?;
            let mut counts: HashMap<Vec<u8>, u64> = HashMap::new();
            for segment in searcher.segment_readers() {
                let inverted = segment.inverted_index(self.fields.spelling)?;
                let mut stream =
                    inverted.terms().search(&automaton).into_stream().map_err(tantivy::TantivyError::from)?;
                while stream.advance() {
                    let key = stream.key().to_vec();
                    *counts.entry(key).or_default() += u64::from(stream.value().doc_freq);
                }
            }
            // Most articles wins; ties go to the first word in byte order, so the answer never varies.
            let best = counts
                .into_iter()
                .filter_map(|(key, count)| String::from_utf8(key).ok().map(|text| (count, text)))
                .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(&a.1)));
            if let Some((_, text)) = best {
                return Ok(Some(text));
            }
        }
        Ok(None)
    }

    pub(super) fn stored_id(&self, searcher: &Searcher, address: DocAddress) -> Result<i64, SearchError> {
        let ids = searcher.segment_reader(address.segment_ord).fast_fields().u64("id")?;
        let id = ids.first(address.doc_id).unwrap_or_default();
        Ok(i64::try_from(id).unwrap_or_default())
    }
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::Basic))
}

/// `text` as the one term the spelling analyzer makes of it, if it makes exactly one.
fn single_term(text: &str) -> Option<String> {
    use tantivy::tokenizer::TokenStream;
    let mut analyzer = analysis::words();
    let mut stream = analyzer.token_stream(text);
    let first = stream.advance().then(|| stream.token().text.clone())?;
    (!stream.advance()).then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str) -> Part {
        Part::Word { text: text.into(), excluded: false }
    }

    #[test]
    fn operators_and_syntax_become_plain_words() {
        assert_eq!(
            clean("title:drop [1 TO 5] OR x^3 'a' ; DROP TABLE"),
            ["title", "drop", "1", "to", "5", "or", "x", "3", "a", "drop", "table"].map(word)
        );
    }

    #[test]
    fn phrases_and_exclusions_are_kept() {
        assert_eq!(
            clean("budget \"prime minister\" -brexit -\"labour party\""),
            [
                word("budget"),
                Part::Phrase { text: "prime minister".into(), excluded: false },
                Part::Word { text: "brexit".into(), excluded: true },
                Part::Phrase { text: "labour party".into(), excluded: true },
            ]
        );
    }

    #[test]
    fn apostrophes_inside_words_stay() {
        assert_eq!(
            clean("Minister\u{2019}s 'questions' rock'n'roll"),
            [word("minister's"), word("questions"), word("rock'n'roll")]
        );
    }

    #[test]
    fn an_unclosed_quote_is_ignored_and_length_is_bounded() {
        assert_eq!(clean("\"open ended"), [word("open"), word("ended")]);
        assert_eq!(clean(&"word ".repeat(2000)).len(), MAX_QUERY_PARTS);
        assert!(clean("\"\" - -- \"").is_empty());
    }
}
