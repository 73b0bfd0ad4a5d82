//! The style guide applied to articles: the glossary as the store keeps it, and the fields checked.

use super::{Entry, Field, Finding, Glossary, check};
use crate::store::{GlossaryTerm, Store, StoreError};

/// The checked fields of an article, by the names findings carry.
pub const FIELDS: [&str; 3] = ["headline", "standfirst", "body"];

/// The glossary compiled from the stored terms.
pub fn compile(terms: &[GlossaryTerm]) -> Glossary {
    Glossary::new(
        terms
            .iter()
            .map(|term| Entry {
                language: term.language.clone(),
                accepted: term.accepted.clone(),
                avoid: term.avoid.clone(),
            })
            .collect(),
    )
}

/// Reads and compiles the stored glossary.
pub async fn load(store: &Store) -> Result<Glossary, StoreError> {
    Ok(compile(&store.glossary().await?))
}

/// The findings in an article's headline, standfirst and body (Markdown), for its language.
pub fn check_article(
    glossary: &Glossary,
    language: &str,
    headline: &str,
    standfirst: &str,
    body: &str,
) -> Vec<Finding> {
    let fields = [
        Field { name: FIELDS[0], text: headline },
        Field { name: FIELDS[1], text: standfirst },
        Field { name: FIELDS[2], text: body },
    ];
    check(glossary, language, &fields)
}

/// What a whole-site check found.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LintReport {
    /// Articles checked.
    pub articles: usize,
    /// Articles with at least one finding.
    pub flagged: usize,
    /// Findings in all.
    pub findings: usize,
}

/// Articles read and checked at a time (checked on every core).
const LINT_BATCH: i64 = 512;

/// Checks every article (of `language`, when given) against the stored glossary, calling `report` with each
/// article that has findings, in id order.
pub async fn lint_site(
    store: &Store,
    language: Option<&str>,
    mut report: impl FnMut(&crate::store::LintArticle, &[Finding]),
) -> Result<LintReport, StoreError> {
    use rayon::prelude::*;
    let glossary = load(store).await?;
    let mut totals = LintReport::default();
    let mut after = 0;
    loop {
        let batch = store.lint_articles(after, LINT_BATCH).await?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        let wanted: Vec<_> = batch.iter().filter(|a| language.is_none_or(|l| a.language == l)).collect();
        let results: Vec<Vec<Finding>> = wanted
            .par_iter()
            .map(|a| check_article(&glossary, &a.language, &a.headline, &a.standfirst, &a.body))
            .collect();
        for (article, findings) in wanted.into_iter().zip(results) {
            totals.articles += 1;
            if !findings.is_empty() {
                totals.flagged += 1;
                totals.findings += findings.len();
                report(article, &findings);
            }
        }
    }
    Ok(totals)
}
