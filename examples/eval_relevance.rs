//! Measures Search and Recommend on a labelled corpus (the BBC News data set: one folder per topic, one
//! article per file, headline on the first line). Each article is loaded into a temporary site with no
//! section, tag or anything else derived from its folder, so the label stays out of everything the ranking
//! sees; the folder is only used afterwards, to judge.
//!
//!   cargo run --release --example eval_relevance -- CORPUS_DIR [--min-precision 0.95] [--min-known-item 0.98]
//!
//! Prints precision@5 of Recommend (the share of recommended articles from the article's own folder) and
//! known-item search (the share of articles that come first when their headline is the query), and exits
//! non-zero when either is below its target.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use chrono::{DateTime, Duration, Utc};
use newsroom::content::{ArticleInput, ArticleStatus, AuthorInput, SectionInput, Slug, plain_text};
use newsroom::search::{RecommendSource, SearchIndex, SearchRequest};
use newsroom::store::{Batch, Store};
use sha2::{Digest, Sha256};

/// Articles recommended per article.
const RECOMMEND: usize = 5;

struct Document {
    label: String,
    slug: String,
    headline: String,
    body: String,
}

/// Reads every `*.txt` below `root`, one folder per label; files that are not UTF-8 are Latin-1.
fn read_corpus(root: &Path) -> anyhow::Result<(Vec<Document>, usize)> {
    let mut folders: Vec<PathBuf> = std::fs::read_dir(root)
        .with_context(|| format!("reading {}", root.display()))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    folders.sort();
    let mut seen = HashSet::new();
    let mut documents = Vec::new();
    let mut duplicates = 0;
    for folder in folders {
        let label = folder.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|e| e == "txt"))
            .collect();
        files.sort();
        for file in files {
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let text = match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(error) => error.into_bytes().iter().map(|&b| char::from(b)).collect(),
            };
            if !seen.insert(Sha256::digest(text.trim().as_bytes())) {
                duplicates += 1;
                continue;
            }
            let mut lines = text.trim().splitn(2, '\n');
            let headline = lines.next().unwrap_or_default().trim().to_owned();
            let body = lines.next().unwrap_or_default().trim().to_owned();
            let slug = format!("story-{}", documents.len() + 1);
            documents.push(Document { label: label.clone(), slug, headline, body });
        }
    }
    Ok((documents, duplicates))
}

/// A publication time that depends only on the text, never on the folder or file order.
fn publication_time(document: &Document, now: DateTime<Utc>) -> DateTime<Utc> {
    let digest = Sha256::digest(document.body.as_bytes());
    let minutes = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) % (2 * 365 * 24 * 60);
    now - Duration::minutes(i64::from(minutes) + 60)
}

fn percentile(sorted: &[f64], share: f64) -> f64 {
    sorted.get(((sorted.len() as f64 - 1.0) * share).round() as usize).copied().unwrap_or_default()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut corpus = None;
    let (mut min_precision, mut min_known_item) = (0.95, 0.98);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--min-precision" => min_precision = args.next().context("a number")?.parse()?,
            "--min-known-item" => min_known_item = args.next().context("a number")?.parse()?,
            _ => corpus = Some(PathBuf::from(arg)),
        }
    }
    let corpus = corpus.context("usage: eval_relevance CORPUS_DIR")?;
    let (documents, duplicates) = read_corpus(&corpus)?;
    println!("corpus: {} articles from {} ({duplicates} exact duplicates skipped)", documents.len(), corpus.display());

    let site = tempfile::tempdir()?;
    let store = Store::open_sqlite(&site.path().join("newsroom.db")).await?;
    let now = Utc::now();
    let mut batch = Batch {
        sections: vec![SectionInput {
            slug: Slug::parse("news")?,
            name: "News".into(),
            description: String::new(),
            position: 0,
        }],
        authors: vec![AuthorInput {
            slug: Slug::parse("desk")?,
            name: "News Desk".into(),
            bio: String::new(),
            avatar: None,
        }],
        ..Batch::default()
    };
    for document in &documents {
        let input = ArticleInput {
            section: Slug::parse("news")?,
            slug: Slug::parse(&document.slug)?,
            headline: document.headline.clone(),
            standfirst: String::new(),
            body_markdown: document.body.clone(),
            authors: vec![Slug::parse("desk")?],
            tags: vec![],
            lead_image: None,
            language: "en".into(),
            status: ArticleStatus::Published,
            published_at: Some(publication_time(document, now)),
            updated_at: None,
            view_count: 0,
        };
        batch.articles.push(input.prepare()?);
    }
    store.apply(&batch).await?;
    let index = Arc::new(SearchIndex::open(&site.path().join("search"))?);
    let started = Instant::now();
    let indexed = index.rebuild(&store).await?;
    println!("indexed {indexed} articles in {:.2} s", started.elapsed().as_secs_f64());

    // Ids are assigned in insertion order.
    let mut ids = std::collections::HashMap::new();
    for (position, document) in documents.iter().enumerate() {
        ids.insert(position as i64 + 1, document);
    }
    let (mut same, mut recommended, mut found_first) = (0_usize, 0_usize, 0_usize);
    let (mut recommend_ms, mut search_ms) = (Vec::new(), Vec::new());
    let mut misses = Vec::new();
    for (&id, document) in &ids {
        let source = RecommendSource {
            id,
            headline: document.headline.clone(),
            standfirst: String::new(),
            body: plain_text(&document.body),
            tags: vec![],
            language: None,
        };
        let started = Instant::now();
        let picks = index.recommend(&source, now.timestamp(), RECOMMEND)?;
        recommend_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        if picks.contains(&id) {
            bail!("{} was recommended to itself", document.slug);
        }
        recommended += picks.len();
        same += picks.iter().filter(|pick| ids.get(pick).is_some_and(|d| d.label == document.label)).count();

        let request =
            SearchRequest { text: document.headline.clone(), limit: 1, now: now.timestamp(), ..Default::default() };
        let started = Instant::now();
        let results = index.search(&request)?;
        search_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        if results.ids.first() == Some(&id) {
            found_first += 1;
        } else if misses.len() < 5 {
            misses.push(document.headline.clone());
        }
    }
    recommend_ms.sort_by(f64::total_cmp);
    search_ms.sort_by(f64::total_cmp);
    let precision = same as f64 / recommended.max(1) as f64;
    let known_item = found_first as f64 / ids.len().max(1) as f64;
    println!(
        "recommend: precision@5 {precision:.3} (target {min_precision}) over {recommended} recommendations; \
         {:.2} ms p50, {:.2} ms p99 per article",
        percentile(&recommend_ms, 0.5),
        percentile(&recommend_ms, 0.99)
    );
    println!(
        "known-item search: {known_item:.3} (target {min_known_item}), {found_first} of {} headlines find their \
         article first; {:.2} ms p50, {:.2} ms p99",
        ids.len(),
        percentile(&search_ms, 0.5),
        percentile(&search_ms, 0.99)
    );
    for headline in &misses {
        println!("  not first: {headline}");
    }
    index.close().await;
    store.close().await;
    if precision < min_precision || known_item < min_known_item {
        bail!("below target");
    }
    Ok(())
}
