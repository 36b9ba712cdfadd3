//! Where an import's document comes from: the request itself, a local
//! file, or an object in S3 or GCS downloaded to a temporary file first.

use burg_api::admin::DataOrg;
use burg_api::admin::import_data_request::Data;
use burg_domain::{Error, Result};

use super::super::storage::{self, LocalFile, S3};
use super::doc::upgrade_v1;
use super::reader::Format;
use crate::App;

/// An import document.
pub(super) enum Source {
    /// The organizations and the instance's section, if given.
    /// The organizations, the instance section, and whether they came
    /// from a v1 document.
    Inline(Vec<DataOrg>, Option<serde_json::Value>, bool),
    /// A file; `keep` removes a downloaded copy when dropped.
    File { path: std::path::PathBuf, keep: Option<TempFile>, format: Format },
}

impl App {
    /// Where the document is: in the request, or in a file (downloaded
    /// first when it is in S3 or GCS); in today's format or in v1's.
    pub(super) async fn import_source(&self, data: Option<Data>) -> Result<Source> {
        use burg_api::admin::import_data_request::{GcsInput, LocalInput, S3Input};
        enum Input {
            Local(LocalInput),
            S3(S3Input),
            Gcs(GcsInput),
        }
        let (format, input) = match data {
            None => return Err(Error::invalid_argument("IMPORT-data01", "one of the `dataOrgs…` inputs is required")),
            Some(Data::DataOrgs(doc)) => {
                let instance = doc.burg_instance.map(|s| crate::events::from_struct(&s));
                return Ok(Source::Inline(doc.orgs, instance, false));
            }
            Some(Data::DataOrgsv1(doc)) => {
                return Ok(Source::Inline(doc.orgs.iter().map(upgrade_v1).collect::<Result<_>>()?, None, true));
            }
            Some(Data::DataOrgsLocal(i)) => (Format::Today, Input::Local(i)),
            Some(Data::DataOrgsv1Local(i)) => (Format::V1, Input::Local(i)),
            Some(Data::DataOrgsS3(i)) => (Format::Today, Input::S3(i)),
            Some(Data::DataOrgsv1S3(i)) => (Format::V1, Input::S3(i)),
            Some(Data::DataOrgsGcs(i)) => (Format::Today, Input::Gcs(i)),
            Some(Data::DataOrgsv1Gcs(i)) => (Format::V1, Input::Gcs(i)),
        };
        let prefix = |input: &str| format!("dataOrgs{}{input}", if format == Format::V1 { "v1" } else { "" });
        let field = |input: &str| format!("{}.path", prefix(input));
        let (path, keep) = match input {
            Input::Local(local) => {
                (self.config.transfer_dir.resolve(&field("Local"), &local.path, LocalFile::Input)?, None)
            }
            Input::S3(s3) => {
                let bucket = S3 {
                    field: prefix("S3"),
                    endpoint: s3.endpoint,
                    ssl: s3.ssl,
                    bucket: s3.bucket,
                    access_key_id: s3.access_key_id,
                    secret_access_key: s3.secret_access_key,
                };
                let store = storage::s3_store(&self.egress, &bucket, storage::DOWNLOAD_MAX as usize).await?;
                let (path, keep, mut file) = download_target().await?;
                storage::download_object(store, &bucket, &field("S3"), &s3.path, &mut file).await?;
                (path, Some(keep))
            }
            Input::Gcs(gcs) => {
                let account = format!("{}.serviceaccountJson", prefix("Gcs"));
                let client =
                    storage::Gcs::connect(&self.egress, &account, &gcs.bucket, &gcs.serviceaccount_json).await?;
                let (path, keep, mut file) = download_target().await?;
                client.download(&field("Gcs"), &gcs.path, &mut file).await?;
                (path, Some(keep))
            }
        };
        Ok(Source::File { path, keep, format })
    }
}

/// A temporary file for a downloaded document: removed when the guard is
/// dropped, so a failed download leaves nothing.
async fn download_target() -> Result<(std::path::PathBuf, TempFile, tokio::fs::File)> {
    let path = std::env::temp_dir().join(format!("burg-import-{:016x}.json", rand::random::<u64>()));
    let file = tokio::fs::File::create(&path)
        .await
        .map_err(|e| Error::internal("IMPORT-tmp01", format!("cannot keep the downloaded document: {e}")))?;
    Ok((path.clone(), TempFile(path), file))
}

/// A file that is removed when dropped.
pub(crate) struct TempFile(std::path::PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
