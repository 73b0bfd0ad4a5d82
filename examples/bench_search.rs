//! Search and Recommend speed on a generated site (see `scripts/bench-search`): typical one- to three-word
//! queries drawn from the site's own headlines, run through the index and, as the baseline in the same run,
//! through the `LIKE '%word%'` scan a plain SQL site uses; then Recommend computed on demand for random
//! articles. Prints p50 and p99 of each and the ratio to the baseline.
//!
//!   cargo run --release --example bench_search -- DATA_DIR [--queries N]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use newsroom::content::plain_text;
use newsroom::search::{RecommendSource, SearchIndex, SearchRequest};
use newsroom::store::Store;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

fn percentile(samples: &mut [f64], share: f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples.get(((samples.len() as f64 - 1.0) * share).round() as usize).copied().unwrap_or_default()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut data = None;
    let mut queries = 1000_usize;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--queries" => queries = args.next().context("a number")?.parse()?,
            _ => data = Some(PathBuf::from(arg)),
        }
    }
    let data = data.context("usage: bench_search DATA_DIR [--queries N]")?;
    let store = Store::open_sqlite(&data.join("newsroom.db")).await?;
    let index = Arc::new(SearchIndex::open(&data.join("search"))?);
    let caught_up = index.catch_up(&store).await?;
    println!("index: {} articles ({caught_up:?})", index.len());

    let mut random = StdRng::seed_from_u64(7);
    let ids = store.published_ids_after(0, i64::MAX).await?;
    let sample: Vec<i64> = ids.choose_multiple(&mut random, queries).copied().collect();
    let articles = store.indexed_articles(&sample).await?;
    let now = chrono::Utc::now().timestamp();

    // Typical queries: one to three words of four letters or more from a headline.
    let mut texts = Vec::with_capacity(articles.len());
    for article in &articles {
        let words: Vec<&str> = article.headline.split_whitespace().filter(|w| w.len() >= 4).collect();
        let take = random.gen_range(1..=3).min(words.len().max(1));
        texts.push(words.choose_multiple(&mut random, take).copied().collect::<Vec<_>>().join(" "));
    }

    let mut search_ms = Vec::with_capacity(texts.len());
    let mut found = 0;
    for text in &texts {
        let request = SearchRequest { text: text.clone(), limit: 10, now, ..Default::default() };
        let started = Instant::now();
        let results = index.search(&request)?;
        search_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        found += usize::from(!results.ids.is_empty());
    }

    // The baseline: what a site without a search engine does, on the same database and queries (fewer of
    // them: each scans every body).
    let baseline_runs = texts.len().min(50);
    let mut like_ms = Vec::with_capacity(baseline_runs);
    for text in texts.iter().take(baseline_runs) {
        let started = Instant::now();
        store.like_search(text, 10).await?;
        like_ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }

    let mut recommend_ms = Vec::with_capacity(articles.len());
    for article in &articles {
        let source = RecommendSource {
            id: article.id,
            headline: article.headline.clone(),
            standfirst: article.standfirst.clone(),
            body: plain_text(&article.body_markdown),
            tags: article.tags.clone(),
            language: None,
        };
        let started = Instant::now();
        index.recommend(&source, now, 5)?;
        recommend_ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }

    let (search_p50, search_p99) = (percentile(&mut search_ms, 0.5), percentile(&mut search_ms, 0.99));
    let (like_p50, like_p99) = (percentile(&mut like_ms, 0.5), percentile(&mut like_ms, 0.99));
    println!(
        "search: {} queries ({found} with results), p50 {search_p50:.2} ms, p99 {search_p99:.2} ms (targets 5 and 50)",
        texts.len()
    );
    println!(
        "baseline LIKE scan: {baseline_runs} queries, p50 {like_p50:.1} ms, p99 {like_p99:.1} ms; \
         ratio baseline/search {:.1} at p50, {:.0} at p99",
        like_p50 / search_p50.max(f64::EPSILON),
        like_p99 / search_p99.max(f64::EPSILON)
    );
    println!(
        "recommend on demand: {} articles, p50 {:.2} ms, p99 {:.2} ms (target 5)",
        recommend_ms.len(),
        percentile(&mut recommend_ms, 0.5),
        percentile(&mut recommend_ms, 0.99)
    );
    index.close().await;
    store.close().await;
    Ok(())
}
