//! Keeping PostgreSQL's plans good while an import grows the tables.
//!
//! PostgreSQL plans the projections' `id IN (…)` statements from table
//! statistics. A large organization grows `users` and `user_idp_links`
//! inside its one transaction, and stale statistics then pick a plan that
//! walks every user of the instance per statement (auto_explain: 360 ms
//! each, an import of 100k users at 300 users/s). ANALYZE counts the
//! transaction's own rows, so the plans use the primary key again. The
//! same holds for `events`, which the import asks which of a batch's user
//! ids have a history (a scan of every event per batch of 100 users on
//! stale statistics: 100 ms each, 30 s of a 10k-user import).

use burg_domain::Result;

use crate::{Backend, WriteTx, db_error};

/// A batch of users at least this large makes the statistics matter.
const LARGE_BATCH: usize = 100;

/// Below this many rows in `users`, statistics taken before the import's
/// first users are written are refreshed once more after them.
const NEAR_EMPTY: f32 = 1000.0;

/// Where one organization's import stands with the statistics: a large
/// organization refreshes them before its first users (the organizations
/// committed before it are counted) and, when the table was close to empty
/// then, once more after its first users are written. Does nothing on
/// SQLite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Statistics(State);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum State {
    /// Small so far: the plans do not depend on them.
    #[default]
    Unneeded,
    /// Large: to be refreshed now.
    Due,
    /// Refreshed on a nearly empty table: again after the next write.
    AgainAfterWrite,
    Refreshed,
}

impl Statistics {
    /// Before a batch of `users` users is looked up and written: the first
    /// large batch refreshes the statistics.
    pub async fn before_users(&mut self, tx: &mut WriteTx, users: usize) -> Result<()> {
        if self.0 == State::Unneeded && users >= LARGE_BATCH {
            self.0 = State::Due;
            self.refresh(tx).await?;
        }
        Ok(())
    }

    /// After users were written: refreshes the statistics again when they
    /// were taken on a nearly empty table.
    pub async fn after_write(&mut self, tx: &mut WriteTx) -> Result<()> {
        self.refresh(tx).await
    }

    async fn refresh(&mut self, tx: &mut WriteTx) -> Result<()> {
        if tx.backend() != Backend::Postgres {
            return Ok(());
        }
        let first = match self.0 {
            State::Due => true,
            State::AgainAfterWrite => false,
            State::Unneeded | State::Refreshed => return Ok(()),
        };
        let (_, conn) = tx.split();
        sqlx::query("ANALYZE users, user_idp_links, events")
            .execute(&mut *conn)
            .await
            .map_err(db_error("TUNE-db001"))?;
        self.0 = State::Refreshed;
        if first {
            let rows: f32 = sqlx::query_scalar("SELECT reltuples FROM pg_class WHERE oid = 'users'::regclass")
                .fetch_one(&mut *conn)
                .await
                .map_err(db_error("IMPORT-db012"))?;
            if rows < NEAR_EMPTY {
                self.0 = State::AgainAfterWrite;
            }
        }
        Ok(())
    }
}
