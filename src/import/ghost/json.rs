//! Reading a Ghost export as a stream. Exports from Ghost 0.x to 5.x wrap their tables differently
//! (`{"db":[{"meta","data"}]}`, `{"meta","data"}`, or the importer's `{"data":{"meta","data"}}`); this walks
//! any of those shapes and hands over each post as it is read, keeping only the small tables in memory.

use std::fmt;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::import::ImportError;

/// The tables kept from the first pass (everything but the posts).
#[derive(Debug, Default)]
pub struct Tables {
    /// The export's Ghost version (`meta.version`).
    pub version: Option<String>,
    /// Rows of `tags`.
    pub tags: Vec<Value>,
    /// Rows of `posts_tags`.
    pub posts_tags: Vec<Value>,
    /// Rows of `users`.
    pub users: Vec<Value>,
    /// Rows of `posts_authors`.
    pub posts_authors: Vec<Value>,
    /// Rows of `posts_meta` (Ghost 4+: feature image alt text and captions).
    pub posts_meta: Vec<Value>,
    /// Rows of `settings`.
    pub settings: Vec<Value>,
    /// How many posts the file holds.
    pub posts: u64,
    /// Whether a `data` object was found at all.
    pub saw_data: bool,
}

/// What to do with posts while walking.
enum Posts<'a> {
    /// Count them (first pass).
    Count,
    /// Hand each to the callback, which returns `false` to stop (second pass).
    Each(&'a mut dyn FnMut(Value) -> bool),
}

struct Walk<'a> {
    tables: &'a mut Tables,
    posts: Posts<'a>,
    depth: usize,
}

/// Deepest wrapping of tables accepted (`db` → `data` → `data` is three).
const MAX_DEPTH: usize = 6;

/// First pass: reads every table but the posts, and counts those.
pub fn scan(path: &Path) -> Result<Tables, ImportError> {
    let mut tables = Tables::default();
    walk(path, |file| Box::new(file), &mut tables, Posts::Count)?;
    Ok(tables)
}

/// Second pass: hands each post to `post` in file order; it returns `false` to stop.
/// `wrap` may wrap the file (to count bytes read for progress).
pub fn each_post(
    path: &Path,
    wrap: impl FnOnce(File) -> Box<dyn Read>,
    mut post: impl FnMut(Value) -> bool,
) -> Result<(), ImportError> {
    let mut tables = Tables::default();
    walk(path, wrap, &mut tables, Posts::Each(&mut post))
}

fn walk<'a>(
    path: &Path,
    wrap: impl FnOnce(File) -> Box<dyn Read>,
    tables: &'a mut Tables,
    posts: Posts<'a>,
) -> Result<(), ImportError> {
    let file = File::open(path).map_err(|e| ImportError::io(format!("opening {}", path.display()), e))?;
    let mut deserializer = serde_json::Deserializer::from_reader(BufReader::with_capacity(1 << 16, wrap(file)));
    let result = Walk { tables, posts, depth: 0 }.deserialize(&mut deserializer).and_then(|()| deserializer.end());
    result.map_err(|error| crate::import::json_error(&error))
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Ghost export object")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        if self.depth > MAX_DEPTH {
            return Err(serde::de::Error::custom("tables nested too deep for a Ghost export"));
        }
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "db" => map.next_value_seed(Each { walk: self.nested() })?,
                "data" => {
                    self.tables.saw_data = true;
                    map.next_value_seed(self.nested())?;
                }
                "meta" => {
                    let meta: Value = map.next_value()?;
                    if let Some(version) = meta.get("version").and_then(Value::as_str) {
                        self.tables.version = Some(version.to_owned());
                    }
                }
                "posts" => map.next_value_seed(PostList { posts: &mut self.posts, count: &mut self.tables.posts })?,
                "tags" => self.tables.tags = map.next_value()?,
                "posts_tags" => self.tables.posts_tags = map.next_value()?,
                "users" => self.tables.users = map.next_value()?,
                "posts_authors" => self.tables.posts_authors = map.next_value()?,
                "posts_meta" => self.tables.posts_meta = map.next_value()?,
                "settings" => self.tables.settings = map.next_value()?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }

    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

impl<'a> Walk<'a> {
    /// The same walk one level down (the borrow ends with the nested value).
    fn nested(&mut self) -> Walk<'_> {
        let posts = match &mut self.posts {
            Posts::Count => Posts::Count,
            Posts::Each(callback) => Posts::Each(&mut **callback),
        };
        Walk { tables: self.tables, posts, depth: self.depth + 1 }
    }
}

/// `db`: a list of exports, each walked in turn.
struct Each<'a> {
    walk: Walk<'a>,
}

impl<'de> DeserializeSeed<'de> for Each<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Each<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of exports")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(self.walk.nested())?.is_some() {}
        Ok(())
    }
}

/// `posts`: counted or handed over one at a time, never all held.
struct PostList<'a, 'b> {
    posts: &'a mut Posts<'b>,
    count: &'a mut u64,
}

impl<'de> DeserializeSeed<'de> for PostList<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for PostList<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of posts")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        match self.posts {
            Posts::Count => {
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    *self.count += 1;
                }
            }
            Posts::Each(callback) => {
                while let Some(post) = seq.next_element::<Value>()? {
                    *self.count += 1;
                    if !callback(post) {
                        // The writer stopped and holds the reason; reading on would be wasted.
                        return Err(serde::de::Error::custom("the import stopped"));
                    }
                }
            }
        }
        Ok(())
    }
}
