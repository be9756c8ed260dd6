//! Every adapter runs both suites, against every public entry point it
//! offers: a new adapter, or a suite dropped from one, fails here.
//!
//! Test binaries cannot see each other, so this reads the adapters' test
//! files: each must invoke each suite's macro once per entry point (one
//! module per entry point when there are several).

use std::path::{Path, PathBuf};

/// The adapters, and the entry points each must run both suites against
/// (the module of the test file that does; `""` for the file itself).
const ADAPTERS: &[(&str, &[&str])] = &[
    ("axum", &["router", "extractors"]),
    (
        "actix-web",
        &["service", "extractors", "extractors_web_data"],
    ),
    ("lambda", &[""]),
];

/// The crates that are not HTTP adapters.
const NOT_ADAPTERS: &[&str] = &[
    "cli",
    "conformance",
    "core",
    "inbox",
    "ops",
    "testing",
    "tls",
    "types",
];

/// The suites: the test file each adapter runs it from, and its macro.
const SUITES: &[(&str, &str)] = &[
    ("tests/conformance.rs", "conformance_tests!"),
    ("tests/hostile.rs", "hostile_tests!"),
];

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crates/")
        .to_owned()
}

/// The modules of `source` that invoke `invocation`, in order (`""` for
/// the top level); a module is a line `mod name {` and ends at a line `}`,
/// both unindented.
fn invoking_modules(source: &str, invocation: &str) -> Vec<String> {
    let mut module = String::new();
    let mut found = Vec::new();
    for line in source.lines() {
        if let Some(name) = line
            .strip_prefix("mod ")
            .and_then(|rest| rest.strip_suffix(" {"))
        {
            name.clone_into(&mut module);
        } else if line == "}" {
            module.clear();
        } else if line.contains(invocation) && !line.trim_start().starts_with("//") {
            found.push(module.clone());
        }
    }
    found
}

#[test]
fn every_crate_is_known() {
    let mut crates: Vec<String> = std::fs::read_dir(crates_dir())
        .expect("crates/")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .into_string()
                .expect("name")
        })
        .collect();
    crates.sort();
    for name in &crates {
        assert!(
            ADAPTERS.iter().any(|(adapter, _)| adapter == name)
                || NOT_ADAPTERS.contains(&name.as_str()),
            "crates/{name}: list it in ADAPTERS (with its entry points) or in NOT_ADAPTERS"
        );
    }
}

#[test]
fn every_adapter_runs_both_suites_against_every_entry_point() {
    for (adapter, entry_points) in ADAPTERS {
        for (file, invocation) in SUITES {
            let path = crates_dir().join(adapter).join(file);
            let source = std::fs::read_to_string(&path)
                .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
            assert_eq!(
                invoking_modules(&source, invocation),
                *entry_points,
                "crates/{adapter}/{file} must invoke {invocation} once per entry point"
            );
            assert!(
                !source.contains("#[ignore"),
                "crates/{adapter}/{file}: no ignored tests"
            );
        }
    }
}

#[test]
fn the_scan_sees_modules_and_ignores_comments() {
    let source = "mod a {\n    fn run() {\n    }\n    conformance_tests!(run);\n}\n\
                  // conformance_tests!(x)\nmod b {\n}\nconformance_tests!(run);\n";
    assert_eq!(invoking_modules(source, "conformance_tests!"), ["a", ""]);
}
