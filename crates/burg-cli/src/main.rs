//! `burg`: the one binary. Parses the command line, sets up logging, and
//! hands over to the library crates; it holds no logic of its own beyond
//! configuration and wiring.
// A dependency nothing uses fails the lints (unit tests use dev-dependencies).
#![cfg_attr(not(test), deny(unused_crate_dependencies))]

mod cleanup;
mod config;
mod lock;
mod progress;
mod start;
mod token;
mod transfer;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// burg: an identity platform server, wire-compatible with ZITADEL's Admin API v1.
#[derive(Debug, Parser)]
#[command(name = "burg", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve REST, gRPC and gRPC-Web on one port.
    Start(start::StartArgs),
    /// Manage access tokens directly in the database.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// Export organizations to a file, S3 or GCS.
    Export(transfer::ExportArgs),
    /// Import organizations from a file, S3 or GCS.
    Import(transfer::ImportArgs),
}

/// How a command failed.
#[derive(Debug)]
pub enum Failure {
    Error(String),
    /// Stopped by a signal; says what stays.
    Interrupted(String),
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure::Error(message)
    }
}

fn main() -> ExitCode {
    burg_app::memory::tune_allocator();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("burg: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Start(args) => start::run(args).await.map_err(Failure::from),
            Command::Token(cmd) => token::run(cmd).await.map_err(Failure::from),
            Command::Export(args) => transfer::export(args).await,
            Command::Import(args) => transfer::import(args).await,
        }
    });
    // Dropping the runtime drops every task still running, and with them
    // the guards of their temporary files.
    runtime.shutdown_timeout(std::time::Duration::from_secs(5));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Error(message)) => {
            eprintln!("burg: {message}");
            ExitCode::FAILURE
        }
        Err(Failure::Interrupted(message)) => {
            eprintln!("burg: {message}");
            ExitCode::from(130)
        }
    }
}
