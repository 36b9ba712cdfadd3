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
    /// A challenge to prove the domain: its type (1 HTTP, 2 DNS) and the
    /// sealed token.
    DomainVerificationAdded = "org.domain.verification.added" {
        domain: String,
        validation_type: i32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        validation_code: Option<crate::crypto::Sealed>,
    }
    DomainVerificationFailed = "org.domain.verification.failed" { domain: String }
    DomainVerified = "org.domain.verified" { domain: String }
    DomainPrimarySet = "org.domain.primary.set" { domain: String }
    DomainRemoved = "org.domain.removed" { domain: String }
    /// `value` is the bytes in base64, as Go writes a `[]byte`.
    MetadataSet = "org.metadata.set" { key: String, value: String }
    MetadataRemoved = "org.metadata.removed" { key: String }
    MemberAdded = "org.member.added" { user_id: String, roles: Vec<String> }
    MemberChanged = "org.member.changed" { user_id: String, roles: Vec<String> }
    MemberRemoved = "org.member.removed" { user_id: String }
    MemberCascadeRemoved = "org.member.cascade.removed" { user_id: String }
    /// `idpProviderType` as ZITADEL's domain numbers it, left out when 0
    /// (an instance template); an organization's own template is 1.
    LoginPolicyIdpAdded = "org.policy.login.idpprovider.added" {
        idp_config_id: String,
        #[serde(default, skip_serializing_if = "crate::events::is_zero")]
        idp_provider_type: i32,
    }
    LoginPolicyIdpRemoved = "org.policy.login.idpprovider.removed" { idp_config_id: String }
    /// Not written any more (see the instance's); earlier stores hold it.
    LoginPolicyIdpCascadeRemoved = "org.policy.login.idpprovider.cascade.removed" { idp_config_id: String }
}
