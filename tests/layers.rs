//! The layers of `src/`, as `docs/architecture.md` declares them, kept: every reference from one top-level
//! module to another (`use crate::…`, a path written out in code or inside a macro, `super::` climbing to the
//! crate root) must point to a lower layer, or to a module of the same layer where that layer allows it, and
//! the top-level modules must not reference each other in a cycle. A new top-level module must be given its
//! layer here and in the docs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// The layers, lowest first, and whether modules of one layer may use each other.
const LAYERS: &[(&str, bool, &[&str])] = &[
    ("foundations: the content model and its rules, interface text", false, &["content", "i18n"]),
    ("the store", false, &["store"]),
    ("configuration", false, &["config"]),
    (
        "services",
        true,
        &[
            "settings",
            "auth",
            "media",
            "search",
            "views",
            "cache",
            "theme",
            "styleguide",
            "editorial",
            "import",
            "demo",
            "generate",
        ],
    ),
    ("what every face shares over HTTP", false, &["web"]),
    ("faces: no face uses another", false, &["site", "admin", "api", "ops"]),
    ("wiring", true, &["server", "app"]),
    ("the command line", false, &["cli"]),
];

/// Files outside every layer: the crate root declares the modules; `main.rs` is the binary.
const ROOTS: &[&str] = &["lib.rs", "main.rs"];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, _, modules)| modules.contains(&module))
}

/// A file's module path: `src/site/feeds/mod.rs` is `site::feeds`, `src/web/state.rs` is `web::state`.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).unwrap_or(file);
    let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs");
        if stem != "mod" {
            parts.push(stem.to_owned());
        }
    }
    parts
}

/// Collects the top-level modules a file refers to.
struct References {
    /// The module path where the visit is: the file's own, and the inline modules (`mod tests { … }`) it is in.
    here: Vec<String>,
    found: BTreeSet<String>,
}

impl References {
    /// Notes the top-level module a path of these segments names, if it leaves the file's own module.
    fn segments(&mut self, segments: &[String]) {
        let Some(first) = segments.first() else { return };
        let target = match first.as_str() {
            "crate" => segments.get(1).cloned(),
            "super" => {
                let climbs = segments.iter().take_while(|s| *s == "super").count();
                if climbs >= self.here.len() { segments.get(climbs).cloned() } else { self.here.first().cloned() }
            }
            _ => None,
        };
        if let Some(target) = target {
            self.found.insert(target);
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.use_tree(prefix, &path.tree);
                prefix.pop();
            }
            syn::UseTree::Name(name) => self.named(prefix, name.ident.to_string()),
            syn::UseTree::Rename(rename) => self.named(prefix, rename.ident.to_string()),
            syn::UseTree::Glob(_) => self.segments(prefix),
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    self.use_tree(prefix, tree);
                }
            }
        }
    }

    fn named(&mut self, prefix: &[String], name: String) {
        let mut full = prefix.to_vec();
        full.push(name);
        self.segments(&full);
    }

    /// Paths inside macro calls (`format!`, `tracing::info!`…) are tokens to syn: read them as text.
    fn tokens(&mut self, tokens: &proc_macro2::TokenStream) {
        let text = tokens.to_string();
        let words: Vec<&str> = text.split_whitespace().collect();
        for (i, word) in words.iter().enumerate() {
            if (*word == "crate" || *word == "super") && words.get(i + 1) == Some(&"::") {
                let mut segments = vec![(*word).to_owned()];
                let mut j = i + 2;
                while let Some(next) = words.get(j) {
                    segments.push((*next).to_owned());
                    if *next != "super" || words.get(j + 1) != Some(&"::") {
                        break;
                    }
                    j += 2;
                }
                self.segments(&segments);
            }
        }
    }
}

impl<'ast> Visit<'ast> for References {
    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        self.here.push(item.ident.to_string());
        syn::visit::visit_item_mod(self, item);
        self.here.pop();
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &item.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.segments(&segments);
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.tokens(&mac.tokens);
        syn::visit::visit_macro(self, mac);
    }
}

fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            rust_files(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    Ok(())
}

/// Edges between top-level modules (from, to), each with the files that make it.
type Edges = BTreeMap<(String, String), Vec<String>>;

/// Every edge between two top-level modules, with the files that make it.
fn edges() -> Result<Edges, Box<dyn std::error::Error>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files)?;
    let mut edges = Edges::new();
    for file in files {
        let relative = file.strip_prefix(&src)?.to_string_lossy().into_owned();
        if ROOTS.contains(&relative.as_str()) {
            continue;
        }
        let here = module_path(&src, &file);
        let syntax = syn::parse_file(&std::fs::read_to_string(&file)?).map_err(|e| format!("{relative}: {e}"))?;
        let mut references = References { here: here.clone(), found: BTreeSet::new() };
        references.visit_file(&syntax);
        let from = here.first().cloned().unwrap_or_default();
        for to in references.found {
            if to != from {
                edges.entry((from.clone(), to)).or_default().push(relative.clone());
            }
        }
    }
    Ok(edges)
}

#[test]
fn every_module_has_a_layer() -> Result<(), Box<dyn std::error::Error>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&src)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if ROOTS.contains(&name.as_str()) {
            continue;
        }
        let module = name.trim_end_matches(".rs");
        if layer_of(module).is_none() {
            missing.push(module.to_owned());
        }
    }
    assert!(
        missing.is_empty(),
        "top-level modules without a layer (add them to LAYERS and docs/architecture.md): {missing:?}"
    );
    Ok(())
}

#[test]
fn references_point_down_the_layers() -> Result<(), Box<dyn std::error::Error>> {
    let mut wrong = Vec::new();
    for ((from, to), files) in edges()? {
        let (Some(low), Some(high)) = (layer_of(&to), layer_of(&from)) else {
            wrong.push(format!("{from} -> {to}: a module without a layer ({files:?})"));
            continue;
        };
        let sideways_allowed = LAYERS[high].1;
        if low > high || (low == high && !sideways_allowed) {
            let why = if low > high { "points up" } else { "stays within a layer that forbids it" };
            wrong.push(format!("{from} -> {to} {why} ({})", files.join(", ")));
        }
    }
    assert!(wrong.is_empty(), "references against the layers:\n{}", wrong.join("\n"));
    Ok(())
}

#[test]
fn top_level_modules_form_no_cycle() -> Result<(), Box<dyn std::error::Error>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, to) in edges()?.into_keys() {
        graph.entry(from).or_default().insert(to);
    }
    // Depth-first search; a module met again while still on the stack closes a cycle.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = stack.iter().position(|n| n == node) {
            let mut cycle = stack[start..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, stack, done) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        let cycle = visit(node, &graph, &mut Vec::new(), &mut done);
        assert!(cycle.is_none(), "a cycle between top-level modules: {}", cycle.unwrap_or_default().join(" -> "));
    }
    Ok(())
}

#[test]
fn the_checker_sees_what_it_must() -> Result<(), Box<dyn std::error::Error>> {
    // The parts of the checker, on a file that reaches upward in every way it can.
    let here = vec!["store".to_owned(), "users".to_owned()];
    let code = r#"
        use crate::auth::{Role, User};
        use super::super::site;
        fn f() { let _ = crate::web::AppState::new; tracing::info!("{}", crate::admin::x()); }
        /// crate::api in a doc comment is not a reference, and neither is "crate::cli" in a string
        fn g() -> &'static str { "crate::cli" }
        mod tests { use super::super::Store; }
    "#;
    let mut references = References { here, found: BTreeSet::new() };
    references.visit_file(&syn::parse_file(code)?);
    let found: Vec<&str> = references.found.iter().map(String::as_str).collect();
    // `store` is the file's own module (the inline `tests` module climbing to it), which `edges` leaves out.
    assert_eq!(found, ["admin", "auth", "site", "store", "web"]);
    Ok(())
}
