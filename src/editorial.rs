//! The content service: the one path by which the back office and the API create, change, publish and delete
//! an article. A [`Desk`] checks the user's rights with [`may`] (and the byline with [`may_sign`]), fills in
//! what the editor left to us (slug, byline, language, times), checks and renders the article
//! ([`ArticleInput::prepare`]), and saves it with a revision in one transaction; the store records the change,
//! which empties the page cache and wakes the search index.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::{Action, ArticleFacts, User, may, may_sign, statuses_for};
use crate::content::{ArticleInput, ArticleStatus, SearchAndSocial, Slug, check_text};
use crate::settings::SiteSettings;
use crate::store::{ArticleExtras, EditableArticle, Store, StoreError};

/// An article as an editor or API client sends it; also what a revision keeps.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct ArticleDraft {
    /// The headline.
    pub headline: String,
    /// Address segment; made from the headline when empty.
    #[serde(default)]
    pub slug: String,
    /// One-paragraph summary.
    #[serde(default)]
    pub standfirst: String,
    /// The body as Markdown.
    #[serde(default)]
    pub body: String,
    /// Section slug.
    pub section: String,
    /// Author slugs in byline order; the user's own profile when empty. Authors and contributors may name
    /// only themselves (403 otherwise); editors and administrators may name anyone.
    #[serde(default)]
    pub authors: Vec<String>,
    /// Tag names; new ones are created.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Status name; `draft` when empty.
    #[serde(default)]
    pub status: String,
    /// Publication time (planned, for scheduled articles).
    #[serde(default)]
    pub published_at: Option<DateTime<Utc>>,
    /// A visible "Updated" time (set by [`ArticleDraft::mark_updated`] or kept from before).
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    /// Show the article as updated now (published articles). Read, never kept: a save turns it into
    /// `updated_at`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mark_updated: bool,
    /// A visible correction note.
    #[serde(default)]
    pub correction: String,
    /// The lead image (an id from the media library), or none.
    #[serde(default)]
    pub lead_image: Option<i64>,
    /// Language code; the article's current one, or the site's default language for a new article, when
    /// empty.
    #[serde(default)]
    pub language: String,
    /// The title search engines and social networks show, at most 200 characters (results show about 60);
    /// the headline when empty.
    #[serde(default)]
    pub seo_title: String,
    /// The description they show, at most 500 characters (results show about 155); the standfirst when empty.
    #[serde(default)]
    pub seo_description: String,
    /// The image social networks show (an id from the media library); the lead image when none.
    #[serde(default)]
    pub share_image: Option<i64>,
}

impl From<&EditableArticle> for ArticleDraft {
    fn from(article: &EditableArticle) -> ArticleDraft {
        ArticleDraft {
            headline: article.headline.clone(),
            slug: article.slug.clone(),
            standfirst: article.standfirst.clone(),
            body: article.body.clone(),
            section: article.section.clone(),
            authors: article.authors.clone(),
            tags: article.tags.clone(),
            status: article.status.as_str().to_owned(),
            published_at: article.published_at,
            updated_at: article.updated_at,
            mark_updated: false,
            correction: article.correction.clone(),
            lead_image: article.lead_image_id,
            language: article.language.clone(),
            seo_title: article.seo_title.clone(),
            seo_description: article.seo_description.clone(),
            share_image: article.share_image_id,
        }
    }
}

/// Why a save did not happen.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// The article breaks a rule; the message says which, for the editor.
    #[error("{0}")]
    Invalid(String),
    /// The user's role does not allow it.
    #[error("your role does not allow this")]
    Forbidden,
    /// The user's role does not allow it, for the reason given (a byline that is not theirs to set).
    #[error("{0}")]
    Refused(String),
    /// Someone saved after the version the editor started from.
    #[error("someone else saved this article after you opened it")]
    Stale,
    /// No such article.
    #[error("no such article")]
    NotFound,
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for SaveError {
    fn from(error: StoreError) -> SaveError {
        match error {
            StoreError::Stale => SaveError::Stale,
            StoreError::Invalid(message) | StoreError::Conflict(message) => SaveError::Invalid(message),
            StoreError::Missing { kind, slug } => SaveError::Invalid(format!("there is no {kind} {slug:?}")),
            other => SaveError::Store(other),
        }
    }
}

/// Where articles are written: the store and the site settings in force (its languages).
#[derive(Debug, Clone)]
pub struct Desk<'a> {
    store: &'a Store,
    site: Arc<SiteSettings>,
}

/// What the rules need to know about a stored article.
pub fn facts(article: &EditableArticle) -> ArticleFacts {
    ArticleFacts { owner: article.owner, status: article.status }
}

fn invalid(error: impl std::fmt::Display) -> SaveError {
    SaveError::Invalid(error.to_string())
}

impl<'a> Desk<'a> {
    /// The desk writing to `store` under the settings `site`.
    pub fn new(store: &'a Store, site: Arc<SiteSettings>) -> Desk<'a> {
        Desk { store, site }
    }

    /// Loads an article the user may act on with `action`: `NotFound` if it does not exist, `Forbidden` if the
    /// rules say no.
    pub async fn load_for(&self, user: &User, id: i64, action: Action) -> Result<EditableArticle, SaveError> {
        let article = self.store.editable_article(id).await?.ok_or(SaveError::NotFound)?;
        if may(user, action, Some(facts(&article))) { Ok(article) } else { Err(SaveError::Forbidden) }
    }

    /// Checks `draft` against the rules and the user's rights and fills in what was left out, without saving;
    /// the editor's Preview uses this too. Returns the complete draft (as the revision keeps it) and the input.
    pub async fn prepare(
        &self,
        user: &User,
        current: Option<&EditableArticle>,
        draft: &ArticleDraft,
    ) -> Result<(ArticleDraft, ArticleInput), SaveError> {
        let facts = current.map(facts);
        let allowed = match current {
            Some(_) => may(user, Action::EditArticle, facts),
            None => may(user, Action::CreateArticle, None),
        };
        if !allowed {
            return Err(SaveError::Forbidden);
        }
        let mut draft = draft.clone();
        let status = if draft.status.is_empty() {
            ArticleStatus::Draft
        } else {
            ArticleStatus::parse(&draft.status).ok_or_else(|| invalid(format!("unknown status {:?}", draft.status)))?
        };
        if current.is_none_or(|c| c.status != status) && !statuses_for(user, facts).contains(&status) {
            return Err(SaveError::Forbidden);
        }
        draft.status = status.as_str().to_owned();
        draft.headline = draft.headline.trim().to_owned();
        let slug = if draft.slug.trim().is_empty() {
            Slug::from_title(&draft.headline)
        } else {
            Slug::parse(draft.slug.trim())
        }
        .map_err(|e| invalid(format!("address: {e}")))?;
        draft.slug = slug.as_str().to_owned();
        let section = Slug::parse(draft.section.trim()).map_err(|_| invalid("choose a section"))?;
        draft.authors = draft.authors.iter().map(|a| a.trim().to_owned()).filter(|a| !a.is_empty()).collect();
        let own = if draft.authors.is_empty() || !may(user, Action::SetAnyByline, None) {
            self.store.all_authors().await?.into_iter().find(|a| Some(a.id) == user.author_id).map(|a| a.slug)
        } else {
            None
        };
        if draft.authors.is_empty() {
            draft.authors.extend(own.clone());
        }
        // A byline kept as it is stored was set by someone entitled to; a new or changed one must be the user's.
        let byline: Vec<&str> = draft.authors.iter().map(String::as_str).collect();
        if current.is_none_or(|c| c.authors != draft.authors) && !may_sign(user, own.as_deref(), &byline) {
            return Err(SaveError::Refused(match own {
                Some(own) => format!(
                    "put yourself ({own}) in the byline: you may sign only what you write yourself, and only editors \
                     and administrators may give an article someone else's byline"
                ),
                None => "your account has no author profile to sign with, so only an editor can set this byline".into(),
            }));
        }
        let authors = draft.authors.iter().map(|a| Slug::parse(a)).collect::<Result<Vec<_>, _>>().map_err(invalid)?;
        draft.tags = draft.tags.iter().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect();
        let now = Utc::now();
        match status {
            ArticleStatus::Published => {
                draft.published_at = draft.published_at.or(current.and_then(|c| c.published_at)).or(Some(now));
            }
            ArticleStatus::Scheduled if draft.published_at.is_none() => {
                return Err(invalid("a scheduled article needs a publication date and time"));
            }
            _ => {}
        }
        if draft.mark_updated && status == ArticleStatus::Published {
            draft.updated_at = Some(now);
        }
        draft.mark_updated = false;
        draft.correction = draft.correction.trim().to_owned();
        // The other texts are checked by `ArticleInput::prepare`; the correction is saved beside the article.
        check_text("the correction", &draft.correction).map_err(invalid)?;
        let site = Arc::clone(&self.site);
        draft.language = match draft.language.trim() {
            "" => current.map_or_else(|| site.default_language().to_owned(), |c| c.language.clone()),
            chosen => chosen.to_ascii_lowercase(),
        };
        // A language the site has stopped publishing in may stay on the articles that have it; a new choice must
        // be one the site publishes in.
        if !site.publishes_in(&draft.language) && current.is_none_or(|c| c.language != draft.language) {
            return Err(invalid(format!(
                "the site does not publish in {:?}; choose one of {} (languages are set in Settings)",
                draft.language,
                site.languages.join(", ")
            )));
        }
        let search = SearchAndSocial::checked(&draft.seo_title, &draft.seo_description).map_err(invalid)?;
        (draft.seo_title, draft.seo_description) = (search.title, search.description);
        for (id, which) in [(draft.lead_image, "lead"), (draft.share_image, "share")] {
            let Some(id) = id else { continue };
            let image = self.store.image(id).await?.ok_or_else(|| invalid(format!("there is no image {id}")))?;
            if image.alt.trim().is_empty() {
                return Err(invalid(format!("the {which} image needs alt text; add it in the media library")));
            }
        }
        let input = ArticleInput {
            section,
            slug,
            headline: draft.headline.clone(),
            standfirst: draft.standfirst.trim().to_owned(),
            body_markdown: draft.body.clone(),
            authors,
            tags: draft.tags.clone(),
            lead_image: None,
            language: draft.language.clone(),
            status,
            published_at: draft.published_at,
            updated_at: draft.updated_at,
            view_count: 0,
        };
        Ok((draft, input))
    }

    /// Saves `draft` as a new article (`current` is `None`) or over `current`, keeping a revision. With
    /// `expected_modified`, refuses when someone saved after that version. Returns the id and new `modified_at`.
    pub async fn save(
        &self,
        user: &User,
        current: Option<&EditableArticle>,
        draft: &ArticleDraft,
        expected_modified: Option<i64>,
    ) -> Result<(i64, i64), SaveError> {
        let (draft, input) = self.prepare(user, current, draft).await?;
        let prepared = input.prepare().map_err(invalid)?;
        let snapshot = serde_json::to_string(&draft).map_err(|e| SaveError::Invalid(e.to_string()))?;
        let extras = ArticleExtras {
            correction: &draft.correction,
            user: user.id,
            snapshot: &snapshot,
            expected_modified,
            lead_image: draft.lead_image,
            search: &SearchAndSocial { title: draft.seo_title.clone(), description: draft.seo_description.clone() },
            share_image: draft.share_image,
        };
        Ok(self.store.save_edited_article(current.map(|c| c.id), &prepared, &extras).await?)
    }

    /// Changes only the status of an article (publish, unpublish, submit), through the same checks and with a
    /// revision like any save.
    pub async fn set_status(&self, user: &User, id: i64, status: ArticleStatus) -> Result<(i64, i64), SaveError> {
        let current = self.load_for(user, id, Action::ViewArticle).await?;
        let mut draft = ArticleDraft::from(&current);
        draft.status = status.as_str().to_owned();
        if status == ArticleStatus::Published && current.status != ArticleStatus::Published {
            // Publishing now means now, unless a time in the past was already set.
            draft.published_at = current.published_at.filter(|t| *t <= Utc::now());
        }
        self.save(user, Some(&current), &draft, None).await
    }

    /// Deletes an article if the user may.
    pub async fn delete(&self, user: &User, id: i64) -> Result<(), SaveError> {
        self.load_for(user, id, Action::DeleteArticle).await?;
        self.store.delete_article(id).await?;
        Ok(())
    }
}
