//! The `user` and `token` commands: the only way to make the first account (there is no open setup page on
//! the network), to reset a password from the server, and to make API tokens. Passwords are read from a
//! hidden prompt, or from standard input when it is not a terminal, never from the command line, where other
//! users of the machine could read them.

use std::io::{BufRead, IsTerminal};

use anyhow::{Context, bail};

use super::{Role, hash_password, new_token, token_hash};
use crate::store::{NewUser, Store};

/// Reads a new password: twice from a hidden prompt on a terminal, else one line of standard input.
fn read_new_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("New password: ").context("reading the password")?;
        let second = rpassword::prompt_password("Repeat it: ").context("reading the password")?;
        if first != second {
            bail!("the two passwords differ");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("reading the password from standard input")?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

async fn hashed_password() -> anyhow::Result<String> {
    let password = read_new_password()?;
    Ok(tokio::task::spawn_blocking(move || hash_password(&password)).await.context("hashing the password")??)
}

/// `newsroom user add`: creates an account with a password read from the prompt or standard input.
pub async fn add_user(store: &Store, email: &str, name: &str, role: Role) -> anyhow::Result<String> {
    let hash = hashed_password().await?;
    store
        .create_user(&NewUser { email, name, role, password_hash: Some(&hash) })
        .await
        .with_context(|| format!("creating the account {email}"))?;
    Ok(format!("Created {} account for {name} <{email}>. Sign in at /admin.", role.as_str()))
}

/// `newsroom user reset-password`: sets a new password, signs the account out everywhere and revokes its API
/// tokens.
pub async fn reset_password(store: &Store, email: &str) -> anyhow::Result<String> {
    let (user, _) = store.user_by_email(email).await?.with_context(|| format!("no account for {email}"))?;
    let hash = hashed_password().await?;
    let revoked = store.set_password(user.id, &hash, None).await.context("saving the password")?;
    let tokens = if revoked == 1 { "token" } else { "tokens" };
    Ok(format!(
        "New password set for {email}; their sessions are signed out and their API tokens revoked \
         ({revoked} {tokens})."
    ))
}

/// `newsroom token create`: makes an API token for an account and returns it (shown once, stored hashed).
pub async fn create_token(store: &Store, email: &str, label: &str) -> anyhow::Result<String> {
    let (user, _) = store.user_by_email(email).await?.with_context(|| format!("no account for {email}"))?;
    let token = new_token();
    store.create_api_token(&token_hash(&token), user.id, label).await.context("saving the token")?;
    Ok(token)
}
