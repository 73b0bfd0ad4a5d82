//! The account an import gives of every item it read: made, updated, used, or skipped and why.

use std::collections::BTreeMap;
use std::fmt;

/// What happened to one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tally {
    /// It was new and was written.
    Created,
    /// It existed (from an earlier import, or the site) and was updated.
    Updated,
}

/// Counts for one kind of item.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// New.
    pub created: u64,
    /// Updated.
    pub updated: u64,
}

/// Items of one kind skipped for one reason.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skips {
    /// How many.
    pub count: u64,
    /// The first few titles, as examples.
    pub examples: Vec<String>,
}

/// How many examples a line of the summary names.
const EXAMPLES: usize = 3;

/// The whole account of an import.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Summary {
    /// Written items by kind (`articles`, `sections`, …).
    pub written: BTreeMap<String, Counts>,
    /// Articles by the status they got.
    pub statuses: BTreeMap<String, u64>,
    /// Items read and used without being content of their own, by kind and use.
    pub used: BTreeMap<(String, String), u64>,
    /// Skipped items by kind and reason.
    pub skipped: BTreeMap<(String, String), Skips>,
    /// Notes worth a look, with how often each came up.
    pub notes: BTreeMap<String, u64>,
    /// Distinct tags the import brought (named by articles or listed by the file).
    pub tags: std::collections::BTreeSet<String>,
    /// How many items the file holds, when the format has items (WordPress items, Ghost posts).
    pub file_items: Option<u64>,
    /// Items of the file given an outcome: written as articles, used, or skipped (comments, which live
    /// inside items, are counted apart).
    pub accounted: u64,
}

impl Summary {
    /// Counts a written item.
    pub fn count(&mut self, kind: &str, tally: Tally) {
        if kind == "articles" {
            self.accounted += 1;
        }
        let counts = self.written.entry(kind.to_owned()).or_default();
        match tally {
            Tally::Created => counts.created += 1,
            Tally::Updated => counts.updated += 1,
        }
    }

    /// Counts an article's status.
    pub fn status(&mut self, status: &str) {
        *self.statuses.entry(status.to_owned()).or_default() += 1;
    }

    /// Counts an item that was used by others rather than written itself.
    pub fn used(&mut self, kind: &str, how: &str) {
        self.accounted += 1;
        *self.used.entry((kind.to_owned(), how.to_owned())).or_default() += 1;
    }

    /// Counts a skipped item.
    pub fn skip(&mut self, kind: &str, reason: &str, title: &str) {
        if kind != "comments" {
            self.accounted += 1;
        }
        let skips = self.skipped.entry((kind.to_owned(), reason.to_owned())).or_default();
        skips.count += 1;
        if skips.examples.len() < EXAMPLES && !title.trim().is_empty() {
            skips.examples.push(title.trim().to_owned());
        }
    }

    /// Records a note.
    pub fn note(&mut self, note: &str) {
        *self.notes.entry(note.to_owned()).or_default() += 1;
    }

    /// Items of `kind` written (new or updated).
    pub fn written_of(&self, kind: &str) -> u64 {
        self.written.get(kind).map_or(0, |c| c.created + c.updated)
    }

    /// Whether every item of the file got an outcome (always true for formats without items).
    pub fn all_accounted(&self) -> bool {
        self.file_items.is_none_or(|items| items == self.accounted)
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(items) = self.file_items {
            let skipped: u64 =
                self.skipped.iter().filter(|((kind, _), _)| kind != "comments").map(|(_, s)| s.count).sum();
            let used: u64 = self.used.values().sum();
            let articles = self.accounted.saturating_sub(skipped + used);
            writeln!(
                f,
                "{} {items} items in the file: {articles} became articles, {used} were used by them, {skipped} were skipped.",
                if self.all_accounted() { "Accounted for all" } else { "NOT all accounted for:" },
            )?;
        }
        for (kind, counts) in &self.written {
            writeln!(f, "  {kind}: {} new, {} updated", counts.created, counts.updated)?;
        }
        if !self.tags.is_empty() {
            writeln!(f, "  tags: {}", self.tags.len())?;
        }
        if !self.statuses.is_empty() {
            let statuses: Vec<String> = self.statuses.iter().map(|(s, n)| format!("{n} {s}")).collect();
            writeln!(f, "  articles by status: {}", statuses.join(", "))?;
        }
        for ((kind, how), count) in &self.used {
            writeln!(f, "  {kind}: {count} {how}")?;
        }
        if !self.skipped.is_empty() {
            writeln!(f, "Skipped:")?;
            for ((kind, reason), skips) in &self.skipped {
                let examples = if skips.examples.is_empty() {
                    String::new()
                } else {
                    let quoted: Vec<String> = skips.examples.iter().map(|e| format!("{e:?}")).collect();
                    let more = if skips.count as usize > skips.examples.len() { ", …" } else { "" };
                    format!(" ({}{more})", quoted.join(", "))
                };
                writeln!(f, "  {} {kind}: {reason}{examples}", skips.count)?;
            }
        }
        if !self.notes.is_empty() {
            writeln!(f, "Notes:")?;
            for (note, count) in &self.notes {
                writeln!(f, "  {note} ({count}×)")?;
            }
        }
        Ok(())
    }
}
