//! The crate's modules form a tree (a DAG): no module reaches back to one that imports it.
//! Reads `src/*.rs` and follows every `crate::<module>` path.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules = BTreeMap::new();
    for file in fs::read_dir(&src).unwrap() {
        let path = file.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        if name != "lib" {
            modules.insert(name, fs::read_to_string(&path).unwrap());
        }
    }
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    modules
        .into_iter()
        .map(|(name, text)| {
            let uses = text
                .match_indices("crate::")
                .filter_map(|(at, _)| {
                    let rest = &text[at + "crate::".len()..];
                    let end = rest
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .unwrap_or(rest.len());
                    let used = &rest[..end];
                    (used != name && names.contains(used)).then(|| used.to_owned())
                })
                .collect();
            (name, uses)
        })
        .collect()
}

#[test]
fn modules_import_each_other_without_a_cycle() {
    let graph = graph();
    // Kahn: repeatedly drop the modules whose imports are all gone.
    let mut left = graph.clone();
    while !left.is_empty() {
        let leaves: Vec<String> = left
            .iter()
            .filter(|(_, uses)| uses.iter().all(|u| !left.contains_key(u)))
            .map(|(name, _)| name.clone())
            .collect();
        assert!(!leaves.is_empty(), "import cycle among {left:#?}");
        for leaf in leaves {
            left.remove(&leaf);
        }
    }
    // The leaves the design names stay leaves.
    for leaf in ["location", "raw", "id", "time", "owned", "de", "numeric"] {
        let uses = &graph[leaf];
        assert!(
            uses.iter()
                .all(|u| ["owned", "numeric", "time", "de"].contains(&u.as_str())),
            "{leaf} imports {uses:?}"
        );
    }
    // Dedup keys do not need an `Event`.
    assert!(!graph["dedup"].contains("event"), "{:?}", graph["dedup"]);
}
