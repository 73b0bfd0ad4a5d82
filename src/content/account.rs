//! Accounts as the content model knows them: a person who signs in, and the role that says what they may do.
//! The rules themselves live in `auth`.

use serde::Serialize;

/// A user's role, from most to least powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything: users, settings, all content.
    Administrator,
    /// All articles, sections and tags; publishes.
    Editor,
    /// Their own articles; publishes them.
    Author,
    /// Their own drafts; submits them for review and cannot publish.
    Contributor,
}

impl Role {
    /// Every role, most powerful first.
    pub const ALL: [Role; 4] = [Role::Administrator, Role::Editor, Role::Author, Role::Contributor];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Editor => "editor",
            Role::Author => "author",
            Role::Contributor => "contributor",
        }
    }

    /// Reads a stored or typed role name.
    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(text: &str) -> Result<Role, String> {
        Role::parse(text).ok_or_else(|| format!("unknown role {text:?}: administrator, editor, author or contributor"))
    }
}

/// A signed-in person, as the rules need them.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    /// Database id.
    pub id: i64,
    /// Sign-in address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// What they may do.
    pub role: Role,
    /// The author profile that is their byline, if any.
    pub author_id: Option<i64>,
}
