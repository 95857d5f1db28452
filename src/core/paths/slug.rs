//! Slugs: the path segment a tag, category, series or custom feed is written under.
//!
//! A slug is lowercase letters and digits (any script) joined by single `-`. It can never
//! be empty, `.` or `..`, and never holds `/` or `\`, so no name in a post can make
//! feedwright write outside `--out`.

use std::collections::BTreeMap;

/// The longest slug, in bytes: a folder name must fit every file system (255 bytes), with
/// room to spare. A longer slug keeps its start and ends in a hash of the whole name.
pub const MAX_SLUG_BYTES: usize = 100;

/// The slug of `name`: lowercase; letters and digits kept; every other run of characters
/// becomes one `-`; trimmed; at most [`MAX_SLUG_BYTES`]. A name with no letter or digit
/// gets a slug made from a hash of the name, so it still has a stable feed of its own.
pub fn slugify(name: &str) -> String {
    cap(raw_slug(name), name)
}

/// `slug` cut to [`MAX_SLUG_BYTES`] (at a character boundary) plus a hash of `name`.
fn cap(slug: String, name: &str) -> String {
    if slug.len() <= MAX_SLUG_BYTES {
        return slug;
    }
    let mut end = MAX_SLUG_BYTES - 9;
    while !slug.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}-{:08x}", slug[..end].trim_end_matches('-'), stable_hash(name.as_bytes()) as u32)
}

fn raw_slug(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    let mut pending_dash = false;
    for c in name.chars() {
        if c.is_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.extend(c.to_lowercase());
        } else {
            pending_dash = true;
        }
    }
    if slug.is_empty() {
        slug = format!("x{:08x}", stable_hash(name.as_bytes()) as u32);
    }
    slug
}

/// FNV-1a: a hash that is the same on every machine and in every release, unlike std's.
pub fn stable_hash(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// XXH3 of a whole file: as stable as [`stable_hash`], and fast enough for every byte of
/// a large site on each build.
pub fn content_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// Slugs for a set of names that must not share one.
///
/// Names whose slugs collide keep the plain slug only for the name that *is* that slug
/// (`C` for `c`), or else the smallest name; the others get the plain slug plus a short
/// hash of their own name. Suffixes depend only on the name itself, so adding a new tag
/// never moves an existing tag's feed. Returns the slugs and one message per collision.
pub fn assign_slugs<'a>(
    names: impl IntoIterator<Item = &'a str>,
    slugify: impl Fn(&str) -> String,
) -> (BTreeMap<String, String>, Vec<String>) {
    let mut by_slug: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for name in names {
        by_slug.entry(slugify(name)).or_default().push(name);
    }
    let mut slugs = BTreeMap::new();
    let mut collisions = Vec::new();
    for (slug, mut names) in by_slug {
        names.sort_unstable();
        names.dedup();
        for name in &names {
            // Only a capped slug ends in the hash of the whole name.
            if slug.ends_with(&format!("-{:08x}", stable_hash(name.as_bytes()) as u32)) {
                collisions
                    .push(format!("`{name}` has a slug longer than {MAX_SLUG_BYTES} bytes: shortened to `{slug}`"));
            }
        }
        if names.len() > 1 {
            let keeper = names.iter().position(|n| n.to_lowercase() == slug).unwrap_or(0);
            let keeper_name = names[keeper];
            let mut moved = Vec::new();
            for (i, name) in names.iter().enumerate() {
                if i == keeper {
                    slugs.insert(name.to_string(), slug.clone());
                } else {
                    let distinct = format!("{slug}-{:06x}", stable_hash(name.as_bytes()) as u32 & 0xff_ffff);
                    moved.push(format!("`{name}` → `{distinct}`"));
                    slugs.insert(name.to_string(), distinct);
                }
            }
            collisions.push(format!("names share the slug `{slug}`: `{keeper_name}` keeps it; {}", moved.join(", ")));
        } else {
            slugs.insert(names[0].to_string(), slug);
        }
    }
    (slugs, collisions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercases_and_joins_with_single_dashes() {
        assert_eq!(slugify("VMware vSphere"), "vmware-vsphere");
        assert_eq!(slugify("  Hyper-V -- 2008!  "), "hyper-v-2008");
        assert_eq!(slugify("NFS"), slugify("nfs"));
    }

    #[test]
    fn keeps_unicode_letters() {
        assert_eq!(slugify("Zürich Straße"), "zürich-straße");
        assert_eq!(slugify("東京 タワー"), "東京-タワー");
    }

    #[test]
    fn can_never_escape_the_output_folder() {
        for name in ["../../etc", "..", ".", "/", "a/b", "a\\b", "", "   ", "+++"] {
            let slug = slugify(name);
            assert!(!slug.is_empty(), "{name:?}");
            assert!(slug != "." && slug != "..", "{name:?}");
            assert!(!slug.contains('/') && !slug.contains('\\') && !slug.contains('.'), "{name:?} → {slug}");
        }
        assert_eq!(slugify("../../etc"), "etc");
    }

    #[test]
    fn long_names_get_capped_stable_distinct_slugs() {
        let long = "東".repeat(91);
        let slug = slugify(&long);
        assert!(slug.len() <= MAX_SLUG_BYTES, "{}", slug.len());
        assert_eq!(slug, slugify(&long));
        assert_ne!(slug, slugify(&format!("{long}x")));
        assert!(slug.starts_with("東東東"));
        let (_, messages) = assign_slugs([long.as_str()], slugify);
        assert!(messages[0].contains("shortened"), "{messages:?}");
    }

    #[test]
    fn colliding_names_get_distinct_deterministic_slugs() {
        let (slugs, warnings) = assign_slugs(["C++", "C", "Go"], slugify);
        assert_eq!(slugs["C"], "c");
        assert_ne!(slugs["C++"], "c");
        assert!(slugs["C++"].starts_with("c-"));
        assert_eq!(slugs["Go"], "go");
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("C++"));
        // Adding another colliding name does not move the existing ones.
        let (again, _) = assign_slugs(["C#", "C++", "C", "Go"], slugify);
        assert_eq!(again["C++"], slugs["C++"]);
        assert_eq!(again["C"], "c");
        assert_ne!(again["C#"], again["C++"]);
    }
}
