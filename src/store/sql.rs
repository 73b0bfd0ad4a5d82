//! A query built piece by piece, with `$N` placeholders on every backend.
//!
//! sqlx's own `QueryBuilder` writes `?` placeholders for the `Any` driver, which PostgreSQL refuses; this one
//! numbers them, which both SQLite and PostgreSQL read. The few methods the store uses keep `QueryBuilder`'s
//! names.

use std::fmt::Write as _;

use sqlx::any::{Any, AnyArguments, AnyRow};
use sqlx::error::BoxDynError;
use sqlx::query::{Query, QueryAs, QueryScalar};
use sqlx::{Arguments, Encode, FromRow, Type};

use super::StoreError;

/// SQL text and the values bound to its placeholders.
pub(super) struct QueryBuilder<'args> {
    text: String,
    arguments: Result<AnyArguments<'args>, BoxDynError>,
    /// The same values as `arguments`, for the direct SQLite reader (see [`super::direct`]), which does not
    /// go through sqlx.
    values: Vec<SqlValue>,
    binds: usize,
}

/// A value bound to a placeholder, in a form any driver takes.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum SqlValue {
    /// An integer (ids, times as seconds, counts).
    Integer(i64),
    /// Text.
    Text(String),
    /// No value.
    Null,
}

impl<T: Into<SqlValue>> From<Option<T>> for SqlValue {
    fn from(value: Option<T>) -> SqlValue {
        value.map_or(SqlValue::Null, Into::into)
    }
}

impl From<i64> for SqlValue {
    fn from(value: i64) -> SqlValue {
        SqlValue::Integer(value)
    }
}

impl From<&str> for SqlValue {
    fn from(value: &str) -> SqlValue {
        SqlValue::Text(value.to_owned())
    }
}

impl From<String> for SqlValue {
    fn from(value: String) -> SqlValue {
        SqlValue::Text(value)
    }
}

impl<'args> QueryBuilder<'args> {
    /// Starts a query with `text`.
    pub(super) fn new(text: impl Into<String>) -> QueryBuilder<'args> {
        QueryBuilder { text: text.into(), arguments: Ok(AnyArguments::default()), values: Vec::new(), binds: 0 }
    }

    /// Appends SQL text as it is (never input: values go through [`QueryBuilder::push_bind`]).
    pub(super) fn push(&mut self, text: impl AsRef<str>) -> &mut Self {
        self.text.push_str(text.as_ref());
        self
    }

    /// Appends a placeholder and binds `value` to it.
    pub(super) fn push_bind<T>(&mut self, value: T) -> &mut Self
    where
        T: 'args + Encode<'args, Any> + Type<Any> + Clone + Into<SqlValue>,
    {
        self.binds += 1;
        self.values.push(value.clone().into());
        // Writing to a String cannot fail.
        let _ = write!(self.text, "${}", self.binds);
        if let Ok(arguments) = &mut self.arguments
            && let Err(error) = arguments.add(value)
        {
            self.arguments = Err(error);
        }
        self
    }

    /// Appends `$a, $b, …` binding each of `values`, and the closing `)` of an `IN (` list.
    pub(super) fn push_list<T>(&mut self, values: impl IntoIterator<Item = T>) -> &mut Self
    where
        T: 'args + Encode<'args, Any> + Type<Any> + Clone + Into<SqlValue>,
    {
        for (index, value) in values.into_iter().enumerate() {
            if index > 0 {
                self.push(", ");
            }
            self.push_bind(value);
        }
        self.push(")")
    }

    /// The SQL text and its values, for a driver other than sqlx.
    pub(super) fn text_and_values(&self) -> (&str, &[SqlValue]) {
        (&self.text, &self.values)
    }

    /// The bound values, or why one could not be encoded.
    fn take_arguments(&mut self) -> Result<AnyArguments<'args>, StoreError> {
        std::mem::replace(&mut self.arguments, Ok(AnyArguments::default()))
            .map_err(|error| StoreError::Database(sqlx::Error::Encode(error)))
    }

    /// The query, to execute.
    pub(super) fn build(&mut self) -> Result<Query<'_, Any, AnyArguments<'_>>, StoreError> {
        let arguments = self.take_arguments()?;
        Ok(sqlx::query_with(&self.text, arguments))
    }

    /// The query, reading each row as `T`.
    pub(super) fn build_query_as<T>(&mut self) -> Result<QueryAs<'_, Any, T, AnyArguments<'_>>, StoreError>
    where
        T: for<'r> FromRow<'r, AnyRow>,
    {
        let arguments = self.take_arguments()?;
        Ok(sqlx::query_as_with(&self.text, arguments))
    }

    /// The query, reading the first column of each row as `T`.
    pub(super) fn build_query_scalar<T>(&mut self) -> Result<QueryScalar<'_, Any, T, AnyArguments<'_>>, StoreError>
    where
        (T,): for<'r> FromRow<'r, AnyRow>,
    {
        let arguments = self.take_arguments()?;
        Ok(sqlx::query_scalar_with(&self.text, arguments))
    }
}
