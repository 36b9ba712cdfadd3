//! `burg token create`: a service account with a role and a personal access
//! token, written straight into the database (for operators and tests).

use burg_app::AppConfig;
use clap::{Args, Subcommand};

use crate::config::{DataArgs, DataConfig, FileConfig, init_logging};

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a service account holding ROLE and print its token.
    Create(CreateArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Instance role (IAM_OWNER, IAM_OWNER_VIEWER, …) or, with --org, an organization role (ORG_OWNER, …).
    #[arg(long)]
    pub role: Vec<String>,
    /// Organization for ORG_* roles (default: the instance's default organization).
    #[arg(long)]
    pub org: Option<String>,
    /// Username of the service account (default: a generated one).
    #[arg(long)]
    pub name: Option<String>,
    /// Lifetime of the token in seconds (default: no expiry).
    #[arg(long)]
    pub expires_in: Option<u64>,
}

pub async fn run(command: TokenCommand) -> Result<(), String> {
    match command {
        TokenCommand::Create(args) => create(args).await,
    }
}

async fn create(args: CreateArgs) -> Result<(), String> {
    init_logging("text", "warn")?;
    if args.role.is_empty() {
        return Err("give at least one --role, e.g. --role IAM_OWNER_VIEWER".into());
    }
    let file = FileConfig::load(args.data.config.as_deref())?;
    let data = DataConfig::resolve(&args.data, &file);
    let (app, _) = data.open_app(AppConfig::default()).await?;
    let created = app
        .create_service_account(args.name.as_deref(), &args.role, args.org.as_deref(), args.expires_in)
        .await
        .map_err(|e| e.message)?;
    println!("{}", created.token.expose());
    eprintln!("service account {} ({}) holds {}", created.user_name, created.user_id, args.role.join(", "));
    Ok(())
}
