//! The SQL of `ExportData` and `ImportData`, as typed rows per table.
//!
//! An export reads every table an organization's document is made of from
//! one [`Snapshot`]; an import compares each item with the stored row of
//! the same identity ([`import`]) before its events are pushed through the
//! same [`WriteTx`](crate::WriteTx) as every other write.

mod export;
pub mod import;

pub use export::{DomainRow, HumanRow, LinkRow, MachineRow, MemberRow, ObjectRow, OrgRow, Snapshot};
