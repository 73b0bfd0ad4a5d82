//! A generator of large, realistic sites for benchmarks and load tests: sections, authors, tags, articles of
//! about 800 words with a varied, Zipf-distributed vocabulary, publication times over several years, and
//! skewed view counts (a few articles read a lot, most read little). The same seed gives the same site.

mod words;

use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::content::{
    ArticleInput, ArticleStatus, AuthorInput, ContentError, LeadImage, PreparedArticle, SectionInput, Slug, SlugError,
};
use crate::store::{Batch, ImportArticle, Store, StoreError};

/// Articles written per transaction: large enough to amortise commits, small enough to bound memory.
const CHUNK: usize = 2_000;
/// The generated site's sections (slug, name).
const SECTIONS: [(&str, &str); 8] = [
    ("news", "News"),
    ("world", "World"),
    ("politics", "Politics"),
    ("business", "Business"),
    ("science", "Science"),
    ("culture", "Culture"),
    ("sport", "Sport"),
    ("opinion", "Columns and Opinions"),
];
const AUTHORS: usize = 150;
const TAGS: usize = 600;
/// Publication times spread over this many days before now.
const SPAN_DAYS: i64 = 5 * 365;
/// Shared illustrations (drawn once, referenced by many articles).
const ILLUSTRATIONS: u64 = 24;

/// Why a site could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// The target already has content; generating into it would mix the two.
    #[error("the data directory already holds {0} articles; generate into an empty one")]
    NotEmpty(i64),
    /// A generated value broke a content rule (a bug in the generator).
    #[error(transparent)]
    Content(#[from] ContentError),
    /// A generated slug was invalid (a bug in the generator).
    #[error(transparent)]
    Slug(#[from] SlugError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Illustrations could not be written.
    #[error("writing illustrations: {0}")]
    Io(#[from] std::io::Error),
}

/// Generates `count` published articles (with their sections, authors and tags) into an empty store,
/// calling `progress` with the number written so far after each chunk.
pub async fn generate(
    store: &Store,
    media_dir: &Path,
    count: usize,
    seed: u64,
    mut progress: impl FnMut(usize),
) -> Result<(), GenerateError> {
    let existing = store.article_count().await?;
    if existing > 0 {
        return Err(GenerateError::NotEmpty(existing));
    }
    let now = Utc::now();
    let mut rng = StdRng::seed_from_u64(seed);
    let vocabulary = words::Vocabulary::new(&mut rng);
    let authors: Vec<AuthorInput> = (0..AUTHORS).map(|i| author(&mut rng, i)).collect::<Result<_, _>>()?;
    let tags: Vec<String> = (0..TAGS).map(|i| vocabulary.tag_name(&mut rng, i)).collect();
    write_illustrations(media_dir)?;
    let sections = SECTIONS
        .iter()
        .zip(0_i64..)
        .map(|((slug, name), position)| {
            Ok(SectionInput {
                slug: Slug::parse_top_level(slug)?,
                name: (*name).to_owned(),
                description: format!("The latest from {name}."),
                position,
            })
        })
        .collect::<Result<Vec<_>, SlugError>>()?;
    store
        .apply(&Batch {
            settings: vec![
                ("site.name".to_owned(), "The Generated Gazette".to_owned()),
                ("site.description".to_owned(), "A large generated site for benchmarks.".to_owned()),
            ],
            sections,
            authors: authors.clone(),
            articles: vec![],
        })
        .await?;

    let mut written = 0;
    while written < count {
        let size = CHUNK.min(count - written);
        // Seeds are drawn in order, so the site is the same whatever the chunking.
        let seeds: Vec<u64> = (0..size).map(|_| rng.r#gen()).collect();
        let chunk_start = written;
        let (vocab, tags_ref, authors_ref) = (&vocabulary, &tags, &authors);
        let articles = std::thread::scope(|scope| {
            let half = seeds.len() / 2;
            let (first, second) = seeds.split_at(half);
            let make = |part: &[u64], offset: usize| -> Result<Vec<PreparedArticle>, GenerateError> {
                part.iter()
                    .enumerate()
                    .map(|(i, &s)| {
                        article(vocab, tags_ref, authors_ref, chunk_start + offset + i, s, now)?
                            .prepare()
                            .map_err(GenerateError::from)
                    })
                    .collect()
            };
            let other = scope.spawn(move || make(second, half));
            let mut mine = make(first, 0)?;
            let theirs = other.join().map_err(|_| std::io::Error::other("generator thread panicked"))??;
            mine.extend(theirs);
            Ok::<_, GenerateError>(mine)
        })?;
        write_articles(store, &articles).await?;
        written += size;
        progress(written);
    }
    Ok(())
}

/// Writes one chunk of new articles in one transaction through the importer's writer, which remembers section,
/// author and tag ids and writes bylines and tags in one statement each: every statement is a round trip to
/// the database's thread, and the general save path spends about three times as many per article.
async fn write_articles(store: &Store, articles: &[PreparedArticle]) -> Result<(), StoreError> {
    let mut writer = store.begin_import("generate").await?;
    for prepared in articles {
        let lead_image_id = match &prepared.input.lead_image {
            Some(image) => Some(writer.put_image(image, None, false).await?.0),
            None => None,
        };
        let written = prepared.input.published_at.map_or_else(|| Utc::now().timestamp(), |at| at.timestamp());
        writer
            .put_article(&ImportArticle {
                prepared,
                key: None,
                created_at: written,
                modified_at: written,
                correction: "",
                lead_image_id,
                search: &crate::content::SearchAndSocial::default(),
                share_image_id: None,
                owner: None,
            })
            .await?;
    }
    writer.commit().await
}

fn author(rng: &mut StdRng, index: usize) -> Result<AuthorInput, SlugError> {
    let first = words::FIRST_NAMES[rng.gen_range(0..words::FIRST_NAMES.len())];
    let last = words::LAST_NAMES[rng.gen_range(0..words::LAST_NAMES.len())];
    let name = format!("{first} {last}");
    Ok(AuthorInput {
        slug: Slug::from_title(&format!("{name} {index}"))?,
        bio: format!("{name} has reported for the Gazette since {}.", 2000 + index % 25),
        name,
        avatar: None,
    })
}

fn article(
    vocabulary: &words::Vocabulary,
    tags: &[String],
    authors: &[AuthorInput],
    index: usize,
    seed: u64,
    now: DateTime<Utc>,
) -> Result<ArticleInput, SlugError> {
    let mut rng = StdRng::seed_from_u64(seed);
    let section = rng.gen_range(0..SECTIONS.len());
    let headline = vocabulary.headline(&mut rng, section);
    let slug = Slug::from_title(&format!("{headline} {index}"))?;
    let author_count = if rng.gen_bool(0.15) { 2 } else { 1 };
    let authors = (0..author_count).map(|_| authors[rng.gen_range(0..authors.len())].slug.clone()).collect();
    let tag_count = rng.gen_range(2..=5);
    let tags = (0..tag_count).map(|_| tags[words::zipf_index(&mut rng, tags.len())].clone()).collect();
    let published_at = now - Duration::seconds(rng.gen_range(60..SPAN_DAYS * 86_400));
    // Pareto-distributed views: most articles a few hundred, a few hundreds of thousands.
    let views = (150.0 / rng.gen_range(0.0005_f64..1.0).powf(0.9)) as i64;
    let illustration = rng.gen_range(0..ILLUSTRATIONS);
    Ok(ArticleInput {
        section: Slug::parse(SECTIONS[section].0)?,
        slug,
        standfirst: vocabulary.sentence(&mut rng, section, 22..36),
        body_markdown: vocabulary.body(&mut rng, section, 800),
        headline,
        authors,
        tags,
        lead_image: Some(LeadImage {
            path: illustration_path(illustration),
            width: crate::demo::LEAD_WIDTH,
            height: crate::demo::LEAD_HEIGHT,
            alt: "An abstract illustration".to_owned(),
            caption: String::new(),
            credit: "Illustration: The Generated Gazette".to_owned(),
            variants: Vec::new(),
            crops: Vec::new(),
        }),
        language: "en".to_owned(),
        status: ArticleStatus::Published,
        published_at: Some(published_at),
        updated_at: None,
        view_count: views,
    })
}

fn illustration_path(index: u64) -> String {
    format!("generated/illustration-{index}.svg")
}

fn write_illustrations(media_dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(media_dir.join("generated"))?;
    for index in 0..ILLUSTRATIONS {
        let motif = crate::demo::MOTIFS[(index as usize) % crate::demo::MOTIFS.len()];
        std::fs::write(media_dir.join(illustration_path(index)), crate::demo::illustration(motif, index))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn generates_a_browsable_site_deterministically() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let store = Store::open_sqlite(&dir.path().join("db")).await?;
        let mut reported = Vec::new();
        generate(&store, dir.path(), 50, 7, |n| reported.push(n)).await?;
        assert_eq!(reported, [50]);
        assert_eq!(store.article_count().await?, 50);
        assert!(matches!(generate(&store, dir.path(), 1, 7, |_| {}).await, Err(GenerateError::NotEmpty(50))));

        let other = tempfile::tempdir()?;
        let again = Store::open_sqlite(&other.path().join("db")).await?;
        generate(&again, other.path(), 50, 7, |_| {}).await?;
        let newest = |s: Store| async move {
            s.cards(&crate::store::CardQuery::newest(crate::store::ListFilter::All, 5), Utc::now()).await
        };
        let a: Vec<String> = newest(store).await?.into_iter().map(|c| c.headline).collect();
        let b: Vec<String> = newest(again).await?.into_iter().map(|c| c.headline).collect();
        assert_eq!(a, b, "the same seed gives the same site");
        Ok(())
    }
}
