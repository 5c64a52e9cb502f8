//! The module graph, read from the source tree: no import cycle among the top-level modules nor
//! among `model/`'s, nor among the children of any directory module, and every import goes down
//! the layers listed in the crate doc (`src/lib.rs`). An import is any `crate::…` path (a
//! `pub use` too) outside comments, test code included; inside a directory `super::…` and
//! `self::…` count too, and the parent file is a node of its own (the rule is in [`directory`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

mod directory;
mod paths;
use paths::{paths_after, without_comments, without_inline_modules};

/// The crate doc's layers, lowest first: a module imports only from its own layer or below.
/// A top-level module not listed here is held to the cycle check alone.
const LAYERS: &[&[&str]] = &[
    &["redact", "json_out", "net"],
    &["probes"],
    &["config"],
    &["ledger"],
    &["model"],
    &["policy", "providers"],
    &["sandbox"],
    &["ui"],
    &["commands"],
    &["msg"],
    &["update"],
    &["keymap", "terminal"],
    &["runtime"],
    &["session"],
    &["cli"],
];

/// Modules that never touch the terminal library: only the views, the keys, the terminal guard,
/// the runtime and the CLI draw.
const WITHOUT_RATATUI: &[&str] = &[
    "redact", "json_out", "net", "probes", "config", "ledger", "model", "policy", "sandbox",
    "commands", "msg", "update", "session",
];

/// Importing module → imported module → the files that import it.
type Graph = BTreeMap<String, BTreeMap<String, BTreeSet<PathBuf>>>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for path in entries.flatten().map(|e| e.path()) {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The modules directly in `dir` (files and folders), without `mod.rs`, `lib.rs` and `main.rs`.
fn modules_in(dir: &Path) -> BTreeSet<String> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for path in entries.flatten().map(|e| e.path()) {
            let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
            match stem {
                Some(name) if path.is_dir() => out.push(name),
                Some(name) if path.extension().is_some_and(|e| e == "rs") => out.push(name),
                _ => {}
            }
        }
    }
    out.retain(|m| !["mod", "lib", "main"].contains(&m.as_str()));
    out.into_iter().collect()
}

/// Which top-level module imports which, for the crate rooted at `src`.
fn top_level_graph(src: &Path) -> Graph {
    let modules = modules_in(src);
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut graph = Graph::new();
    for file in files {
        let relative = file.strip_prefix(src).unwrap_or(&file);
        let Some(first) = relative.components().next() else {
            continue;
        };
        let from = Path::new(first.as_os_str()).with_extension("");
        let from = from.to_string_lossy().into_owned();
        if !modules.contains(&from) {
            continue;
        }
        let text = without_comments(&std::fs::read_to_string(&file).unwrap_or_default());
        let shown = Path::new("src").join(relative);
        for path in paths_after(&text, "crate::") {
            if modules.contains(&path[0]) && path[0] != from {
                let imported = graph.entry(from.clone()).or_default();
                imported
                    .entry(path[0].clone())
                    .or_default()
                    .insert(shown.clone());
            }
        }
    }
    graph
}

/// Which module of `model/` imports which (an item re-exported by `model/mod.rs` counts as an
/// import of the module it comes from).
fn model_graph(src: &Path) -> Graph {
    let dir = src.join("model");
    let modules = modules_in(&dir);
    let root = without_comments(&std::fs::read_to_string(dir.join("mod.rs")).unwrap_or_default());
    let mut origin = BTreeMap::new();
    for path in paths_after(&root, "pub use ") {
        if let [module, item] = &path[..] {
            origin.insert(item.clone(), module.clone());
        }
    }
    let resolve = |name: &str| -> Option<String> {
        if modules.contains(name) {
            return Some(name.to_string());
        }
        origin
            .get(name)
            .or_else(|| origin.get("*"))
            .filter(|m| modules.contains(*m))
            .cloned()
    };
    let mut files = Vec::new();
    rust_files(&dir, &mut files);
    let mut graph = Graph::new();
    for file in files {
        let relative = file.strip_prefix(&dir).unwrap_or(&file).to_path_buf();
        let from = match relative.components().next() {
            Some(first) => Path::new(first.as_os_str()).with_extension(""),
            None => continue,
        };
        let from = from.to_string_lossy().into_owned();
        if !modules.contains(&from) {
            continue;
        }
        let text = without_comments(&std::fs::read_to_string(&file).unwrap_or_default());
        let mut named: Vec<String> = paths_after(&text, "crate::")
            .into_iter()
            .filter(|p| p.len() > 1 && p[0] == "model")
            .map(|p| p[1].clone())
            .collect();
        if relative.components().count() == 1 {
            let outer = without_inline_modules(&text);
            named.extend(
                paths_after(&outer, "super::")
                    .into_iter()
                    .map(|p| p[0].clone()),
            );
        }
        let shown = Path::new("src/model").join(&relative);
        for to in named.iter().filter_map(|name| resolve(name)) {
            if to != from {
                let imported = graph.entry(from.clone()).or_default();
                imported.entry(to).or_default().insert(shown.clone());
            }
        }
    }
    graph
}

/// Each cycle once, as `a -> b -> … -> a` with the files behind every step.
fn cycles(graph: &Graph) -> Vec<String> {
    fn walk(
        graph: &Graph,
        node: &str,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        found: &mut BTreeMap<BTreeSet<String>, Vec<String>>,
    ) {
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flat_map(|m| m.keys()) {
            if let Some(at) = stack.iter().position(|n| n == next) {
                let mut cycle = stack[at..].to_vec();
                cycle.push(next.clone());
                found
                    .entry(cycle.iter().cloned().collect())
                    .or_insert(cycle);
            } else if !done.contains(next) {
                walk(graph, next, stack, done, found);
            }
        }
        stack.pop();
        done.insert(node.to_string());
    }
    let (mut done, mut found) = (BTreeSet::new(), BTreeMap::new());
    for node in graph.keys() {
        if !done.contains(node) {
            walk(graph, node, &mut Vec::new(), &mut done, &mut found);
        }
    }
    found
        .into_values()
        .map(|cycle| {
            let steps: Vec<String> = cycle
                .windows(2)
                .map(|pair| format!("  {} -> {}: {}", pair[0], pair[1], files(graph, pair)))
                .collect();
            format!("{}\n{}", cycle.join(" -> "), steps.join("\n"))
        })
        .collect()
}

fn files(graph: &Graph, pair: &[String]) -> String {
    let files = &graph[&pair[0]][&pair[1]];
    let mut names: Vec<String> = files
        .iter()
        .take(3)
        .map(|f| f.display().to_string())
        .collect();
    if files.len() > 3 {
        names.push(format!("and {} more", files.len() - 3));
    }
    names.join(", ")
}

/// The files of `modules` that name `word` outside comments.
fn naming(src: &Path, modules: &[&str], word: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    files
        .into_iter()
        .filter(|file| {
            let relative = file.strip_prefix(src).unwrap_or(file);
            let top = relative.components().next().map(|c| {
                let name = Path::new(c.as_os_str()).with_extension("");
                name.to_string_lossy().into_owned()
            });
            top.is_some_and(|top| modules.contains(&top.as_str()))
        })
        .filter(|file| {
            let text = std::fs::read_to_string(file).unwrap_or_default();
            without_comments(&text).contains(word)
        })
        .collect()
}

/// Every import that goes up the layers.
fn upward(graph: &Graph) -> Vec<String> {
    let layer = |m: &str| LAYERS.iter().position(|layer| layer.contains(&m));
    let mut out = Vec::new();
    for (from, imported) in graph {
        for to in imported.keys() {
            if let (Some(low), Some(high)) = (layer(from), layer(to))
                && high > low
            {
                let pair = [from.clone(), to.clone()];
                out.push(format!("  {from} imports {to}: {}", files(graph, &pair)));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
