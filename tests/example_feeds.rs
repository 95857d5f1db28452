//! The repository's `feeds/` is exactly what `feedwright build --site examples/blog`
//! writes (every feed; the manifest records when files were written, so it is not compared). After an intended change, refresh it with
//! `FEEDWRIGHT_BLESS=1 cargo nextest run --test example_feeds` and review the diff.

mod common;

use std::path::Path;
use std::process::Command;

#[test]
fn feeds_folder_matches_a_fresh_build_of_the_example_site() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fresh = tempfile::tempdir().unwrap();
    let bless = std::env::var_os("FEEDWRIGHT_BLESS").is_some();
    let out_dir = if bless { root.join("feeds") } else { fresh.path().to_path_buf() };
    let out = Command::new(env!("CARGO_BIN_EXE_feedwright"))
        .args(["build", "--site"])
        .arg(root.join("examples/blog"))
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", common::stderr(&out));
    let built = common::feeds(&out_dir);
    let committed = common::feeds(&root.join("feeds"));
    let built_names: Vec<&String> = built.keys().collect();
    let committed_names: Vec<&String> = committed.keys().collect();
    assert_eq!(committed_names, built_names, "feeds/ lists other files than a fresh build");
    for (name, bytes) in &built {
        assert!(committed[name] == *bytes, "feeds/{name} differs from a fresh build (FEEDWRIGHT_BLESS=1 refreshes it)");
    }
    assert!(built.len() > 40, "the example site should have dozens of feeds, got {}", built.len());
}
