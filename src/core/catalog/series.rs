//! Which posts belong together without a tag: series (named in front matter, or found in
//! titles by the config's patterns) and the config's custom feeds.

use crate::core::input::config::CustomFeed;
use crate::core::input::post::Post;

/// A post's series: those its front matter names, and the one its title shows.
pub fn series_names(post: &Post) -> Vec<&str> {
    let mut names: Vec<&str> = post.series.iter().map(String::as_str).collect();
    if let Some(detected) = &post.detected_series
        && !names.iter().any(|n| n.to_lowercase() == detected.to_lowercase())
    {
        names.push(detected);
    }
    names
}

/// Whether `post` is in a custom feed: every criterion given holds (any entry of a list).
pub fn matches(feed: &CustomFeed, post: &Post) -> bool {
    let series: Vec<String> = series_names(post).into_iter().map(str::to_string).collect();
    let any = |wanted: &[String], have: &[String]| {
        wanted.is_empty() || have.iter().any(|h| wanted.contains(&h.to_lowercase()))
    };
    any(&feed.tags, &post.tags)
        && any(&feed.categories, &post.categories)
        && any(&feed.series, &series)
        && feed.title_pattern.as_ref().is_none_or(|re| re.is_match(&post.title))
}
