//! People who sign in to the back office: accounts, sessions, sign-in attempts, API tokens and one-time
//! password links. Tokens arrive here already hashed; the store never sees one in clear.

use chrono::{DateTime, Utc};

use super::pool::{execute, fetch};
use super::write::record_change;
use super::{Store, StoreError};
use crate::content::Slug;
use crate::content::{Role, User};

/// A user's columns, and one more value some queries add (`extra`: a password hash, a CSRF token).
#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    email: String,
    name: String,
    role: String,
    author_id: Option<i64>,
    #[sqlx(default)]
    extra: Option<String>,
}

const USER_COLUMNS: &str = "u.id, u.email, u.name, u.role, u.author_id";

fn user_from(row: UserRow) -> Result<User, StoreError> {
    Ok(user_and_extra(row)?.0)
}

fn user_and_extra(row: UserRow) -> Result<(User, Option<String>), StoreError> {
    let role = Role::parse(&row.role).ok_or_else(|| StoreError::Corrupt(format!("role {:?}", row.role)))?;
    Ok((User { id: row.id, email: row.email, name: row.name, role, author_id: row.author_id }, row.extra))
}

/// How precisely (in seconds) an API token's last use is recorded.
const TOKEN_USE_RESOLUTION: i64 = 60;

/// An API token as its owner sees it in the back office.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiTokenInfo {
    /// Database id.
    pub id: i64,
    /// What the owner said it is for.
    pub label: String,
    /// When it was made (Unix seconds).
    pub created_at: i64,
    /// When it was last used (Unix seconds, to the minute), if ever.
    pub last_used_at: Option<i64>,
}

/// A new account as the command line or an administrator describes it.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    /// Sign-in address, unique (case does not matter).
    pub email: &'a str,
    /// Display name, also the byline of the author profile made for them.
    pub name: &'a str,
    /// What they may do.
    pub role: Role,
    /// An argon2id hash, or `None` for an account whose owner sets a password through a link.
    pub password_hash: Option<&'a str>,
}

impl Store {
    /// How many accounts exist; zero means nobody can sign in yet.
    pub async fn user_count(&self) -> Result<i64, StoreError> {
        Ok(fetch!(self.reader.get(), fetch_one, sqlx::query_scalar("SELECT COUNT(*) FROM users"))?)
    }

    /// Creates an account and an author profile for its byline (or links the profile with the same slug).
    pub async fn create_user(&self, new: &NewUser<'_>) -> Result<i64, StoreError> {
        let email = new.email.trim();
        if !email.contains('@') || email.len() > 320 {
            return Err(StoreError::Invalid(format!("{email:?} is not an email address")));
        }
        let name = new.name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("a user needs a name".into()));
        }
        let slug = Slug::from_title(name).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let mut tx = self.begin_write().await?;
        let taken: i64 = fetch!(
            tx.conn(),
            fetch_one,
            sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE lower(email) = lower($1)"),
            [email]
        )?;
        if taken > 0 {
            return Err(StoreError::Conflict(format!("an account for {email} already exists")));
        }
        let author_id: i64 = fetch!(
            tx.conn(),
            fetch_one,
            sqlx::query_scalar(
                "INSERT INTO authors (slug, name) VALUES ($1, $2) ON CONFLICT (slug) DO UPDATE SET slug = \
                 excluded.slug RETURNING id",
            ),
            [slug.as_str(), name]
        )?;
        record_change(&mut tx, "author", author_id).await?;
        let id: i64 = fetch!(
            tx.conn(),
            fetch_one,
            sqlx::query_scalar(
                "INSERT INTO users (email, name, role, password_hash, author_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            ),
            [email, name, new.role.as_str(), new.password_hash, author_id, Utc::now().timestamp()]
        )?;
        tx.commit().await?;
        self.wrote().await;
        Ok(id)
    }

    /// The account with `email` and its password hash (if set).
    pub async fn user_by_email(&self, email: &str) -> Result<Option<(User, Option<String>)>, StoreError> {
        let sql =
            format!("SELECT {USER_COLUMNS}, u.password_hash AS extra FROM users u WHERE lower(u.email) = lower($1)");
        fetch!(self.reader.get(), fetch_optional, sqlx::query_as::<_, UserRow>(&sql), [email.trim()])?
            .map(user_and_extra)
            .transpose()
    }

    /// The account with `id`.
    pub async fn user(&self, id: i64) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1");
        fetch!(self.reader.get(), fetch_optional, sqlx::query_as::<_, UserRow>(&sql), [id])?.map(user_from).transpose()
    }

    /// Every account, by name.
    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.name, u.id");
        fetch!(self.reader.get(), fetch_all, sqlx::query_as::<_, UserRow>(&sql))?.into_iter().map(user_from).collect()
    }

    /// The password hash of account `id`, if one is set.
    pub async fn password_hash(&self, id: i64) -> Result<Option<String>, StoreError> {
        Ok(fetch!(
            self.reader.get(),
            fetch_optional,
            sqlx::query_scalar::<_, Option<String>>("SELECT password_hash FROM users WHERE id = $1"),
            [id]
        )?
        .flatten())
    }

    /// Removes an account with its sessions, tokens and links. Its articles stay (without an owner, so only
    /// editors and administrators can change them), and so does its author profile, which bylines use.
    pub async fn delete_user(&self, id: i64) -> Result<bool, StoreError> {
        let deleted = execute!(self.writer.get(), "DELETE FROM users WHERE id = $1", [id])?;
        Ok(deleted > 0)
    }

    /// Changes a user's role.
    pub async fn set_role(&self, id: i64, role: Role) -> Result<(), StoreError> {
        execute!(self.writer.get(), "UPDATE users SET role = $1 WHERE id = $2", [role.as_str(), id])?;
        Ok(())
    }

    /// Sets a new password, ends every session of the account except `keep` (the session that changed it)
    /// and revokes all its API tokens, so that nothing obtained with the old password outlives it. Returns how
    /// many tokens were revoked.
    pub async fn set_password(&self, id: i64, hash: &str, keep: Option<&str>) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await?;
        let updated = execute!(tx.conn(), "UPDATE users SET password_hash = $1 WHERE id = $2", [hash, id])?;
        if updated == 0 {
            return Err(StoreError::Missing { kind: "user", slug: id.to_string() });
        }
        execute!(tx.conn(), "DELETE FROM sessions WHERE user_id = $1 AND token_hash IS DISTINCT FROM $2", [id, keep])?;
        execute!(tx.conn(), "DELETE FROM password_links WHERE user_id = $1", [id])?;
        let tokens = execute!(tx.conn(), "DELETE FROM api_tokens WHERE user_id = $1", [id])?;
        tx.commit().await?;
        Ok(tokens)
    }

    /// Stores a new session (by token hash) with its CSRF token.
    pub async fn create_session(
        &self,
        token_hash: &str,
        user: i64,
        csrf: &str,
        expires: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = Utc::now().timestamp();
        // Expired sessions are swept as new ones begin, so the table stays small without a janitor task.
        execute!(self.writer.get(), "DELETE FROM sessions WHERE expires_at <= $1", [now])?;
        execute!(
            self.writer.get(),
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            [token_hash, user, csrf, now, expires.timestamp()]
        )?;
        Ok(())
    }

    /// The user and CSRF token of an unexpired session.
    pub async fn session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<(User, String)>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, s.csrf AS extra FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2"
        );
        let row = fetch!(
            self.reader.get(),
            fetch_optional,
            sqlx::query_as::<_, UserRow>(&sql),
            [token_hash, now.timestamp()]
        )?
        .map(user_and_extra)
        .transpose()?;
        Ok(row.map(|(user, csrf)| (user, csrf.unwrap_or_default())))
    }

    /// Ends a session.
    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        execute!(self.writer.get(), "DELETE FROM sessions WHERE token_hash = $1", [token_hash])?;
        Ok(())
    }

    /// Counts a sign-in attempt under `key` (an account, an address) before its password is checked, and
    /// returns the attempts under it within the window of `window_seconds` that began with the first of them.
    /// The count is one upsert that adds and returns in a single statement, so simultaneous attempts, on this
    /// node or others, each get a number of their own.
    pub async fn reserve_sign_in(&self, key: &str, now: DateTime<Utc>, window_seconds: i64) -> Result<i64, StoreError> {
        let (now, expired) = (now.timestamp(), now.timestamp() - window_seconds);
        // Windows that have ended count nothing; drop their rows as new attempts arrive.
        execute!(self.writer.get(), "DELETE FROM sign_in_attempts WHERE window_start <= $1", [expired])?;
        Ok(fetch!(
            self.writer.get(),
            fetch_one,
            sqlx::query_scalar(
                "INSERT INTO sign_in_attempts (key, window_start, attempts) VALUES ($1, $2, 1) \
                 ON CONFLICT (key) DO UPDATE SET \
                 attempts = CASE WHEN sign_in_attempts.window_start > $3 \
                 THEN sign_in_attempts.attempts + 1 ELSE 1 END, \
                 window_start = CASE WHEN sign_in_attempts.window_start > $3 \
                 THEN sign_in_attempts.window_start ELSE excluded.window_start END \
                 RETURNING attempts",
            ),
            [key, now, expired]
        )?)
    }

    /// Takes back one attempt under each of `keys`: one that was refused unchecked, or that succeeded, counts
    /// as no failure.
    pub async fn release_sign_in(&self, keys: &[&str]) -> Result<(), StoreError> {
        for key in keys {
            execute!(
                self.writer.get(),
                "UPDATE sign_in_attempts SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0",
                [key]
            )?;
        }
        Ok(())
    }

    /// Forgets the attempts under `key` (after a successful sign-in to that account).
    pub async fn clear_sign_in(&self, key: &str) -> Result<(), StoreError> {
        execute!(self.writer.get(), "DELETE FROM sign_in_attempts WHERE key = $1", [key])?;
        Ok(())
    }

    /// Stores an API token (by hash) for `user`.
    pub async fn create_api_token(&self, token_hash: &str, user: i64, label: &str) -> Result<(), StoreError> {
        execute!(
            self.writer.get(),
            "INSERT INTO api_tokens (token_hash, user_id, label, created_at) VALUES ($1, $2, $3, $4)",
            [token_hash, user, label, Utc::now().timestamp()]
        )?;
        Ok(())
    }

    /// A user's API tokens, newest first; the tokens themselves are not kept.
    pub async fn api_tokens_of(&self, user: i64) -> Result<Vec<ApiTokenInfo>, StoreError> {
        Ok(fetch!(
            self.reader.get(),
            fetch_all,
            sqlx::query_as(
                "SELECT id, label, created_at, last_used_at FROM api_tokens WHERE user_id = $1 ORDER BY id DESC",
            ),
            [user]
        )?)
    }

    /// Revokes one of a user's API tokens; returns whether there was one.
    pub async fn revoke_api_token(&self, id: i64, user: i64) -> Result<bool, StoreError> {
        let deleted = execute!(self.writer.get(), "DELETE FROM api_tokens WHERE id = $1 AND user_id = $2", [id, user])?;
        Ok(deleted > 0)
    }

    /// The user an API token belongs to. Records when the token was used, to the minute: often enough for an
    /// owner deciding whether a token is still needed, and rarely enough that busy clients cost no writes.
    pub async fn user_by_api_token(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<User>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, CAST(t.last_used_at AS TEXT) AS extra
             FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1"
        );
        let Some(row) = fetch!(self.reader.get(), fetch_optional, sqlx::query_as::<_, UserRow>(&sql), [token_hash])?
        else {
            return Ok(None);
        };
        let (user, last_used) = user_and_extra(row)?;
        let now = now.timestamp();
        if last_used.and_then(|t| t.parse::<i64>().ok()).is_none_or(|t| now - t >= TOKEN_USE_RESOLUTION) {
            execute!(
                self.writer.get(),
                "UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2",
                [now, token_hash]
            )?;
        }
        Ok(Some(user))
    }

    /// Stores a one-time password link (by hash) for `user`, replacing any earlier one.
    pub async fn create_password_link(
        &self,
        token_hash: &str,
        user: i64,
        expires: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        execute!(tx.conn(), "DELETE FROM password_links WHERE user_id = $1", [user])?;
        execute!(
            tx.conn(),
            "INSERT INTO password_links (token_hash, user_id, expires_at) VALUES ($1, $2, $3)",
            [token_hash, user, expires.timestamp()]
        )?;
        tx.commit().await?;
        Ok(())
    }

    /// The user an unexpired password link is for (the link stays valid until a password is set).
    pub async fn password_link_user(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<User>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM password_links l JOIN users u ON u.id = l.user_id \
             WHERE l.token_hash = $1 AND l.expires_at > $2"
        );
        fetch!(self.reader.get(), fetch_optional, sqlx::query_as::<_, UserRow>(&sql), [token_hash, now.timestamp()])?
            .map(user_from)
            .transpose()
    }
}
