//! Where screenshot bytes live: a directory (`MSS_BLOB_DIR`, the default) or an S3-compatible
//! bucket (`MSS_BLOB_URL=s3://bucket/prefix`, credentials from the usual `AWS_*` variables),
//! both through the `object_store` crate. Blobs are content-addressed by SHA-256, so the same
//! picture sent twice is stored once; the directory store writes to a temporary name and
//! renames, so a blob is either whole or absent. The database refers to a blob only after `put`
//! returned.
use crate::server::infra::error::internal;
use crate::AppError;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use object_store::{path::Path, ObjectStore, PutPayload};
use std::sync::Arc;

#[derive(Clone)]
pub struct Blobs {
    store: Arc<dyn ObjectStore>,
}

impl std::fmt::Debug for Blobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Blobs({})", self.store)
    }
}

/// A blob's key: its SHA-256 in hex.
pub fn is_key(key: &str) -> bool {
    key.len() == 64
        && key
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn path(key: &str) -> Path {
    // Two-character fan-out keeps directories small.
    Path::from(format!("{}/{key}", &key[..2]))
}

impl Blobs {
    /// The store the settings name: `s3://…` through object_store's S3 client, else a directory
    /// (created when missing).
    pub fn open(dir: &std::path::Path, url: Option<&str>) -> anyhow::Result<Blobs> {
        let store: Arc<dyn ObjectStore> = match url {
            Some(url) if url.starts_with("s3://") => {
                let (bucket, prefix) = url["s3://".len()..]
                    .split_once('/')
                    .unwrap_or((&url["s3://".len()..], ""));
                let s3 = object_store::aws::AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .build()?;
                if prefix.trim_matches('/').is_empty() {
                    Arc::new(s3)
                } else {
                    Arc::new(object_store::prefix::PrefixStore::new(
                        s3,
                        prefix.trim_matches('/'),
                    ))
                }
            }
            Some(other) => anyhow::bail!("MSS_BLOB_URL must start with s3:// (got {other:?})"),
            None => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| anyhow::anyhow!("MSS_BLOB_DIR {}: {e}", dir.display()))?;
                Arc::new(object_store::local::LocalFileSystem::new_with_prefix(dir)?)
            }
        };
        Ok(Blobs { store })
    }

    /// Stores `bytes` under `key`, their SHA-256 in hex (`key_of`; the image pipeline computes it
    /// on the blocking pool). Storing what is already there is harmless.
    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), AppError> {
        if !is_key(key) {
            return Err(internal(format!("not a blob key: {key}")));
        }
        self.store
            .put(&path(key), PutPayload::from(bytes))
            .await
            .map_err(internal)?;
        Ok(())
    }

    pub async fn get(&self, key: &str) -> Result<Option<Bytes>, AppError> {
        if !is_key(key) {
            return Ok(None);
        }
        match self.store.get(&path(key)).await {
            Ok(found) => Ok(Some(found.bytes().await.map_err(internal)?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(internal(e)),
        }
    }

    /// Keys of blobs last written before `before` (for the hourly sweep; the listing is held in
    /// memory, about 70 bytes a blob).
    pub async fn older_than(&self, before: DateTime<Utc>) -> Result<Vec<String>, AppError> {
        let listed: Vec<_> = self
            .store
            .list(None)
            .try_collect()
            .await
            .map_err(internal)?;
        Ok(listed
            .into_iter()
            .filter(|meta| meta.last_modified < before)
            .filter_map(|meta| {
                meta.location
                    .filename()
                    .filter(|k| is_key(k))
                    .map(str::to_owned)
            })
            .collect())
    }

    /// When the blob was last written (`None`: not there).
    pub async fn written_at(&self, key: &str) -> Result<Option<DateTime<Utc>>, AppError> {
        match self.store.head(&path(key)).await {
            Ok(meta) => Ok(Some(meta.last_modified)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(internal(e)),
        }
    }

    pub async fn delete(&self, key: &str) -> Result<(), AppError> {
        match self.store.delete(&path(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(internal(e)),
        }
    }
}
