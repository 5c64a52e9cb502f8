//! The import graph among the children of one directory module (`src/update/`, `src/ledger/`, …).
//!
//! Nodes are the directory's children (a file, or a folder taken whole) and its parent file
//! (`mod.rs`, or `update.rs` beside `update/`), named `mod`. An edge is an import:
//! - a child naming `super::Y` (from a file one level down; `super::super::Y` two levels down) or
//!   `crate::<dir>::Y`, where `Y` is a sibling, or an item of the parent: an item the parent
//!   re-exports from a child counts as that child, any other (`super::*` too) as the parent;
//! - the parent naming a child (`child::`, `self::child::`, `crate::<dir>::child::`) outside its
//!   `mod` declarations and `pub use` re-exports: declaring and re-exporting children is the
//!   parent's job, not a use of them. A parent that uses what it re-exports is not seen.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::paths::{paths_after, without_comments, without_inline_modules};
use super::{Graph, modules_in, rust_files};

/// The node that stands for the parent file.
pub(super) const PARENT: &str = "mod";

/// Every directory module under `src` (relative, e.g. `sandbox/clouddeploy`), sorted.
pub(super) fn directory_modules(src: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, src: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for path in entries.flatten().map(|e| e.path()) {
            if path.is_dir() {
                out.push(path.strip_prefix(src).unwrap_or(&path).to_path_buf());
                walk(&path, src, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(src, src, &mut out);
    out.sort();
    out
}

fn parent_file(src: &Path, dir: &Path) -> PathBuf {
    let inside = src.join(dir).join("mod.rs");
    if inside.exists() {
        inside
    } else {
        src.join(dir).with_extension("rs")
    }
}

/// The text without `pub use …;` re-exports (of any visibility).
fn without_reexports(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("pub") {
        let after = &rest[at + 3..];
        let visibility_end = if after.starts_with('(') {
            after.find(')').map_or(0, |end| end + 1)
        } else {
            0
        };
        let word_start = at == 0 || rest[..at].ends_with(char::is_whitespace);
        if word_start && after[visibility_end..].starts_with(" use ") {
            out.push_str(&rest[..at]);
            rest = after.find(';').map_or("", |end| &after[end + 1..]);
        } else {
            out.push_str(&rest[..at + 3]);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Whether `text` defines an item called `name`.
fn defines(text: &str, name: &str) -> bool {
    [
        "fn", "struct", "enum", "type", "const", "static", "trait", "mod",
    ]
    .iter()
    .any(|kind| text.contains(&format!("{kind} {name}")))
        || text.contains(&format!("macro_rules! {name}"))
}

/// Which child (or the parent) of the directory module `dir` (relative to `src`) imports which.
pub(super) fn directory_graph(src: &Path, dir: &Path) -> Graph {
    let children = modules_in(&src.join(dir));
    let module_path: Vec<String> = dir
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let parent_path = parent_file(src, dir);
    let parent = without_comments(&std::fs::read_to_string(&parent_path).unwrap_or_default());
    let mut origin = BTreeMap::new();
    for path in paths_after(&parent, "pub use ")
        .into_iter()
        .chain(paths_after(&parent, "pub(crate) use "))
        .chain(paths_after(&parent, "pub(super) use "))
    {
        let path: Vec<String> = path.into_iter().filter(|p| p != "self").collect();
        if let [module, .., item] = &path[..]
            && children.contains(module)
        {
            origin.insert(item.clone(), module.clone());
        }
    }
    let resolve = |name: &str| -> String {
        if children.contains(name) {
            return name.to_string();
        }
        if name != "*"
            && !defines(&parent, name)
            && let Some(module) = origin.get(name).or_else(|| origin.get("*"))
        {
            return module.clone();
        }
        PARENT.to_string()
    };
    let shown = |file: &Path| Path::new("src").join(file.strip_prefix(src).unwrap_or(file));
    let mut graph = Graph::new();
    let mut add = |from: &str, to: String, file: &Path| {
        if to != from {
            let imported = graph.entry(from.to_string()).or_default();
            imported.entry(to).or_default().insert(shown(file));
        }
    };

    let uses = without_reexports(&parent);
    let mut named: BTreeSet<String> = BTreeSet::new();
    for child in &children {
        for prefix in [format!("{child}::"), format!("self::{child}::")] {
            if !paths_after(&uses, &prefix).is_empty() {
                named.insert(child.clone());
            }
        }
    }
    for path in paths_after(&uses, "crate::") {
        if path.len() > module_path.len() && path[..module_path.len()] == module_path[..] {
            named.insert(resolve(&path[module_path.len()]));
        }
    }
    for to in named {
        add(PARENT, to, &parent_path);
    }

    let mut files = Vec::new();
    rust_files(&src.join(dir), &mut files);
    for file in files {
        let relative = file.strip_prefix(src.join(dir)).unwrap_or(&file);
        let Some(first) = relative.components().next() else {
            continue;
        };
        let from = Path::new(first.as_os_str()).with_extension("");
        let from = from.to_string_lossy().into_owned();
        if !children.contains(&from) {
            continue;
        }
        let depth = relative.components().count() - usize::from(relative.ends_with("mod.rs"));
        let text = without_comments(&std::fs::read_to_string(&file).unwrap_or_default());
        let mut named: Vec<String> = paths_after(&text, "crate::")
            .into_iter()
            .filter(|p| p.len() > module_path.len() && p[..module_path.len()] == module_path[..])
            .map(|p| p[module_path.len()].clone())
            .collect();
        let outer = without_inline_modules(&text);
        named.extend(
            paths_after(&outer, "super::")
                .into_iter()
                .filter(|p| p.len() >= depth && p[..depth - 1].iter().all(|s| s == "super"))
                .map(|p| p[depth - 1].clone())
                .filter(|name| name != "super"),
        );
        for name in named {
            add(&from, resolve(&name), &file);
        }
    }
    graph
}
