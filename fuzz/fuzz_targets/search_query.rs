//! The search query parser: anything a reader types into the search box gives results or none, never a
//! panic or an error, on an index holding the demo site.
#![no_main]

use std::sync::{Arc, LazyLock};

use libfuzzer_sys::fuzz_target;
use newsroom::search::{SearchIndex, SearchRequest, Sort};

struct Site {
    _dir: tempfile::TempDir,
    index: Arc<SearchIndex>,
}

static SITE: LazyLock<Site> = LazyLock::new(|| {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("a temporary directory: {e}"));
    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("a runtime: {e}"));
    let index = runtime.block_on(async {
        let store = newsroom::store::Store::open_sqlite(&dir.path().join("newsroom.db")).await?;
        newsroom::demo::load(&store, &dir.path().join("media")).await?;
        let index = Arc::new(SearchIndex::open(&dir.path().join("search"))?);
        index.catch_up(&store).await?;
        Ok::<_, Box<dyn std::error::Error>>(index)
    });
    let index = index.unwrap_or_else(|e| panic!("the demo site's index: {e}"));
    Site { _dir: dir, index }
});

fuzz_target!(|text: &str| {
    for sort in [Sort::Relevance, Sort::Newest] {
        let request =
            SearchRequest { text: text.to_owned(), sort, limit: 10, now: i64::from(i32::MAX), ..Default::default() };
        let results = SITE.index.search(&request).unwrap_or_else(|e| panic!("{text:?} failed: {e}"));
        for _ in &results.ids {
            let _ = results.snippet("A body of text in which the words may be found and marked.");
        }
    }
});
