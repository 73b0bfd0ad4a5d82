//! The style guide: names and terms spelled the way the desk agreed, checked in an article before it goes
//! out (the editor, the API's style check and `newsroom lint` all use [`check`]).
//!
//! Two sources of findings:
//! - the editors' glossary: every occurrence of a form listed to avoid is
//!   flagged, tolerant of possessives, diacritics and stray spaces inside the
//!   word (`L ü tte` matches an avoided `Lütte` or `Lutte`);
//! - a heuristic that needs no glossary: capitalised names written two ways in
//!   one article (`Rutte` / `Lute` / `L ü tte`) are grouped and the minority
//!   spellings are flagged.
//!
//! Each finding carries a suggested replacement that [`apply`] can perform.

mod article;
mod heuristic;
mod text;

pub use article::{FIELDS, LintReport, check_article, compile, lint_site, load};

use aho_corasick::AhoCorasick;
use unicode_normalization::UnicodeNormalization;

/// One glossary entry: the accepted spelling of a name or term in a language.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    /// Language tag the entry applies to, e.g. `en` (also covers `en-GB`).
    pub language: String,
    /// The spelling the style guide accepts.
    pub accepted: String,
    /// Spellings to flag and replace with `accepted`.
    pub avoid: Vec<String>,
}

/// A form to avoid, folded for matching.
#[derive(Debug)]
struct Pattern {
    suggestion: String,
    accepted: String,
    /// Whether the first or last character is CJK (no word boundary there).
    cjk_start: bool,
    cjk_end: bool,
}

#[derive(Debug)]
struct Compiled {
    language: String,
    matcher: Option<AhoCorasick>,
    patterns: Vec<Pattern>,
}

/// The glossary compiled for matching, one automaton per language.
#[derive(Debug, Default)]
pub struct Glossary {
    languages: Vec<Compiled>,
}

impl Glossary {
    /// Compiles glossary entries. Empty or self-contradicting forms are dropped.
    pub fn new(entries: Vec<Entry>) -> Self {
        let mut languages: Vec<(String, Vec<String>, Vec<Pattern>)> = Vec::new();
        for entry in entries {
            let lang = entry.language.trim().to_lowercase();
            let idx = match languages.iter().position(|(l, _, _)| *l == lang) {
                Some(i) => i,
                None => {
                    languages.push((lang, Vec::new(), Vec::new()));
                    languages.len() - 1
                }
            };
            let (_, keys, patterns) = &mut languages[idx];
            let accepted = canonical(&entry.accepted);
            for avoid in &entry.avoid {
                let avoid = canonical(avoid);
                if avoid.is_empty() || avoid == accepted {
                    continue;
                }
                let key = text::fold(&avoid);
                let mut variants = vec![(key, accepted.clone())];
                // A lowercase term also appears capitalised at a sentence start;
                // the suggestion then follows suit.
                if avoid.chars().next().is_some_and(char::is_lowercase) {
                    variants.push((capitalise(&variants[0].0), capitalise(&accepted)));
                }
                for (key, suggestion) in variants {
                    if keys.contains(&key) {
                        continue;
                    }
                    patterns.push(Pattern {
                        cjk_start: key.chars().next().is_some_and(text::is_cjk),
                        cjk_end: key.chars().next_back().is_some_and(text::is_cjk),
                        suggestion,
                        accepted: accepted.clone(),
                    });
                    keys.push(key);
                }
            }
        }
        let languages = languages
            .into_iter()
            .map(|(language, keys, patterns)| Compiled {
                language,
                // Only fails on absurd pattern sizes; such a glossary then matches nothing.
                matcher: if keys.is_empty() { None } else { AhoCorasick::new(&keys).ok() },
                patterns,
            })
            .collect();
        Glossary { languages }
    }

    fn for_language<'g>(&'g self, language: &'g str) -> impl Iterator<Item = &'g Compiled> + 'g {
        let lang = language.trim().to_lowercase();
        self.languages.iter().filter(move |c| {
            lang == c.language
                || (lang.len() > c.language.len()
                    && lang.starts_with(&c.language)
                    && lang.as_bytes()[c.language.len()] == b'-')
        })
    }
}

/// A named piece of an article: headline, standfirst, body (Markdown).
#[derive(Debug, Clone, Copy)]
pub struct Field<'a> {
    /// Field name reported back in findings.
    pub name: &'a str,
    /// Field content.
    pub text: &'a str,
}

/// Why a span was flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FindingKind {
    /// The glossary lists the form to avoid.
    Avoided,
    /// The same name is spelled differently elsewhere in the article.
    Inconsistent,
}

/// A flagged span with its suggested replacement.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Finding {
    /// Name of the field the span is in.
    pub field: String,
    /// Byte offset of the span start in the field.
    pub start: usize,
    /// Byte offset just past the span.
    pub end: usize,
    /// 1-based line of the span start.
    pub line: usize,
    /// 1-based column of the span start, counted in characters.
    pub column: usize,
    /// The text in the span, as written.
    pub found: String,
    /// Replacement for the span.
    pub suggestion: String,
    /// Glossary hit or inconsistency.
    pub kind: FindingKind,
    /// Short explanation for the editor.
    pub message: String,
}

/// Checks the fields of one article against the glossary entries for
/// `language` and for names spelled more than one way. Findings are ordered by
/// field, then position.
pub fn check(glossary: &Glossary, language: &str, fields: &[Field]) -> Vec<Finding> {
    let prepared: Vec<text::Prepared<'_>> = fields.iter().map(|f| text::Prepared::new(f.text)).collect();
    let mut findings = Vec::new();
    for compiled in glossary.for_language(language) {
        let Some(matcher) = &compiled.matcher else { continue };
        for (field, prep) in fields.iter().zip(&prepared) {
            glossary_matches(matcher, &compiled.patterns, field, prep, &mut findings);
        }
    }
    heuristic::find(fields, &prepared, &mut findings);
    let order = |name: &str| fields.iter().position(|f| f.name == name).unwrap_or(usize::MAX);
    findings.sort_by_key(|f| (order(&f.field), f.start, f.end));
    findings.dedup_by(|a, b| a.field == b.field && a.start < b.end && b.start < a.end);
    findings
}

fn glossary_matches(
    matcher: &AhoCorasick,
    patterns: &[Pattern],
    field: &Field,
    prep: &text::Prepared<'_>,
    out: &mut Vec<Finding>,
) {
    let stream = text::Stream::new(field.text, prep);
    let hay = stream.text.as_str();
    let mut hits: Vec<(usize, usize, usize)> = matcher
        .find_overlapping_iter(hay)
        .filter_map(|m| {
            let p = patterns.get(m.pattern().as_usize())?;
            let blocks = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() && !text::is_cjk(c));
            let before_ok = p.cjk_start || !blocks(hay[..m.start()].chars().next_back());
            let after_ok = p.cjk_end || !blocks(hay[m.end()..].chars().next());
            (before_ok && after_ok).then(|| (m.start(), m.end(), m.pattern().as_usize()))
        })
        .collect();
    // Longest match wins where forms overlap (`Mark Lute` over `Lute`).
    hits.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut taken_until = 0;
    for (a, b, pid) in hits {
        if a < taken_until {
            continue;
        }
        let (Some(p), Some((start, end))) = (patterns.get(pid), stream.source_span(a, b)) else { continue };
        let Some(found) = field.text.get(start..end) else { continue };
        // Folding can make the accepted spelling itself match (accepted
        // `Müller`, avoided `Muller`): never flag what the guide accepts.
        if canonical(found) == p.accepted {
            continue;
        }
        taken_until = b;
        let (line, column) = text::line_column(field.text, start);
        out.push(Finding {
            field: field.name.to_string(),
            start,
            end,
            line,
            column,
            found: found.to_string(),
            suggestion: p.suggestion.clone(),
            kind: FindingKind::Avoided,
            message: format!("“{found}” is listed to avoid; the style guide spells it “{}”.", p.suggestion),
        });
    }
}

/// NFC with whitespace runs collapsed: the form glossary spellings are compared in.
fn canonical(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").nfc().collect()
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Applies the findings' suggestions to `text` (the field they were made for).
/// Works from the end so earlier offsets stay valid; a finding that overlaps
/// one already applied, or whose span no longer holds `found`, is skipped.
pub fn apply<'a>(text: &str, findings: impl IntoIterator<Item = &'a Finding>) -> String {
    let mut order: Vec<&Finding> = findings.into_iter().collect();
    order.sort_by(|a, b| b.start.cmp(&a.start).then(b.end.cmp(&a.end)));
    let mut out = text.to_string();
    let mut limit = usize::MAX;
    for f in order {
        if f.end > limit || text.get(f.start..f.end) != Some(f.found.as_str()) {
            continue;
        }
        out.replace_range(f.start..f.end, &f.suggestion);
        limit = f.start;
    }
    out
}

/// Applies one chosen finding; `None` if its span no longer holds `found`.
pub fn apply_one(text: &str, finding: &Finding) -> Option<String> {
    if text.get(finding.start..finding.end) != Some(finding.found.as_str()) {
        return None;
    }
    let mut out = text.to_string();
    out.replace_range(finding.start..finding.end, &finding.suggestion);
    Some(out)
}

#[cfg(test)]
mod tests;
