//! Reading back-office forms: plain (`application/x-www-form-urlencoded`) or with a file
//! (`multipart/form-data`), into the same [`Fields`], so one handler serves a form whether or not the editor
//! attached a file.

use axum::extract::{Form, FromRequest, Multipart, Request};
use axum::http::header;

use super::AdminError;
use crate::content::{ControlCharacter, check_text};

/// The longest text field read from a multipart form (an article body with room to spare); files are bounded
/// by the route's body limit instead.
const MAX_TEXT_FIELD: usize = 2 * 1024 * 1024;

/// A form's fields in order; names may repeat. No value holds a control character (see
/// [`crate::content::check_text`]): a form that sends one is refused whole, before any handler reads it.
#[derive(Debug, Default)]
pub struct Fields(Vec<(String, String)>);

impl<'de> serde::Deserialize<'de> for Fields {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Fields, D::Error> {
        Fields::checked(Vec::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

impl Fields {
    /// The fields, if no value holds a control character.
    fn checked(pairs: Vec<(String, String)>) -> Result<Fields, ControlCharacter> {
        for (name, value) in &pairs {
            check_text(&format!("the field {name:?}"), value)?;
        }
        Ok(Fields(pairs))
    }

    /// The first value of `name`, or empty.
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(key, _)| key == name).map_or("", |(_, value)| value.as_str())
    }

    /// Every non-empty value of `name`, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(key, value)| key == name && !value.trim().is_empty()).map(|(_, v)| v.as_str()).collect()
    }

    /// Whether `name` was sent (a ticked checkbox).
    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(key, _)| key == name)
    }
}

/// A submitted form: its text fields and the files attached to it (by field name), empty file inputs left out.
#[derive(Debug, Default)]
pub struct Submitted {
    /// The text fields.
    pub fields: Fields,
    files: Vec<(String, Vec<u8>)>,
}

impl Submitted {
    /// The content of the file sent as `name`, if one was chosen.
    pub fn file(&self, name: &str) -> Option<&[u8]> {
        self.files.iter().find(|(key, _)| key == name).map(|(_, bytes)| bytes.as_slice())
    }

    /// Takes the file sent as `name` out of the form.
    pub fn take_file(&mut self, name: &str) -> Option<Vec<u8>> {
        let index = self.files.iter().position(|(key, _)| key == name)?;
        Some(self.files.swap_remove(index).1)
    }
}

impl<S: Send + Sync> FromRequest<S> for Submitted {
    type Rejection = AdminError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let multipart = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("multipart/form-data"));
        let invalid = |error: ControlCharacter| AdminError::Invalid(error.to_string());
        if !multipart {
            let Form(pairs) = Form::<Vec<(String, String)>>::from_request(request, state)
                .await
                .map_err(|rejection| AdminError::BadRequest(rejection.body_text()))?;
            return Ok(Submitted { fields: Fields::checked(pairs).map_err(invalid)?, files: Vec::new() });
        }
        let bad = |error: axum::extract::multipart::MultipartError| match error.status() {
            // A body cut off at the limit (sent without a length, so refused while read) is too large.
            axum::http::StatusCode::PAYLOAD_TOO_LARGE => AdminError::too_large(crate::media::MAX_UPLOAD_REQUEST_BYTES),
            _ => AdminError::BadRequest(error.body_text()),
        };
        let mut form = Multipart::from_request(request, state)
            .await
            .map_err(|rejection| AdminError::BadRequest(rejection.body_text()))?;
        let mut submitted = Submitted::default();
        while let Some(field) = form.next_field().await.map_err(bad)? {
            let name = field.name().unwrap_or_default().to_owned();
            if field.file_name().is_some() {
                let bytes = field.bytes().await.map_err(bad)?;
                // A file input left empty still sends a part, with no name and no content.
                if !bytes.is_empty() {
                    submitted.files.push((name, bytes.to_vec()));
                }
            } else {
                let text = field.text().await.map_err(bad)?;
                if text.len() > MAX_TEXT_FIELD {
                    return Err(AdminError::BadRequest(format!("the field {name:?} is too long")));
                }
                submitted.fields.0.push((name, text));
            }
        }
        submitted.fields = Fields::checked(std::mem::take(&mut submitted.fields.0)).map_err(invalid)?;
        Ok(submitted)
    }
}
