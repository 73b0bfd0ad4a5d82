//! The style guide in the article editor: findings shown with the article, one-click corrections, and a
//! check before publishing that an editor answers by correcting or by publishing as written.

use super::AdminError;
use crate::editorial::ArticleDraft;
use crate::styleguide::{self, Finding};
use crate::web::AppState;

/// What an editor's article is checked in when it has no language of its own yet (a new article).
pub const DEFAULT_LANGUAGE: &str = "en";

/// The findings in a draft's headline, standfirst and body.
pub async fn findings(state: &AppState, language: &str, draft: &ArticleDraft) -> Result<Vec<Finding>, AdminError> {
    let glossary = styleguide::load(&state.store).await?;
    Ok(styleguide::check_article(&glossary, language, &draft.headline, &draft.standfirst, &draft.body))
}

/// Reads a correction button: `fix-all` gives `Some(None)`, `fix-N` gives `Some(Some(N))`, anything else `None`.
pub fn correction(action: &str) -> Option<Option<usize>> {
    match action {
        "fix-all" => Some(None),
        other => other.strip_prefix("fix-").and_then(|n| n.parse().ok()).map(Some),
    }
}

/// Applies the chosen finding (or all of them) to the draft; returns how many were applied.
pub fn correct(draft: &mut ArticleDraft, findings: &[Finding], choice: Option<usize>) -> usize {
    let chosen: Vec<&Finding> = match choice {
        None => findings.iter().collect(),
        Some(index) => findings.get(index).into_iter().collect(),
    };
    let mut applied = 0;
    for (name, text) in
        [("headline", &mut draft.headline), ("standfirst", &mut draft.standfirst), ("body", &mut draft.body)]
    {
        let here: Vec<&Finding> = chosen.iter().copied().filter(|f| f.field == name).collect();
        if here.is_empty() {
            continue;
        }
        // Count what changed: apply() skips a finding whose text moved since the check.
        applied += here.iter().filter(|f| text.get(f.start..f.end) == Some(f.found.as_str())).count();
        *text = styleguide::apply(text, here);
    }
    applied
}

/// Whether saving the draft puts it before readers (now or at a set time): the moment the check must be
/// answered.
pub fn goes_out(draft: &ArticleDraft) -> bool {
    matches!(draft.status.as_str(), "published" | "scheduled")
}
