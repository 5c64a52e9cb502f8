use super::paths::{paths_after, without_comments};
use super::*;

fn source_tree() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn no_import_cycle_among_top_level_modules() {
    let graph = top_level_graph(&source_tree());
    assert!(graph.len() > 10, "the source tree was not read: {graph:?}");
    let found = cycles(&graph);
    assert!(
        found.is_empty(),
        "import cycles among top-level modules:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_import_cycle_among_the_modules_of_model() {
    let graph = model_graph(&source_tree());
    assert!(
        graph.contains_key("state"),
        "model/ was not read: {graph:?}"
    );
    let found = cycles(&graph);
    assert!(
        found.is_empty(),
        "import cycles among model/'s modules:\n{}",
        found.join("\n")
    );
}

#[test]
fn every_import_goes_down_the_layers() {
    let found = upward(&top_level_graph(&source_tree()));
    assert!(
        found.is_empty(),
        "imports that go up the layers of src/lib.rs (lowest first: {LAYERS:?}):\n{}",
        found.join("\n")
    );
}

#[test]
fn only_the_views_and_the_loop_use_ratatui() {
    let found = naming(&source_tree(), WITHOUT_RATATUI, "ratatui");
    assert!(
        found.is_empty(),
        "ratatui outside the views, keys, terminal, runtime and CLI: {found:?}"
    );
    let views = naming(&source_tree(), &["ui"], "ratatui");
    assert!(!views.is_empty(), "the search found not even the views");
}

#[test]
fn use_trees_expand_to_every_path_they_name() {
    let text = "use crate::{alpha, beta::{self, Gamma as G, delta::*}};\nlet x = crate::omega::f();\n\
                $crate::macro_only(); // crate::in_a_comment\nlet url = \"https://crate::no\";";
    let paths = paths_after(&without_comments(text), "crate::");
    let heads: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
    assert_eq!(
        heads,
        [
            "alpha",
            "beta::self",
            "beta::Gamma",
            "beta::delta::*",
            "omega::f"
        ]
    );
}

/// The checker itself: a made-up crate with one cycle and one upward import is caught, and the
/// message names the modules and the files.
#[test]
fn a_made_up_cycle_and_an_upward_import_are_named_with_their_files() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir_all(src.join("model")).unwrap();
    std::fs::create_dir_all(src.join("cli")).unwrap();
    let write = |name: &str, text: &str| std::fs::write(src.join(name), text).unwrap();
    write("lib.rs", "pub mod model; pub mod cli; pub mod redact;");
    write(
        "model/mod.rs",
        "pub mod lane; mod state;\npub use state::*;",
    );
    write("model/lane.rs", "use crate::cli::exit;\nuse super::Model;");
    write(
        "model/state.rs",
        "use crate::model::lane::Lane;\nuse super::probes::P;",
    );
    write(
        "model/probes.rs",
        "pub struct P;\n#[cfg(test)]\nmod tests {\n    use super::*;\n    fn f() { super::super::lane::g() }\n}\n",
    );
    write("cli/mod.rs", "use crate::{model::lane, redact};");
    write("redact.rs", "// crate::cli in a comment is no import\n");

    let top = top_level_graph(src);
    let found = cycles(&top);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("cli -> model -> cli"), "{}", found[0]);
    assert!(found[0].contains("model -> cli: "), "{}", found[0]);
    assert!(found[0].contains("src/model/lane.rs"), "{}", found[0]);
    let up = upward(&top);
    assert_eq!(up.len(), 1, "{up:?}");
    assert!(up[0].starts_with("  model imports cli: "), "{}", up[0]);

    let inner = cycles(&model_graph(src));
    assert_eq!(inner.len(), 1, "{inner:?}");
    assert!(
        inner[0].starts_with("lane -> state -> lane"),
        "{}",
        inner[0]
    );
}

#[test]
fn no_import_cycle_among_the_children_of_any_directory_module() {
    let src = source_tree();
    let dirs = directory::directory_modules(&src);
    assert!(dirs.len() > 5, "the source tree was not read: {dirs:?}");
    let mut found = Vec::new();
    for dir in dirs {
        let shown = dir.to_string_lossy().replace('\\', "/");
        let cycles = cycles(&directory::directory_graph(&src, &dir));
        found.extend(cycles.into_iter().map(|c| format!("in src/{shown}/: {c}")));
    }
    assert!(found.is_empty(), "import cycles:\n{}", found.join("\n"));
}

/// A parent declaring and re-exporting its children is no cycle; a parent calling a child that
/// uses the parent's own item is, and so is a child using a sibling through the re-export.
#[test]
fn a_made_up_directory_cycle_is_found_through_super_and_re_exports() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir_all(src.join("engine/deep")).unwrap();
    let write = |name: &str, text: &str| std::fs::write(src.join(name), text).unwrap();
    write(
        "engine/mod.rs",
        "mod a;\nmod b;\nmod deep;\npub use a::Alpha;\npub use b::{self, Beta};\n\
         pub struct Shared;\npub fn run() { deep::go() }",
    );
    write("engine/a.rs", "use super::Beta;\npub struct Alpha;");
    write("engine/b.rs", "use crate::engine::Alpha;\npub struct Beta;");
    write("engine/deep/mod.rs", "mod inner;\npub fn go() {}");
    write("engine/deep/inner.rs", "use super::super::Shared;");
    let found = cycles(&directory::directory_graph(src, Path::new("engine")));
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].starts_with("a -> b -> a"), "{}", found[0]);
    assert!(found[0].contains("src/engine/b.rs"), "{}", found[0]);
    assert!(found[1].starts_with("deep -> mod -> deep"), "{}", found[1]);
    assert!(
        found[1].contains("src/engine/deep/inner.rs"),
        "{}",
        found[1]
    );

    write(
        "engine/mod.rs",
        "mod a;\nmod b;\nmod deep;\npub use a::Alpha;\npub struct Shared;",
    );
    write("engine/a.rs", "pub struct Alpha;");
    let found = cycles(&directory::directory_graph(src, Path::new("engine")));
    assert!(found.is_empty(), "{found:?}");
}
