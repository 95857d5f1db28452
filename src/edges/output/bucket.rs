//! Publishing to object storage — S3, Google Cloud Storage, Azure Blob — through the
//! `object_store` crate: the same batches as a folder, with the manifest kept in the
//! bucket beside the feeds. A build compares the bytes it made with the hashes the
//! manifest holds (it never lists or downloads a feed) and uploads only what changed.
//!
//! A publish goes in this order, so that a reader never finds a feed missing, and the
//! manifest never claims an upload that did not happen:
//! 1. the manifest is rewritten ahead, marked pending, with every object about to be
//!    written or deleted listed without a hash ("unknown");
//! 2. changed feeds are uploaded, [`CONCURRENT`] at a time, each retried with backoff;
//!    then the files about the whole site (`opml.xml`, the redirect files);
//! 3. objects no longer made are deleted — only objects the manifest lists, and no more
//!    than `max_deletes`;
//! 4. the published ids (when they changed), then the manifest as it now is.
//!
//! A publish stopped anywhere is completed by the next: what the pending manifest marks
//! unknown is uploaded again, what it lists that is no longer made is deleted.

use std::collections::BTreeMap;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::stream::{self, StreamExt, TryStreamExt};
use object_store::path::Path as ObjectPath;
use object_store::{
    Attribute, Attributes, BackoffConfig, ObjectStore, ObjectStoreExt, PutOptions, PutPayload, RetryConfig,
};
use rayon::prelude::*;
use url::Url;

use super::manifest::{self, Stamp};
use super::{Destination, Ids, IdsRecord, Written, cache_control, content_tag, is_safe, is_site_file, media_type};
use crate::core::{Files, Site};

/// Objects uploaded or deleted at once.
pub const CONCURRENT: usize = 16;
/// `--max-deletes` when not given: more deletions than this in one publish is a mistake
/// until the user says otherwise (a wrong `--site`, an emptied content folder).
pub const DEFAULT_MAX_DELETES: usize = 256;

/// Whether `--out` names a bucket rather than a folder.
pub(super) fn is_bucket_url(text: &str) -> bool {
    ["s3://", "gs://", "az://"].iter().any(|scheme| text.starts_with(scheme))
}

/// A bucket (and a prefix in it) feedwright publishes to.
pub struct Bucket {
    /// `s3://bucket/prefix` as given, for messages.
    url: String,
    store: Arc<dyn ObjectStore>,
    /// The prefix, without slashes at either end ("" for the bucket's root).
    prefix: String,
    runtime: tokio::runtime::Runtime,
    manifest: BTreeMap<String, Stamp>,
    ids: IdsRecord,
    /// The last publish stopped between its pending manifest and its final one.
    interrupted: bool,
    max_deletes: usize,
    batch: Option<Pending>,
}

/// A batch under way: the files whose bytes differ from what the manifest records.
#[derive(Default)]
struct Pending {
    max_age: u64,
    /// Changed files: path, hash of the bytes, the bytes.
    upload: Vec<(String, u128, Bytes)>,
    /// Every file staged, with the hash of its bytes.
    names: BTreeMap<String, u128>,
    unchanged: usize,
}

impl Bucket {
    /// Connect to the bucket of `url` (credentials, region and endpoint from the
    /// provider's usual environment variables) and read its manifest and ids.
    pub fn open(url: &str, max_deletes: usize) -> io::Result<Bucket> {
        let parsed = Url::parse(url).map_err(|e| invalid(format!("{url}: not a bucket URL: {e}")))?;
        let name = parsed.host_str().unwrap_or_default();
        if name.is_empty() {
            return Err(invalid(format!("{url}: no bucket name (write s3://BUCKET/PREFIX)")));
        }
        let retry = RetryConfig {
            backoff: BackoffConfig { init_backoff: Duration::from_millis(200), ..BackoffConfig::default() },
            max_retries: 4,
            retry_timeout: Duration::from_secs(60),
        };
        let store: Arc<dyn ObjectStore> = match parsed.scheme() {
            "s3" => Arc::new(
                object_store::aws::AmazonS3Builder::from_env().with_url(url).with_retry(retry).build().map_err(
                    |e| invalid(format!("{url}: {e} (set AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION)")),
                )?,
            ),
            "gs" => Arc::new(
                object_store::gcp::GoogleCloudStorageBuilder::from_env()
                    .with_url(url)
                    .with_retry(retry)
                    .build()
                    .map_err(|e| {
                        invalid(format!("{url}: {e} (set GOOGLE_SERVICE_ACCOUNT or GOOGLE_APPLICATION_CREDENTIALS)"))
                    })?,
            ),
            "az" => Arc::new(
                object_store::azure::MicrosoftAzureBuilder::from_env()
                    .with_url(url)
                    .with_retry(retry)
                    .build()
                    .map_err(|e| invalid(format!("{url}: {e} (set AZURE_STORAGE_ACCOUNT_NAME and a key or token)")))?,
            ),
            other => return Err(invalid(format!("{url}: unknown storage `{other}://` (use s3://, gs:// or az://)"))),
        };
        let prefix = parsed.path().trim_matches('/').to_string();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| io::Error::new(e.kind(), format!("{url}: cannot start the upload runtime: {e}")))?;
        let mut bucket = Bucket {
            url: url.trim_end_matches('/').to_string(),
            store,
            prefix,
            runtime,
            manifest: BTreeMap::new(),
            ids: IdsRecord::default(),
            interrupted: false,
            max_deletes,
            batch: None,
        };
        let manifest_text = bucket.read_text(manifest::MANIFEST)?;
        let ids_text = bucket.read_text(manifest::IDS_FILE)?;
        let read = manifest::parse(manifest_text.as_deref().unwrap_or_default(), ids_text.as_deref());
        bucket.manifest = read.files;
        bucket.ids = IdsRecord::new(read.ids, read.ids_in_manifest);
        bucket.interrupted = read.interrupted;
        Ok(bucket)
    }

    fn location(&self, rel: &str) -> ObjectPath {
        if self.prefix.is_empty() { ObjectPath::from(rel) } else { ObjectPath::from(format!("{}/{rel}", self.prefix)) }
    }

    /// The object's URL, for messages.
    fn object_url(&self, rel: &str) -> String {
        format!("{}/{rel}", self.url)
    }

    /// A small object feedwright keeps beside the feeds, or `None` when there is none.
    fn read_text(&self, rel: &str) -> io::Result<Option<String>> {
        let location = self.location(rel);
        let store = self.store.clone();
        let read = self.runtime.block_on(async move {
            match store.get(&location).await {
                Ok(got) => got.bytes().await.map(Some),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(e),
            }
        });
        match read {
            Ok(Some(bytes)) => String::from_utf8(bytes.to_vec())
                .map(Some)
                .map_err(|_| invalid(format!("{}: not a feedwright manifest (not UTF-8)", self.object_url(rel)))),
            Ok(None) => Ok(None),
            Err(e) => Err(explain(&self.object_url(rel), "cannot read", e)),
        }
    }

    /// Upload `files` (path, bytes), [`CONCURRENT`] at a time; the first failure stops
    /// the rest and names its object.
    /// `exists`: whether a file is published once this batch is (full archive documents
    /// are the ones followed by another).
    fn upload(&self, files: Vec<(String, Bytes)>, max_age: u64, exists: &dyn Fn(&str) -> bool) -> io::Result<()> {
        let uploads = files.into_iter().map(|(rel, bytes)| {
            let cache_control = cache_control(&rel, max_age, exists);
            let store = self.store.clone();
            let location = self.location(&rel);
            let mut attributes = Attributes::new();
            attributes.insert(Attribute::ContentType, media_type(&rel, &bytes).into());
            attributes.insert(Attribute::CacheControl, cache_control.into());
            let url = self.object_url(&rel);
            async move {
                let options = PutOptions { attributes, ..PutOptions::default() };
                store.put_opts(&location, PutPayload::from_bytes(bytes), options).await.map_err(|e| (url, e))
            }
        });
        self.runtime
            .block_on(stream::iter(uploads).buffer_unordered(CONCURRENT).try_collect::<Vec<_>>())
            .map(|_| ())
            .map_err(|(url, e)| explain(&url, "cannot upload", e))
    }

    /// Delete the objects of `rels` (one already gone is no error), in bulk requests.
    fn delete(&self, rels: &[String]) -> io::Result<()> {
        if rels.is_empty() {
            return Ok(());
        }
        let locations: Vec<object_store::Result<ObjectPath>> = rels.iter().map(|rel| Ok(self.location(rel))).collect();
        let deleted = self.store.delete_stream(stream::iter(locations).boxed());
        let results: Vec<object_store::Result<ObjectPath>> = self.runtime.block_on(deleted.collect());
        for result in results {
            match result {
                Ok(_) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(explain(&self.url, "cannot delete", e)),
            }
        }
        Ok(())
    }

    fn put_text(&self, rel: &str, text: String) -> io::Result<()> {
        let mut attributes = Attributes::new();
        attributes.insert(Attribute::ContentType, "text/plain; charset=utf-8".into());
        attributes.insert(Attribute::CacheControl, "no-store".into());
        let options = PutOptions { attributes, ..PutOptions::default() };
        let (store, location) = (self.store.clone(), self.location(rel));
        self.runtime
            .block_on(async move { store.put_opts(&location, PutPayload::from(text), options).await })
            .map(|_| ())
            .map_err(|e| explain(&self.object_url(rel), "cannot upload", e))
    }
}

impl Destination for Bucket {
    fn is_live(&self) -> bool {
        true
    }

    fn ids(&self) -> &Ids {
        &self.ids.ids
    }

    fn record_ids(&mut self, site: &Site) {
        self.ids.record(site);
    }

    fn ids_pending(&self) -> bool {
        self.ids.changed
    }

    fn stamp(&self, rel: &str) -> Option<Stamp> {
        self.manifest.get(rel).copied()
    }

    fn published(&self) -> Vec<String> {
        self.manifest.keys().cloned().collect()
    }

    fn begin(&mut self, targets: &[String], max_age: u64) -> io::Result<()> {
        if let Some(bad) = targets.iter().find(|t| !is_safe(t)) {
            return Err(invalid(format!("refusing to write outside {}: {bad}", self.url)));
        }
        self.batch = Some(Pending { max_age, ..Pending::default() });
        Ok(())
    }

    fn stage(&mut self, files: &Files) -> io::Result<()> {
        let batch = self.batch.as_mut().ok_or_else(super::no_batch)?;
        if let Some(bad) = files.keys().find(|rel| !is_safe(rel)) {
            return Err(invalid(format!("refusing to write outside {}: {bad}", self.url)));
        }
        let hashed: Vec<(&String, u128)> = files.par_iter().map(|(rel, bytes)| (rel, content_tag(bytes))).collect();
        for (rel, hash) in hashed {
            batch.names.insert(rel.clone(), hash);
            if self.manifest.get(rel).and_then(|s| s.hash) == Some(hash) {
                batch.unchanged += 1;
            } else {
                batch.upload.push((rel.clone(), hash, Bytes::copy_from_slice(&files[rel])));
            }
        }
        Ok(())
    }

    fn finish(&mut self, remove: Option<&[String]>) -> io::Result<Written> {
        let batch = self.batch.take().ok_or_else(super::no_batch)?;
        let stale: Vec<String> = match remove {
            Some(list) => list.iter().filter(|r| !batch.names.contains_key(*r)).cloned().collect(),
            None => self.manifest.keys().filter(|p| !batch.names.contains_key(*p)).cloned().collect(),
        };
        let stale: Vec<String> = stale.into_iter().filter(|r| self.manifest.contains_key(r)).collect();
        if stale.len() > self.max_deletes {
            return Err(io::Error::other(format!(
                "{}: this publish would delete {} objects, more than --max-deletes {}; nothing was changed \
                 (check --site, or raise --max-deletes if the feeds are really gone)",
                self.url,
                stale.len(),
                self.max_deletes
            )));
        }
        let mut done = Written { unchanged: batch.unchanged, ..Written::default() };
        if batch.upload.is_empty() && stale.is_empty() && !self.ids.changed && !self.interrupted {
            return Ok(done);
        }
        // 1. Ahead: every object about to change or go is unknown until the end.
        let mut ahead = self.manifest.clone();
        for rel in batch.upload.iter().map(|(rel, _, _)| rel).chain(&stale) {
            ahead.insert(rel.clone(), Stamp::default());
        }
        if !batch.upload.is_empty() || !stale.is_empty() {
            self.put_text(manifest::MANIFEST, manifest::text(&ahead, true))?;
            self.interrupted = true;
        }
        // What the bucket's manifest says now (a daemon's next batch compares with it).
        let before = std::mem::replace(&mut self.manifest, ahead);
        // 2. The feeds, then what lists them.
        let (site, feeds): (Vec<_>, Vec<_>) = batch.upload.iter().partition(|(rel, _, _)| is_site_file(rel));
        let exists = |p: &str| batch.names.contains_key(p) || (before.contains_key(p) && !stale.iter().any(|s| s == p));
        for part in [feeds, site] {
            let files = part.iter().map(|(rel, _, bytes)| (rel.clone(), bytes.clone())).collect();
            self.upload(files, batch.max_age, &exists)?;
            done.changed.extend(part.iter().map(|(rel, _, _)| rel.clone()));
        }
        done.written = batch.upload.len();
        // 3. What is no longer made.
        self.delete(&stale)?;
        done.removed = stale.len();
        done.changed.extend(stale.iter().cloned());
        done.gone = stale.clone();
        // 4. The ids, then the manifest as it now is.
        if self.ids.changed {
            self.put_text(manifest::IDS_FILE, manifest::ids_text(&self.ids.ids))?;
            self.ids.changed = false;
        }
        let now = manifest::now();
        let mut after = self.manifest.clone();
        for (rel, hash) in &batch.names {
            // Bytes that did not change keep their date.
            let stamp = after.entry(rel.clone()).or_default();
            if let Some(old) = before.get(rel).filter(|s| s.hash == Some(*hash)) {
                *stamp = *old;
            }
            stamp.restamp(*hash, None, now);
        }
        for rel in &stale {
            after.remove(rel);
        }
        self.put_text(manifest::MANIFEST, manifest::text(&after, false))?;
        self.manifest = after;
        self.interrupted = false;
        Ok(done)
    }

    fn abandon(&mut self) -> io::Result<()> {
        self.batch = None;
        Ok(())
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

/// An object store's error as one line a user can act on.
fn explain(url: &str, doing: &str, e: object_store::Error) -> io::Error {
    let text = e.to_string();
    let hint = if text.contains("NoSuchBucket") {
        " (the bucket does not exist)"
    } else if ["InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "403 Forbidden"]
        .iter()
        .any(|s| text.contains(s))
        || matches!(e, object_store::Error::PermissionDenied { .. } | object_store::Error::Unauthenticated { .. })
    {
        " (access denied: check the credentials, e.g. AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"
    } else {
        ""
    };
    let kind = match e {
        object_store::Error::PermissionDenied { .. } | object_store::Error::Unauthenticated { .. } => {
            io::ErrorKind::PermissionDenied
        }
        _ => io::ErrorKind::Other,
    };
    io::Error::new(kind, format!("{url}: {doing}{hint}: {}", one_line(&text)))
}

/// An error message on one line, cut to a readable length.
fn one_line(text: &str) -> String {
    let joined: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match joined.char_indices().nth(400) {
        Some((cut, _)) => format!("{}…", &joined[..cut]),
        None => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_urls_are_told_from_folders() {
        assert!(is_bucket_url("s3://feeds/site") && is_bucket_url("gs://b") && is_bucket_url("az://c/p"));
        assert!(!is_bucket_url("feeds") && !is_bucket_url("/srv/s3:/x") && !is_bucket_url("http://x/y"));
    }

    #[test]
    fn a_bucket_url_without_a_bucket_or_of_an_unknown_kind_is_refused() {
        let e = Bucket::open("s3:///prefix", 1).err().unwrap();
        assert!(e.to_string().contains("no bucket name"), "{e}");
        let e = Bucket::open("ftp://x/y", 1).err().unwrap();
        assert!(e.to_string().contains("unknown storage"), "{e}");
    }
}
