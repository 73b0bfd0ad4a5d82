//! The style guide in the article editor: findings shown with the article, one-click corrections, and a
//! check before publishing that an editor answers by correcting or by publishing as written.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::{AdminError, Session, Submitted};
use crate::auth::Action;
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

/// The most text `POST /admin/style/check` takes in one request: far more than any article (5,000 words of
/// Markdown are about 35 kB), little enough that a check stays quick.
pub const MAX_CHECK_BYTES: usize = 512 * 1024;

/// A finding as the editor's script reads it: what to show, and where it is in the field as the browser
/// counts (UTF-16 code units, as a textarea's selection does) and as the n-th time its text appears there (to
/// find it again in the rich editor, which shows the text without its Markdown).
#[derive(Debug, Serialize)]
struct LiveFinding {
    field: String,
    found: String,
    suggestion: String,
    rule: String,
    line: usize,
    column: usize,
    from: usize,
    to: usize,
    occurrence: usize,
}

impl LiveFinding {
    fn of(finding: Finding, text: &str) -> LiveFinding {
        let units = |end: usize| text.get(..end).map_or(0, |before| before.encode_utf16().count());
        let occurrence = text.get(..finding.start).map_or(0, |before| before.matches(finding.found.as_str()).count());
        LiveFinding {
            from: units(finding.start),
            to: units(finding.end),
            occurrence,
            field: finding.field,
            found: finding.found,
            suggestion: finding.suggestion,
            rule: finding.message,
            line: finding.line,
            column: finding.column,
        }
    }
}

/// `POST /admin/style/check`: the style guide's findings in the text the editor holds now (headline,
/// standfirst, body, in `language`), as JSON, for the list beside the text that follows typing. Nothing is
/// saved; the check before publishing stays with the save.
pub async fn check(State(state): State<AppState>, session: Session, form: Submitted) -> Result<Response, AdminError> {
    super::require(&session.user, Action::CreateArticle, None)?;
    let fields = &form.fields;
    let draft = ArticleDraft {
        headline: fields.get("headline").to_owned(),
        standfirst: fields.get("standfirst").to_owned(),
        body: fields.get("body").replace("\r\n", "\n"),
        ..ArticleDraft::default()
    };
    let size = draft.headline.len() + draft.standfirst.len() + draft.body.len();
    if size > MAX_CHECK_BYTES {
        return Err(AdminError::TooLarge(format!(
            "the text to check has {} kB; the style check takes at most {} kB at a time",
            size.div_ceil(1024),
            MAX_CHECK_BYTES / 1024
        )));
    }
    let language = match fields.get("language").trim() {
        "" => DEFAULT_LANGUAGE.to_owned(),
        chosen => chosen.to_ascii_lowercase(),
    };
    let found = findings(&state, &language, &draft).await?;
    let text = |field: &str| match field {
        "headline" => draft.headline.as_str(),
        "standfirst" => draft.standfirst.as_str(),
        _ => draft.body.as_str(),
    };
    let listed: Vec<LiveFinding> = found
        .into_iter()
        .map(|finding| {
            let field = text(&finding.field);
            LiveFinding::of(finding, field)
        })
        .collect();
    Ok(Json(serde_json::json!({ "language": language, "findings": listed })).into_response())
}
