use super::*;

fn en(accepted: &str, avoid: &[&str]) -> Entry {
    Entry { language: "en".into(), accepted: accepted.into(), avoid: avoid.iter().map(|s| s.to_string()).collect() }
}

fn body(text: &str) -> [Field<'_>; 1] {
    [Field { name: "body", text }]
}

fn found(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.found.as_str()).collect()
}

#[test]
fn avoided_forms_with_possessives_diacritics_and_stray_spaces() {
    let g = Glossary::new(vec![en("Rutte", &["Lute", "Lütte"])]);
    let text = "Lute spoke first. Later, Lute’s aides and Lute's deputy met L ü tte's staff, then Lutte's and Lütte.";
    let f = check(&g, "en", &body(text));
    assert_eq!(found(&f), ["Lute", "Lute", "Lute", "L ü tte", "Lutte", "Lütte"]);
    assert!(f.iter().all(|x| x.suggestion == "Rutte" && x.kind == FindingKind::Avoided));
    // The possessive stays outside the span.
    assert_eq!(&text[f[1].end..f[1].end + "’s".len()], "’s");
    assert_eq!(f[0].message, "“Lute” is listed to avoid; the style guide spells it “Rutte”.");
    assert_eq!(
        apply(text, &f),
        "Rutte spoke first. Later, Rutte’s aides and Rutte's deputy met Rutte's staff, then Rutte's and Rutte."
    );
}

#[test]
fn avoided_forms_need_whole_words_and_matching_case() {
    let g = Glossary::new(vec![en("Rutte", &["Lute"])]);
    let text = "A lute player, Lutenist Ann, and LUTE fans at Absolute Radio.";
    assert!(check(&g, "en", &body(text)).is_empty());
}

#[test]
fn lowercase_terms_also_match_capitalised() {
    let g = Glossary::new(vec![en("email", &["e-mail"])]);
    let text = "E-mail us. Send an e-mail.";
    let f = check(&g, "en", &body(text));
    assert_eq!(found(&f), ["E-mail", "e-mail"]);
    assert_eq!(apply(text, &f), "Email us. Send an email.");
}

#[test]
fn accepted_spelling_is_never_flagged_even_if_it_folds_like_an_avoided_one() {
    let g = Glossary::new(vec![en("Müller", &["Muller"])]);
    let text = "Müller scored. Muller did not. M ü ller did.";
    let f = check(&g, "en", &body(text));
    assert_eq!(found(&f), ["Muller", "M ü ller"]);
    assert_eq!(apply(text, &f), "Müller scored. Müller did not. Müller did.");
}

#[test]
fn other_languages_are_ignored_and_subtags_match() {
    let g = Glossary::new(vec![Entry { language: "fr".into(), accepted: "Rutte".into(), avoid: vec!["Lute".into()] }]);
    assert!(check(&g, "en", &body("Lute said.")).is_empty());
    assert_eq!(check(&g, "fr-BE", &body("Lute a dit.")).len(), 1);
}

#[test]
fn cjk_forms_match_as_substrings() {
    let g = Glossary::new(vec![Entry {
        language: "zh".into(),
        accepted: "吕特".into(),
        avoid: vec!["卢特".into(), "Lute".into()],
    }]);
    let text = "北约秘书长卢特表示，卢特的回应是必要的。Lute也说";
    let f = check(&g, "zh", &body(text));
    assert_eq!(found(&f), ["卢特", "卢特", "Lute"]);
    assert_eq!(f[0].start, "北约秘书长".len());
    assert_eq!(f[0].column, 6);
    assert_eq!(apply(text, &f), "北约秘书长吕特表示，吕特的回应是必要的。吕特也说");
}

#[test]
fn markdown_link_targets_code_and_urls_are_skipped() {
    let g = Glossary::new(vec![en("Rutte", &["Lute"])]);
    let text = "See [Lute](https://example.org/Lute) and <https://x.org/Lute>, `Lute` too.\n\
                ```\nLute in code\n```\nhttps://example.org/Lute/page and ![Lute](/img/Lute.png)";
    let f = check(&g, "en", &body(text));
    assert_eq!(f.len(), 2, "{f:#?}");
    assert!(f.iter().all(|x| x.found == "Lute" && x.line == 1 || x.line == 5));
    assert_eq!((f[0].line, f[0].column), (1, 6));
    // The image's alt text is prose; its target is not.
    assert_eq!((f[1].line, f[1].column), (5, 37));
}

#[test]
fn positions_are_lines_and_character_columns_per_field() {
    let g = Glossary::new(vec![en("Rutte", &["Lute"])]);
    let fields = [
        Field { name: "headline", text: "Lute in Brüssel" },
        Field { name: "body", text: "Première ligne.\nÀ Bruxelles, Lute a parlé." },
    ];
    let f = check(&g, "en", &fields);
    assert_eq!(f.len(), 2);
    assert_eq!((f[0].field.as_str(), f[0].line, f[0].column, f[0].start, f[0].end), ("headline", 1, 1, 0, 4));
    assert_eq!((f[1].field.as_str(), f[1].line, f[1].column), ("body", 2, 14));
    assert_eq!(&fields[1].text[f[1].start..f[1].end], "Lute");
}

// Our own short article: Rutte three times, Lute twice, L ü tte once.
const RUTTE_ARTICLE: &str = "The alliance chief Mark Rutte arrived in Brussels on Monday.\n\n\
    Officials said Rutte wanted a short meeting. When asked about funding, Lute smiled and moved on.\n\n\
    Several diplomats expected Lute to raise the budget again, while others doubted it.\n\n\
    In the evening, L ü tte's office issued a statement. Rutte later thanked the hosts.";

#[test]
fn heuristic_flags_exactly_the_minority_spellings() {
    let f = check(&Glossary::default(), "en", &body(RUTTE_ARTICLE));
    assert_eq!(found(&f), ["Lute", "Lute", "L ü tte"], "{f:#?}");
    assert!(f.iter().all(|x| x.suggestion == "Rutte" && x.kind == FindingKind::Inconsistent));
    assert_eq!(f[0].message, "“Lute” is spelled “Rutte” 3 times elsewhere in this article.");
    let fixed = apply(RUTTE_ARTICLE, &f);
    assert!(!fixed.contains("Lute") && !fixed.contains("ü"));
    assert!(fixed.contains("Rutte's office"));
    assert!(check(&Glossary::default(), "en", &body(&fixed)).is_empty());
}

#[test]
fn heuristic_defers_to_the_glossary_on_the_same_span() {
    let g = Glossary::new(vec![en("Rutte", &["Lute"])]);
    let f = check(&g, "en", &body(RUTTE_ARTICLE));
    assert_eq!(found(&f), ["Lute", "Lute", "L ü tte"]);
    assert_eq!(f.iter().filter(|x| x.kind == FindingKind::Avoided).count(), 2);
}

#[test]
fn heuristic_counts_across_fields() {
    let fields = [
        Field { name: "headline", text: "Rutte plays down doubts" },
        Field { name: "standfirst", text: "The secretary general, Mark Rutte, spoke on Tuesday." },
        Field { name: "body", text: "Asked again, Lutte said the allies agreed." },
    ];
    let f = check(&Glossary::default(), "en", &fields);
    assert_eq!(found(&f), ["Lutte"]);
    assert_eq!(f[0].field, "body");
    assert_eq!(f[0].message, "“Lutte” is spelled “Rutte” twice elsewhere in this article.");
}

#[test]
fn heuristic_is_quiet_on_clean_copy() {
    let clean = [
        "Gordon Brown met Ross Brawn at the circuit. Brown praised the team while Brawn talked about tyres.",
        "Leeds beat Reading on Saturday. Reading fans left early, and Leeds moved up to third.",
        "Reading the report, ministers said the Leeds office would close. Leading economists disagreed.",
        "Mary Jones and Tom Jonas spoke. Jones said yes; Jonas said no.",
        "The Williams team signed William Hart. Williams confirmed Hart would race in Monaco.",
        "Sales rose in Paris and Perth. Paris shops were busy, Perth shops quiet.",
        "NATO and NASA officials met the UN envoy in Rome. NATO said little.",
        "# Market Report\n\nShares Rose In London As Banks Rallied\n\nThe FTSE climbed. Banks gained most.",
        "Alan Thompson scored twice for Celtic. Thompson then hit the post. Late on, C Thomson came off the bench.",
        "Shares in Arcelor rose. Analysts said Arcleor would gain.",
        "Diane Abbott spoke to the Abbot of the monastery.",
        "Mark Rutte spoke today; see [his speech](https://example.org/Lute-speech) and the `Lute` tag.",
    ];
    for text in clean {
        let f = check(&Glossary::default(), "en", &body(text));
        assert!(f.is_empty(), "{text}: {f:#?}");
    }
}

#[test]
fn heuristic_catches_typos_and_diacritic_variants_against_an_established_spelling() {
    let text = "Andy Roddick won in Memphis. Roddick served well, and Rodick said the crowd helped. \
                Later Jürgen Müller arrived; Muller had been delayed, as Müller explained.";
    let f = check(&Glossary::default(), "en", &body(text));
    assert_eq!(found(&f), ["Rodick", "Muller"], "{f:#?}");
    assert_eq!((f[0].suggestion.as_str(), f[1].suggestion.as_str()), ("Roddick", "Müller"));
}

#[test]
fn apply_handles_several_findings_and_skips_overlaps_and_stale_ones() {
    let text = "Lute met Lute and Lute.";
    let mk = |start: usize, end: usize, found: &str| Finding {
        field: "body".into(),
        start,
        end,
        line: 1,
        column: start + 1,
        found: found.into(),
        suggestion: "Rutte".into(),
        kind: FindingKind::Avoided,
        message: String::new(),
    };
    let findings = [mk(0, 4, "Lute"), mk(18, 22, "Lute"), mk(9, 13, "Lute"), mk(7, 10, "t L"), mk(5, 8, "xyz")];
    assert_eq!(apply(text, &findings), "Rutte met Rutte and Rutte.");
    assert_eq!(apply_one(text, &findings[2]).as_deref(), Some("Lute met Rutte and Lute."));
    assert_eq!(apply_one(text, &findings[4]), None);
    assert_eq!(apply(text, &[]), text);
}

#[test]
fn findings_serialise_with_lowercase_kind() {
    let f = check(&Glossary::new(vec![en("Rutte", &["Lute"])]), "en", &body("Lute."));
    let json = serde_json::to_value(&f[0]).unwrap_or_default();
    assert_eq!(json["kind"], "avoided");
    assert_eq!(json["suggestion"], "Rutte");
}

/// Real-data checks, run only with `NEWSROOM_SHARED_DATA=/work/shared/data`.
mod shared_data {
    use super::*;
    use std::path::PathBuf;
    use std::time::Instant;

    fn data_dir() -> Option<PathBuf> {
        std::env::var_os("NEWSROOM_SHARED_DATA").map(PathBuf::from)
    }

    #[test]
    fn seed_page_yields_lute_and_spaced_lutte() -> std::io::Result<()> {
        let Some(dir) = data_dir() else { return Ok(()) };
        let raw = std::fs::read(dir.join("seed/page.txt"))?;
        let page = String::from_utf8_lossy(&raw);
        for g in [Glossary::default(), Glossary::new(vec![en("Rutte", &["Lute", "Lütte"])])] {
            let f = check(&g, "en", &body(&page));
            let mut forms: Vec<&str> = found(&f);
            forms.sort_unstable();
            forms.dedup();
            assert_eq!(forms, ["L ü tte", "Lute"], "{f:#?}");
            assert!(f.iter().all(|x| x.suggestion == "Rutte"));
            assert_eq!(f.len(), 5);
        }
        Ok(())
    }

    #[test]
    fn bbc_corpus_false_positive_rate() -> std::io::Result<()> {
        let Some(dir) = data_dir() else { return Ok(()) };
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("corpus/bbc"))?
            .flatten()
            .filter(|e| e.path().is_dir())
            .flat_map(|e| std::fs::read_dir(e.path()).into_iter().flatten().flatten())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect();
        files.sort();
        let articles: Vec<String> =
            files.iter().map(|p| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned()).collect();
        assert_eq!(articles.len(), 2225);
        let glossary = Glossary::default();
        let started = Instant::now();
        let mut flagged = 0;
        let mut words = 0;
        let mut slowest = (std::time::Duration::ZERO, 0);
        for (path, article) in files.iter().zip(&articles) {
            let count = article.split_whitespace().count();
            words += count;
            let (headline, rest) = article.split_once('\n').unwrap_or((article, ""));
            let fields = [Field { name: "headline", text: headline }, Field { name: "body", text: rest.trim_start() }];
            let one = Instant::now();
            let f = check(&glossary, "en", &fields);
            slowest = slowest.max((one.elapsed(), count));
            if !f.is_empty() {
                flagged += 1;
                let list: Vec<String> = f.iter().map(|x| format!("{} -> {}", x.found, x.suggestion)).collect();
                eprintln!("{}: {}", path.display(), list.join(", "));
            }
        }
        let elapsed = started.elapsed();
        eprintln!(
            "BBC: {flagged}/{} articles flagged; {words} words checked in {elapsed:?} ({:.1} µs per article)",
            articles.len(),
            elapsed.as_secs_f64() * 1e6 / articles.len() as f64
        );
        eprintln!("slowest article: {:?} for {} words", slowest.0, slowest.1);
        assert!(flagged * 100 <= articles.len(), "{flagged} articles flagged");
        Ok(())
    }
}
