//! A database as an operator names it, which may hold a password: shown everywhere without it.

use std::fmt;
use std::str::FromStr;

/// What stands where a password was.
const HIDDEN: &str = "***";

/// A database name as given on the command line, in `newsroom.toml` or `NEWSROOM_DATABASE_URL`: a URL such
/// as `postgres://user:password@host/name`, `sqlite:FILE`, or a path. `Display` and `Debug` write it with
/// any password hidden (in the URL's user part and in query parameters such as `?password=`), so that it
/// cannot reach output, error messages or logs by accident; only [`DatabaseUrl::expose`] gives the text as
/// written, for connecting.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// Wraps a database name.
    pub fn new(text: impl Into<String>) -> DatabaseUrl {
        DatabaseUrl(text.into())
    }

    /// The name as written, password included: for opening the database, never for printing.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the name is empty or blank (an unset environment variable, say).
    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }

    /// The name with every password replaced by `***`.
    pub fn redacted(&self) -> String {
        let text = self.0.as_str();
        if !text.contains("://") {
            // A path or `sqlite:FILE`: no place for a password.
            return text.to_owned();
        }
        match url::Url::parse(text) {
            Ok(mut url) => {
                if url.password().is_some() {
                    // A URL that has a password has a host, so setting it cannot fail.
                    let _ = url.set_password(Some(HIDDEN));
                }
                if url.query_pairs().any(|(key, _)| is_secret_key(&key)) {
                    let pairs: Vec<(String, String)> = url
                        .query_pairs()
                        .map(|(key, value)| {
                            let value = if is_secret_key(&key) { HIDDEN.to_owned() } else { value.into_owned() };
                            (key.into_owned(), value)
                        })
                        .collect();
                    url.query_pairs_mut().clear().extend_pairs(pairs);
                }
                url.to_string()
            }
            // Unparseable: keep the scheme and what follows the last `@` (the host), hide the rest of the
            // authority and drop any query, since either may hold a password written in a way we cannot read.
            Err(_) => {
                let (scheme, rest) = text.split_once("://").unwrap_or(("", text));
                let rest = rest.split_once('?').map_or(rest, |(before, _)| before);
                match rest.rsplit_once('@') {
                    Some((_, host)) => format!("{scheme}://{HIDDEN}@{host}"),
                    None => format!("{scheme}://{rest}"),
                }
            }
        }
    }
}

/// Whether a query parameter of a database URL holds a secret (`password`, `sslpassword`, …).
fn is_secret_key(key: &str) -> bool {
    key.to_ascii_lowercase().contains("password")
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DatabaseUrl").field(&self.redacted()).finish()
    }
}

impl FromStr for DatabaseUrl {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<DatabaseUrl, Self::Err> {
        Ok(DatabaseUrl::new(text))
    }
}

impl From<String> for DatabaseUrl {
    fn from(text: String) -> DatabaseUrl {
        DatabaseUrl(text)
    }
}

impl<'de> serde::Deserialize<'de> for DatabaseUrl {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<DatabaseUrl, D::Error> {
        String::deserialize(deserializer).map(DatabaseUrl)
    }
}

/// Serialised whole: settings are serialised only to be merged with the other sources (figment), never to be
/// shown.
impl serde::Serialize for DatabaseUrl {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::DatabaseUrl;

    #[test]
    fn hides_the_password_of_a_url() {
        let url = DatabaseUrl::new("postgres://newsroom:s3cret-PW@db.example:5432/site");
        assert_eq!(url.to_string(), "postgres://newsroom:***@db.example:5432/site");
        assert!(!format!("{url:?}").contains("s3cret"));
        assert_eq!(url.expose(), "postgres://newsroom:s3cret-PW@db.example:5432/site");
    }

    #[test]
    fn hides_passwords_in_query_parameters() {
        let url = DatabaseUrl::new("postgres://newsroom@db/site?sslmode=require&password=s3cret&sslpassword=k3y");
        let shown = url.to_string();
        assert!(!shown.contains("s3cret") && !shown.contains("k3y"), "{shown}");
        assert!(shown.contains("sslmode=require"), "{shown}");
    }

    #[test]
    fn hides_the_user_part_of_a_url_it_cannot_parse() {
        let url = DatabaseUrl::new("postgres://newsroom:pa ss@word@db:99999/site?password=x");
        let shown = url.to_string();
        assert_eq!(shown, "postgres://***@db:99999/site");
    }

    #[test]
    fn leaves_paths_and_passwordless_urls_alone() {
        for text in ["sqlite:/var/lib/newsroom/newsroom.db", "./newsroom-data", "postgres://newsroom@db/site"] {
            assert_eq!(DatabaseUrl::new(text).to_string(), text);
        }
    }
}
