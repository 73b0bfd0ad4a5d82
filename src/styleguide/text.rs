//! Text preparation shared by the glossary matcher and the spelling heuristic:
//! diacritic folding, Markdown regions that are not prose, word tokens (with
//! words rebuilt from machine-translation debris such as `L ü tte`), and a
//! folded character stream that maps back to byte offsets in the field.

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Appends `c` to `out` with diacritics and ligatures removed; case is kept.
pub(super) fn fold_char_into(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c);
        return;
    }
    // Letters that have no canonical decomposition still need a base letter,
    // otherwise `Łukasz` and `Lukasz` would never meet.
    let special = match c {
        'ß' => "ss",
        'ẞ' => "SS",
        'æ' => "ae",
        'Æ' => "AE",
        'œ' => "oe",
        'Œ' => "OE",
        'ø' => "o",
        'Ø' => "O",
        'ł' => "l",
        'Ł' => "L",
        'đ' | 'ð' => "d",
        'Đ' | 'Ð' => "D",
        'þ' => "th",
        'Þ' => "Th",
        'ı' => "i",
        '’' | '‘' | 'ʼ' => "'",
        _ => "",
    };
    if !special.is_empty() {
        out.push_str(special);
        return;
    }
    for d in std::iter::once(c).nfd() {
        if !is_combining_mark(d) {
            out.push(d);
        }
    }
}

/// Folds a whole string (see [`fold_char_into`]).
pub(super) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        fold_char_into(c, &mut out);
    }
    out
}

/// Folded and lowercased: the key under which spellings are compared.
pub(super) fn fold_lower(s: &str) -> String {
    if s.is_ascii() { s.to_ascii_lowercase() } else { fold(s).to_lowercase() }
}

/// Ideographs, kana and hangul: scripts written without spaces between words.
pub(super) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF |
        0xF900..=0xFAFF | 0xFF66..=0xFF9F | 0x20000..=0x2FA1F)
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ')
}

fn is_word_char(c: char) -> bool {
    // ASCII first: the Unicode tables are the slow part of tokenising.
    if c.is_ascii() { c.is_ascii_alphanumeric() } else { c.is_alphanumeric() || is_combining_mark(c) }
}

/// Byte ranges of Markdown that is not prose: fenced code, inline code, link
/// targets, autolinks and HTML tags, and bare URLs. Sorted, non-overlapping.
pub(super) fn masked_ranges(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut fence: Option<(u8, usize)> = None;
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let base = line_start;
        line_start += line.len();
        let trimmed = line.trim_start_matches(' ');
        let marker = if line.len() - trimmed.len() <= 3 { fence_marker(trimmed) } else { None };
        match (fence, marker) {
            (Some((ch, n)), Some((ch2, n2, rest))) if ch == ch2 && n2 >= n && rest.trim().is_empty() => {
                out.push((base, base + line.len()));
                fence = None;
            }
            (Some(_), _) => out.push((base, base + line.len())),
            (None, Some((ch, n, _))) => {
                out.push((base, base + line.len()));
                fence = Some((ch, n));
            }
            (None, None) => scan_inline(line, base, &mut out),
        }
    }
    out
}

/// A line opening or closing a code fence: its character, length and the rest.
fn fence_marker(line: &str) -> Option<(u8, usize, &str)> {
    let b = line.as_bytes();
    let ch = *b.first()?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let n = b.iter().take_while(|&&x| x == ch).count();
    (n >= 3).then(|| (ch, n, &line[n..]))
}

fn scan_inline(line: &str, base: usize, out: &mut Vec<(usize, usize)>) {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'`' => {
                let n = b[i..].iter().take_while(|&&x| x == b'`').count();
                match find_backtick_run(b, i + n, n) {
                    Some(j) => {
                        out.push((base + i, base + j + n));
                        i = j + n;
                    }
                    None => i += n,
                }
            }
            b']' if b.get(i + 1) == Some(&b'(') => match closing_paren(b, i + 2) {
                Some(j) => {
                    out.push((base + i + 1, base + j + 1));
                    i = j + 1;
                }
                None => i += 2,
            },
            b'<' if b.get(i + 1).is_some_and(|x| x.is_ascii_alphabetic() || *x == b'/' || *x == b'!') => {
                match b[i..].iter().position(|&x| x == b'>') {
                    Some(k) => {
                        out.push((base + i, base + i + k + 1));
                        i += k + 1;
                    }
                    None => i += 1,
                }
            }
            // Bare URLs are recognised at their `://` or `www.`, which are far
            // rarer than the letters they start with.
            b':' | b'.' if let Some(start) = url_start(b, i, out.last().map_or(0, |m| m.1.saturating_sub(base))) => {
                let len = b[i..].iter().position(|x| x.is_ascii_whitespace()).unwrap_or(b.len() - i);
                out.push((base + start, base + i + len));
                i += len;
            }
            _ => i += 1,
        }
    }
}

/// Where a bare URL starts, given the `:` of `scheme://` or the `.` of `www.`
/// at `at`; never before `floor` (the end of the previous masked region).
fn url_start(b: &[u8], at: usize, floor: usize) -> Option<usize> {
    let start = if b[at] == b':' {
        if !b[at..].starts_with(b"://") {
            return None;
        }
        let letters = b[floor..at].iter().rev().take_while(|x| x.is_ascii_alphabetic()).count();
        (letters >= 2).then(|| at - letters)?
    } else {
        let s = at.checked_sub(3)?;
        if s < floor || !b[s..at].eq_ignore_ascii_case(b"www") {
            return None;
        }
        s
    };
    (start == 0 || !b[start - 1].is_ascii_alphanumeric()).then_some(start)
}

/// Start of the next run of exactly `n` backticks at or after `from`.
fn find_backtick_run(b: &[u8], from: usize, n: usize) -> Option<usize> {
    let mut j = from;
    while j < b.len() {
        if b[j] == b'`' {
            let m = b[j..].iter().take_while(|&&x| x == b'`').count();
            if m == n {
                return Some(j);
            }
            j += m;
        } else {
            j += 1;
        }
    }
    None
}

/// The `)` closing a link target that opened just before `from`.
fn closing_paren(b: &[u8], from: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (k, &x) in b.iter().enumerate().skip(from) {
        match x {
            b'(' => depth += 1,
            b')' if depth == 0 => return Some(k),
            b')' => depth -= 1,
            b'\n' => return None,
            _ => {}
        }
    }
    None
}

/// A word of a field, possibly rebuilt from pieces split by stray spaces.
#[derive(Debug, Clone)]
pub(super) struct Token<'a> {
    /// Byte range in the field (a possessive `'s` is left outside).
    pub start: usize,
    pub end: usize,
    /// The spelling with stray spaces removed, in NFC.
    pub word: Cow<'a, str>,
    /// Rebuilt from space-broken pieces such as `L ü tte`.
    pub joined: bool,
    /// Capitalisation here says nothing: sentence start, list item, title-case line.
    pub weak_position: bool,
    /// Only a single space separates this token from the previous one.
    pub follows_closely: bool,
}

/// A field split into tokens, with the regions and spaces the matchers skip.
pub(super) struct Prepared<'a> {
    pub tokens: Vec<Token<'a>>,
    pub masks: Vec<(usize, usize)>,
    /// Byte offsets of the stray spaces inside rebuilt words.
    pub stray_spaces: Vec<usize>,
}

struct Piece {
    start: usize,
    end: usize,
    line: usize,
}

impl<'a> Prepared<'a> {
    /// Tokenises one field.
    pub(super) fn new(text: &'a str) -> Self {
        let masks = masked_ranges(text);
        let pieces = split_pieces(text, &masks);
        let mut tokens = Vec::with_capacity(pieces.len());
        let mut lines = Vec::with_capacity(pieces.len());
        let mut stray_spaces = Vec::new();
        let mut i = 0;
        while i < pieces.len() {
            let first = &pieces[i];
            let mut end_idx = i;
            // Rebuild `L ü tte`: a lone accented lowercase letter between
            // single spaces, followed by a lowercase piece.
            while end_idx + 2 < pieces.len()
                && (end_idx > i || starts_with_capital(&text[first.start..first.end]))
                && is_single_space(text, pieces[end_idx].end, pieces[end_idx + 1].start)
                && is_lone_accented(
                    &text[pieces[end_idx + 1].start..pieces[end_idx + 1].end],
                    text[first.start..first.end].chars().count(),
                )
                && is_single_space(text, pieces[end_idx + 1].end, pieces[end_idx + 2].start)
                && text[pieces[end_idx + 2].start..].chars().next().is_some_and(char::is_lowercase)
            {
                stray_spaces.push(pieces[end_idx].end);
                stray_spaces.push(pieces[end_idx + 1].end);
                end_idx += 2;
            }
            let last = &pieces[end_idx];
            let (start, end) = (first.start, last.end);
            let raw = &text[start..end];
            let word: Cow<'a, str> = if end_idx != i {
                Cow::Owned(raw.chars().filter(|c| *c != ' ').nfc().collect())
            } else if raw.is_ascii() || unicode_normalization::is_nfc(raw) {
                Cow::Borrowed(raw)
            } else {
                Cow::Owned(raw.nfc().collect())
            };
            let follows_closely = tokens.last().is_some_and(|p: &Token| is_single_space(text, p.end, start));
            tokens.push(Token {
                start,
                end,
                word,
                joined: end_idx != i,
                weak_position: is_sentence_start(&text[..start]),
                follows_closely,
            });
            lines.push(first.line);
            i = end_idx + 1;
        }
        mark_title_case_lines(&mut tokens, &lines);
        Prepared { tokens, masks, stray_spaces }
    }
}

/// Splits into runs of letters/digits (apostrophes inside words kept, a
/// possessive `'s` left out), skipping masked regions.
fn split_pieces(text: &str, masks: &[(usize, usize)]) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut mask_idx = 0;
    let mut line = 0;
    let mut cur: Option<usize> = None;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        while mask_idx < masks.len() && masks[mask_idx].1 <= i {
            mask_idx += 1;
        }
        if mask_idx < masks.len() && masks[mask_idx].0 <= i {
            if let Some(s) = cur.take() {
                pieces.push(Piece { start: s, end: i, line });
            }
            line += usize::from(c == '\n');
            continue;
        }
        if is_word_char(c) {
            cur.get_or_insert(i);
            continue;
        }
        if is_apostrophe(c)
            && cur.is_some()
            && let Some(&(_, next)) = iter.peek()
        {
            let after = &text[i + c.len_utf8()..];
            let mut rest = after.chars();
            let possessive = matches!(rest.next(), Some('s' | 'S')) && !rest.next().is_some_and(is_word_char);
            if next.is_alphabetic() && !possessive {
                continue;
            }
        }
        if let Some(s) = cur.take() {
            pieces.push(Piece { start: s, end: i, line });
        }
        line += usize::from(c == '\n');
    }
    if let Some(s) = cur {
        pieces.push(Piece { start: s, end: text.len(), line });
    }
    pieces
}

fn starts_with_capital(s: &str) -> bool {
    s.chars().next().is_some_and(char::is_uppercase)
}

fn is_single_space(text: &str, a: usize, b: usize) -> bool {
    matches!(text.get(a..b), Some(" ") | Some("\u{a0}"))
}

/// One lowercase non-ASCII letter (possibly written with combining marks),
/// as left behind inside a name split by machine translation. Letters that
/// are words of their own (`à`, `é`, `è`, `å`...) only count after a lone
/// capital (`P é rez`), so `Ele é alto` stays three words.
fn is_lone_accented(s: &str, left_chars: usize) -> bool {
    // At most one letter plus a few marks; ASCII never qualifies.
    if s.is_ascii() || s.len() > 8 {
        return false;
    }
    let mut base = s.chars().filter(|c| !is_combining_mark(*c));
    let (Some(c), None) = (base.next(), base.next()) else { return false };
    let is_word = matches!(fold(s).as_str(), "a" | "e" | "o" | "u" | "i") && !matches!(c, 'ä' | 'ö' | 'ü' | 'ï' | 'ë');
    c.is_lowercase() && (!is_word || left_chars == 1)
}

/// Whether a word right after `before` starts a sentence, paragraph or list item.
fn is_sentence_start(before: &str) -> bool {
    for c in before.chars().rev() {
        match c {
            '\n' => return true,
            c if c.is_whitespace() => {}
            '"' | '\'' | '“' | '”' | '‘' | '’' | '«' | '»' | '(' | '[' | '*' | '_' | '#' | '>' | '-' | '–' | '—' =>
                {}
            '.' | '!' | '?' | ':' | '…' | '。' | '！' | '？' => return true,
            _ => return false,
        }
    }
    true
}

/// In a Title Case Headline capitals carry no information about names.
fn mark_title_case_lines(tokens: &mut [Token<'_>], lines: &[usize]) {
    let mut i = 0;
    while i < tokens.len() {
        let mut j = i;
        while j < tokens.len() && lines[j] == lines[i] {
            j += 1;
        }
        let long: Vec<&Token<'_>> = tokens[i..j].iter().filter(|t| t.word.len() >= 4).collect();
        let capitalised = long.iter().filter(|t| t.word.chars().next().is_some_and(char::is_uppercase)).count();
        if long.len() >= 3 && capitalised * 10 >= long.len() * 6 {
            for t in &mut tokens[i..j] {
                t.weak_position = true;
            }
        }
        i = j;
    }
}

/// A folded copy of a field for substring matching, mapping each byte back to
/// the source character it came from. Whitespace runs become one space,
/// masked regions one `\u{1}`, stray spaces vanish.
pub(super) struct Stream {
    pub text: String,
    src_start: Vec<usize>,
    src_end: Vec<usize>,
}

impl Stream {
    /// Builds the folded stream of `text` using a prepared tokenisation.
    pub(super) fn new(text: &str, prep: &Prepared<'_>) -> Self {
        let mut s = Stream {
            text: String::with_capacity(text.len()),
            src_start: Vec::with_capacity(text.len()),
            src_end: Vec::with_capacity(text.len()),
        };
        let mut mask_idx = 0;
        let mut stray_idx = 0;
        let mut buf = String::new();
        for (i, c) in text.char_indices() {
            while mask_idx < prep.masks.len() && prep.masks[mask_idx].1 <= i {
                mask_idx += 1;
            }
            if let Some(&(ms, me)) = prep.masks.get(mask_idx)
                && ms <= i
            {
                // One marker for the whole region keeps word boundaries intact.
                if i == ms {
                    s.push('\u{1}', ms, me);
                }
                continue;
            }
            while stray_idx < prep.stray_spaces.len() && prep.stray_spaces[stray_idx] < i {
                stray_idx += 1;
            }
            let end = i + c.len_utf8();
            if c.is_ascii_graphic() {
                s.push(c, i, end);
                continue;
            }
            if prep.stray_spaces.get(stray_idx) == Some(&i) {
                continue;
            }
            if c.is_whitespace() {
                if !s.text.ends_with(' ') {
                    s.push(' ', i, end);
                }
                continue;
            }
            if !c.is_ascii() && is_combining_mark(c) {
                // The mark belongs to the previous letter: widen its span.
                if let Some(last) = s.src_end.last_mut() {
                    *last = end;
                }
                continue;
            }
            buf.clear();
            fold_char_into(c, &mut buf);
            for f in buf.chars() {
                s.push(f, i, end);
            }
        }
        s
    }

    fn push(&mut self, c: char, start: usize, end: usize) {
        self.text.push(c);
        for _ in 0..c.len_utf8() {
            self.src_start.push(start);
            self.src_end.push(end);
        }
    }

    /// Source byte range of the stream bytes `a..b` (with `a < b`).
    pub(super) fn source_span(&self, a: usize, b: usize) -> Option<(usize, usize)> {
        Some((*self.src_start.get(a)?, *self.src_end.get(b.checked_sub(1)?)?))
    }
}

/// 1-based line and column (in characters) of byte offset `at`.
pub(super) fn line_column(text: &str, at: usize) -> (usize, usize) {
    let before = text.get(..at).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        Prepared::new(text).tokens.into_iter().map(|t| t.word.into_owned()).collect()
    }

    #[test]
    fn rebuilds_names_split_around_accented_letters() {
        // The possessive is a separate piece, so spans stop before it.
        assert_eq!(words("Overall, L ü tte's view"), ["Overall", "Lütte", "s", "view"]);
        assert_eq!(words("M ü ller and Schr ö der, P é rez"), ["Müller", "and", "Schröder", "Pérez"]);
        // Decomposed input (u + combining diaeresis) works too.
        assert_eq!(words("L u\u{308} tte"), ["Lütte"]);
    }

    #[test]
    fn leaves_real_one_letter_words_alone() {
        assert_eq!(
            words("Il va à la plage. Ele é alto. Jag bor på Ö var."),
            ["Il", "va", "à", "la", "plage", "Ele", "é", "alto", "Jag", "bor", "på", "Ö", "var"]
        );
    }

    #[test]
    fn masks_code_links_and_urls() {
        let text = "a `b` [c](d(e)) <https://x> www.y.org http://z ok";
        let masked: Vec<&str> = masked_ranges(text).iter().map(|&(s, e)| &text[s..e]).collect();
        assert_eq!(masked, ["`b`", "(d(e))", "<https://x>", "www.y.org", "http://z"]);
    }

    #[test]
    fn stream_maps_folded_text_back_to_source() {
        let text = "Hé  L ü tte\n[x](Lute)";
        let prep = Prepared::new(text);
        let stream = Stream::new(text, &prep);
        assert_eq!(stream.text, "He Lutte [x]\u{1}");
        let at = stream.text.find("Lutte").unwrap_or_default();
        assert_eq!(stream.source_span(at, at + 5), Some((5, 13)));
    }
}
