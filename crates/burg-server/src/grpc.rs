//! The tonic services: one method per RPC, each handing its request to the
//! `burg-app` function of the same name. REST reaches the same methods
//! through the generated dispatch in `burg_api::routes`.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use burg_api::admin::admin_service_server::{AdminService, AdminServiceServer};
use burg_api::management::management_service_server::{ManagementService, ManagementServiceServer};
use burg_api::routes::Route;
use burg_api::zitadel::application::v2 as application_v2;
use burg_api::zitadel::application::v2::application_service_server::{ApplicationService, ApplicationServiceServer};
use burg_api::zitadel::feature::v2 as feature_v2;
use burg_api::zitadel::feature::v2::feature_service_server::{FeatureService, FeatureServiceServer};
use burg_api::zitadel::instance::v2 as instance_v2;
use burg_api::zitadel::instance::v2::instance_service_server::{InstanceService, InstanceServiceServer};
use burg_api::zitadel::org::v2 as org_v2;
use burg_api::zitadel::org::v2::organization_service_server::{OrganizationService, OrganizationServiceServer};
use burg_api::zitadel::project::v2 as project_v2;
use burg_api::zitadel::project::v2::project_service_server::{ProjectService, ProjectServiceServer};
use burg_api::zitadel::settings::v2 as settings_v2;
use burg_api::zitadel::settings::v2::settings_service_server::{SettingsService, SettingsServiceServer};
use burg_api::zitadel::user::v2 as user_v2;
use burg_api::zitadel::user::v2::user_service_server::{UserService, UserServiceServer};
use burg_api::zitadel::webkey::v2 as webkey_v2;
use burg_api::zitadel::webkey::v2::web_key_service_server::{WebKeyService, WebKeyServiceServer};
use burg_api::{admin, management};
use burg_app::{App, Ctx};
use tonic::{Status, service::Routes};
use tonic_web::GrpcWebLayer;
use tower::Layer;

use crate::ServerConfig;
use crate::auth::{authorize, to_status};

/// The `AdminService` implementation.
#[derive(Clone)]
pub struct AdminApi {
    pub app: Arc<App>,
}

/// The `ManagementService` implementation.
#[derive(Clone)]
pub struct ManagementApi {
    pub app: Arc<App>,
}

/// The implementation of the v2 services burg serves (each RPC named once
/// across them).
#[derive(Clone)]
pub struct V2Api {
    pub app: Arc<App>,
}

fn ctx_of<T>(request: &tonic::Request<T>) -> Result<Ctx, Status> {
    request
        .extensions()
        .get::<Ctx>()
        .cloned()
        .ok_or_else(|| Status::internal("request reached the service without an auth context"))
}

/// Implements a service trait by forwarding each listed RPC to `App::<rpc>`
/// (or to the `App` method named after `as`, for an RPC whose name the
/// other service has too); every other RPC keeps the trait's default body,
/// which answers Unimplemented (`burg_api::error::unimplemented`).
macro_rules! forward {
    (@call $app:expr, $ctx:expr, $req:expr, $method:ident) => { $app.$method($ctx, $req) };
    (@call $app:expr, $ctx:expr, $req:expr, $method:ident, $own:ident) => { $app.$own($ctx, $req) };
    ($trait:ident for $api:ident in $m:ident as $served:ident {
        $($method:ident($req:ident) -> $resp:ident $(as $own:ident)?;)*
    }) => {
        /// The trait methods forwarded to the app.
        const $served: &[&str] = &[$(stringify!($method)),*];

        #[tonic::async_trait]
        impl $trait for $api {
            $(
                async fn $method(&self, request: tonic::Request<$m::$req>) -> Result<tonic::Response<$m::$resp>, Status> {
                    let ctx = ctx_of(&request)?;
                    crate::auth::check_object_scope(&ctx, request.get_ref()).map_err(to_status)?;
                    // The proto's rules, before the handler, as ZITADEL's
                    // validation interceptor runs after its auth check.
                    burg_api::validate::Validate::validate(request.get_ref())?;
                    forward!(@call self.app, &ctx, request.into_inner(), $method $(, $own)?)
                        .await
                        .map(tonic::Response::new)
                        .map_err(to_status)
                }
            )*
        }
    };
}

forward! { AdminService for AdminApi in admin as ADMIN_SERVED {
        healthz(HealthzRequest) -> HealthzResponse;
        get_my_instance(GetMyInstanceRequest) -> GetMyInstanceResponse;
        list_instance_domains(ListInstanceDomainsRequest) -> ListInstanceDomainsResponse;
        get_supported_languages(GetSupportedLanguagesRequest) -> GetSupportedLanguagesResponse;
        get_default_language(GetDefaultLanguageRequest) -> GetDefaultLanguageResponse;
        set_default_language(SetDefaultLanguageRequest) -> SetDefaultLanguageResponse;
        get_default_init_message_text(GetDefaultInitMessageTextRequest) -> GetDefaultInitMessageTextResponse;
        get_custom_init_message_text(GetCustomInitMessageTextRequest) -> GetCustomInitMessageTextResponse;
        set_default_init_message_text(SetDefaultInitMessageTextRequest) -> SetDefaultInitMessageTextResponse;
        reset_custom_init_message_text_to_default(ResetCustomInitMessageTextToDefaultRequest) -> ResetCustomInitMessageTextToDefaultResponse;
        get_default_password_reset_message_text(GetDefaultPasswordResetMessageTextRequest) -> GetDefaultPasswordResetMessageTextResponse;
        get_custom_password_reset_message_text(GetCustomPasswordResetMessageTextRequest) -> GetCustomPasswordResetMessageTextResponse;
        set_default_password_reset_message_text(SetDefaultPasswordResetMessageTextRequest) -> SetDefaultPasswordResetMessageTextResponse;
        reset_custom_password_reset_message_text_to_default(ResetCustomPasswordResetMessageTextToDefaultRequest) -> ResetCustomPasswordResetMessageTextToDefaultResponse;
        get_default_verify_email_message_text(GetDefaultVerifyEmailMessageTextRequest) -> GetDefaultVerifyEmailMessageTextResponse;
        get_custom_verify_email_message_text(GetCustomVerifyEmailMessageTextRequest) -> GetCustomVerifyEmailMessageTextResponse;
        set_default_verify_email_message_text(SetDefaultVerifyEmailMessageTextRequest) -> SetDefaultVerifyEmailMessageTextResponse;
        reset_custom_verify_email_message_text_to_default(ResetCustomVerifyEmailMessageTextToDefaultRequest) -> ResetCustomVerifyEmailMessageTextToDefaultResponse;
        get_default_verify_phone_message_text(GetDefaultVerifyPhoneMessageTextRequest) -> GetDefaultVerifyPhoneMessageTextResponse;
        get_custom_verify_phone_message_text(GetCustomVerifyPhoneMessageTextRequest) -> GetCustomVerifyPhoneMessageTextResponse;
        set_default_verify_phone_message_text(SetDefaultVerifyPhoneMessageTextRequest) -> SetDefaultVerifyPhoneMessageTextResponse;
        reset_custom_verify_phone_message_text_to_default(ResetCustomVerifyPhoneMessageTextToDefaultRequest) -> ResetCustomVerifyPhoneMessageTextToDefaultResponse;
        get_default_verify_smsotp_message_text(GetDefaultVerifySmsotpMessageTextRequest) -> GetDefaultVerifySmsotpMessageTextResponse;
        get_custom_verify_smsotp_message_text(GetCustomVerifySmsotpMessageTextRequest) -> GetCustomVerifySmsotpMessageTextResponse;
        set_default_verify_smsotp_message_text(SetDefaultVerifySmsotpMessageTextRequest) -> SetDefaultVerifySmsotpMessageTextResponse;
        reset_custom_verify_smsotp_message_text_to_default(ResetCustomVerifySmsotpMessageTextToDefaultRequest) -> ResetCustomVerifySmsotpMessageTextToDefaultResponse;
        get_default_verify_email_otp_message_text(GetDefaultVerifyEmailOtpMessageTextRequest) -> GetDefaultVerifyEmailOtpMessageTextResponse;
        get_custom_verify_email_otp_message_text(GetCustomVerifyEmailOtpMessageTextRequest) -> GetCustomVerifyEmailOtpMessageTextResponse;
        set_default_verify_email_otp_message_text(SetDefaultVerifyEmailOtpMessageTextRequest) -> SetDefaultVerifyEmailOtpMessageTextResponse;
        reset_custom_verify_email_otp_message_text_to_default(ResetCustomVerifyEmailOtpMessageTextToDefaultRequest) -> ResetCustomVerifyEmailOtpMessageTextToDefaultResponse;
        get_default_domain_claimed_message_text(GetDefaultDomainClaimedMessageTextRequest) -> GetDefaultDomainClaimedMessageTextResponse;
        get_custom_domain_claimed_message_text(GetCustomDomainClaimedMessageTextRequest) -> GetCustomDomainClaimedMessageTextResponse;
        set_default_domain_claimed_message_text(SetDefaultDomainClaimedMessageTextRequest) -> SetDefaultDomainClaimedMessageTextResponse;
        reset_custom_domain_claimed_message_text_to_default(ResetCustomDomainClaimedMessageTextToDefaultRequest) -> ResetCustomDomainClaimedMessageTextToDefaultResponse;
        get_default_passwordless_registration_message_text(GetDefaultPasswordlessRegistrationMessageTextRequest) -> GetDefaultPasswordlessRegistrationMessageTextResponse;
        get_custom_passwordless_registration_message_text(GetCustomPasswordlessRegistrationMessageTextRequest) -> GetCustomPasswordlessRegistrationMessageTextResponse;
        set_default_passwordless_registration_message_text(SetDefaultPasswordlessRegistrationMessageTextRequest) -> SetDefaultPasswordlessRegistrationMessageTextResponse;
        reset_custom_passwordless_registration_message_text_to_default(ResetCustomPasswordlessRegistrationMessageTextToDefaultRequest) -> ResetCustomPasswordlessRegistrationMessageTextToDefaultResponse;
        get_default_password_change_message_text(GetDefaultPasswordChangeMessageTextRequest) -> GetDefaultPasswordChangeMessageTextResponse;
        get_custom_password_change_message_text(GetCustomPasswordChangeMessageTextRequest) -> GetCustomPasswordChangeMessageTextResponse;
        set_default_password_change_message_text(SetDefaultPasswordChangeMessageTextRequest) -> SetDefaultPasswordChangeMessageTextResponse;
        reset_custom_password_change_message_text_to_default(ResetCustomPasswordChangeMessageTextToDefaultRequest) -> ResetCustomPasswordChangeMessageTextToDefaultResponse;
        get_default_invite_user_message_text(GetDefaultInviteUserMessageTextRequest) -> GetDefaultInviteUserMessageTextResponse;
        get_custom_invite_user_message_text(GetCustomInviteUserMessageTextRequest) -> GetCustomInviteUserMessageTextResponse;
        set_default_invite_user_message_text(SetDefaultInviteUserMessageTextRequest) -> SetDefaultInviteUserMessageTextResponse;
        reset_custom_invite_user_message_text_to_default(ResetCustomInviteUserMessageTextToDefaultRequest) -> ResetCustomInviteUserMessageTextToDefaultResponse;
        get_allowed_languages(GetAllowedLanguagesRequest) -> GetAllowedLanguagesResponse;
        get_default_login_texts(GetDefaultLoginTextsRequest) -> GetDefaultLoginTextsResponse;
        get_custom_login_texts(GetCustomLoginTextsRequest) -> GetCustomLoginTextsResponse;
        set_custom_login_text(SetCustomLoginTextsRequest) -> SetCustomLoginTextsResponse;
        reset_custom_login_text_to_default(ResetCustomLoginTextsToDefaultRequest) -> ResetCustomLoginTextsToDefaultResponse;
        set_restrictions(SetRestrictionsRequest) -> SetRestrictionsResponse;
        get_restrictions(GetRestrictionsRequest) -> GetRestrictionsResponse;
        list_iam_member_roles(ListIamMemberRolesRequest) -> ListIamMemberRolesResponse;
        list_iam_members(ListIamMembersRequest) -> ListIamMembersResponse;
        add_iam_member(AddIamMemberRequest) -> AddIamMemberResponse;
        update_iam_member(UpdateIamMemberRequest) -> UpdateIamMemberResponse;
        remove_iam_member(RemoveIamMemberRequest) -> RemoveIamMemberResponse;
        list_events(ListEventsRequest) -> ListEventsResponse;
        list_event_types(ListEventTypesRequest) -> ListEventTypesResponse;
        list_aggregate_types(ListAggregateTypesRequest) -> ListAggregateTypesResponse;
        is_org_unique(IsOrgUniqueRequest) -> IsOrgUniqueResponse;
        get_org_by_id(GetOrgByIdRequest) -> GetOrgByIdResponse;
        list_orgs(ListOrgsRequest) -> ListOrgsResponse;
        set_up_org(SetUpOrgRequest) -> SetUpOrgResponse;
        get_default_org(GetDefaultOrgRequest) -> GetDefaultOrgResponse;
        set_default_org(SetDefaultOrgRequest) -> SetDefaultOrgResponse;
        remove_org(RemoveOrgRequest) -> RemoveOrgResponse;
        get_provider_by_id(GetProviderByIdRequest) -> GetProviderByIdResponse;
        list_providers(ListProvidersRequest) -> ListProvidersResponse;
        delete_provider(DeleteProviderRequest) -> DeleteProviderResponse;
        get_idp_by_id(GetIdpByIdRequest) -> GetIdpByIdResponse;
        list_id_ps(ListIdPsRequest) -> ListIdPsResponse;
        add_oidcidp(AddOidcidpRequest) -> AddOidcidpResponse;
        add_jwtidp(AddJwtidpRequest) -> AddJwtidpResponse;
        update_idp(UpdateIdpRequest) -> UpdateIdpResponse;
        deactivate_idp(DeactivateIdpRequest) -> DeactivateIdpResponse;
        reactivate_idp(ReactivateIdpRequest) -> ReactivateIdpResponse;
        remove_idp(RemoveIdpRequest) -> RemoveIdpResponse;
        update_idpoidc_config(UpdateIdpoidcConfigRequest) -> UpdateIdpoidcConfigResponse;
        update_idpjwt_config(UpdateIdpjwtConfigRequest) -> UpdateIdpjwtConfigResponse;
        migrate_generic_oidc_provider(MigrateGenericOidcProviderRequest) -> MigrateGenericOidcProviderResponse;
        add_generic_o_auth_provider(AddGenericOAuthProviderRequest) -> AddGenericOAuthProviderResponse;
        update_generic_o_auth_provider(UpdateGenericOAuthProviderRequest) -> UpdateGenericOAuthProviderResponse;
        add_generic_oidc_provider(AddGenericOidcProviderRequest) -> AddGenericOidcProviderResponse;
        update_generic_oidc_provider(UpdateGenericOidcProviderRequest) -> UpdateGenericOidcProviderResponse;
        add_jwt_provider(AddJwtProviderRequest) -> AddJwtProviderResponse;
        update_jwt_provider(UpdateJwtProviderRequest) -> UpdateJwtProviderResponse;
        add_azure_ad_provider(AddAzureAdProviderRequest) -> AddAzureAdProviderResponse;
        update_azure_ad_provider(UpdateAzureAdProviderRequest) -> UpdateAzureAdProviderResponse;
        add_git_hub_provider(AddGitHubProviderRequest) -> AddGitHubProviderResponse;
        update_git_hub_provider(UpdateGitHubProviderRequest) -> UpdateGitHubProviderResponse;
        add_git_hub_enterprise_server_provider(AddGitHubEnterpriseServerProviderRequest) -> AddGitHubEnterpriseServerProviderResponse;
        update_git_hub_enterprise_server_provider(UpdateGitHubEnterpriseServerProviderRequest) -> UpdateGitHubEnterpriseServerProviderResponse;
        add_git_lab_provider(AddGitLabProviderRequest) -> AddGitLabProviderResponse;
        update_git_lab_provider(UpdateGitLabProviderRequest) -> UpdateGitLabProviderResponse;
        add_git_lab_self_hosted_provider(AddGitLabSelfHostedProviderRequest) -> AddGitLabSelfHostedProviderResponse;
        update_git_lab_self_hosted_provider(UpdateGitLabSelfHostedProviderRequest) -> UpdateGitLabSelfHostedProviderResponse;
        add_google_provider(AddGoogleProviderRequest) -> AddGoogleProviderResponse;
        update_google_provider(UpdateGoogleProviderRequest) -> UpdateGoogleProviderResponse;
        add_ldap_provider(AddLdapProviderRequest) -> AddLdapProviderResponse;
        update_ldap_provider(UpdateLdapProviderRequest) -> UpdateLdapProviderResponse;
        add_apple_provider(AddAppleProviderRequest) -> AddAppleProviderResponse;
        update_apple_provider(UpdateAppleProviderRequest) -> UpdateAppleProviderResponse;
        add_saml_provider(AddSamlProviderRequest) -> AddSamlProviderResponse;
        update_saml_provider(UpdateSamlProviderRequest) -> UpdateSamlProviderResponse;
        regenerate_saml_provider_certificate(RegenerateSamlProviderCertificateRequest) -> RegenerateSamlProviderCertificateResponse;
        get_login_policy(GetLoginPolicyRequest) -> GetLoginPolicyResponse;
        update_login_policy(UpdateLoginPolicyRequest) -> UpdateLoginPolicyResponse;
        list_login_policy_id_ps(ListLoginPolicyIdPsRequest) -> ListLoginPolicyIdPsResponse;
        add_idp_to_login_policy(AddIdpToLoginPolicyRequest) -> AddIdpToLoginPolicyResponse;
        remove_idp_from_login_policy(RemoveIdpFromLoginPolicyRequest) -> RemoveIdpFromLoginPolicyResponse;
        list_login_policy_second_factors(ListLoginPolicySecondFactorsRequest) -> ListLoginPolicySecondFactorsResponse;
        add_second_factor_to_login_policy(AddSecondFactorToLoginPolicyRequest) -> AddSecondFactorToLoginPolicyResponse;
        remove_second_factor_from_login_policy(RemoveSecondFactorFromLoginPolicyRequest) -> RemoveSecondFactorFromLoginPolicyResponse;
        list_login_policy_multi_factors(ListLoginPolicyMultiFactorsRequest) -> ListLoginPolicyMultiFactorsResponse;
        add_multi_factor_to_login_policy(AddMultiFactorToLoginPolicyRequest) -> AddMultiFactorToLoginPolicyResponse;
        remove_multi_factor_from_login_policy(RemoveMultiFactorFromLoginPolicyRequest) -> RemoveMultiFactorFromLoginPolicyResponse;
        get_password_complexity_policy(GetPasswordComplexityPolicyRequest) -> GetPasswordComplexityPolicyResponse;
        update_password_complexity_policy(UpdatePasswordComplexityPolicyRequest) -> UpdatePasswordComplexityPolicyResponse;
        get_lockout_policy(GetLockoutPolicyRequest) -> GetLockoutPolicyResponse;
        update_lockout_policy(UpdateLockoutPolicyRequest) -> UpdateLockoutPolicyResponse;
        get_privacy_policy(GetPrivacyPolicyRequest) -> GetPrivacyPolicyResponse;
        update_privacy_policy(UpdatePrivacyPolicyRequest) -> UpdatePrivacyPolicyResponse;
        get_password_age_policy(GetPasswordAgePolicyRequest) -> GetPasswordAgePolicyResponse;
        update_password_age_policy(UpdatePasswordAgePolicyRequest) -> UpdatePasswordAgePolicyResponse;
        get_domain_policy(GetDomainPolicyRequest) -> GetDomainPolicyResponse;
        update_domain_policy(UpdateDomainPolicyRequest) -> UpdateDomainPolicyResponse;
        get_org_iam_policy(GetOrgIamPolicyRequest) -> GetOrgIamPolicyResponse;
        update_org_iam_policy(UpdateOrgIamPolicyRequest) -> UpdateOrgIamPolicyResponse;
        get_custom_domain_policy(GetCustomDomainPolicyRequest) -> GetCustomDomainPolicyResponse;
        add_custom_domain_policy(AddCustomDomainPolicyRequest) -> AddCustomDomainPolicyResponse;
        update_custom_domain_policy(UpdateCustomDomainPolicyRequest) -> UpdateCustomDomainPolicyResponse;
        reset_custom_domain_policy_to_default(ResetCustomDomainPolicyToDefaultRequest) -> ResetCustomDomainPolicyToDefaultResponse;
        get_custom_org_iam_policy(GetCustomOrgIamPolicyRequest) -> GetCustomOrgIamPolicyResponse;
        add_custom_org_iam_policy(AddCustomOrgIamPolicyRequest) -> AddCustomOrgIamPolicyResponse;
        update_custom_org_iam_policy(UpdateCustomOrgIamPolicyRequest) -> UpdateCustomOrgIamPolicyResponse;
        reset_custom_org_iam_policy_to_default(ResetCustomOrgIamPolicyToDefaultRequest) -> ResetCustomOrgIamPolicyToDefaultResponse;
        get_notification_policy(GetNotificationPolicyRequest) -> GetNotificationPolicyResponse;
        add_notification_policy(AddNotificationPolicyRequest) -> AddNotificationPolicyResponse;
        update_notification_policy(UpdateNotificationPolicyRequest) -> UpdateNotificationPolicyResponse;
        get_smtp_config(GetSmtpConfigRequest) -> GetSmtpConfigResponse;
        get_smtp_config_by_id(GetSmtpConfigByIdRequest) -> GetSmtpConfigByIdResponse;
        add_smtp_config(AddSmtpConfigRequest) -> AddSmtpConfigResponse;
        update_smtp_config(UpdateSmtpConfigRequest) -> UpdateSmtpConfigResponse;
        update_smtp_config_password(UpdateSmtpConfigPasswordRequest) -> UpdateSmtpConfigPasswordResponse;
        activate_smtp_config(ActivateSmtpConfigRequest) -> ActivateSmtpConfigResponse;
        deactivate_smtp_config(DeactivateSmtpConfigRequest) -> DeactivateSmtpConfigResponse;
        remove_smtp_config(RemoveSmtpConfigRequest) -> RemoveSmtpConfigResponse;
        test_smtp_config_by_id(TestSmtpConfigByIdRequest) -> TestSmtpConfigByIdResponse;
        test_smtp_config(TestSmtpConfigRequest) -> TestSmtpConfigResponse;
        list_smtp_configs(ListSmtpConfigsRequest) -> ListSmtpConfigsResponse;
        list_email_providers(ListEmailProvidersRequest) -> ListEmailProvidersResponse;
        get_email_provider(GetEmailProviderRequest) -> GetEmailProviderResponse;
        get_email_provider_by_id(GetEmailProviderByIdRequest) -> GetEmailProviderByIdResponse;
        add_email_provider_smtp(AddEmailProviderSmtpRequest) -> AddEmailProviderSmtpResponse;
        update_email_provider_smtp(UpdateEmailProviderSmtpRequest) -> UpdateEmailProviderSmtpResponse;
        add_email_provider_http(AddEmailProviderHttpRequest) -> AddEmailProviderHttpResponse;
        update_email_provider_http(UpdateEmailProviderHttpRequest) -> UpdateEmailProviderHttpResponse;
        update_email_provider_smtp_password(UpdateEmailProviderSmtpPasswordRequest) -> UpdateEmailProviderSmtpPasswordResponse;
        activate_email_provider(ActivateEmailProviderRequest) -> ActivateEmailProviderResponse;
        deactivate_email_provider(DeactivateEmailProviderRequest) -> DeactivateEmailProviderResponse;
        remove_email_provider(RemoveEmailProviderRequest) -> RemoveEmailProviderResponse;
        test_email_provider_smtp_by_id(TestEmailProviderSmtpByIdRequest) -> TestEmailProviderSmtpByIdResponse;
        test_email_provider_smtp(TestEmailProviderSmtpRequest) -> TestEmailProviderSmtpResponse;
        list_sms_providers(ListSmsProvidersRequest) -> ListSmsProvidersResponse;
        get_sms_provider(GetSmsProviderRequest) -> GetSmsProviderResponse;
        add_sms_provider_twilio(AddSmsProviderTwilioRequest) -> AddSmsProviderTwilioResponse;
        update_sms_provider_twilio(UpdateSmsProviderTwilioRequest) -> UpdateSmsProviderTwilioResponse;
        update_sms_provider_twilio_token(UpdateSmsProviderTwilioTokenRequest) -> UpdateSmsProviderTwilioTokenResponse;
        add_sms_provider_http(AddSmsProviderHttpRequest) -> AddSmsProviderHttpResponse;
        update_sms_provider_http(UpdateSmsProviderHttpRequest) -> UpdateSmsProviderHttpResponse;
        activate_sms_provider(ActivateSmsProviderRequest) -> ActivateSmsProviderResponse;
        deactivate_sms_provider(DeactivateSmsProviderRequest) -> DeactivateSmsProviderResponse;
        remove_sms_provider(RemoveSmsProviderRequest) -> RemoveSmsProviderResponse;
        get_file_system_notification_provider(GetFileSystemNotificationProviderRequest) -> GetFileSystemNotificationProviderResponse;
        get_log_notification_provider(GetLogNotificationProviderRequest) -> GetLogNotificationProviderResponse;
        get_oidc_settings(GetOidcSettingsRequest) -> GetOidcSettingsResponse;
        add_oidc_settings(AddOidcSettingsRequest) -> AddOidcSettingsResponse;
        update_oidc_settings(UpdateOidcSettingsRequest) -> UpdateOidcSettingsResponse;
        get_security_policy(GetSecurityPolicyRequest) -> GetSecurityPolicyResponse;
        set_security_policy(SetSecurityPolicyRequest) -> SetSecurityPolicyResponse;
        list_secret_generators(ListSecretGeneratorsRequest) -> ListSecretGeneratorsResponse;
        get_secret_generator(GetSecretGeneratorRequest) -> GetSecretGeneratorResponse;
        update_secret_generator(UpdateSecretGeneratorRequest) -> UpdateSecretGeneratorResponse;
        list_instance_trusted_domains(ListInstanceTrustedDomainsRequest) -> ListInstanceTrustedDomainsResponse;
        add_instance_trusted_domain(AddInstanceTrustedDomainRequest) -> AddInstanceTrustedDomainResponse;
        remove_instance_trusted_domain(RemoveInstanceTrustedDomainRequest) -> RemoveInstanceTrustedDomainResponse;
        list_views(ListViewsRequest) -> ListViewsResponse;
        list_failed_events(ListFailedEventsRequest) -> ListFailedEventsResponse;
        remove_failed_event(RemoveFailedEventRequest) -> RemoveFailedEventResponse;
        list_milestones(ListMilestonesRequest) -> ListMilestonesResponse;
        activate_feature_login_default_org(ActivateFeatureLoginDefaultOrgRequest) -> ActivateFeatureLoginDefaultOrgResponse;
        get_label_policy(GetLabelPolicyRequest) -> GetLabelPolicyResponse;
        get_preview_label_policy(GetPreviewLabelPolicyRequest) -> GetPreviewLabelPolicyResponse;
        update_label_policy(UpdateLabelPolicyRequest) -> UpdateLabelPolicyResponse;
        activate_label_policy(ActivateLabelPolicyRequest) -> ActivateLabelPolicyResponse;
        remove_label_policy_logo(RemoveLabelPolicyLogoRequest) -> RemoveLabelPolicyLogoResponse;
        remove_label_policy_logo_dark(RemoveLabelPolicyLogoDarkRequest) -> RemoveLabelPolicyLogoDarkResponse;
        remove_label_policy_icon(RemoveLabelPolicyIconRequest) -> RemoveLabelPolicyIconResponse;
        remove_label_policy_icon_dark(RemoveLabelPolicyIconDarkRequest) -> RemoveLabelPolicyIconDarkResponse;
        remove_label_policy_font(RemoveLabelPolicyFontRequest) -> RemoveLabelPolicyFontResponse;
        export_data(ExportDataRequest) -> ExportDataResponse;
        import_data(ImportDataRequest) -> ImportDataResponse;
    }
}

forward! { ManagementService for ManagementApi in management as MANAGEMENT_SERVED {
        healthz(HealthzRequest) -> HealthzResponse as management_healthz;
        get_oidc_information(GetOidcInformationRequest) -> GetOidcInformationResponse;
        get_iam(GetIamRequest) -> GetIamResponse;
        get_supported_languages(GetSupportedLanguagesRequest) -> GetSupportedLanguagesResponse as management_supported_languages;
        update_machine(UpdateMachineRequest) -> UpdateMachineResponse;
        generate_machine_secret(GenerateMachineSecretRequest) -> GenerateMachineSecretResponse;
        remove_machine_secret(RemoveMachineSecretRequest) -> RemoveMachineSecretResponse;
        add_machine_key(AddMachineKeyRequest) -> AddMachineKeyResponse;
        remove_machine_key(RemoveMachineKeyRequest) -> RemoveMachineKeyResponse;
        get_machine_key_by_i_ds(GetMachineKeyByIDsRequest) -> GetMachineKeyByIDsResponse;
        list_machine_keys(ListMachineKeysRequest) -> ListMachineKeysResponse;
        get_personal_access_token_by_i_ds(GetPersonalAccessTokenByIDsRequest) -> GetPersonalAccessTokenByIDsResponse;
        add_project(AddProjectRequest) -> AddProjectResponse;
        update_project(UpdateProjectRequest) -> UpdateProjectResponse;
        deactivate_project(DeactivateProjectRequest) -> DeactivateProjectResponse;
        reactivate_project(ReactivateProjectRequest) -> ReactivateProjectResponse;
        remove_project(RemoveProjectRequest) -> RemoveProjectResponse;
        get_project_by_id(GetProjectByIdRequest) -> GetProjectByIdResponse;
        list_projects(ListProjectsRequest) -> ListProjectsResponse;
        list_project_changes(ListProjectChangesRequest) -> ListProjectChangesResponse;
        get_app_by_id(GetAppByIdRequest) -> GetAppByIdResponse;
        list_apps(ListAppsRequest) -> ListAppsResponse;
        list_app_changes(ListAppChangesRequest) -> ListAppChangesResponse;
        add_oidc_app(AddOidcAppRequest) -> AddOidcAppResponse;
        add_saml_app(AddSamlAppRequest) -> AddSamlAppResponse;
        add_api_app(AddApiAppRequest) -> AddApiAppResponse;
        update_app(UpdateAppRequest) -> UpdateAppResponse;
        update_oidc_app_config(UpdateOidcAppConfigRequest) -> UpdateOidcAppConfigResponse;
        update_saml_app_config(UpdateSamlAppConfigRequest) -> UpdateSamlAppConfigResponse;
        update_api_app_config(UpdateApiAppConfigRequest) -> UpdateApiAppConfigResponse;
        deactivate_app(DeactivateAppRequest) -> DeactivateAppResponse;
        reactivate_app(ReactivateAppRequest) -> ReactivateAppResponse;
        remove_app(RemoveAppRequest) -> RemoveAppResponse;
        regenerate_oidc_client_secret(RegenerateOidcClientSecretRequest) -> RegenerateOidcClientSecretResponse;
        regenerate_api_client_secret(RegenerateApiClientSecretRequest) -> RegenerateApiClientSecretResponse;
        get_app_key(GetAppKeyRequest) -> GetAppKeyResponse;
        list_app_keys(ListAppKeysRequest) -> ListAppKeysResponse;
        add_app_key(AddAppKeyRequest) -> AddAppKeyResponse;
        remove_app_key(RemoveAppKeyRequest) -> RemoveAppKeyResponse;
        get_granted_project_by_id(GetGrantedProjectByIdRequest) -> GetGrantedProjectByIdResponse;
        list_granted_projects(ListGrantedProjectsRequest) -> ListGrantedProjectsResponse;
        list_granted_project_roles(ListGrantedProjectRolesRequest) -> ListGrantedProjectRolesResponse;
        get_user_grant_by_id(GetUserGrantByIdRequest) -> GetUserGrantByIdResponse;
        list_user_grants(ListUserGrantRequest) -> ListUserGrantResponse;
        add_user_grant(AddUserGrantRequest) -> AddUserGrantResponse;
        update_user_grant(UpdateUserGrantRequest) -> UpdateUserGrantResponse;
        deactivate_user_grant(DeactivateUserGrantRequest) -> DeactivateUserGrantResponse;
        reactivate_user_grant(ReactivateUserGrantRequest) -> ReactivateUserGrantResponse;
        remove_user_grant(RemoveUserGrantRequest) -> RemoveUserGrantResponse;
        bulk_remove_user_grant(BulkRemoveUserGrantRequest) -> BulkRemoveUserGrantResponse;
        resend_human_email_verification(ResendHumanEmailVerificationRequest) -> ResendHumanEmailVerificationResponse;
        resend_human_phone_verification(ResendHumanPhoneVerificationRequest) -> ResendHumanPhoneVerificationResponse;
        resend_human_initialization(ResendHumanInitializationRequest) -> ResendHumanInitializationResponse;
        send_human_reset_password_notification(SendHumanResetPasswordNotificationRequest) -> SendHumanResetPasswordNotificationResponse;
        add_passwordless_registration(AddPasswordlessRegistrationRequest) -> AddPasswordlessRegistrationResponse;
        send_passwordless_registration(SendPasswordlessRegistrationRequest) -> SendPasswordlessRegistrationResponse;
        remove_human_auth_factor_u2f(RemoveHumanAuthFactorU2fRequest) -> RemoveHumanAuthFactorU2fResponse;
        add_project_role(AddProjectRoleRequest) -> AddProjectRoleResponse;
        bulk_add_project_roles(BulkAddProjectRolesRequest) -> BulkAddProjectRolesResponse;
        update_project_role(UpdateProjectRoleRequest) -> UpdateProjectRoleResponse;
        remove_project_role(RemoveProjectRoleRequest) -> RemoveProjectRoleResponse;
        list_project_roles(ListProjectRolesRequest) -> ListProjectRolesResponse;
        list_project_member_roles(ListProjectMemberRolesRequest) -> ListProjectMemberRolesResponse;
        list_project_members(ListProjectMembersRequest) -> ListProjectMembersResponse;
        add_project_member(AddProjectMemberRequest) -> AddProjectMemberResponse;
        update_project_member(UpdateProjectMemberRequest) -> UpdateProjectMemberResponse;
        remove_project_member(RemoveProjectMemberRequest) -> RemoveProjectMemberResponse;
        list_project_grant_changes(ListProjectGrantChangesRequest) -> ListProjectGrantChangesResponse;
        get_project_grant_by_id(GetProjectGrantByIdRequest) -> GetProjectGrantByIdResponse;
        list_project_grants(ListProjectGrantsRequest) -> ListProjectGrantsResponse;
        list_all_project_grants(ListAllProjectGrantsRequest) -> ListAllProjectGrantsResponse;
        add_project_grant(AddProjectGrantRequest) -> AddProjectGrantResponse;
        update_project_grant(UpdateProjectGrantRequest) -> UpdateProjectGrantResponse;
        deactivate_project_grant(DeactivateProjectGrantRequest) -> DeactivateProjectGrantResponse;
        reactivate_project_grant(ReactivateProjectGrantRequest) -> ReactivateProjectGrantResponse;
        remove_project_grant(RemoveProjectGrantRequest) -> RemoveProjectGrantResponse;
        list_project_grant_member_roles(ListProjectGrantMemberRolesRequest) -> ListProjectGrantMemberRolesResponse;
        list_project_grant_members(ListProjectGrantMembersRequest) -> ListProjectGrantMembersResponse;
        add_project_grant_member(AddProjectGrantMemberRequest) -> AddProjectGrantMemberResponse;
        update_project_grant_member(UpdateProjectGrantMemberRequest) -> UpdateProjectGrantMemberResponse;
        remove_project_grant_member(RemoveProjectGrantMemberRequest) -> RemoveProjectGrantMemberResponse;
        add_machine_user(AddMachineUserRequest) -> AddMachineUserResponse;
        add_personal_access_token(AddPersonalAccessTokenRequest) -> AddPersonalAccessTokenResponse;
        list_personal_access_tokens(ListPersonalAccessTokensRequest) -> ListPersonalAccessTokensResponse;
        remove_personal_access_token(RemovePersonalAccessTokenRequest) -> RemovePersonalAccessTokenResponse;
        get_user_by_id(GetUserByIdRequest) -> GetUserByIdResponse;
        get_user_by_login_name_global(GetUserByLoginNameGlobalRequest) -> GetUserByLoginNameGlobalResponse;
        list_users(ListUsersRequest) -> ListUsersResponse;
        list_user_changes(ListUserChangesRequest) -> ListUserChangesResponse;
        is_user_unique(IsUserUniqueRequest) -> IsUserUniqueResponse;
        add_human_user(AddHumanUserRequest) -> AddHumanUserResponse;
        import_human_user(ImportHumanUserRequest) -> ImportHumanUserResponse;
        deactivate_user(DeactivateUserRequest) -> DeactivateUserResponse;
        reactivate_user(ReactivateUserRequest) -> ReactivateUserResponse;
        lock_user(LockUserRequest) -> LockUserResponse;
        unlock_user(UnlockUserRequest) -> UnlockUserResponse;
        remove_user(RemoveUserRequest) -> RemoveUserResponse;
        update_user_name(UpdateUserNameRequest) -> UpdateUserNameResponse;
        set_user_metadata(SetUserMetadataRequest) -> SetUserMetadataResponse;
        bulk_set_user_metadata(BulkSetUserMetadataRequest) -> BulkSetUserMetadataResponse;
        list_user_metadata(ListUserMetadataRequest) -> ListUserMetadataResponse;
        get_user_metadata(GetUserMetadataRequest) -> GetUserMetadataResponse;
        remove_user_metadata(RemoveUserMetadataRequest) -> RemoveUserMetadataResponse;
        bulk_remove_user_metadata(BulkRemoveUserMetadataRequest) -> BulkRemoveUserMetadataResponse;
        get_human_profile(GetHumanProfileRequest) -> GetHumanProfileResponse;
        update_human_profile(UpdateHumanProfileRequest) -> UpdateHumanProfileResponse;
        get_human_email(GetHumanEmailRequest) -> GetHumanEmailResponse;
        update_human_email(UpdateHumanEmailRequest) -> UpdateHumanEmailResponse;
        get_human_phone(GetHumanPhoneRequest) -> GetHumanPhoneResponse;
        update_human_phone(UpdateHumanPhoneRequest) -> UpdateHumanPhoneResponse;
        remove_human_phone(RemoveHumanPhoneRequest) -> RemoveHumanPhoneResponse;
        remove_human_avatar(RemoveHumanAvatarRequest) -> RemoveHumanAvatarResponse;
        set_human_initial_password(SetHumanInitialPasswordRequest) -> SetHumanInitialPasswordResponse;
        set_human_password(SetHumanPasswordRequest) -> SetHumanPasswordResponse;
        list_human_auth_factors(ListHumanAuthFactorsRequest) -> ListHumanAuthFactorsResponse;
        remove_human_auth_factor_otp(RemoveHumanAuthFactorOtpRequest) -> RemoveHumanAuthFactorOtpResponse;
        remove_human_auth_factor_otpsms(RemoveHumanAuthFactorOtpsmsRequest) -> RemoveHumanAuthFactorOtpsmsResponse;
        remove_human_auth_factor_otp_email(RemoveHumanAuthFactorOtpEmailRequest) -> RemoveHumanAuthFactorOtpEmailResponse;
        list_human_passwordless(ListHumanPasswordlessRequest) -> ListHumanPasswordlessResponse;
        remove_human_passwordless(RemoveHumanPasswordlessRequest) -> RemoveHumanPasswordlessResponse;
        list_human_linked_id_ps(ListHumanLinkedIdPsRequest) -> ListHumanLinkedIdPsResponse;
        remove_human_linked_idp(RemoveHumanLinkedIdpRequest) -> RemoveHumanLinkedIdpResponse;
        list_user_memberships(ListUserMembershipsRequest) -> ListUserMembershipsResponse;
        get_my_org(GetMyOrgRequest) -> GetMyOrgResponse;
        get_org_by_domain_global(GetOrgByDomainGlobalRequest) -> GetOrgByDomainGlobalResponse;
        list_org_changes(ListOrgChangesRequest) -> ListOrgChangesResponse;
        add_org(AddOrgRequest) -> AddOrgResponse;
        update_org(UpdateOrgRequest) -> UpdateOrgResponse;
        deactivate_org(DeactivateOrgRequest) -> DeactivateOrgResponse;
        reactivate_org(ReactivateOrgRequest) -> ReactivateOrgResponse;
        remove_org(RemoveOrgRequest) -> RemoveOrgResponse;
        set_org_metadata(SetOrgMetadataRequest) -> SetOrgMetadataResponse;
        bulk_set_org_metadata(BulkSetOrgMetadataRequest) -> BulkSetOrgMetadataResponse;
        list_org_metadata(ListOrgMetadataRequest) -> ListOrgMetadataResponse;
        get_org_metadata(GetOrgMetadataRequest) -> GetOrgMetadataResponse;
        remove_org_metadata(RemoveOrgMetadataRequest) -> RemoveOrgMetadataResponse;
        bulk_remove_org_metadata(BulkRemoveOrgMetadataRequest) -> BulkRemoveOrgMetadataResponse;
        add_org_domain(AddOrgDomainRequest) -> AddOrgDomainResponse;
        list_org_domains(ListOrgDomainsRequest) -> ListOrgDomainsResponse;
        remove_org_domain(RemoveOrgDomainRequest) -> RemoveOrgDomainResponse;
        generate_org_domain_validation(GenerateOrgDomainValidationRequest) -> GenerateOrgDomainValidationResponse;
        validate_org_domain(ValidateOrgDomainRequest) -> ValidateOrgDomainResponse;
        set_primary_org_domain(SetPrimaryOrgDomainRequest) -> SetPrimaryOrgDomainResponse;
        list_org_member_roles(ListOrgMemberRolesRequest) -> ListOrgMemberRolesResponse;
        list_org_members(ListOrgMembersRequest) -> ListOrgMembersResponse;
        add_org_member(AddOrgMemberRequest) -> AddOrgMemberResponse;
        update_org_member(UpdateOrgMemberRequest) -> UpdateOrgMemberResponse;
        remove_org_member(RemoveOrgMemberRequest) -> RemoveOrgMemberResponse;
        get_org_iam_policy(GetOrgIamPolicyRequest) -> GetOrgIamPolicyResponse as org_get_org_iam_policy;
        get_domain_policy(GetDomainPolicyRequest) -> GetDomainPolicyResponse as org_get_domain_policy;
        get_login_policy(GetLoginPolicyRequest) -> GetLoginPolicyResponse as org_get_login_policy;
        get_default_login_policy(GetDefaultLoginPolicyRequest) -> GetDefaultLoginPolicyResponse as org_get_default_login_policy;
        add_custom_login_policy(AddCustomLoginPolicyRequest) -> AddCustomLoginPolicyResponse as org_add_custom_login_policy;
        update_custom_login_policy(UpdateCustomLoginPolicyRequest) -> UpdateCustomLoginPolicyResponse as org_update_custom_login_policy;
        reset_login_policy_to_default(ResetLoginPolicyToDefaultRequest) -> ResetLoginPolicyToDefaultResponse as org_reset_login_policy_to_default;
        list_login_policy_id_ps(ListLoginPolicyIdPsRequest) -> ListLoginPolicyIdPsResponse as org_list_login_policy_id_ps;
        add_idp_to_login_policy(AddIdpToLoginPolicyRequest) -> AddIdpToLoginPolicyResponse as org_add_idp_to_login_policy;
        remove_idp_from_login_policy(RemoveIdpFromLoginPolicyRequest) -> RemoveIdpFromLoginPolicyResponse as org_remove_idp_from_login_policy;
        get_provider_by_id(GetProviderByIdRequest) -> GetProviderByIdResponse as mgmt_get_provider_by_id;
        list_providers(ListProvidersRequest) -> ListProvidersResponse as mgmt_list_providers;
        delete_provider(DeleteProviderRequest) -> DeleteProviderResponse as mgmt_delete_provider;
        migrate_generic_oidc_provider(MigrateGenericOidcProviderRequest) -> MigrateGenericOidcProviderResponse as mgmt_migrate_generic_oidc_provider;
        add_generic_o_auth_provider(AddGenericOAuthProviderRequest) -> AddGenericOAuthProviderResponse as mgmt_add_generic_o_auth_provider;
        update_generic_o_auth_provider(UpdateGenericOAuthProviderRequest) -> UpdateGenericOAuthProviderResponse as mgmt_update_generic_o_auth_provider;
        add_generic_oidc_provider(AddGenericOidcProviderRequest) -> AddGenericOidcProviderResponse as mgmt_add_generic_oidc_provider;
        update_generic_oidc_provider(UpdateGenericOidcProviderRequest) -> UpdateGenericOidcProviderResponse as mgmt_update_generic_oidc_provider;
        add_jwt_provider(AddJwtProviderRequest) -> AddJwtProviderResponse as mgmt_add_jwt_provider;
        update_jwt_provider(UpdateJwtProviderRequest) -> UpdateJwtProviderResponse as mgmt_update_jwt_provider;
        add_azure_ad_provider(AddAzureAdProviderRequest) -> AddAzureAdProviderResponse as mgmt_add_azure_ad_provider;
        update_azure_ad_provider(UpdateAzureAdProviderRequest) -> UpdateAzureAdProviderResponse as mgmt_update_azure_ad_provider;
        add_git_hub_provider(AddGitHubProviderRequest) -> AddGitHubProviderResponse as mgmt_add_git_hub_provider;
        update_git_hub_provider(UpdateGitHubProviderRequest) -> UpdateGitHubProviderResponse as mgmt_update_git_hub_provider;
        add_git_hub_enterprise_server_provider(AddGitHubEnterpriseServerProviderRequest) -> AddGitHubEnterpriseServerProviderResponse as mgmt_add_git_hub_enterprise_server_provider;
        update_git_hub_enterprise_server_provider(UpdateGitHubEnterpriseServerProviderRequest) -> UpdateGitHubEnterpriseServerProviderResponse as mgmt_update_git_hub_enterprise_server_provider;
        add_git_lab_provider(AddGitLabProviderRequest) -> AddGitLabProviderResponse as mgmt_add_git_lab_provider;
        update_git_lab_provider(UpdateGitLabProviderRequest) -> UpdateGitLabProviderResponse as mgmt_update_git_lab_provider;
        add_git_lab_self_hosted_provider(AddGitLabSelfHostedProviderRequest) -> AddGitLabSelfHostedProviderResponse as mgmt_add_git_lab_self_hosted_provider;
        update_git_lab_self_hosted_provider(UpdateGitLabSelfHostedProviderRequest) -> UpdateGitLabSelfHostedProviderResponse as mgmt_update_git_lab_self_hosted_provider;
        add_google_provider(AddGoogleProviderRequest) -> AddGoogleProviderResponse as mgmt_add_google_provider;
        update_google_provider(UpdateGoogleProviderRequest) -> UpdateGoogleProviderResponse as mgmt_update_google_provider;
        add_ldap_provider(AddLdapProviderRequest) -> AddLdapProviderResponse as mgmt_add_ldap_provider;
        update_ldap_provider(UpdateLdapProviderRequest) -> UpdateLdapProviderResponse as mgmt_update_ldap_provider;
        add_apple_provider(AddAppleProviderRequest) -> AddAppleProviderResponse as mgmt_add_apple_provider;
        update_apple_provider(UpdateAppleProviderRequest) -> UpdateAppleProviderResponse as mgmt_update_apple_provider;
        add_saml_provider(AddSamlProviderRequest) -> AddSamlProviderResponse as mgmt_add_saml_provider;
        update_saml_provider(UpdateSamlProviderRequest) -> UpdateSamlProviderResponse as mgmt_update_saml_provider;
        regenerate_saml_provider_certificate(RegenerateSamlProviderCertificateRequest) -> RegenerateSamlProviderCertificateResponse as mgmt_regenerate_saml_provider_certificate;
        get_org_idp_by_id(GetOrgIdpByIdRequest) -> GetOrgIdpByIdResponse;
        list_org_id_ps(ListOrgIdPsRequest) -> ListOrgIdPsResponse;
        add_org_oidcidp(AddOrgOidcidpRequest) -> AddOrgOidcidpResponse;
        add_org_jwtidp(AddOrgJwtidpRequest) -> AddOrgJwtidpResponse;
        deactivate_org_idp(DeactivateOrgIdpRequest) -> DeactivateOrgIdpResponse;
        reactivate_org_idp(ReactivateOrgIdpRequest) -> ReactivateOrgIdpResponse;
        remove_org_idp(RemoveOrgIdpRequest) -> RemoveOrgIdpResponse;
        update_org_idp(UpdateOrgIdpRequest) -> UpdateOrgIdpResponse;
        update_org_idpoidc_config(UpdateOrgIdpoidcConfigRequest) -> UpdateOrgIdpoidcConfigResponse;
        update_org_idpjwt_config(UpdateOrgIdpjwtConfigRequest) -> UpdateOrgIdpjwtConfigResponse;
        list_login_policy_second_factors(ListLoginPolicySecondFactorsRequest) -> ListLoginPolicySecondFactorsResponse as org_list_login_policy_second_factors;
        add_second_factor_to_login_policy(AddSecondFactorToLoginPolicyRequest) -> AddSecondFactorToLoginPolicyResponse as org_add_second_factor_to_login_policy;
        remove_second_factor_from_login_policy(RemoveSecondFactorFromLoginPolicyRequest) -> RemoveSecondFactorFromLoginPolicyResponse as org_remove_second_factor_from_login_policy;
        list_login_policy_multi_factors(ListLoginPolicyMultiFactorsRequest) -> ListLoginPolicyMultiFactorsResponse as org_list_login_policy_multi_factors;
        add_multi_factor_to_login_policy(AddMultiFactorToLoginPolicyRequest) -> AddMultiFactorToLoginPolicyResponse as org_add_multi_factor_to_login_policy;
        remove_multi_factor_from_login_policy(RemoveMultiFactorFromLoginPolicyRequest) -> RemoveMultiFactorFromLoginPolicyResponse as org_remove_multi_factor_from_login_policy;
        get_password_complexity_policy(GetPasswordComplexityPolicyRequest) -> GetPasswordComplexityPolicyResponse as org_get_password_complexity_policy;
        get_default_password_complexity_policy(GetDefaultPasswordComplexityPolicyRequest) -> GetDefaultPasswordComplexityPolicyResponse as org_get_default_password_complexity_policy;
        add_custom_password_complexity_policy(AddCustomPasswordComplexityPolicyRequest) -> AddCustomPasswordComplexityPolicyResponse as org_add_custom_password_complexity_policy;
        update_custom_password_complexity_policy(UpdateCustomPasswordComplexityPolicyRequest) -> UpdateCustomPasswordComplexityPolicyResponse as org_update_custom_password_complexity_policy;
        reset_password_complexity_policy_to_default(ResetPasswordComplexityPolicyToDefaultRequest) -> ResetPasswordComplexityPolicyToDefaultResponse as org_reset_password_complexity_policy_to_default;
        get_password_age_policy(GetPasswordAgePolicyRequest) -> GetPasswordAgePolicyResponse as org_get_password_age_policy;
        get_default_password_age_policy(GetDefaultPasswordAgePolicyRequest) -> GetDefaultPasswordAgePolicyResponse as org_get_default_password_age_policy;
        add_custom_password_age_policy(AddCustomPasswordAgePolicyRequest) -> AddCustomPasswordAgePolicyResponse as org_add_custom_password_age_policy;
        update_custom_password_age_policy(UpdateCustomPasswordAgePolicyRequest) -> UpdateCustomPasswordAgePolicyResponse as org_update_custom_password_age_policy;
        reset_password_age_policy_to_default(ResetPasswordAgePolicyToDefaultRequest) -> ResetPasswordAgePolicyToDefaultResponse as org_reset_password_age_policy_to_default;
        get_lockout_policy(GetLockoutPolicyRequest) -> GetLockoutPolicyResponse as org_get_lockout_policy;
        get_default_lockout_policy(GetDefaultLockoutPolicyRequest) -> GetDefaultLockoutPolicyResponse as org_get_default_lockout_policy;
        add_custom_lockout_policy(AddCustomLockoutPolicyRequest) -> AddCustomLockoutPolicyResponse as org_add_custom_lockout_policy;
        update_custom_lockout_policy(UpdateCustomLockoutPolicyRequest) -> UpdateCustomLockoutPolicyResponse as org_update_custom_lockout_policy;
        reset_lockout_policy_to_default(ResetLockoutPolicyToDefaultRequest) -> ResetLockoutPolicyToDefaultResponse as org_reset_lockout_policy_to_default;
        get_privacy_policy(GetPrivacyPolicyRequest) -> GetPrivacyPolicyResponse as org_get_privacy_policy;
        get_default_privacy_policy(GetDefaultPrivacyPolicyRequest) -> GetDefaultPrivacyPolicyResponse as org_get_default_privacy_policy;
        add_custom_privacy_policy(AddCustomPrivacyPolicyRequest) -> AddCustomPrivacyPolicyResponse as org_add_custom_privacy_policy;
        update_custom_privacy_policy(UpdateCustomPrivacyPolicyRequest) -> UpdateCustomPrivacyPolicyResponse as org_update_custom_privacy_policy;
        reset_privacy_policy_to_default(ResetPrivacyPolicyToDefaultRequest) -> ResetPrivacyPolicyToDefaultResponse as org_reset_privacy_policy_to_default;
        get_notification_policy(GetNotificationPolicyRequest) -> GetNotificationPolicyResponse as org_get_notification_policy;
        get_default_notification_policy(GetDefaultNotificationPolicyRequest) -> GetDefaultNotificationPolicyResponse as org_get_default_notification_policy;
        add_custom_notification_policy(AddCustomNotificationPolicyRequest) -> AddCustomNotificationPolicyResponse as org_add_custom_notification_policy;
        update_custom_notification_policy(UpdateCustomNotificationPolicyRequest) -> UpdateCustomNotificationPolicyResponse as org_update_custom_notification_policy;
        reset_notification_policy_to_default(ResetNotificationPolicyToDefaultRequest) -> ResetNotificationPolicyToDefaultResponse as org_reset_notification_policy_to_default;
        get_label_policy(GetLabelPolicyRequest) -> GetLabelPolicyResponse as org_get_label_policy;
        get_preview_label_policy(GetPreviewLabelPolicyRequest) -> GetPreviewLabelPolicyResponse as org_get_preview_label_policy;
        get_default_label_policy(GetDefaultLabelPolicyRequest) -> GetDefaultLabelPolicyResponse as org_get_default_label_policy;
        add_custom_label_policy(AddCustomLabelPolicyRequest) -> AddCustomLabelPolicyResponse as org_add_custom_label_policy;
        update_custom_label_policy(UpdateCustomLabelPolicyRequest) -> UpdateCustomLabelPolicyResponse as org_update_custom_label_policy;
        activate_custom_label_policy(ActivateCustomLabelPolicyRequest) -> ActivateCustomLabelPolicyResponse as org_activate_custom_label_policy;
        remove_custom_label_policy_logo(RemoveCustomLabelPolicyLogoRequest) -> RemoveCustomLabelPolicyLogoResponse as org_remove_custom_label_policy_logo;
        remove_custom_label_policy_logo_dark(RemoveCustomLabelPolicyLogoDarkRequest) -> RemoveCustomLabelPolicyLogoDarkResponse as org_remove_custom_label_policy_logo_dark;
        remove_custom_label_policy_icon(RemoveCustomLabelPolicyIconRequest) -> RemoveCustomLabelPolicyIconResponse as org_remove_custom_label_policy_icon;
        remove_custom_label_policy_icon_dark(RemoveCustomLabelPolicyIconDarkRequest) -> RemoveCustomLabelPolicyIconDarkResponse as org_remove_custom_label_policy_icon_dark;
        remove_custom_label_policy_font(RemoveCustomLabelPolicyFontRequest) -> RemoveCustomLabelPolicyFontResponse as org_remove_custom_label_policy_font;
        reset_label_policy_to_default(ResetLabelPolicyToDefaultRequest) -> ResetLabelPolicyToDefaultResponse as org_reset_label_policy_to_default;
        get_default_init_message_text(GetDefaultInitMessageTextRequest) -> GetDefaultInitMessageTextResponse as org_get_default_init_message_text;
        get_custom_init_message_text(GetCustomInitMessageTextRequest) -> GetCustomInitMessageTextResponse as org_get_custom_init_message_text;
        set_custom_init_message_text(SetCustomInitMessageTextRequest) -> SetCustomInitMessageTextResponse as org_set_custom_init_message_text;
        reset_custom_init_message_text_to_default(ResetCustomInitMessageTextToDefaultRequest) -> ResetCustomInitMessageTextToDefaultResponse as org_reset_custom_init_message_text_to_default;
        get_default_password_reset_message_text(GetDefaultPasswordResetMessageTextRequest) -> GetDefaultPasswordResetMessageTextResponse as org_get_default_password_reset_message_text;
        get_custom_password_reset_message_text(GetCustomPasswordResetMessageTextRequest) -> GetCustomPasswordResetMessageTextResponse as org_get_custom_password_reset_message_text;
        set_custom_password_reset_message_text(SetCustomPasswordResetMessageTextRequest) -> SetCustomPasswordResetMessageTextResponse as org_set_custom_password_reset_message_text;
        reset_custom_password_reset_message_text_to_default(ResetCustomPasswordResetMessageTextToDefaultRequest) -> ResetCustomPasswordResetMessageTextToDefaultResponse as org_reset_custom_password_reset_message_text_to_default;
        get_default_verify_email_message_text(GetDefaultVerifyEmailMessageTextRequest) -> GetDefaultVerifyEmailMessageTextResponse as org_get_default_verify_email_message_text;
        get_custom_verify_email_message_text(GetCustomVerifyEmailMessageTextRequest) -> GetCustomVerifyEmailMessageTextResponse as org_get_custom_verify_email_message_text;
        set_custom_verify_email_message_text(SetCustomVerifyEmailMessageTextRequest) -> SetCustomVerifyEmailMessageTextResponse as org_set_custom_verify_email_message_text;
        reset_custom_verify_email_message_text_to_default(ResetCustomVerifyEmailMessageTextToDefaultRequest) -> ResetCustomVerifyEmailMessageTextToDefaultResponse as org_reset_custom_verify_email_message_text_to_default;
        get_default_verify_phone_message_text(GetDefaultVerifyPhoneMessageTextRequest) -> GetDefaultVerifyPhoneMessageTextResponse as org_get_default_verify_phone_message_text;
        get_custom_verify_phone_message_text(GetCustomVerifyPhoneMessageTextRequest) -> GetCustomVerifyPhoneMessageTextResponse as org_get_custom_verify_phone_message_text;
        set_custom_verify_phone_message_text(SetCustomVerifyPhoneMessageTextRequest) -> SetCustomVerifyPhoneMessageTextResponse as org_set_custom_verify_phone_message_text;
        reset_custom_verify_phone_message_text_to_default(ResetCustomVerifyPhoneMessageTextToDefaultRequest) -> ResetCustomVerifyPhoneMessageTextToDefaultResponse as org_reset_custom_verify_phone_message_text_to_default;
        get_default_verify_smsotp_message_text(GetDefaultVerifySmsotpMessageTextRequest) -> GetDefaultVerifySmsotpMessageTextResponse as org_get_default_verify_smsotp_message_text;
        get_custom_verify_smsotp_message_text(GetCustomVerifySmsotpMessageTextRequest) -> GetCustomVerifySmsotpMessageTextResponse as org_get_custom_verify_smsotp_message_text;
        set_custom_verify_smsotp_message_text(SetCustomVerifySmsotpMessageTextRequest) -> SetCustomVerifySmsotpMessageTextResponse as org_set_custom_verify_smsotp_message_text;
        reset_custom_verify_smsotp_message_text_to_default(ResetCustomVerifySmsotpMessageTextToDefaultRequest) -> ResetCustomVerifySmsotpMessageTextToDefaultResponse as org_reset_custom_verify_smsotp_message_text_to_default;
        get_default_verify_email_otp_message_text(GetDefaultVerifyEmailOtpMessageTextRequest) -> GetDefaultVerifyEmailOtpMessageTextResponse as org_get_default_verify_email_otp_message_text;
        get_custom_verify_email_otp_message_text(GetCustomVerifyEmailOtpMessageTextRequest) -> GetCustomVerifyEmailOtpMessageTextResponse as org_get_custom_verify_email_otp_message_text;
        set_custom_verify_email_otp_message_text(SetCustomVerifyEmailOtpMessageTextRequest) -> SetCustomVerifyEmailOtpMessageTextResponse as org_set_custom_verify_email_otp_message_text;
        reset_custom_verify_email_otp_message_text_to_default(ResetCustomVerifyEmailOtpMessageTextToDefaultRequest) -> ResetCustomVerifyEmailOtpMessageTextToDefaultResponse as org_reset_custom_verify_email_otp_message_text_to_default;
        get_default_domain_claimed_message_text(GetDefaultDomainClaimedMessageTextRequest) -> GetDefaultDomainClaimedMessageTextResponse as org_get_default_domain_claimed_message_text;
        get_custom_domain_claimed_message_text(GetCustomDomainClaimedMessageTextRequest) -> GetCustomDomainClaimedMessageTextResponse as org_get_custom_domain_claimed_message_text;
        set_custom_domain_claimed_message_custom_text(SetCustomDomainClaimedMessageTextRequest) -> SetCustomDomainClaimedMessageTextResponse as org_set_custom_domain_claimed_message_custom_text;
        reset_custom_domain_claimed_message_text_to_default(ResetCustomDomainClaimedMessageTextToDefaultRequest) -> ResetCustomDomainClaimedMessageTextToDefaultResponse as org_reset_custom_domain_claimed_message_text_to_default;
        get_default_passwordless_registration_message_text(GetDefaultPasswordlessRegistrationMessageTextRequest) -> GetDefaultPasswordlessRegistrationMessageTextResponse as org_get_default_passwordless_registration_message_text;
        get_custom_passwordless_registration_message_text(GetCustomPasswordlessRegistrationMessageTextRequest) -> GetCustomPasswordlessRegistrationMessageTextResponse as org_get_custom_passwordless_registration_message_text;
        set_custom_passwordless_registration_message_custom_text(SetCustomPasswordlessRegistrationMessageTextRequest) -> SetCustomPasswordlessRegistrationMessageTextResponse as org_set_custom_passwordless_registration_message_custom_text;
        reset_custom_passwordless_registration_message_text_to_default(ResetCustomPasswordlessRegistrationMessageTextToDefaultRequest) -> ResetCustomPasswordlessRegistrationMessageTextToDefaultResponse as org_reset_custom_passwordless_registration_message_text_to_default;
        get_default_password_change_message_text(GetDefaultPasswordChangeMessageTextRequest) -> GetDefaultPasswordChangeMessageTextResponse as org_get_default_password_change_message_text;
        get_custom_password_change_message_text(GetCustomPasswordChangeMessageTextRequest) -> GetCustomPasswordChangeMessageTextResponse as org_get_custom_password_change_message_text;
        set_custom_password_change_message_custom_text(SetCustomPasswordChangeMessageTextRequest) -> SetCustomPasswordChangeMessageTextResponse as org_set_custom_password_change_message_custom_text;
        reset_custom_password_change_message_text_to_default(ResetCustomPasswordChangeMessageTextToDefaultRequest) -> ResetCustomPasswordChangeMessageTextToDefaultResponse as org_reset_custom_password_change_message_text_to_default;
        get_default_invite_user_message_text(GetDefaultInviteUserMessageTextRequest) -> GetDefaultInviteUserMessageTextResponse as org_get_default_invite_user_message_text;
        get_custom_invite_user_message_text(GetCustomInviteUserMessageTextRequest) -> GetCustomInviteUserMessageTextResponse as org_get_custom_invite_user_message_text;
        set_custom_invite_user_message_custom_text(SetCustomInviteUserMessageTextRequest) -> SetCustomInviteUserMessageTextResponse as org_set_custom_invite_user_message_custom_text;
        reset_custom_invite_user_message_text_to_default(ResetCustomInviteUserMessageTextToDefaultRequest) -> ResetCustomInviteUserMessageTextToDefaultResponse as org_reset_custom_invite_user_message_text_to_default;
        get_custom_login_texts(GetCustomLoginTextsRequest) -> GetCustomLoginTextsResponse as org_get_custom_login_texts;
        get_default_login_texts(GetDefaultLoginTextsRequest) -> GetDefaultLoginTextsResponse as org_get_default_login_texts;
        set_custom_login_text(SetCustomLoginTextsRequest) -> SetCustomLoginTextsResponse as org_set_custom_login_text;
        reset_custom_login_text_to_default(ResetCustomLoginTextsToDefaultRequest) -> ResetCustomLoginTextsToDefaultResponse as org_reset_custom_login_text_to_default;
        list_actions(ListActionsRequest) -> ListActionsResponse;
        get_action(GetActionRequest) -> GetActionResponse;
        create_action(CreateActionRequest) -> CreateActionResponse;
        update_action(UpdateActionRequest) -> UpdateActionResponse;
        deactivate_action(DeactivateActionRequest) -> DeactivateActionResponse;
        reactivate_action(ReactivateActionRequest) -> ReactivateActionResponse;
        delete_action(DeleteActionRequest) -> DeleteActionResponse;
        list_flow_types(ListFlowTypesRequest) -> ListFlowTypesResponse;
        list_flow_trigger_types(ListFlowTriggerTypesRequest) -> ListFlowTriggerTypesResponse;
        get_flow(GetFlowRequest) -> GetFlowResponse;
        clear_flow(ClearFlowRequest) -> ClearFlowResponse;
        set_trigger_actions(SetTriggerActionsRequest) -> SetTriggerActionsResponse;
    }
}

forward! { SettingsService for V2Api in settings_v2 as SETTINGS_V2_SERVED {
        get_security_settings(GetSecuritySettingsRequest) -> GetSecuritySettingsResponse;
        set_security_settings(SetSecuritySettingsRequest) -> SetSecuritySettingsResponse;
    }
}

forward! { OrganizationService for V2Api in org_v2 as ORG_V2_SERVED {
        add_organization(AddOrganizationRequest) -> AddOrganizationResponse;
        update_organization(UpdateOrganizationRequest) -> UpdateOrganizationResponse;
        delete_organization(DeleteOrganizationRequest) -> DeleteOrganizationResponse;
        list_organizations(ListOrganizationsRequest) -> ListOrganizationsResponse;
        add_organization_domain(AddOrganizationDomainRequest) -> AddOrganizationDomainResponse;
        delete_organization_domain(DeleteOrganizationDomainRequest) -> DeleteOrganizationDomainResponse;
        generate_organization_domain_validation(GenerateOrganizationDomainValidationRequest) -> GenerateOrganizationDomainValidationResponse;
        list_organization_domains(ListOrganizationDomainsRequest) -> ListOrganizationDomainsResponse;
        verify_organization_domain(VerifyOrganizationDomainRequest) -> VerifyOrganizationDomainResponse;
        set_organization_metadata(SetOrganizationMetadataRequest) -> SetOrganizationMetadataResponse;
        list_organization_metadata(ListOrganizationMetadataRequest) -> ListOrganizationMetadataResponse;
        delete_organization_metadata(DeleteOrganizationMetadataRequest) -> DeleteOrganizationMetadataResponse;
    }
}

forward! { FeatureService for V2Api in feature_v2 as FEATURE_V2_SERVED {
        get_instance_features(GetInstanceFeaturesRequest) -> GetInstanceFeaturesResponse;
        set_instance_features(SetInstanceFeaturesRequest) -> SetInstanceFeaturesResponse;
        reset_instance_features(ResetInstanceFeaturesRequest) -> ResetInstanceFeaturesResponse;
        get_system_features(GetSystemFeaturesRequest) -> GetSystemFeaturesResponse;
        set_system_features(SetSystemFeaturesRequest) -> SetSystemFeaturesResponse;
        reset_system_features(ResetSystemFeaturesRequest) -> ResetSystemFeaturesResponse;
    }
}

forward! { InstanceService for V2Api in instance_v2 as INSTANCE_V2_SERVED {
        add_custom_domain(AddCustomDomainRequest) -> AddCustomDomainResponse;
        list_custom_domains(ListCustomDomainsRequest) -> ListCustomDomainsResponse;
        remove_custom_domain(RemoveCustomDomainRequest) -> RemoveCustomDomainResponse;
        add_trusted_domain(AddTrustedDomainRequest) -> AddTrustedDomainResponse;
        list_trusted_domains(ListTrustedDomainsRequest) -> ListTrustedDomainsResponse;
        remove_trusted_domain(RemoveTrustedDomainRequest) -> RemoveTrustedDomainResponse;
    }
}

forward! { ProjectService for V2Api in project_v2 as PROJECT_V2_SERVED {
        create_project(CreateProjectRequest) -> CreateProjectResponse;
        update_project(UpdateProjectRequest) -> UpdateProjectResponse as update_project_v2;
        delete_project(DeleteProjectRequest) -> DeleteProjectResponse;
        get_project(GetProjectRequest) -> GetProjectResponse;
    }
}

forward! { ApplicationService for V2Api in application_v2 as APPLICATION_V2_SERVED {
        create_application(CreateApplicationRequest) -> CreateApplicationResponse;
        update_application(UpdateApplicationRequest) -> UpdateApplicationResponse;
        delete_application(DeleteApplicationRequest) -> DeleteApplicationResponse;
        get_application(GetApplicationRequest) -> GetApplicationResponse;
        generate_client_secret(GenerateClientSecretRequest) -> GenerateClientSecretResponse;
    }
}

forward! { WebKeyService for V2Api in webkey_v2 as WEBKEY_V2_SERVED {
        create_web_key(CreateWebKeyRequest) -> CreateWebKeyResponse;
        activate_web_key(ActivateWebKeyRequest) -> ActivateWebKeyResponse;
        delete_web_key(DeleteWebKeyRequest) -> DeleteWebKeyResponse;
        list_web_keys(ListWebKeysRequest) -> ListWebKeysResponse;
    }
}

forward! { UserService for V2Api in user_v2 as USER_V2_SERVED {
        send_email_code(SendEmailCodeRequest) -> SendEmailCodeResponse as user_v2_send_email_code;
        resend_email_code(ResendEmailCodeRequest) -> ResendEmailCodeResponse;
        verify_email(VerifyEmailRequest) -> VerifyEmailResponse;
        resend_phone_code(ResendPhoneCodeRequest) -> ResendPhoneCodeResponse;
        verify_phone(VerifyPhoneRequest) -> VerifyPhoneResponse;
    }
}

/// Whether burg answers `route` (every other RPC answers Unimplemented).
pub fn serves(route: &Route) -> bool {
    match route.service {
        "AdminService" => ADMIN_SERVED.contains(&route.trait_method),
        "ManagementService" => MANAGEMENT_SERVED.contains(&route.trait_method),
        "SettingsService" => SETTINGS_V2_SERVED.contains(&route.trait_method),
        "OrganizationService" => ORG_V2_SERVED.contains(&route.trait_method),
        "FeatureService" => FEATURE_V2_SERVED.contains(&route.trait_method),
        "InstanceService" => INSTANCE_V2_SERVED.contains(&route.trait_method),
        "ProjectService" => PROJECT_V2_SERVED.contains(&route.trait_method),
        "ApplicationService" => APPLICATION_V2_SERVED.contains(&route.trait_method),
        "WebKeyService" => WEBKEY_V2_SERVED.contains(&route.trait_method),
        "UserService" => USER_V2_SERVED.contains(&route.trait_method),
        _ => false,
    }
}

/// gRPC and gRPC-Web for both services, behind the auth check.
pub(crate) fn router(app: Arc<App>, config: &ServerConfig) -> Router {
    // Every service takes bodies up to the configured size and answers any size.
    macro_rules! sized {
        ($server:ident, $api:expr) => {
            $server::new($api).max_decoding_message_size(config.max_body_bytes).max_encoding_message_size(usize::MAX)
        };
    }
    let admin = sized!(AdminServiceServer, AdminApi { app: app.clone() });
    let management = sized!(ManagementServiceServer, ManagementApi { app: app.clone() });
    let v2 = V2Api { app: app.clone() };
    let settings_v2 = sized!(SettingsServiceServer, v2.clone());
    let org_v2 = sized!(OrganizationServiceServer, v2.clone());
    let feature_v2 = sized!(FeatureServiceServer, v2.clone());
    let instance_v2 = sized!(InstanceServiceServer, v2.clone());
    let project_v2 = sized!(ProjectServiceServer, v2.clone());
    let application_v2 = sized!(ApplicationServiceServer, v2.clone());
    let webkey_v2 = sized!(WebKeyServiceServer, v2.clone());
    let user_v2 = sized!(UserServiceServer, v2);
    let mut routes = Routes::new(admin)
        .add_service(management)
        .add_service(settings_v2)
        .add_service(org_v2)
        .add_service(feature_v2)
        .add_service(instance_v2)
        .add_service(project_v2)
        .add_service(application_v2)
        .add_service(webkey_v2)
        .add_service(user_v2);
    // Server reflection (v1 and the v1alpha that older grpcurl asks for),
    // so that gRPC tools list and call the services without our .proto
    // files. It tells nothing the OpenAPI documents do not.
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(burg_api::FILE_DESCRIPTOR_SET)
    };
    match (reflection().build_v1(), reflection().build_v1alpha()) {
        (Ok(v1), Ok(v1alpha)) => routes = routes.add_service(v1).add_service(v1alpha),
        (Err(e), _) | (_, Err(e)) => tracing::warn!(error = %e, "gRPC server reflection is off"),
    }
    let grpc = routes.prepare().into_axum_router().layer(axum::middleware::from_fn_with_state(app, authenticate));
    let grpc = GrpcWebLayer::new().layer(grpc);
    Router::new()
        .route_service("/zitadel.admin.v1.AdminService/{method}", grpc.clone())
        .route_service("/zitadel.management.v1.ManagementService/{method}", grpc.clone())
        .route_service("/zitadel.settings.v2.SettingsService/{method}", grpc.clone())
        .route_service("/zitadel.org.v2.OrganizationService/{method}", grpc.clone())
        .route_service("/zitadel.feature.v2.FeatureService/{method}", grpc.clone())
        .route_service("/zitadel.instance.v2.InstanceService/{method}", grpc.clone())
        .route_service("/zitadel.project.v2.ProjectService/{method}", grpc.clone())
        .route_service("/zitadel.application.v2.ApplicationService/{method}", grpc.clone())
        .route_service("/zitadel.webkey.v2.WebKeyService/{method}", grpc.clone())
        .route_service("/zitadel.user.v2.UserService/{method}", grpc.clone())
        .route_service("/grpc.reflection.v1.ServerReflection/{method}", grpc.clone())
        .route_service("/grpc.reflection.v1alpha.ServerReflection/{method}", grpc)
}

/// Authenticates a gRPC call and attaches its [`Ctx`]; unknown methods pass
/// through to tonic, which answers Unimplemented.
async fn authenticate(State(app): State<Arc<App>>, mut request: Request, next: Next) -> Response {
    let Some((_, route)) = Route::by_grpc_path(request.uri().path()) else {
        return next.run(request).await;
    };
    match authorize(&app, route, request.headers()).await {
        Ok(ctx) => {
            request.extensions_mut().insert(ctx);
            next.run(request).await
        }
        Err(err) => to_status(err).into_http::<axum::body::Body>().into_response(),
    }
}
