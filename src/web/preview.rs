//! The back office's way to the public site's article page, for its previews: the site makes the page (its
//! article render, so a preview is what readers will get), the wiring hands it over, and no face uses another.

use std::sync::Arc;

use axum::response::Response;
use futures_util::future::BoxFuture;

/// Answers with the page of an article (by id) as readers will see it, from its last save whatever its status,
/// marked as a preview. Cheap to clone.
#[derive(Clone)]
pub struct PreviewPages(Arc<dyn Fn(i64) -> BoxFuture<'static, Response> + Send + Sync>);

impl PreviewPages {
    /// Previews made by `page`.
    pub fn new(page: impl Fn(i64) -> BoxFuture<'static, Response> + Send + Sync + 'static) -> PreviewPages {
        PreviewPages(Arc::new(page))
    }

    /// The preview of article `id` (the site's 404 page when there is no such article).
    pub async fn page(&self, id: i64) -> Response {
        (self.0)(id).await
    }
}

impl std::fmt::Debug for PreviewPages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PreviewPages")
    }
}
