//! The org aggregate: organizations, their domains and members.

payloads! {
    OrgAdded = "org.added" { name: String }
    OrgChanged = "org.changed" { name: String }
    OrgDeactivated = "org.deactivated" {}
    OrgReactivated = "org.reactivated" {}
    /// No payload, as ZITADEL's (written with `NewEvent::bare`); burg
    /// wrote `{name}` before.
    OrgRemoved = "org.removed" {}
    DomainAdded = "org.domain.added" { domain: String }
    DomainVerified = "org.domain.verified" { domain: String }
    DomainPrimarySet = "org.domain.primary.set" { domain: String }
    DomainRemoved = "org.domain.removed" { domain: String }
    MemberAdded = "org.member.added" { user_id: String, roles: Vec<String> }
    MemberChanged = "org.member.changed" { user_id: String, roles: Vec<String> }
    MemberRemoved = "org.member.removed" { user_id: String }
    MemberCascadeRemoved = "org.member.cascade.removed" { user_id: String }
    LoginPolicyIdpAdded = "org.policy.login.idpprovider.added" { idp_config_id: String, idp_provider_type: i32 }
    LoginPolicyIdpRemoved = "org.policy.login.idpprovider.removed" { idp_config_id: String, idp_provider_type: i32 }
    LoginPolicyIdpCascadeRemoved = "org.policy.login.idpprovider.cascade.removed" { idp_config_id: String, idp_provider_type: i32 }
}
