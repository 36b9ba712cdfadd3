//! `ImportData`: organizations in, ids kept, each organization in one
//! transaction.
//!
//! The document comes from the request or a file ([`source`]); a reader
//! thread hands its organizations out one at a time ([`reader`], over the
//! byte [`scan`]ner), each held as the place of its sections ([`doc`]),
//! its id checked before anything is written ([`check`]). Then, in its
//! transaction, the [`writer`] takes every item as ZITADEL's import does,
//! one command at a time: an item its command refuses (an empty field it
//! needs, a reference to nothing, one already there with other content)
//! is reported alone and the organization goes on; an item stored with
//! the same content is reported as existing and skipped; an item without
//! its id gets a new one where the command makes one. What each
//! organization came to is the [`report`].

mod check;
mod doc;
mod reader;
mod report;
mod scan;
mod source;
mod writer;

use burg_api::admin::{ImportDataRequest, ImportDataResponse, ImportDataSuccess};
use burg_domain::notify::Channel;
use burg_domain::{Error, ErrorKind, Result};

pub use check::{check_document, check_file_document};
use doc::OrgDoc;
pub use reader::Format;
use reader::{Checked, DocumentUsers};
pub use report::EXISTS_ID;
use report::{Outcome, error};
pub use writer::ORG_EXISTS_ID;

use super::{Kind, timeout_of};
use crate::{App, Ctx, Tick};

/// How an import runs and what it reports.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportMode {
    /// Every check runs, against the stored data too; nothing is written.
    pub dry_run: bool,
    /// Each organization's success entry keeps its id only, not the ids of
    /// everything imported: the API's full report grows with the document
    /// (about 0.75 KB per user), a summary does not.
    pub summary: bool,
}

impl App {
    pub async fn import_data(&self, ctx: &Ctx, req: ImportDataRequest) -> Result<ImportDataResponse> {
        self.import_data_with(ctx, req, ImportMode::default()).await
    }

    /// `ImportData` run as `mode` says.
    pub async fn import_data_with(
        &self,
        ctx: &Ctx,
        req: ImportDataRequest,
        mode: ImportMode,
    ) -> Result<ImportDataResponse> {
        let timeout = timeout_of(&req.timeout)?;
        let work = async {
            let source = self.import_source(req.data).await?;
            let mut orgs = source.orgs().await?;
            let planned_users = orgs.planned.iter().sum();
            self.config.progress.tell(Tick::Planned { orgs: orgs.planned.len() as u64, users: planned_users });
            let instance_idps = writer::instance_idps(orgs.instance.as_ref());
            let mut seen = 0u64;
            let mut response = ImportDataResponse { errors: vec![], success: Some(ImportDataSuccess::default()) };
            let (mut done, mut written) = (0u64, 0u64);
            while let Some(org) = orgs.next().await {
                let (org, checked) = org?;
                let mut outcome =
                    self.import_org(ctx, org, checked, (&orgs.document_users, &instance_idps), mode).await?;
                if !mode.dry_run && !outcome.drawn.is_empty() {
                    self.send_imported_codes(ctx, std::mem::take(&mut outcome.drawn)).await?;
                }
                for id in std::mem::take(&mut outcome.failed_users) {
                    orgs.document_users.remove(&id);
                }
                seen += orgs.planned.pop_front().unwrap_or_default();
                written += outcome.users;
                done += 1;
                // What the organization's import freed goes back to the
                // system before the next one starts (BENCHMARKS.md: the peak
                // at 100k users varied between 42 and 49 MB without it).
                crate::memory::give_back();
                self.config.progress.tell(Tick::Users(seen));
                self.config.progress.tell(Tick::Written(written));
                self.config.progress.tell(Tick::Orgs(done));
                response.errors.extend(outcome.errors);
                if let (Some(s), Some(list)) = (outcome.success, response.success.as_mut()) {
                    list.orgs.push(s);
                }
            }
            // The instance's section last: its members name users of the
            // organizations.
            if let Some(section) = &orgs.instance {
                response.errors.extend(self.import_instance(ctx, section, mode.dry_run).await?);
            }
            Ok(response)
        };
        tokio::time::timeout(timeout, work).await.map_err(|_| {
            Error::deadline_exceeded(
                "IMPORT-time01",
                "the import ran out of time; organizations finished before are imported, the one in progress is not",
            )
        })?
    }

    /// Sends the users of a committed organization their first codes, as
    /// ZITADEL's notification worker does, through the active providers.
    /// Without an active provider for a channel, its codes stay stored
    /// (a resend sends a new one) and one line says how many.
    async fn send_imported_codes(&self, ctx: &Ctx, drawn: Vec<writer::Drawn>) -> Result<()> {
        let active = |channel| burg_store::notify::active(self.db.pool(), &self.instance_id, channel);
        let email = active(Channel::Email).await?.is_some();
        let sms = active(Channel::Sms).await?.is_some();
        let mut unsent = 0;
        for d in &drawn {
            let init = d.init.as_ref().filter(|_| email);
            let email_code = d.email.as_ref().filter(|_| email);
            let phone = d.phone.as_ref().filter(|_| sms);
            let wanted = [&d.init, &d.email, &d.phone].iter().filter(|c| c.is_some()).count();
            let sending = [init, email_code, phone].iter().filter(|c| c.is_some()).count();
            unsent += wanted - sending;
            if sending > 0 {
                self.send_first_codes(ctx, &d.user_id, init, email_code, phone).await;
            }
        }
        if unsent > 0 {
            tracing::info!(unsent, "imported users' first codes are stored but not sent: no active provider");
        }
        Ok(())
    }

    /// Imports one organization as `checked` found it (see
    /// [`check::check_org`]).
    async fn import_org(
        &self,
        ctx: &Ctx,
        org: OrgDoc,
        checked: Checked,
        document: (&DocumentUsers, &writer::InstanceIdps),
        mode: ImportMode,
    ) -> Result<Outcome> {
        if let Err(refused) = checked {
            return Ok(Outcome::refused(refused.0));
        }
        let mut attempts = 0;
        loop {
            let result: Result<Outcome> = async {
                let mut tx = self.begin(ctx).await?;
                match self.write_org(&mut tx, &ctx.principal.user_id, &org, document, mode).await? {
                    Ok(outcome) => {
                        // Everything read must have been read whole.
                        org.read_failure()?;
                        if !mode.dry_run {
                            tx.commit().await?;
                        }
                        Ok(outcome)
                    }
                    Err(refused) => Ok(Outcome::refused(refused.0)),
                }
            }
            .await;
            match result {
                Err(e) if e.kind == ErrorKind::Aborted && attempts < 5 => attempts += 1,
                Err(e) if e.kind == ErrorKind::Internal || e.kind == ErrorKind::Unavailable => return Err(e),
                Err(e) => return Ok(Outcome::refused(vec![error(Kind::Org, org.org_id(), &e)])),
                Ok(outcome) => return Ok(outcome),
            }
        }
    }
}
