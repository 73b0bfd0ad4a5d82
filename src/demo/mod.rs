//! The demo site: a fictional daily, "The Harbour Ledger", written by us and embedded in the binary, with
//! illustrations drawn by code. Publication times are relative to the moment of loading, so the demo always
//! looks current.

mod art;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, DurationRound, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::content::{
    ArticleInput, ArticleStatus, AuthorInput, ContentError, LeadImage, SearchAndSocial, SectionInput, Slug, SlugError,
};
use crate::settings::{
    DESCRIPTION as SITE_DESCRIPTION, LANGUAGES as SITE_LANGUAGES, NAME as SITE_NAME, translated_key,
};
use crate::store::{Batch, BatchReport, NewNote, Store, StoreError};

pub use art::{LEAD_HEIGHT, LEAD_WIDTH, MOTIFS};

/// Draws a lead illustration (an SVG document) for `motif`, varied by `seed`.
pub fn illustration(motif: &str, seed: u64) -> String {
    art::lead_illustration(motif, seed)
}

const SITE_FILE: &str = include_str!("site.toml");
const ARTICLE_FILES: [&str; 3] =
    [include_str!("articles-1.toml"), include_str!("articles-2.toml"), include_str!("articles-zh.toml")];
/// The languages the demo publishes in: English by default, and a Chinese edition.
const LANGUAGES: &str = "en,zh";

/// Why the demo could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// An embedded demo file does not parse (a bug in the demo content).
    #[error("demo content does not parse: {0}")]
    Parse(#[from] toml::de::Error),
    /// A demo article breaks a content rule.
    #[error("demo article {slug}: {source}")]
    Content {
        /// The article.
        slug: String,
        /// The rule broken.
        source: ContentError,
    },
    /// A demo slug is invalid.
    #[error("demo slug: {0}")]
    Slug(#[from] SlugError),
    /// An illustration could not be written.
    #[error("writing {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The store refused the demo.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The library photograph could not be made or added.
    #[error("the demo's library photograph: {0}")]
    Photo(String),
}

#[derive(Deserialize)]
struct SiteFile {
    site: SiteRecord,
    sections: Vec<SectionRecord>,
    authors: Vec<AuthorRecord>,
}

#[derive(Deserialize)]
struct SiteRecord {
    name: String,
    description: String,
    /// The name and description in other languages, by language code.
    #[serde(default)]
    translations: std::collections::BTreeMap<String, NameRecord>,
}

#[derive(Deserialize)]
struct SectionRecord {
    slug: String,
    name: String,
    description: String,
    /// The name and description in other languages, by language code.
    #[serde(default)]
    translations: std::collections::BTreeMap<String, NameRecord>,
}

/// A name and description in one language.
#[derive(Deserialize)]
struct NameRecord {
    name: String,
    description: String,
}

#[derive(Deserialize)]
struct AuthorRecord {
    slug: String,
    name: String,
    bio: String,
}

#[derive(Deserialize)]
struct ArticlesFile {
    articles: Vec<ArticleRecord>,
}

#[derive(Deserialize)]
struct ArticleRecord {
    slug: String,
    section: String,
    authors: Vec<String>,
    tags: Vec<String>,
    headline: String,
    standfirst: String,
    published_hours_ago: f64,
    updated_hours_after: Option<f64>,
    status: Option<String>,
    views: i64,
    motif: String,
    image_alt: String,
    image_caption: String,
    image_credit: String,
    body: String,
    /// Language code; English when absent.
    language: Option<String>,
    /// The slug of the article (in the same section) this one translates.
    translation_of: Option<String>,
    /// Notes the desk left on it (drafts only, in the back office).
    #[serde(default)]
    notes: Vec<NoteRecord>,
    /// What search engines and social networks are shown in place of the headline, if not it.
    #[serde(default)]
    seo_title: String,
    /// And in place of the standfirst.
    #[serde(default)]
    seo_description: String,
}

/// A note on a passage of a demo article.
#[derive(Deserialize)]
struct NoteRecord {
    by: String,
    quote: String,
    #[serde(default)]
    prefix: String,
    #[serde(default)]
    suffix: String,
    body: String,
    resolved_by: Option<String>,
}

/// Writes the demo's illustrations into `media_dir` and its content into the store, in one transaction.
/// Loading twice updates the same records instead of duplicating them.
pub async fn load(store: &Store, media_dir: &Path, zone: Tz) -> Result<BatchReport, DemoError> {
    let now = Utc::now();
    let demo = build(media_dir, now)?;
    let report = store.apply(&demo.batch).await?;
    // The views each page shows, read on the days since it went out, so that the dashboard's figures agree.
    let today = now.with_timezone(&zone).date_naive();
    for prepared in &demo.batch.articles {
        let article = &prepared.input;
        let Some(published) = article.published_at.filter(|_| article.view_count > 0) else { continue };
        if let Some(shown) = store.article(article.section.as_str(), article.slug.as_str(), now).await? {
            let first_day = published.with_timezone(&zone).date_naive();
            store.put_daily_views(shown.card.id, &views_by_day(article.view_count, first_day, today)).await?;
        }
    }
    for (section, original, translation) in &demo.translations {
        store.link_translation(section, original, translation).await?;
    }
    for (section, slug, search) in &demo.searches {
        store.put_search_and_social(section, slug, search).await?;
    }
    for (section, language, names) in &demo.section_names {
        store.put_section_name(section, language, &names.name, &names.description).await?;
    }
    for (section, slug, records) in &demo.notes {
        let notes: Vec<_> = records
            .iter()
            .map(|n| {
                let note = NewNote { body: &n.body, quote: &n.quote, prefix: &n.prefix, suffix: &n.suffix };
                (note, n.by.as_str(), n.resolved_by.as_deref())
            })
            .collect();
        store.put_demo_notes(section, slug, &notes, now.timestamp()).await?;
    }
    library_photo(store, media_dir).await?;
    Ok(report)
}

/// The article that leads with the library photograph, as (section, slug).
const PHOTO_ARTICLE: (&str, &str) = ("world", "storm-hit-sister-port-halvik-reopens-harbour");
/// The photograph's alt text, which also finds it again when the demo is loaded a second time.
const PHOTO_ALT: &str = "A fishing boat with a red hull entering Halvik's rebuilt harbour at dusk";
/// Where the boat is, as the focal point: right of centre, so that a crop around the middle would cut it.
const PHOTO_FOCUS: crate::media::FocalPoint = crate::media::FocalPoint { x: 0.8, y: 0.62 };

/// Adds a picture drawn here to the media library as an upload is added (with its copies and crops), sets its
/// focal point on its subject and makes it the lead image of [`PHOTO_ARTICLE`]: the demo then shows the library
/// with an image in use, its crops, the share image and cards cut around the focal point.
async fn library_photo(store: &Store, media_dir: &Path) -> Result<(), DemoError> {
    let failed = DemoError::Photo;
    let id = match store.search_library(PHOTO_ALT, 0, 1).await?.first() {
        Some(image) => image.id,
        None => {
            let text = crate::media::ImageText {
                alt: PHOTO_ALT.to_owned(),
                caption: "The first boat back through the new breakwater.".to_owned(),
                credit: "Drawing: The Harbour Ledger".to_owned(),
            };
            crate::media::add_to_library(store, media_dir.to_owned(), harbour_picture().map_err(failed)?, &text)
                .await
                .map_err(|e| failed(e.to_string()))?
        }
    };
    let image = store.image(id).await?.ok_or_else(|| failed("not stored".into()))?;
    let crops = crate::media::recrop(media_dir, &image.path, PHOTO_FOCUS).await.map_err(|e| failed(e.to_string()))?;
    let json = serde_json::to_string(&crops).map_err(|e| failed(e.to_string()))?;
    let old = store.set_image_focus(id, PHOTO_FOCUS.x, PHOTO_FOCUS.y, &json).await?;
    for path in crate::store::crop_paths(&old).into_iter().filter(|p| !crops.iter().any(|c| &c.path == p)) {
        let _ = std::fs::remove_file(media_dir.join(path));
    }
    store.set_lead_image(PHOTO_ARTICLE.0, PHOTO_ARTICLE.1, id).await?;
    Ok(())
}

/// A 1600 × 900 PNG of a harbour at dusk: sky, sea, a breakwater, and a boat right of centre.
fn harbour_picture() -> Result<Vec<u8>, String> {
    let (width, height) = (1600_u32, 900_u32);
    let horizon = height * 55 / 100;
    let boat = (width * 80 / 100, height * 62 / 100);
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        let (bx, by) = (i64::from(x) - i64::from(boat.0), i64::from(y) - i64::from(boat.1));
        let shade = |from: [u8; 3], to: [u8; 3], t: f32| {
            image::Rgb([0, 1, 2].map(|i| (f32::from(from[i]) + (f32::from(to[i]) - f32::from(from[i])) * t) as u8))
        };
        if (-90..=90).contains(&bx) && (0..=40).contains(&by) && by < 40 - (bx.abs() - 50).max(0) {
            image::Rgb([178, 34, 34]) // the hull
        } else if (-4..=4).contains(&bx) && (-150..0).contains(&by) {
            image::Rgb([60, 45, 35]) // the mast
        } else if (5..=80).contains(&bx) && (-140..-10).contains(&by) && bx < 5 + (by + 140) * 75 / 130 {
            image::Rgb([240, 232, 210]) // the sail
        } else if y < horizon {
            shade([38, 52, 96], [236, 150, 98], y as f32 / horizon as f32)
        } else if x < width * 30 / 100 && y < horizon + 40 {
            image::Rgb([92, 92, 96]) // the breakwater
        } else {
            shade([40, 70, 100], [14, 28, 48], (y - horizon) as f32 / (height - horizon) as f32)
        }
    });
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(picture)
        .write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png)
        .map_err(|e| e.to_string())?;
    Ok(bytes)
}

/// The demo's content, with what a batch does not carry.
struct Demo {
    batch: Batch,
    /// Translated articles as (section, original slug, translation slug).
    translations: Vec<(String, String, String)>,
    /// Sections' names in other languages as (section, language, names).
    section_names: Vec<(String, String, NameRecord)>,
    /// Notes on articles as (section, slug, notes).
    notes: Vec<(String, String, Vec<NoteRecord>)>,
    /// Articles' own SEO titles and meta descriptions as (section, slug, texts).
    searches: Vec<(String, String, SearchAndSocial)>,
}

fn build(media_dir: &Path, now: DateTime<Utc>) -> Result<Demo, DemoError> {
    let now = now.duration_trunc(Duration::minutes(1)).unwrap_or(now);
    let site: SiteFile = toml::from_str(SITE_FILE)?;
    let mut batch = Batch {
        settings: vec![
            (SITE_NAME.to_owned(), site.site.name),
            (SITE_DESCRIPTION.to_owned(), site.site.description),
            (SITE_LANGUAGES.to_owned(), LANGUAGES.to_owned()),
        ],
        ..Batch::default()
    };
    for (language, names) in site.site.translations {
        batch.settings.push((translated_key(SITE_NAME, &language), names.name));
        batch.settings.push((translated_key(SITE_DESCRIPTION, &language), names.description));
    }
    let mut translations = Vec::new();
    let mut section_names = Vec::new();
    let mut notes = Vec::new();
    let mut searches = Vec::new();
    for (position, section) in (0_i64..).zip(site.sections) {
        for (language, names) in section.translations {
            section_names.push((section.slug.clone(), language, names));
        }
        batch.sections.push(SectionInput {
            slug: Slug::parse_top_level(&section.slug)?,
            name: section.name,
            description: section.description,
            position,
        });
    }
    for author in site.authors {
        let avatar = format!("demo/avatars/{}.svg", author.slug);
        write_media(media_dir, &avatar, &art::avatar(&initials(&author.name), art::seed_from(&author.slug)))?;
        batch.authors.push(AuthorInput {
            slug: Slug::parse(&author.slug)?,
            name: author.name,
            bio: author.bio,
            avatar: Some(avatar),
        });
    }
    for file in ARTICLE_FILES {
        let articles: ArticlesFile = toml::from_str(file)?;
        for record in articles.articles {
            let image_path = format!("demo/lead/{}.svg", record.slug);
            write_media(media_dir, &image_path, &illustration(&record.motif, art::seed_from(&record.slug)))?;
            let mut record = record;
            let slug = record.slug.clone();
            if !record.notes.is_empty() {
                notes.push((record.section.clone(), slug.clone(), std::mem::take(&mut record.notes)));
            }
            if let Some(original) = &record.translation_of {
                translations.push((record.section.clone(), original.clone(), slug.clone()));
            }
            if !(record.seo_title.is_empty() && record.seo_description.is_empty()) {
                let search = SearchAndSocial::checked(&record.seo_title, &record.seo_description)
                    .map_err(|source| DemoError::Content { slug: slug.clone(), source })?;
                searches.push((record.section.clone(), slug.clone(), search));
            }
            let prepared = article_input(record, image_path, now)?
                .prepare()
                .map_err(|source| DemoError::Content { slug, source })?;
            batch.articles.push(prepared);
        }
    }
    Ok(Demo { batch, translations, section_names, notes, searches })
}

fn article_input(record: ArticleRecord, image_path: String, now: DateTime<Utc>) -> Result<ArticleInput, DemoError> {
    let published_at = now - minutes(record.published_hours_ago);
    let status = record.status.as_deref().and_then(ArticleStatus::parse).unwrap_or(ArticleStatus::Published);
    Ok(ArticleInput {
        section: Slug::parse(&record.section)?,
        slug: Slug::parse(&record.slug)?,
        headline: record.headline,
        standfirst: record.standfirst,
        body_markdown: record.body,
        authors: record.authors.iter().map(|a| Slug::parse(a)).collect::<Result<_, _>>()?,
        tags: record.tags,
        lead_image: Some(LeadImage {
            path: image_path,
            width: art::LEAD_WIDTH,
            height: art::LEAD_HEIGHT,
            alt: record.image_alt,
            caption: record.image_caption,
            credit: record.image_credit,
            variants: Vec::new(),
            crops: Vec::new(),
        }),
        language: record.language.unwrap_or_else(|| crate::settings::DEFAULT_LANGUAGE.to_owned()),
        status,
        published_at: Some(published_at),
        updated_at: record.updated_hours_after.map(|h| published_at + minutes(h)),
        view_count: record.views,
    })
}

/// Days of the views history the demo writes at most.
const HISTORY_DAYS: i64 = 30;

/// `views` spread over the days from `first` to `today` (the last [`HISTORY_DAYS`] at most), the most on the
/// first and fewer each day after, as a story is read; they add up to `views`. Days without views are left out.
fn views_by_day(views: i64, first: NaiveDate, today: NaiveDate) -> Vec<(String, i64)> {
    let days = ((today - first).num_days() + 1).clamp(1, HISTORY_DAYS);
    let start = today - Duration::days(days - 1);
    let weights: Vec<f64> = (1..=days).map(|day| 1.0 / day as f64).collect();
    let sum: f64 = weights.iter().sum();
    let mut shares: Vec<i64> = weights.iter().map(|weight| (views as f64 * weight / sum).floor() as i64).collect();
    shares[0] += views - shares.iter().sum::<i64>();
    (0..days)
        .zip(shares)
        .filter(|(_, share)| *share > 0)
        .map(|(day, share)| ((start + Duration::days(day)).format("%Y-%m-%d").to_string(), share))
        .collect()
}

/// Whole minutes in `hours`, so demo times read like an editor's.
fn minutes(hours: f64) -> Duration {
    Duration::minutes((hours * 60.0).round() as i64)
}

fn initials(name: &str) -> String {
    name.split_whitespace().filter_map(|word| word.chars().next()).take(2).collect()
}

fn write_media(media_dir: &Path, relative: &str, contents: &str) -> Result<(), DemoError> {
    let path = media_dir.join(relative);
    let io_error = |source| DemoError::Io { path: path.clone(), source };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io_error)?;
    }
    std::fs::write(&path, contents).map_err(io_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_storys_views_are_spread_over_its_days_and_add_up() -> Result<(), Box<dyn std::error::Error>> {
        let today = NaiveDate::from_ymd_opt(2026, 3, 10).ok_or("date")?;
        let days = views_by_day(1250, today - Duration::days(3), today);
        assert_eq!(days.iter().map(|(_, views)| views).sum::<i64>(), 1250);
        assert_eq!(days.first().map(|(day, _)| day.as_str()), Some("2026-03-07"), "from the day it went out");
        assert!(days.windows(2).all(|pair| pair[0].1 >= pair[1].1), "fewer each day: {days:?}");
        let old = views_by_day(90, today - Duration::days(400), today);
        assert_eq!(old.first().map(|(day, _)| day.as_str()), Some("2026-02-09"), "a month at most: {old:?}");
        assert_eq!(old.iter().map(|(_, views)| views).sum::<i64>(), 90);
        assert_eq!(views_by_day(3, today, today), [("2026-03-10".to_owned(), 3)]);
        Ok(())
    }

    #[test]
    fn demo_is_a_real_site() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let Demo { batch, translations, section_names, notes, searches } = build(dir.path(), Utc::now())?;
        for (_, slug, notes) in &notes {
            let article = batch.articles.iter().find(|a| a.input.slug.as_str() == slug).ok_or("a noted article")?;
            for note in notes {
                let passage = format!("{}{}{}", note.prefix, note.quote, note.suffix);
                let body = article.input.body_markdown.replace('*', "");
                assert!(body.contains(&passage), "{slug}: the note's passage {passage:?} is in the text");
            }
        }
        assert!(notes.iter().any(|(_, _, n)| n.iter().any(|n| n.resolved_by.is_some())), "and one is resolved");
        assert!(
            searches.iter().any(|(_, slug, _)| batch.articles.iter().any(|a| a.input.slug.as_str() == slug)),
            "an article shows search engines its own title and description"
        );
        assert!(
            section_names
                .iter()
                .any(|(slug, language, names)| slug == "opinion" && language == "zh" && names.name == "专栏与评论")
        );
        for (_, original, translation) in &translations {
            let language =
                |slug: &str| batch.articles.iter().find(|a| a.input.slug.as_str() == slug).map(|a| &a.input.language);
            assert_eq!(language(original).map(String::as_str), Some("en"), "{original} is an English original");
            assert_eq!(language(translation).map(String::as_str), Some("zh"), "{translation} is in Chinese");
        }
        assert!(!translations.is_empty(), "the demo has a Chinese edition");
        assert!(batch.articles.len() >= 40, "{} articles", batch.articles.len());
        assert!(batch.sections.len() >= 6);
        assert!(batch.sections.iter().any(|s| s.name == "Columns and Opinions"));
        assert!(batch.authors.len() >= 4);
        let mut slugs: Vec<&str> = batch.articles.iter().map(|a| a.input.slug.as_str()).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), batch.articles.len(), "article slugs are unique");
        for article in &batch.articles {
            let image = article.input.lead_image.as_ref().ok_or("every demo article has a lead image")?;
            assert!(dir.path().join(&image.path).is_file());
        }
        Ok(())
    }

    #[test]
    fn initials_take_the_first_two_words() {
        assert_eq!(initials("Tomás Oyelaran"), "TO");
        assert_eq!(initials("Mara"), "M");
    }
}
