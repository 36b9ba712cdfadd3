//! The kinds of item a transfer document holds.

/// What an item is. Its name ([`Kind::as_str`]) is a wire value: the
/// `type` of an `ImportDataError`; for a document (a [`super::Section`]'s
/// item) also `org_objects.kind` and the `objectKind` of its event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Org,
    Domain,
    /// A domain's `isPrimary`, which ZITADEL's import sets apart.
    DomainIsPrimary,
    DomainIsVerified,
    HumanUser,
    /// A human's OTP secret, which ZITADEL imports apart from the human.
    HumanUserOtp,
    MachineUser,
    UserLink,
    OrgMember,
    DomainPolicy,
    LabelPolicy,
    LockoutPolicy,
    LoginPolicy,
    PasswordComplexityPolicy,
    PrivacyPolicy,
    OidcIdp,
    JwtIdp,
    LoginTexts,
    InitMessage,
    PasswordResetMessage,
    VerifyEmailMessage,
    VerifyPhoneMessage,
    DomainClaimedMessage,
    PasswordlessRegistrationMessage,
    VerifySmsOtpMessage,
    VerifyEmailOtpMessage,
    InviteUserMessage,
    /// burg's member of `DataOrg` (ZITADEL's has none).
    PasswordChangeMessage,
    UserMetadata,
    MachineUserKey,
    Project,
    OidcApp,
    ApiApp,
    AppKey,
    Action,
    ProjectRole,
    TriggerAction,
    ProjectGrant,
    UserGrant,
    ProjectMember,
    ProjectGrantMember,
}

impl Kind {
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Kind::Org => "org",
            Kind::Domain => "domain",
            Kind::DomainIsPrimary => "domain_isprimary",
            Kind::DomainIsVerified => "domain_isverified",
            Kind::HumanUser => "human_user",
            Kind::HumanUserOtp => "human_user_otp",
            Kind::MachineUser => "machine_user",
            Kind::UserLink => "user_link",
            Kind::OrgMember => "org_member",
            Kind::DomainPolicy => "domain_policy",
            Kind::LabelPolicy => "label_policy",
            Kind::LockoutPolicy => "lockout_policy",
            Kind::LoginPolicy => "login_policy",
            Kind::PasswordComplexityPolicy => "password_complexity_policy",
            Kind::PrivacyPolicy => "privacy_policy",
            Kind::OidcIdp => "oidc_idp",
            Kind::JwtIdp => "jwt_idp",
            Kind::LoginTexts => "login_texts",
            Kind::InitMessage => "init_message",
            Kind::PasswordResetMessage => "password_reset_message",
            Kind::VerifyEmailMessage => "verify_email_message",
            Kind::VerifyPhoneMessage => "verify_phone_message",
            Kind::DomainClaimedMessage => "domain_claimed_message",
            Kind::PasswordlessRegistrationMessage => "passwordless_registration_message",
            Kind::VerifySmsOtpMessage => "verify_sms_otp_message",
            Kind::VerifyEmailOtpMessage => "verify_email_otp_message",
            Kind::InviteUserMessage => "invite_user_message",
            Kind::PasswordChangeMessage => "password_change_message",
            Kind::UserMetadata => "user_metadata",
            Kind::MachineUserKey => "machine_user_key",
            Kind::Project => "project",
            Kind::OidcApp => "oidc_app",
            Kind::ApiApp => "api_app",
            Kind::AppKey => "app_key",
            Kind::Action => "action",
            Kind::ProjectRole => "project_role",
            Kind::TriggerAction => "trigger_action",
            Kind::ProjectGrant => "project_grant",
            Kind::UserGrant => "user_grant",
            Kind::ProjectMember => "project_member",
            Kind::ProjectGrantMember => "project_grant_member",
        }
    }
}

impl Kind {
    /// The `type` of an import report entry: the kind's name, except where
    /// ZITADEL's report spells it otherwise.
    pub(crate) const fn report_type(self) -> &'static str {
        match self {
            Kind::InviteUserMessage => "invite_user_messages",
            other => other.as_str(),
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::super::SECTIONS;
    use super::*;

    #[test]
    fn kinds_of_the_tables_render_their_wire_names() {
        let names = [
            (Kind::Org, "org"),
            (Kind::Domain, "domain"),
            (Kind::HumanUser, "human_user"),
            (Kind::HumanUserOtp, "human_user_otp"),
            (Kind::MachineUser, "machine_user"),
            (Kind::UserLink, "user_link"),
            (Kind::OrgMember, "org_member"),
        ];
        for (kind, name) in names {
            assert_eq!(kind.to_string(), name);
        }
    }

    #[test]
    fn every_section_keeps_its_stored_name() {
        // `org_objects.kind` and `objectKind` of stored data: they never change.
        let stored = [
            ("domainPolicy", "domain_policy"),
            ("labelPolicy", "label_policy"),
            ("lockoutPolicy", "lockout_policy"),
            ("loginPolicy", "login_policy"),
            ("passwordComplexityPolicy", "password_complexity_policy"),
            ("privacyPolicy", "privacy_policy"),
            ("oidcIdps", "oidc_idp"),
            ("jwtIdps", "jwt_idp"),
            ("userMetadata", "user_metadata"),
            ("machineKeys", "machine_user_key"),
            ("projects", "project"),
            ("oidcApps", "oidc_app"),
            ("apiApps", "api_app"),
            ("appKeys", "app_key"),
            ("actions", "action"),
            ("projectRoles", "project_role"),
            ("triggerActions", "trigger_action"),
            ("projectGrants", "project_grant"),
            ("userGrants", "user_grant"),
            ("projectMembers", "project_member"),
            ("projectGrantMembers", "project_grant_member"),
            ("loginTexts", "login_texts"),
            ("initMessages", "init_message"),
            ("passwordResetMessages", "password_reset_message"),
            ("verifyEmailMessages", "verify_email_message"),
            ("verifyPhoneMessages", "verify_phone_message"),
            ("domainClaimedMessages", "domain_claimed_message"),
            ("passwordlessRegistrationMessages", "passwordless_registration_message"),
            ("verifySmsOtpMessages", "verify_sms_otp_message"),
            ("verifyEmailOtpMessages", "verify_email_otp_message"),
            ("inviteUserMessages", "invite_user_message"),
            ("burgPasswordChangeMessages", "password_change_message"),
        ];
        assert_eq!(SECTIONS.len(), stored.len());
        for (json, kind) in stored {
            let section = SECTIONS.iter().find(|s| s.json == json).unwrap_or_else(|| panic!("{json}"));
            assert_eq!(section.kind.as_str(), kind, "{json}");
        }
    }
}
