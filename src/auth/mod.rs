//! Who may do what: passwords (argon2id), random tokens stored only as hashes, roles, and the one function
//! that decides whether a user may do an action ([`may`]). Every back-office page and API call asks [`may`],
//! so the rules live in one place and the role-matrix tests cover them all.

pub mod commands;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::content::ArticleStatus;
pub use crate::content::{Role, User};

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The longest password accepted (argon2 is fed whole passwords; bound the work).
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// Why a password could not be set or checked.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// Too short or too long.
    #[error("a password needs {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters")]
    Length,
    /// The hashing library failed (a bad stored hash, say).
    #[error("password hashing: {0}")]
    Hash(String),
}

/// What the rules need to know about an article.
#[derive(Debug, Clone, Copy)]
pub struct ArticleFacts {
    /// The user who created it.
    pub owner: Option<i64>,
    /// Its status now.
    pub status: ArticleStatus,
}

/// Something a user may want to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Start a new article.
    CreateArticle,
    /// See an article in the back office.
    ViewArticle,
    /// Change an article's text and settings (not its public state).
    EditArticle,
    /// Make an article public, schedule it, or take it down.
    PublishArticle,
    /// Delete an article for good.
    DeleteArticle,
    /// See every article, not just their own.
    SeeAllArticles,
    /// Put any byline on an article, not only one that names oneself.
    SetAnyByline,
    /// Manage sections, tags and author profiles.
    ManageTaxonomy,
    /// Manage users and site settings.
    Administer,
}

/// Whether `user` may do `action` (on `article`, for article actions). The one place the role rules live.
pub fn may(user: &User, action: Action, article: Option<ArticleFacts>) -> bool {
    let own = article.is_some_and(|a| a.owner == Some(user.id));
    match user.role {
        Role::Administrator => true,
        Role::Editor => action != Action::Administer,
        Role::Author => match action {
            Action::CreateArticle => true,
            Action::ViewArticle | Action::EditArticle | Action::PublishArticle | Action::DeleteArticle => own,
            Action::SeeAllArticles | Action::SetAnyByline | Action::ManageTaxonomy | Action::Administer => false,
        },
        Role::Contributor => {
            // A contributor's work is theirs only until it is scheduled or published; then it is the desk's.
            let unpublished_own =
                own && article.is_some_and(|a| matches!(a.status, ArticleStatus::Draft | ArticleStatus::Submitted));
            match action {
                Action::CreateArticle => true,
                Action::ViewArticle => own,
                Action::EditArticle | Action::DeleteArticle => unpublished_own,
                Action::PublishArticle
                | Action::SeeAllArticles
                | Action::SetAnyByline
                | Action::ManageTaxonomy
                | Action::Administer => false,
            }
        }
    }
}

/// Whether `user` may sign an article with `byline` (author slugs), `own` being the slug of their own author
/// profile: editors and administrators any byline; authors and contributors only one that names them, so
/// that nobody publishes as someone else.
pub fn may_sign(user: &User, own: Option<&str>, byline: &[&str]) -> bool {
    may(user, Action::SetAnyByline, None) || own.is_some_and(|own| byline.contains(&own))
}

/// The statuses `user` may give an article: publishing ones only for those who may publish it.
pub fn statuses_for(user: &User, article: Option<ArticleFacts>) -> Vec<ArticleStatus> {
    let facts = article.or(Some(ArticleFacts { owner: Some(user.id), status: ArticleStatus::Draft }));
    if may(user, Action::PublishArticle, facts) {
        ArticleStatus::ALL.to_vec()
    } else {
        vec![ArticleStatus::Draft, ArticleStatus::Submitted]
    }
}

fn argon2() -> Result<Argon2<'static>, PasswordError> {
    // OWASP's recommended argon2id settings: 19 MiB, two passes, one lane.
    let params = Params::new(19 * 1024, 2, 1, None).map_err(|e| PasswordError::Hash(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a new password with argon2id and a random salt, after checking its length. CPU-heavy: call from
/// `spawn_blocking` on request paths.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    let chars = password.chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) {
        return Err(PasswordError::Length);
    }
    let salt = SaltString::generate(&mut OsRng);
    Ok(argon2()?.hash_password(password.as_bytes(), &salt).map_err(|e| PasswordError::Hash(e.to_string()))?.to_string())
}

/// Whether `password` matches the stored `hash`. CPU-heavy, like [`hash_password`].
pub fn verify_password(password: &str, hash: &str) -> bool {
    if password.chars().count() > MAX_PASSWORD_CHARS {
        return false;
    }
    let Ok(parsed) = PasswordHash::new(hash) else { return false };
    argon2().is_ok_and(|a| a.verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A hash to verify against when an account does not exist, so that a wrong email takes as long as a wrong
/// password and timing does not tell which addresses have accounts.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password never used").unwrap_or_default())
}

/// A fresh random token (256 bits, hex) for sessions, API tokens, links and CSRF.
pub fn new_token() -> String {
    let mut bytes = [0_u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The stored form of a token: its SHA-256. Tokens are random and long, so a fast hash is enough.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i64, role: Role) -> User {
        User { id, email: format!("{id}@example.com"), name: "U".into(), role, author_id: None }
    }

    #[test]
    fn passwords_hash_with_argon2id_and_verify() -> Result<(), PasswordError> {
        let hash = hash_password("correct horse battery")?;
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong horse battery", &hash));
        assert!(matches!(hash_password("short"), Err(PasswordError::Length)));
        Ok(())
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_ne!(token_hash(&a), a);
        assert_eq!(token_hash(&a), token_hash(&a));
    }

    #[test]
    fn contributors_cannot_publish_and_lose_their_article_once_published() {
        let me = user(7, Role::Contributor);
        let draft = Some(ArticleFacts { owner: Some(7), status: ArticleStatus::Draft });
        let live = Some(ArticleFacts { owner: Some(7), status: ArticleStatus::Published });
        let other = Some(ArticleFacts { owner: Some(8), status: ArticleStatus::Draft });
        assert!(may(&me, Action::EditArticle, draft));
        assert!(!may(&me, Action::PublishArticle, draft));
        assert!(!may(&me, Action::EditArticle, live));
        assert!(!may(&me, Action::ViewArticle, other));
        assert_eq!(statuses_for(&me, draft), [ArticleStatus::Draft, ArticleStatus::Submitted]);
    }

    #[test]
    fn authors_publish_their_own_and_editors_everything_but_administration() {
        let author = user(1, Role::Author);
        let editor = user(2, Role::Editor);
        let theirs = Some(ArticleFacts { owner: Some(9), status: ArticleStatus::Draft });
        let own = Some(ArticleFacts { owner: Some(1), status: ArticleStatus::Published });
        assert!(may(&author, Action::PublishArticle, own));
        assert!(!may(&author, Action::EditArticle, theirs));
        assert!(may(&editor, Action::PublishArticle, theirs));
        assert!(may(&editor, Action::ManageTaxonomy, None));
        assert!(!may(&editor, Action::Administer, None));
        assert!(may(&user(3, Role::Administrator), Action::Administer, None));
    }

    #[test]
    fn only_the_desk_signs_articles_with_other_peoples_names() {
        for role in [Role::Author, Role::Contributor] {
            let me = user(1, role);
            assert!(may_sign(&me, Some("me"), &["me"]));
            assert!(may_sign(&me, Some("me"), &["colleague", "me"]), "a co-author beside oneself");
            assert!(!may_sign(&me, Some("me"), &["the-editor"]), "{role:?} cannot publish as someone else");
            assert!(!may_sign(&me, None, &["the-editor"]), "without a profile of one's own, no byline");
        }
        for role in [Role::Administrator, Role::Editor] {
            assert!(may_sign(&user(2, role), Some("desk"), &["ann", "ben"]));
        }
    }
}
