//! `burg token create`: a service account with a role and a personal access
//! token, written straight into the database (for operators and tests). It
//! only adds rows that no running server holds in a cache, so it may run
//! beside a server on the same data.

use burg_app::AppConfig;
use burg_domain::permission::{SYSTEM_OWNER, instance_roles, org_roles};
use clap::{Args, Subcommand};

use crate::config::{DataArgs, DataConfig, FileConfig, Purpose, init_logging};

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a service account holding ROLE and print its token.
    Create(CreateArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Instance role (IAM_OWNER, IAM_OWNER_VIEWER, …; SYSTEM_OWNER for the
    /// system-level v2 RPCs) or, with --org, an organization role
    /// (ORG_OWNER, …); repeatable.
    #[arg(long, required = true)]
    pub role: Vec<String>,
    /// Organization for ORG_* roles [default: the instance's default organization].
    #[arg(long)]
    pub org: Option<String>,
    /// Username of the service account [default: a generated one].
    #[arg(long)]
    pub name: Option<String>,
    /// Lifetime of the token in seconds [default: no expiry].
    #[arg(long)]
    pub expires_in: Option<u64>,
}

pub async fn run(command: TokenCommand) -> Result<(), String> {
    match command {
        TokenCommand::Create(args) => create(args).await,
    }
}

/// Refuses an unknown role, listing the roles there are.
fn check_roles(roles: &[String]) -> Result<(), String> {
    let instance_level = |r: &str| r.starts_with("IAM_") || r == SYSTEM_OWNER;
    let org_level: Vec<String> = roles.iter().filter(|r| !instance_level(r)).cloned().collect();
    for role in roles {
        let known = if instance_level(role) {
            role == SYSTEM_OWNER || instance_roles().any(|r| r == role)
        } else {
            burg_domain::permission::org_member_roles_valid(&org_level)
        };
        if !known {
            return Err(format!(
                "unknown role {role:?}; instance roles: {}; organization roles: {}",
                instance_roles().collect::<Vec<_>>().join(", "),
                org_roles().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    Ok(())
}

async fn create(args: CreateArgs) -> Result<(), String> {
    init_logging("text", "warn")?;
    check_roles(&args.role)?;
    let file = FileConfig::load(args.data.config.as_deref())?;
    let data = DataConfig::resolve(&args.data, None, &file);
    let opened = data.open(AppConfig::default(), Purpose::Token).await?;
    if opened.bootstrap.admin_token.is_some() {
        eprintln!(
            "created a new instance in {}; its IAM_OWNER token is in {}",
            data.data_dir.display(),
            data.data_dir.join("admin.pat").display()
        );
    }
    let created = opened
        .app
        .create_service_account(args.name.as_deref(), &args.role, args.org.as_deref(), args.expires_in)
        .await
        .map_err(|e| e.message)?;
    opened.app.db().close().await;
    println!("{}", created.token.expose());
    eprintln!("service account {} ({}) holds {}", created.user_name, created.user_id, args.role.join(", "));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_role_lists_the_known_ones() {
        let e = check_roles(&["IAM_OWNER".into(), "OWNER".into()]).unwrap_err();
        assert!(e.contains("\"OWNER\""), "{e}");
        assert!(e.contains("IAM_OWNER_VIEWER") && e.contains("ORG_OWNER"), "{e}");
        assert!(check_roles(&["IAM_OWNER".into(), "ORG_OWNER".into()]).is_ok());
    }
}
