//! The Terraform provider's resources (`../shared/api/clients.md`) for
//! projects, roles, applications, keys, grants, members, actions, flows,
//! the organization's policies and texts and its identity providers: each
//! runs create → read → update → read → delete → read with the RPCs the
//! provider calls, over gRPC, and the reads show what was written, then
//! NotFound (or the instance's default with `isDefault`).
//!
//! The sequences are data ([`sequences`]): requests and expected answers
//! as proto3 JSON, `"$name"` standing for a value an earlier answer gave.
//! [`every_resource_has_a_sequence_of_its_calls`] checks them against
//! `clients.md`: every resource of these families has one, and it calls
//! exactly the provider's RPCs (and what a resource's delete calls where
//! `clients.md` names none).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use base64::Engine;
use burg_api::admin as a;
use burg_api::management as m;
use burg_testkit::{ApiError, Backend, Client, Protocol, TestServer};
use serde_json::{Value, json};
use tonic::Code;

use crate::idps::cases::{SAML_METADATA, apple_key};
use crate::orgs::setup_request;

/// The RPCs the sequences call, by `clients.md`'s name (`M:` the
/// Management API, `A:` the Admin API), with their messages.
macro_rules! rpcs {
    ($($name:literal $req:ty => $resp:ty,)*) => {
        const RPCS: &[&str] = &[$($name),*];

        /// Calls `rpc` with `body` (proto3 JSON) through `c`; the answer as
        /// proto3 JSON.
        async fn call(c: &Client, rpc: &str, body: Value) -> Result<Value, ApiError> {
            $(if rpc == $name {
                return typed::<$req, $resp>(c, rpc, body).await;
            })*
            panic!("{rpc} is not in the table of RPCs")
        }
    };
}

async fn typed<Req, Resp>(c: &Client, rpc: &str, body: Value) -> Result<Value, ApiError>
where
    Req: prost::Message + serde::Serialize + serde::de::DeserializeOwned + Default + Send + Sync + 'static,
    Resp: prost::Message + serde::Serialize + serde::de::DeserializeOwned + Default + Send + Sync + 'static,
{
    let request: Req = serde_json::from_value(body).unwrap_or_else(|e| panic!("{rpc}: a bad request: {e}"));
    let method = rpc.split_once(':').map_or(rpc, |(_, m)| m);
    let answer: Resp = Box::pin(c.call(method, request)).await?;
    Ok(serde_json::to_value(answer).expect("an answer as JSON"))
}

rpcs! {
    "A:AddCustomDomainPolicy" a::AddCustomDomainPolicyRequest => a::AddCustomDomainPolicyResponse,
    "A:ResetCustomDomainPolicyToDefault" a::ResetCustomDomainPolicyToDefaultRequest => a::ResetCustomDomainPolicyToDefaultResponse,
    "A:SetUpOrg" a::SetUpOrgRequest => a::SetUpOrgResponse,
    "A:UpdateCustomDomainPolicy" a::UpdateCustomDomainPolicyRequest => a::UpdateCustomDomainPolicyResponse,
    "M:ActivateCustomLabelPolicy" m::ActivateCustomLabelPolicyRequest => m::ActivateCustomLabelPolicyResponse,
    "M:AddAPIApp" m::AddApiAppRequest => m::AddApiAppResponse,
    "M:AddAppKey" m::AddAppKeyRequest => m::AddAppKeyResponse,
    "M:AddAppleProvider" m::AddAppleProviderRequest => m::AddAppleProviderResponse,
    "M:AddAzureADProvider" m::AddAzureAdProviderRequest => m::AddAzureAdProviderResponse,
    "M:AddCustomLabelPolicy" m::AddCustomLabelPolicyRequest => m::AddCustomLabelPolicyResponse,
    "M:AddCustomLockoutPolicy" m::AddCustomLockoutPolicyRequest => m::AddCustomLockoutPolicyResponse,
    "M:AddCustomLoginPolicy" m::AddCustomLoginPolicyRequest => m::AddCustomLoginPolicyResponse,
    "M:AddCustomNotificationPolicy" m::AddCustomNotificationPolicyRequest => m::AddCustomNotificationPolicyResponse,
    "M:AddCustomPasswordAgePolicy" m::AddCustomPasswordAgePolicyRequest => m::AddCustomPasswordAgePolicyResponse,
    "M:AddCustomPasswordComplexityPolicy" m::AddCustomPasswordComplexityPolicyRequest => m::AddCustomPasswordComplexityPolicyResponse,
    "M:AddCustomPrivacyPolicy" m::AddCustomPrivacyPolicyRequest => m::AddCustomPrivacyPolicyResponse,
    "M:AddGenericOAuthProvider" m::AddGenericOAuthProviderRequest => m::AddGenericOAuthProviderResponse,
    "M:AddGenericOIDCProvider" m::AddGenericOidcProviderRequest => m::AddGenericOidcProviderResponse,
    "M:AddGitHubEnterpriseServerProvider" m::AddGitHubEnterpriseServerProviderRequest => m::AddGitHubEnterpriseServerProviderResponse,
    "M:AddGitHubProvider" m::AddGitHubProviderRequest => m::AddGitHubProviderResponse,
    "M:AddGitLabProvider" m::AddGitLabProviderRequest => m::AddGitLabProviderResponse,
    "M:AddGitLabSelfHostedProvider" m::AddGitLabSelfHostedProviderRequest => m::AddGitLabSelfHostedProviderResponse,
    "M:AddGoogleProvider" m::AddGoogleProviderRequest => m::AddGoogleProviderResponse,
    "M:AddIDPToLoginPolicy" m::AddIdpToLoginPolicyRequest => m::AddIdpToLoginPolicyResponse,
    "M:AddLDAPProvider" m::AddLdapProviderRequest => m::AddLdapProviderResponse,
    "M:AddMachineUser" m::AddMachineUserRequest => m::AddMachineUserResponse,
    "M:AddMultiFactorToLoginPolicy" m::AddMultiFactorToLoginPolicyRequest => m::AddMultiFactorToLoginPolicyResponse,
    "M:AddOIDCApp" m::AddOidcAppRequest => m::AddOidcAppResponse,
    "M:AddOrgJWTIDP" m::AddOrgJwtidpRequest => m::AddOrgJwtidpResponse,
    "M:AddOrgMember" m::AddOrgMemberRequest => m::AddOrgMemberResponse,
    "M:AddProject" m::AddProjectRequest => m::AddProjectResponse,
    "M:AddProjectGrant" m::AddProjectGrantRequest => m::AddProjectGrantResponse,
    "M:AddProjectGrantMember" m::AddProjectGrantMemberRequest => m::AddProjectGrantMemberResponse,
    "M:AddProjectMember" m::AddProjectMemberRequest => m::AddProjectMemberResponse,
    "M:AddProjectRole" m::AddProjectRoleRequest => m::AddProjectRoleResponse,
    "M:AddSAMLApp" m::AddSamlAppRequest => m::AddSamlAppResponse,
    "M:AddSAMLProvider" m::AddSamlProviderRequest => m::AddSamlProviderResponse,
    "M:AddSecondFactorToLoginPolicy" m::AddSecondFactorToLoginPolicyRequest => m::AddSecondFactorToLoginPolicyResponse,
    "M:AddUserGrant" m::AddUserGrantRequest => m::AddUserGrantResponse,
    "M:CreateAction" m::CreateActionRequest => m::CreateActionResponse,
    "M:DeleteAction" m::DeleteActionRequest => m::DeleteActionResponse,
    "M:DeleteProvider" m::DeleteProviderRequest => m::DeleteProviderResponse,
    "M:GetAppByID" m::GetAppByIdRequest => m::GetAppByIdResponse,
    "M:GetAppKey" m::GetAppKeyRequest => m::GetAppKeyResponse,
    "M:GetCustomDomainClaimedMessageText" m::GetCustomDomainClaimedMessageTextRequest => m::GetCustomDomainClaimedMessageTextResponse,
    "M:GetCustomInitMessageText" m::GetCustomInitMessageTextRequest => m::GetCustomInitMessageTextResponse,
    "M:GetCustomLoginTexts" m::GetCustomLoginTextsRequest => m::GetCustomLoginTextsResponse,
    "M:GetCustomPasswordChangeMessageText" m::GetCustomPasswordChangeMessageTextRequest => m::GetCustomPasswordChangeMessageTextResponse,
    "M:GetCustomPasswordResetMessageText" m::GetCustomPasswordResetMessageTextRequest => m::GetCustomPasswordResetMessageTextResponse,
    "M:GetCustomPasswordlessRegistrationMessageText" m::GetCustomPasswordlessRegistrationMessageTextRequest => m::GetCustomPasswordlessRegistrationMessageTextResponse,
    "M:GetCustomVerifyEmailMessageText" m::GetCustomVerifyEmailMessageTextRequest => m::GetCustomVerifyEmailMessageTextResponse,
    "M:GetCustomVerifyEmailOTPMessageText" m::GetCustomVerifyEmailOtpMessageTextRequest => m::GetCustomVerifyEmailOtpMessageTextResponse,
    "M:GetCustomVerifyPhoneMessageText" m::GetCustomVerifyPhoneMessageTextRequest => m::GetCustomVerifyPhoneMessageTextResponse,
    "M:GetCustomVerifySMSOTPMessageText" m::GetCustomVerifySmsotpMessageTextRequest => m::GetCustomVerifySmsotpMessageTextResponse,
    "M:GetDomainPolicy" m::GetDomainPolicyRequest => m::GetDomainPolicyResponse,
    "M:GetFlow" m::GetFlowRequest => m::GetFlowResponse,
    "M:GetLockoutPolicy" m::GetLockoutPolicyRequest => m::GetLockoutPolicyResponse,
    "M:GetLoginPolicy" m::GetLoginPolicyRequest => m::GetLoginPolicyResponse,
    "M:GetNotificationPolicy" m::GetNotificationPolicyRequest => m::GetNotificationPolicyResponse,
    "M:GetOrgIDPByID" m::GetOrgIdpByIdRequest => m::GetOrgIdpByIdResponse,
    "M:GetPasswordAgePolicy" m::GetPasswordAgePolicyRequest => m::GetPasswordAgePolicyResponse,
    "M:GetPasswordComplexityPolicy" m::GetPasswordComplexityPolicyRequest => m::GetPasswordComplexityPolicyResponse,
    "M:GetPreviewLabelPolicy" m::GetPreviewLabelPolicyRequest => m::GetPreviewLabelPolicyResponse,
    "M:GetPrivacyPolicy" m::GetPrivacyPolicyRequest => m::GetPrivacyPolicyResponse,
    "M:GetProjectByID" m::GetProjectByIdRequest => m::GetProjectByIdResponse,
    "M:GetProjectGrantByID" m::GetProjectGrantByIdRequest => m::GetProjectGrantByIdResponse,
    "M:GetProviderByID" m::GetProviderByIdRequest => m::GetProviderByIdResponse,
    "M:GetUserGrantByID" m::GetUserGrantByIdRequest => m::GetUserGrantByIdResponse,
    "M:ListActions" m::ListActionsRequest => m::ListActionsResponse,
    "M:ListLoginPolicyIDPs" m::ListLoginPolicyIdPsRequest => m::ListLoginPolicyIdPsResponse,
    "M:ListLoginPolicyMultiFactors" m::ListLoginPolicyMultiFactorsRequest => m::ListLoginPolicyMultiFactorsResponse,
    "M:ListLoginPolicySecondFactors" m::ListLoginPolicySecondFactorsRequest => m::ListLoginPolicySecondFactorsResponse,
    "M:ListOrgMembers" m::ListOrgMembersRequest => m::ListOrgMembersResponse,
    "M:ListProjectGrantMembers" m::ListProjectGrantMembersRequest => m::ListProjectGrantMembersResponse,
    "M:ListProjectMembers" m::ListProjectMembersRequest => m::ListProjectMembersResponse,
    "M:ListProjectRoles" m::ListProjectRolesRequest => m::ListProjectRolesResponse,
    "M:RemoveApp" m::RemoveAppRequest => m::RemoveAppResponse,
    "M:RemoveAppKey" m::RemoveAppKeyRequest => m::RemoveAppKeyResponse,
    "M:RemoveIDPFromLoginPolicy" m::RemoveIdpFromLoginPolicyRequest => m::RemoveIdpFromLoginPolicyResponse,
    "M:RemoveMultiFactorFromLoginPolicy" m::RemoveMultiFactorFromLoginPolicyRequest => m::RemoveMultiFactorFromLoginPolicyResponse,
    "M:RemoveOrgIDP" m::RemoveOrgIdpRequest => m::RemoveOrgIdpResponse,
    "M:RemoveOrgMember" m::RemoveOrgMemberRequest => m::RemoveOrgMemberResponse,
    "M:RemoveProject" m::RemoveProjectRequest => m::RemoveProjectResponse,
    "M:RemoveProjectGrant" m::RemoveProjectGrantRequest => m::RemoveProjectGrantResponse,
    "M:RemoveProjectGrantMember" m::RemoveProjectGrantMemberRequest => m::RemoveProjectGrantMemberResponse,
    "M:RemoveProjectMember" m::RemoveProjectMemberRequest => m::RemoveProjectMemberResponse,
    "M:RemoveProjectRole" m::RemoveProjectRoleRequest => m::RemoveProjectRoleResponse,
    "M:RemoveSecondFactorFromLoginPolicy" m::RemoveSecondFactorFromLoginPolicyRequest => m::RemoveSecondFactorFromLoginPolicyResponse,
    "M:RemoveUserGrant" m::RemoveUserGrantRequest => m::RemoveUserGrantResponse,
    "M:ResetCustomDomainClaimedMessageTextToDefault" m::ResetCustomDomainClaimedMessageTextToDefaultRequest => m::ResetCustomDomainClaimedMessageTextToDefaultResponse,
    "M:ResetCustomInitMessageTextToDefault" m::ResetCustomInitMessageTextToDefaultRequest => m::ResetCustomInitMessageTextToDefaultResponse,
    "M:ResetCustomLoginTextToDefault" m::ResetCustomLoginTextsToDefaultRequest => m::ResetCustomLoginTextsToDefaultResponse,
    "M:ResetCustomPasswordChangeMessageTextToDefault" m::ResetCustomPasswordChangeMessageTextToDefaultRequest => m::ResetCustomPasswordChangeMessageTextToDefaultResponse,
    "M:ResetCustomPasswordResetMessageTextToDefault" m::ResetCustomPasswordResetMessageTextToDefaultRequest => m::ResetCustomPasswordResetMessageTextToDefaultResponse,
    "M:ResetCustomPasswordlessRegistrationMessageTextToDefault" m::ResetCustomPasswordlessRegistrationMessageTextToDefaultRequest => m::ResetCustomPasswordlessRegistrationMessageTextToDefaultResponse,
    "M:ResetCustomVerifyEmailMessageTextToDefault" m::ResetCustomVerifyEmailMessageTextToDefaultRequest => m::ResetCustomVerifyEmailMessageTextToDefaultResponse,
    "M:ResetCustomVerifyEmailOTPMessageTextToDefault" m::ResetCustomVerifyEmailOtpMessageTextToDefaultRequest => m::ResetCustomVerifyEmailOtpMessageTextToDefaultResponse,
    "M:ResetCustomVerifyPhoneMessageTextToDefault" m::ResetCustomVerifyPhoneMessageTextToDefaultRequest => m::ResetCustomVerifyPhoneMessageTextToDefaultResponse,
    "M:ResetCustomVerifySMSOTPMessageTextToDefault" m::ResetCustomVerifySmsotpMessageTextToDefaultRequest => m::ResetCustomVerifySmsotpMessageTextToDefaultResponse,
    "M:ResetLabelPolicyToDefault" m::ResetLabelPolicyToDefaultRequest => m::ResetLabelPolicyToDefaultResponse,
    "M:ResetLockoutPolicyToDefault" m::ResetLockoutPolicyToDefaultRequest => m::ResetLockoutPolicyToDefaultResponse,
    "M:ResetLoginPolicyToDefault" m::ResetLoginPolicyToDefaultRequest => m::ResetLoginPolicyToDefaultResponse,
    "M:ResetNotificationPolicyToDefault" m::ResetNotificationPolicyToDefaultRequest => m::ResetNotificationPolicyToDefaultResponse,
    "M:ResetPasswordAgePolicyToDefault" m::ResetPasswordAgePolicyToDefaultRequest => m::ResetPasswordAgePolicyToDefaultResponse,
    "M:ResetPasswordComplexityPolicyToDefault" m::ResetPasswordComplexityPolicyToDefaultRequest => m::ResetPasswordComplexityPolicyToDefaultResponse,
    "M:ResetPrivacyPolicyToDefault" m::ResetPrivacyPolicyToDefaultRequest => m::ResetPrivacyPolicyToDefaultResponse,
    "M:SetCustomDomainClaimedMessageCustomText" m::SetCustomDomainClaimedMessageTextRequest => m::SetCustomDomainClaimedMessageTextResponse,
    "M:SetCustomInitMessageText" m::SetCustomInitMessageTextRequest => m::SetCustomInitMessageTextResponse,
    "M:SetCustomLoginText" m::SetCustomLoginTextsRequest => m::SetCustomLoginTextsResponse,
    "M:SetCustomPasswordChangeMessageCustomText" m::SetCustomPasswordChangeMessageTextRequest => m::SetCustomPasswordChangeMessageTextResponse,
    "M:SetCustomPasswordResetMessageText" m::SetCustomPasswordResetMessageTextRequest => m::SetCustomPasswordResetMessageTextResponse,
    "M:SetCustomPasswordlessRegistrationMessageCustomText" m::SetCustomPasswordlessRegistrationMessageTextRequest => m::SetCustomPasswordlessRegistrationMessageTextResponse,
    "M:SetCustomVerifyEmailMessageText" m::SetCustomVerifyEmailMessageTextRequest => m::SetCustomVerifyEmailMessageTextResponse,
    "M:SetCustomVerifyEmailOTPMessageText" m::SetCustomVerifyEmailOtpMessageTextRequest => m::SetCustomVerifyEmailOtpMessageTextResponse,
    "M:SetCustomVerifyPhoneMessageText" m::SetCustomVerifyPhoneMessageTextRequest => m::SetCustomVerifyPhoneMessageTextResponse,
    "M:SetCustomVerifySMSOTPMessageText" m::SetCustomVerifySmsotpMessageTextRequest => m::SetCustomVerifySmsotpMessageTextResponse,
    "M:SetTriggerActions" m::SetTriggerActionsRequest => m::SetTriggerActionsResponse,
    "M:UpdateAPIAppConfig" m::UpdateApiAppConfigRequest => m::UpdateApiAppConfigResponse,
    "M:UpdateAction" m::UpdateActionRequest => m::UpdateActionResponse,
    "M:UpdateApp" m::UpdateAppRequest => m::UpdateAppResponse,
    "M:UpdateAppleProvider" m::UpdateAppleProviderRequest => m::UpdateAppleProviderResponse,
    "M:UpdateAzureADProvider" m::UpdateAzureAdProviderRequest => m::UpdateAzureAdProviderResponse,
    "M:UpdateCustomLabelPolicy" m::UpdateCustomLabelPolicyRequest => m::UpdateCustomLabelPolicyResponse,
    "M:UpdateCustomLockoutPolicy" m::UpdateCustomLockoutPolicyRequest => m::UpdateCustomLockoutPolicyResponse,
    "M:UpdateCustomLoginPolicy" m::UpdateCustomLoginPolicyRequest => m::UpdateCustomLoginPolicyResponse,
    "M:UpdateCustomNotificationPolicy" m::UpdateCustomNotificationPolicyRequest => m::UpdateCustomNotificationPolicyResponse,
    "M:UpdateCustomPasswordAgePolicy" m::UpdateCustomPasswordAgePolicyRequest => m::UpdateCustomPasswordAgePolicyResponse,
    "M:UpdateCustomPasswordComplexityPolicy" m::UpdateCustomPasswordComplexityPolicyRequest => m::UpdateCustomPasswordComplexityPolicyResponse,
    "M:UpdateCustomPrivacyPolicy" m::UpdateCustomPrivacyPolicyRequest => m::UpdateCustomPrivacyPolicyResponse,
    "M:UpdateGenericOAuthProvider" m::UpdateGenericOAuthProviderRequest => m::UpdateGenericOAuthProviderResponse,
    "M:UpdateGenericOIDCProvider" m::UpdateGenericOidcProviderRequest => m::UpdateGenericOidcProviderResponse,
    "M:UpdateGitHubEnterpriseServerProvider" m::UpdateGitHubEnterpriseServerProviderRequest => m::UpdateGitHubEnterpriseServerProviderResponse,
    "M:UpdateGitHubProvider" m::UpdateGitHubProviderRequest => m::UpdateGitHubProviderResponse,
    "M:UpdateGitLabProvider" m::UpdateGitLabProviderRequest => m::UpdateGitLabProviderResponse,
    "M:UpdateGitLabSelfHostedProvider" m::UpdateGitLabSelfHostedProviderRequest => m::UpdateGitLabSelfHostedProviderResponse,
    "M:UpdateGoogleProvider" m::UpdateGoogleProviderRequest => m::UpdateGoogleProviderResponse,
    "M:UpdateLDAPProvider" m::UpdateLdapProviderRequest => m::UpdateLdapProviderResponse,
    "M:UpdateOIDCAppConfig" m::UpdateOidcAppConfigRequest => m::UpdateOidcAppConfigResponse,
    "M:UpdateOrgIDP" m::UpdateOrgIdpRequest => m::UpdateOrgIdpResponse,
    "M:UpdateOrgIDPJWTConfig" m::UpdateOrgIdpjwtConfigRequest => m::UpdateOrgIdpjwtConfigResponse,
    "M:UpdateOrgMember" m::UpdateOrgMemberRequest => m::UpdateOrgMemberResponse,
    "M:UpdateProject" m::UpdateProjectRequest => m::UpdateProjectResponse,
    "M:UpdateProjectGrant" m::UpdateProjectGrantRequest => m::UpdateProjectGrantResponse,
    "M:UpdateProjectGrantMember" m::UpdateProjectGrantMemberRequest => m::UpdateProjectGrantMemberResponse,
    "M:UpdateProjectMember" m::UpdateProjectMemberRequest => m::UpdateProjectMemberResponse,
    "M:UpdateProjectRole" m::UpdateProjectRoleRequest => m::UpdateProjectRoleResponse,
    "M:UpdateSAMLAppConfig" m::UpdateSamlAppConfigRequest => m::UpdateSamlAppConfigResponse,
    "M:UpdateSAMLProvider" m::UpdateSamlProviderRequest => m::UpdateSamlProviderResponse,
    "M:UpdateUserGrant" m::UpdateUserGrantRequest => m::UpdateUserGrantResponse,
}

/// A call and the answer members to keep: `(JSON pointer, name)`.
struct Step {
    rpc: String,
    body: Value,
    save: Vec<(&'static str, &'static str)>,
}

fn step(rpc: &str, body: Value) -> Step {
    Step { rpc: rpc.into(), body, save: vec![] }
}

impl Step {
    fn save(mut self, pointer: &'static str, name: &'static str) -> Step {
        self.save.push((pointer, name));
        self
    }
}

/// What a read answers at one point of the sequence.
#[derive(Clone)]
enum Shows {
    /// An answer that holds these members (see [`holds`]).
    Holds(Value),
    /// This error.
    Fails(Code),
    /// What it answered before the create (the instance's setting), which
    /// holds `isDefault: true` at this pointer.
    Default(&'static str),
    /// What it answered before the create.
    AsBefore,
}

/// A read, and what it shows after the create, the update and the delete.
struct Read {
    rpc: String,
    body: Value,
    created: Shows,
    updated: Shows,
    deleted: Shows,
}

fn read(rpc: &str, body: Value, created: Value, updated: Value, deleted: Shows) -> Read {
    Read { rpc: rpc.into(), body, created: Shows::Holds(created), updated: Shows::Holds(updated), deleted }
}

/// A resource's sequence.
struct Seq {
    resource: &'static str,
    /// What it needs first (not the resource's own calls).
    setup: Vec<Step>,
    create: Vec<Step>,
    reads: Vec<Read>,
    /// None for a resource that cannot change (it is replaced).
    update: Vec<Step>,
    delete: Vec<Step>,
    /// Calls of the resource that `clients.md` does not name (a delete
    /// the provider makes through a shared helper).
    unlisted: &'static [&'static str],
}

impl Seq {
    fn new(resource: &'static str) -> Seq {
        Seq { resource, setup: vec![], create: vec![], reads: vec![], update: vec![], delete: vec![], unlisted: &[] }
    }

    /// The RPCs of the resource's own steps.
    fn calls(&self) -> BTreeSet<&str> {
        let steps = self.create.iter().chain(&self.update).chain(&self.delete).map(|s| s.rpc.as_str());
        steps.chain(self.reads.iter().map(|r| r.rpc.as_str())).collect()
    }
}

/// `"$name"` strings replaced by the value kept under `name`.
fn fill(value: &Value, vars: &BTreeMap<String, String>) -> Value {
    match value {
        Value::String(s) => match s.strip_prefix('$') {
            Some(name) => Value::String(vars.get(name).unwrap_or_else(|| panic!("no value ${name}")).clone()),
            None => value.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(|v| fill(v, vars)).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), fill(v, vars))).collect()),
        other => other.clone(),
    }
}

/// Whether `actual` holds `expected`: each member of an expected object is
/// held by the actual one's, lists hold item by item and have the same
/// length; a zero value (`false`, `0`, `""`, `[]`, `null`) is also held by
/// an absent member, as proto3 JSON leaves those out.
fn holds(actual: Option<&Value>, expected: &Value) -> bool {
    let zero = match expected {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(_) => false,
    };
    let Some(actual) = actual.filter(|a| !a.is_null()) else { return zero };
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => e.iter().all(|(k, v)| holds(a.get(k), v)),
        (Value::Array(a), Value::Array(e)) => a.len() == e.len() && a.iter().zip(e).all(|(a, e)| holds(Some(a), e)),
        // 64-bit integers are strings in proto3 JSON.
        (Value::String(a), Value::Number(e)) => *a == e.to_string(),
        (a, e) => a == e,
    }
}

/// An answer without its `details` (they move with every change).
fn without_details(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter().filter(|(k, _)| *k != "details").map(|(k, v)| (k.clone(), without_details(v))).collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_details).collect()),
        other => other.clone(),
    }
}

/// Runs `steps`, keeping what they save; any error fails the test.
async fn run_steps(c: &Client, what: &str, steps: &[Step], vars: &mut BTreeMap<String, String>) {
    for s in steps {
        let answer = call(c, &s.rpc, fill(&s.body, vars)).await.unwrap_or_else(|e| panic!("{what}: {}: {e:?}", s.rpc));
        for (pointer, name) in &s.save {
            let value = answer.pointer(pointer).and_then(Value::as_str);
            let value = value.unwrap_or_else(|| panic!("{what}: {} answered no {pointer}: {answer}", s.rpc));
            vars.insert(name.to_string(), value.to_string());
        }
    }
}

/// Runs each read of `seq` and checks what it shows at `phase`.
async fn run_reads(
    c: &Client,
    seq: &Seq,
    phase: &str,
    vars: &BTreeMap<String, String>,
    before: &[Option<Value>],
    shows: impl Fn(&Read) -> &Shows,
) {
    for (r, before) in seq.reads.iter().zip(before) {
        let what = format!("{} {phase}: {}", seq.resource, r.rpc);
        let answer = call(c, &r.rpc, fill(&r.body, vars)).await;
        match (shows(r), answer) {
            (Shows::Holds(expected), Ok(got)) => {
                let expected = fill(expected, vars);
                assert!(holds(Some(&got), &expected), "{what}: {got}\n does not hold {expected}");
            }
            (Shows::Fails(code), Err(e)) => assert_eq!(e.code, *code, "{what}: {e:?}"),
            (Shows::Default(pointer), Ok(got)) => {
                assert_eq!(got.pointer(pointer), Some(&json!(true)), "{what}: {got}");
                assert_eq!(Some(without_details(&got)), before.as_ref().map(without_details), "{what}");
            }
            (Shows::AsBefore, Ok(got)) => {
                assert_eq!(Some(without_details(&got)), before.as_ref().map(without_details), "{what}");
            }
            (_, Ok(got)) => panic!("{what}: answered {got}"),
            (_, Err(e)) => panic!("{what}: {e:?}"),
        }
    }
}

/// Runs a sequence in an organization of its own.
async fn run(c: &Client, seq: &Seq) {
    let name = seq.resource.trim_start_matches("zitadel_").replace('_', "-");
    let org: a::SetUpOrgResponse = c.call("SetUpOrg", setup_request(&format!("tf-{name}"))).await.unwrap();
    let c = c.with_org(&org.org_id);
    let mut vars = BTreeMap::from([("org".to_string(), org.org_id), ("owner".to_string(), org.user_id)]);
    run_steps(&c, seq.resource, &seq.setup, &mut vars).await;
    // A setting's reads first show the instance's, to compare after the delete.
    let mut before = Vec::new();
    for r in &seq.reads {
        let default = matches!(r.deleted, Shows::Default(_) | Shows::AsBefore);
        before.push(match default {
            true => Some(call(&c, &r.rpc, fill(&r.body, &vars)).await.unwrap()),
            false => None,
        });
    }
    run_steps(&c, &format!("{} create", seq.resource), &seq.create, &mut vars).await;
    run_reads(&c, seq, "after create", &vars, &before, |r| &r.created).await;
    if !seq.update.is_empty() {
        run_steps(&c, &format!("{} update", seq.resource), &seq.update, &mut vars).await;
        run_reads(&c, seq, "after update", &vars, &before, |r| &r.updated).await;
    }
    run_steps(&c, &format!("{} delete", seq.resource), &seq.delete, &mut vars).await;
    run_reads(&c, seq, "after delete", &vars, &before, |r| &r.deleted).await;
}

/// Runs the sequences of the resources `which` picks, on one server
/// (SQLite, gRPC: the families' own tests cover both backends and REST).
async fn run_family(which: impl Fn(&str) -> bool) {
    let Some(s) = TestServer::start_or_skip(Backend::Sqlite).await else { return };
    let c = s.client(Protocol::Grpc).await;
    let seqs: Vec<Seq> = sequences().into_iter().filter(|q| which(q.resource)).collect();
    assert!(!seqs.is_empty(), "no sequence");
    for seq in &seqs {
        run(&c, seq).await;
    }
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn projects_roles_and_apps() {
    run_family(|r| r == "zitadel_project" || r == "zitadel_project_role" || r.starts_with("zitadel_application_"))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grants_and_members() {
    run_family(|r| r.ends_with("_grant") || r.ends_with("_member")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actions_and_flows() {
    run_family(|r| r == "zitadel_action" || r == "zitadel_trigger_actions").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn org_policies() {
    run_family(|r| r.ends_with("_policy")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn org_texts() {
    run_family(|r| r.ends_with("_message_text") || r == "zitadel_login_texts").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn org_idps() {
    run_family(|r| r.starts_with("zitadel_org_idp_")).await;
}

/// Whether a resource of `clients.md` belongs to the families this file
/// covers: the Management API's projects, applications, grants, members,
/// actions, and the organization's policies, texts and identity providers.
fn covered(resource: &str) -> bool {
    !resource.starts_with("zitadel_default_")
        && ([
            "zitadel_project",
            "zitadel_application_",
            "zitadel_user_grant",
            "zitadel_org_member",
            "zitadel_action",
            "zitadel_trigger_actions",
            "zitadel_org_idp_",
        ]
        .iter()
        .any(|p| resource.starts_with(p))
            || resource.ends_with("_policy")
            || resource.ends_with("_message_text")
            || resource == "zitadel_login_texts")
}

#[test]
fn every_resource_has_a_sequence_of_its_calls() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/api/clients.md");
    let Ok(text) = std::fs::read_to_string(&path) else {
        assert!(!burg_testkit::in_ci(), "clients.md is missing at {}", path.display());
        eprintln!("skipped: clients.md is not at {}", path.display());
        return;
    };
    // Each resource (not the ephemeral ones) with its v1 calls.
    let mut listed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in text.lines().filter(|l| l.starts_with("| zitadel_")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let [resource, rpcs] = cells[..] else { panic!("a row of two cells: {line}") };
        let Some(resource) = resource.strip_suffix(" (R)") else { continue };
        let v1: BTreeSet<String> = rpcs
            .split(',')
            .map(str::trim)
            .filter(|c| c.starts_with("M:") || c.starts_with("A:"))
            .map(String::from)
            .collect();
        if covered(resource) && !v1.is_empty() {
            listed.insert(resource.to_string(), v1);
        }
    }
    assert!(listed.len() >= 40, "clients.md names {} resources of these families", listed.len());
    let seqs = sequences();
    let mut problems = Vec::new();
    for (resource, rpcs) in &listed {
        let Some(seq) = seqs.iter().find(|s| s.resource == *resource) else {
            problems.push(format!("{resource}: no sequence"));
            continue;
        };
        let calls: BTreeSet<String> = seq.calls().into_iter().map(String::from).collect();
        let expected: BTreeSet<String> =
            rpcs.iter().cloned().chain(seq.unlisted.iter().map(|s| s.to_string())).collect();
        if calls != expected {
            problems.push(format!("{resource}: calls {calls:?}, clients.md (and the unlisted) {expected:?}"));
        }
        if seq.unlisted.iter().any(|u| rpcs.contains(*u)) {
            problems.push(format!("{resource}: an unlisted call that clients.md lists"));
        }
        if seq.create.is_empty() || seq.reads.is_empty() || seq.delete.is_empty() {
            problems.push(format!("{resource}: not a whole sequence"));
        }
    }
    for seq in &seqs {
        if !listed.contains_key(seq.resource) {
            problems.push(format!("{}: a sequence for a resource clients.md does not name", seq.resource));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    // Every call of the table is used.
    let used: BTreeSet<&str> =
        seqs.iter().flat_map(|s| s.setup.iter().map(|x| x.rpc.as_str()).chain(s.calls())).collect();
    let unused: Vec<&&str> = RPCS.iter().filter(|r| !used.contains(**r)).collect();
    assert!(unused.is_empty(), "RPCs no sequence calls: {unused:?}");
}

#[test]
fn holds_reads_proto3_json() {
    let got = json!({"policy": {"minLength": "8", "hasSymbol": true, "list": [{"a": 1, "b": 2}]}});
    assert!(holds(Some(&got), &json!({"policy": {"hasSymbol": true, "hasNumber": false, "list": [{"a": 1}]}})));
    assert!(!holds(Some(&got), &json!({"policy": {"hasSymbol": false}})));
    assert!(!holds(Some(&got), &json!({"policy": {"list": []}})));
    assert!(holds(Some(&got), &json!({"result": [], "policy": {"gone": null}})));
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// With `extra`'s members added to (or replacing) `base`'s.
fn with(base: &Value, extra: Value) -> Value {
    let mut out = base.clone();
    if let (Some(out), Value::Object(extra)) = (out.as_object_mut(), extra) {
        out.extend(extra);
    }
    out
}

fn project() -> Step {
    step("M:AddProject", json!({"name": "Shop"})).save("/id", "project")
}

fn role(key: &str) -> Step {
    step("M:AddProjectRole", json!({"projectId": "$project", "roleKey": key, "displayName": key.to_uppercase()}))
}

/// A machine user (user names are the instance's, so each its own).
fn machine(name: &str) -> Step {
    step("M:AddMachineUser", json!({"userName": name, "name": "Robot"})).save("/userId", "user")
}

/// Another organization, with its first user.
fn partner(name: &str) -> Step {
    let human = json!({"userName": name.replace(' ', "-"), "profile": {"firstName": "Pat", "lastName": "Partner"},
                       "email": {"email": "pat@partner.example", "isEmailVerified": true},
                       "password": "Secr3t-Passw0rd!"});
    step("A:SetUpOrg", json!({"org": {"name": name}, "human": human}))
        .save("/orgId", "partner")
        .save("/userId", "partner_user")
}

const SP_METADATA: &str = r#"<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://sp.terraform.example/metadata">
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
      Location="https://sp.terraform.example/acs" index="0"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>"#;

/// Every sequence.
fn sequences() -> Vec<Seq> {
    let mut all = project_seqs();
    all.extend(grant_seqs());
    all.extend(action_seqs());
    all.extend(policy_seqs());
    all.extend(text_seqs());
    all.extend(idp_seqs());
    all
}

fn project_seqs() -> Vec<Seq> {
    let gone = || Shows::Fails(Code::NotFound);
    let mut p = Seq::new("zitadel_project");
    p.create = vec![
        step("M:AddProject", json!({"name": "Shop", "projectRoleAssertion": true, "hasProjectCheck": true}))
            .save("/id", "project"),
    ];
    let labeling = "PRIVATE_LABELING_SETTING_ENFORCE_PROJECT_RESOURCE_OWNER_POLICY";
    let changed = json!({"name": "Storefront", "projectRoleCheck": true, "hasProjectCheck": true,
                         "privateLabelingSetting": labeling});
    p.reads = vec![read(
        "M:GetProjectByID",
        json!({"id": "$project"}),
        json!({"project": {"id": "$project", "name": "Shop", "state": "PROJECT_STATE_ACTIVE",
                           "projectRoleAssertion": true, "projectRoleCheck": false, "hasProjectCheck": true}}),
        json!({"project": with(&changed, json!({"projectRoleAssertion": false}))}),
        gone(),
    )];
    p.update = vec![step("M:UpdateProject", with(&changed, json!({"id": "$project"})))];
    p.delete = vec![step("M:RemoveProject", json!({"id": "$project"}))];

    let mut r = Seq::new("zitadel_project_role");
    r.setup = vec![project()];
    r.create = vec![step(
        "M:AddProjectRole",
        json!({"projectId": "$project", "roleKey": "reader", "displayName": "Reader", "group": "staff"}),
    )];
    r.reads = vec![read(
        "M:ListProjectRoles",
        json!({"projectId": "$project",
               "queries": [{"keyQuery": {"key": "reader", "method": "TEXT_QUERY_METHOD_EQUALS"}}]}),
        json!({"result": [{"key": "reader", "displayName": "Reader", "group": "staff"}]}),
        json!({"result": [{"key": "reader", "displayName": "Readers", "group": "crew"}]}),
        Shows::Holds(json!({"result": []})),
    )];
    r.update = vec![step(
        "M:UpdateProjectRole",
        json!({"projectId": "$project", "roleKey": "reader", "displayName": "Readers", "group": "crew"}),
    )];
    r.delete = vec![step("M:RemoveProjectRole", json!({"projectId": "$project", "roleKey": "reader"}))];

    // Applications: renamed with UpdateApp, configured with their own update.
    let app = json!({"projectId": "$project", "appId": "$app"});
    let app_seq = |resource, add: (&str, Value), config: (&str, Value), shown: (Value, Value)| {
        let mut s = Seq::new(resource);
        s.setup = vec![project()];
        s.create = vec![step(add.0, with(&json!({"projectId": "$project"}), add.1)).save("/appId", "app")];
        s.reads = vec![read("M:GetAppByID", app.clone(), json!({"app": shown.0}), json!({"app": shown.1}), gone())];
        s.update =
            vec![step("M:UpdateApp", with(&app, json!({"name": "renamed"}))), step(config.0, with(&app, config.1))];
        s.delete = vec![step("M:RemoveApp", app.clone())];
        s
    };
    let oidc = app_seq(
        "zitadel_application_oidc",
        (
            "M:AddOIDCApp",
            json!({"name": "portal", "redirectUris": ["https://portal.example/cb"],
                   "responseTypes": ["OIDC_RESPONSE_TYPE_CODE"], "grantTypes": ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE"],
                   "appType": "OIDC_APP_TYPE_WEB", "authMethodType": "OIDC_AUTH_METHOD_TYPE_POST",
                   "postLogoutRedirectUris": ["https://portal.example/bye"], "accessTokenType": "OIDC_TOKEN_TYPE_JWT",
                   "idTokenRoleAssertion": true, "clockSkew": "1s"}),
        ),
        (
            "M:UpdateOIDCAppConfig",
            json!({"redirectUris": ["https://shop.example/cb"], "responseTypes": ["OIDC_RESPONSE_TYPE_CODE"],
                   "grantTypes": ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE", "OIDC_GRANT_TYPE_REFRESH_TOKEN"],
                   "appType": "OIDC_APP_TYPE_USER_AGENT", "authMethodType": "OIDC_AUTH_METHOD_TYPE_NONE",
                   "devMode": true, "accessTokenRoleAssertion": true, "clockSkew": "2s"}),
        ),
        (
            json!({"id": "$app", "name": "portal", "state": "APP_STATE_ACTIVE", "oidcConfig": {
                "redirectUris": ["https://portal.example/cb"], "responseTypes": ["OIDC_RESPONSE_TYPE_CODE"],
                "grantTypes": ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE"], "authMethodType": "OIDC_AUTH_METHOD_TYPE_POST",
                "postLogoutRedirectUris": ["https://portal.example/bye"], "accessTokenType": "OIDC_TOKEN_TYPE_JWT",
                "idTokenRoleAssertion": true, "accessTokenRoleAssertion": false, "devMode": false,
                "clockSkew": "1s"}}),
            json!({"name": "renamed", "oidcConfig": {
                "redirectUris": ["https://shop.example/cb"],
                "grantTypes": ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE", "OIDC_GRANT_TYPE_REFRESH_TOKEN"],
                "appType": "OIDC_APP_TYPE_USER_AGENT", "authMethodType": "OIDC_AUTH_METHOD_TYPE_NONE",
                "postLogoutRedirectUris": [], "accessTokenType": null, "idTokenRoleAssertion": false,
                "accessTokenRoleAssertion": true, "devMode": true, "clockSkew": "2s"}}),
        ),
    );
    // API_AUTH_METHOD_TYPE_BASIC is the zero value, which proto3 JSON leaves out.
    let api = app_seq(
        "zitadel_application_api",
        ("M:AddAPIApp", json!({"name": "backend", "authMethodType": "API_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT"})),
        ("M:UpdateAPIAppConfig", json!({"authMethodType": "API_AUTH_METHOD_TYPE_BASIC"})),
        (
            json!({"name": "backend", "apiConfig": {"authMethodType": "API_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT"}}),
            json!({"name": "renamed", "apiConfig": {"authMethodType": null}}),
        ),
    );
    let moved = SP_METADATA.replace("/acs", "/acs2");
    let saml = app_seq(
        "zitadel_application_saml",
        ("M:AddSAMLApp", json!({"name": "sp", "metadataXml": b64(SP_METADATA)})),
        ("M:UpdateSAMLAppConfig", json!({"metadataXml": b64(&moved)})),
        (
            json!({"name": "sp", "samlConfig": {"metadataXml": b64(SP_METADATA)}}),
            json!({"name": "renamed", "samlConfig": {"metadataXml": b64(&moved)}}),
        ),
    );

    // A key cannot change: the provider replaces it.
    let mut k = Seq::new("zitadel_application_key");
    k.setup = vec![
        project(),
        step("M:AddAPIApp",
             json!({"projectId": "$project", "name": "signer", "authMethodType": "API_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT"}))
            .save("/appId", "app"),
    ];
    k.create = vec![
        step("M:AddAppKey", with(&app, json!({"type": "KEY_TYPE_JSON", "expirationDate": "2519-04-01T08:45:00Z"})))
            .save("/id", "key"),
    ];
    k.reads = vec![read(
        "M:GetAppKey",
        with(&app, json!({"keyId": "$key"})),
        json!({"key": {"id": "$key", "type": "KEY_TYPE_JSON", "expirationDate": "2519-04-01T08:45:00Z"}}),
        Value::Null,
        gone(),
    )];
    k.delete = vec![step("M:RemoveAppKey", with(&app, json!({"keyId": "$key"})))];
    vec![p, r, oidc, api, saml, k]
}

fn grant_seqs() -> Vec<Seq> {
    let gone = || Shows::Fails(Code::NotFound);
    let grant = json!({"projectId": "$project", "grantId": "$grant"});
    let mut g = Seq::new("zitadel_project_grant");
    g.setup = vec![partner("tf partner of a grant"), project(), role("reader"), role("writer")];
    g.create = vec![
        step("M:AddProjectGrant", json!({"projectId": "$project", "grantedOrgId": "$partner", "roleKeys": ["reader"]}))
            .save("/grantId", "grant"),
    ];
    g.reads = vec![read(
        "M:GetProjectGrantByID",
        grant.clone(),
        json!({"projectGrant": {"grantId": "$grant", "projectId": "$project", "grantedOrgId": "$partner",
                                "grantedRoleKeys": ["reader"], "state": "PROJECT_GRANT_STATE_ACTIVE"}}),
        json!({"projectGrant": {"grantedRoleKeys": ["reader", "writer"]}}),
        gone(),
    )];
    g.update = vec![step("M:UpdateProjectGrant", with(&grant, json!({"roleKeys": ["reader", "writer"]})))];
    g.delete = vec![step("M:RemoveProjectGrant", grant.clone())];

    let user_grant = json!({"userId": "$user", "grantId": "$grant"});
    let mut u = Seq::new("zitadel_user_grant");
    u.setup = vec![project(), role("reader"), role("writer"), machine("granted-robot")];
    u.create = vec![
        step("M:AddUserGrant", json!({"userId": "$user", "projectId": "$project", "roleKeys": ["reader"]}))
            .save("/userGrantId", "grant"),
    ];
    u.reads = vec![read(
        "M:GetUserGrantByID",
        user_grant.clone(),
        json!({"userGrant": {"id": "$grant", "userId": "$user", "projectId": "$project", "roleKeys": ["reader"],
                             "state": "USER_GRANT_STATE_ACTIVE"}}),
        json!({"userGrant": {"roleKeys": ["reader", "writer"]}}),
        gone(),
    )];
    u.update = vec![step("M:UpdateUserGrant", with(&user_grant, json!({"roleKeys": ["reader", "writer"]})))];
    u.delete = vec![step("M:RemoveUserGrant", user_grant)];

    // Members: listed by their user, so the organization's first user does
    // not show.
    let member_seq = |resource, verb: &str, at: Value, user: &str, roles: [&str; 2]| {
        let mut s = Seq::new(resource);
        let who = with(&at, json!({"userId": user}));
        s.create = vec![step(&format!("M:Add{verb}"), with(&who, json!({"roles": [roles[0]]})))];
        s.reads = vec![read(
            &format!("M:List{verb}s"),
            with(&at, json!({"queries": [{"userIdQuery": {"userId": user}}]})),
            json!({"result": [{"userId": user, "roles": [roles[0]]}]}),
            json!({"result": [{"userId": user, "roles": [roles[1]]}]}),
            Shows::Holds(json!({"result": []})),
        )];
        s.update = vec![step(&format!("M:Update{verb}"), with(&who, json!({"roles": [roles[1]]})))];
        s.delete = vec![step(&format!("M:Remove{verb}"), who)];
        s
    };
    let mut o =
        member_seq("zitadel_org_member", "OrgMember", json!({}), "$user", ["ORG_USER_MANAGER", "ORG_OWNER_VIEWER"]);
    o.setup = vec![machine("org-member-robot")];
    let mut pm = member_seq(
        "zitadel_project_member",
        "ProjectMember",
        json!({"projectId": "$project"}),
        "$user",
        ["PROJECT_OWNER_VIEWER", "PROJECT_OWNER"],
    );
    pm.setup = vec![project(), machine("project-member-robot")];
    let mut gm = member_seq(
        "zitadel_project_grant_member",
        "ProjectGrantMember",
        grant.clone(),
        "$partner_user",
        ["PROJECT_GRANT_OWNER", "PROJECT_GRANT_OWNER_VIEWER"],
    );
    gm.setup = vec![
        partner("tf partner of a grant member"),
        project(),
        step("M:AddProjectGrant", json!({"projectId": "$project", "grantedOrgId": "$partner"}))
            .save("/grantId", "grant"),
    ];
    vec![g, u, o, pm, gm]
}

fn action_seqs() -> Vec<Seq> {
    let mut a = Seq::new("zitadel_action");
    a.create = vec![
        step("M:CreateAction",
             json!({"name": "enrich", "script": "function enrich(ctx, api) {}", "timeout": "10s", "allowedToFail": true}))
            .save("/id", "action"),
    ];
    a.reads = vec![read(
        "M:ListActions",
        json!({"queries": [{"actionIdQuery": {"id": "$action"}}]}),
        json!({"result": [{"id": "$action", "name": "enrich", "script": "function enrich(ctx, api) {}",
                           "timeout": "10s", "allowedToFail": true, "state": "ACTION_STATE_ACTIVE"}]}),
        json!({"result": [{"id": "$action", "name": "tidy", "script": "function tidy(ctx, api) {}",
                           "timeout": "5s", "allowedToFail": false}]}),
        Shows::Holds(json!({"result": []})),
    )];
    a.update = vec![step(
        "M:UpdateAction",
        json!({"id": "$action", "name": "tidy", "script": "function tidy(ctx, api) {}", "timeout": "5s"}),
    )];
    a.delete = vec![step("M:DeleteAction", json!({"id": "$action"}))];

    // The complement token flow's pre access token trigger.
    let mut t = Seq::new("zitadel_trigger_actions");
    let action = |name: &'static str| {
        step("M:CreateAction", json!({"name": name, "script": format!("function {name}(ctx, api) {{}}")}))
            .save("/id", name)
    };
    t.setup = vec![action("first"), action("second")];
    let set = |ids: Value| step("M:SetTriggerActions", json!({"flowType": "2", "triggerType": "5", "actionIds": ids}));
    t.create = vec![set(json!(["$first"]))];
    let flow = |ids: Value| json!({"flow": {"type": {"id": "2"}, "triggerActions": [{"triggerType": {"id": "5"}, "actions": ids}]}});
    t.reads = vec![read(
        "M:GetFlow",
        json!({"type": "2"}),
        flow(json!([{"id": "$first", "name": "first"}])),
        flow(json!([{"id": "$second"}, {"id": "$first"}])),
        Shows::Holds(json!({"flow": {"type": {"id": "2"}, "triggerActions": []}})),
    )];
    t.update = vec![set(json!(["$second", "$first"]))];
    t.delete = vec![set(json!([]))];
    vec![a, t]
}

/// A policy the Management API adds, updates and resets by its name
/// (`M:AddCustom<name>Policy`, …); its read shows what was written.
fn policy(resource: &'static str, name: &str, add: Value, update: Value) -> Seq {
    let mut s = Seq::new(resource);
    s.create = vec![step(&format!("M:AddCustom{name}Policy"), add.clone())];
    s.reads = vec![read(
        &format!("M:Get{name}Policy"),
        json!({}),
        json!({"policy": with(&add, json!({"isDefault": false}))}),
        json!({"policy": with(&update, json!({"isDefault": false}))}),
        Shows::Default("/policy/isDefault"),
    )];
    s.update = vec![step(&format!("M:UpdateCustom{name}Policy"), update)];
    s.delete = vec![step(&format!("M:Reset{name}PolicyToDefault"), json!({}))];
    s
}

fn policy_seqs() -> Vec<Seq> {
    let mut all = vec![
        policy(
            "zitadel_lockout_policy",
            "Lockout",
            json!({"maxPasswordAttempts": 5, "maxOtpAttempts": 3}),
            json!({"maxPasswordAttempts": 7, "maxOtpAttempts": 0}),
        ),
        policy(
            "zitadel_password_age_policy",
            "PasswordAge",
            json!({"maxAgeDays": 90, "expireWarnDays": 10}),
            json!({"maxAgeDays": 30, "expireWarnDays": 5}),
        ),
        policy(
            "zitadel_password_complexity_policy",
            "PasswordComplexity",
            json!({"minLength": 12, "hasUppercase": true, "hasLowercase": true, "hasNumber": false, "hasSymbol": false}),
            json!({"minLength": 20, "hasUppercase": false, "hasLowercase": true, "hasNumber": true, "hasSymbol": true}),
        ),
        policy(
            "zitadel_privacy_policy",
            "Privacy",
            json!({"tosLink": "https://acme.example/tos", "privacyLink": "https://acme.example/privacy",
                   "helpLink": "https://acme.example/help", "supportEmail": "help@acme.example",
                   "docsLink": "https://acme.example/docs", "customLink": "https://acme.example/more",
                   "customLinkText": "More"}),
            json!({"tosLink": "https://acme.example/terms", "privacyLink": "", "helpLink": "",
                   "supportEmail": "support@acme.example", "docsLink": "", "customLink": "", "customLinkText": ""}),
        ),
        policy(
            "zitadel_notification_policy",
            "Notification",
            json!({"passwordChange": false}),
            json!({"passwordChange": true}),
        ),
    ];

    // The domain policy: changed through the Admin API, read through the
    // Management API.
    let mut d = Seq::new("zitadel_domain_policy");
    let add = json!({"userLoginMustBeDomain": false, "validateOrgDomains": true,
                     "smtpSenderAddressMatchesInstanceDomain": true});
    let update = json!({"userLoginMustBeDomain": true, "validateOrgDomains": false,
                        "smtpSenderAddressMatchesInstanceDomain": false});
    let org = json!({"orgId": "$org"});
    d.create = vec![step("A:AddCustomDomainPolicy", with(&org, add.clone()))];
    d.reads = vec![read(
        "M:GetDomainPolicy",
        json!({}),
        json!({"policy": with(&add, json!({"isDefault": false}))}),
        json!({"policy": with(&update, json!({"isDefault": false}))}),
        Shows::Default("/policy/isDefault"),
    )];
    d.update = vec![step("A:UpdateCustomDomainPolicy", with(&org, update))];
    d.delete = vec![step("A:ResetCustomDomainPolicyToDefault", org)];
    all.push(d);

    // The label policy: written as a preview, then activated.
    let mut l = Seq::new("zitadel_label_policy");
    let add = json!({"primaryColor": "#5469d4", "warnColor": "#cd3d56", "backgroundColor": "#fafafa",
                     "fontColor": "#000000", "hideLoginNameSuffix": true});
    let update = json!({"primaryColor": "#222222", "warnColor": "#ff3b5b", "backgroundColor": "#111111",
                        "fontColor": "#ffffff", "primaryColorDark": "#bbbbdd", "disableWatermark": true});
    let activate = || step("M:ActivateCustomLabelPolicy", json!({}));
    l.create = vec![step("M:AddCustomLabelPolicy", add.clone()), activate()];
    l.reads = vec![read(
        "M:GetPreviewLabelPolicy",
        json!({}),
        json!({"policy": with(&add, json!({"isDefault": false}))}),
        json!({"policy": with(&update, json!({"isDefault": false, "hideLoginNameSuffix": false}))}),
        Shows::Default("/policy/isDefault"),
    )];
    l.update = vec![step("M:UpdateCustomLabelPolicy", update), activate()];
    l.delete = vec![step("M:ResetLabelPolicyToDefault", json!({}))];
    all.push(l);

    // The login policy with its factors and an identity provider of the
    // organization.
    let mut g = Seq::new("zitadel_login_policy");
    g.setup = vec![
        step(
            "M:AddGenericOIDCProvider",
            json!({"name": "Corp SSO", "issuer": "https://sso.acme.example", "clientId": "acme",
                    "clientSecret": "acme-secret", "scopes": ["openid"]}),
        )
        .save("/id", "idp"),
    ];
    let add = json!({"allowUsernamePassword": true, "allowRegister": true, "allowExternalIdp": true,
                     "passwordlessType": "PASSWORDLESS_TYPE_ALLOWED", "defaultRedirectUri": "https://acme.example/home",
                     "passwordCheckLifetime": "864000s", "externalLoginCheckLifetime": "864000s",
                     "mfaInitSkipLifetime": "2592000s", "secondFactorCheckLifetime": "64800s",
                     "multiFactorCheckLifetime": "43200s", "ignoreUnknownUsernames": true});
    let update = json!({"allowUsernamePassword": true, "allowRegister": false, "allowExternalIdp": true,
                        "forceMfa": true, "passwordlessType": "PASSWORDLESS_TYPE_NOT_ALLOWED",
                        "hidePasswordReset": true, "passwordCheckLifetime": "3600s",
                        "externalLoginCheckLifetime": "7200s", "mfaInitSkipLifetime": "0s",
                        "secondFactorCheckLifetime": "60s", "multiFactorCheckLifetime": "120s",
                        "allowDomainDiscovery": true});
    let factor =
        |verb: &str, kind: &str, value: &str| step(&format!("M:{verb}{kind}LoginPolicy"), json!({"type": value}));
    let (otp, u2f, key) =
        ("SECOND_FACTOR_TYPE_OTP", "SECOND_FACTOR_TYPE_U2F", "MULTI_FACTOR_TYPE_U2F_WITH_VERIFICATION");
    g.create = vec![
        step("M:AddCustomLoginPolicy", add.clone()),
        factor("Add", "SecondFactorTo", otp),
        factor("Add", "MultiFactorTo", key),
        step("M:AddIDPToLoginPolicy", json!({"idpId": "$idp", "ownerType": "IDP_OWNER_TYPE_ORG"})),
    ];
    g.update = vec![
        step("M:UpdateCustomLoginPolicy", update.clone()),
        factor("Add", "SecondFactorTo", u2f),
        factor("Remove", "SecondFactorFrom", otp),
        factor("Remove", "MultiFactorFrom", key),
        step("M:RemoveIDPFromLoginPolicy", json!({"idpId": "$idp"})),
    ];
    g.delete = vec![step("M:ResetLoginPolicyToDefault", json!({}))];
    let list = |rpc: &str, created: Value, updated: Value| read(rpc, json!({}), created, updated, Shows::AsBefore);
    g.reads = vec![
        read(
            "M:GetLoginPolicy",
            json!({}),
            json!({"policy": with(&add, json!({"isDefault": false, "forceMfa": false, "secondFactors": [otp],
                                               "multiFactors": [key], "idps": [{"idpId": "$idp", "idpName": "Corp SSO"}]}))}),
            // PASSWORDLESS_TYPE_NOT_ALLOWED is the zero value, left out.
            json!({"policy": with(&update, json!({"isDefault": false, "secondFactors": [u2f], "multiFactors": [],
                                                  "idps": [], "passwordlessType": null}))}),
            Shows::Default("/policy/isDefault"),
        ),
        list("M:ListLoginPolicySecondFactors", json!({"result": [otp]}), json!({"result": [u2f]})),
        list("M:ListLoginPolicyMultiFactors", json!({"result": [key]}), json!({"result": []})),
        list(
            "M:ListLoginPolicyIDPs",
            json!({"result": [{"idpId": "$idp", "idpName": "Corp SSO"}]}),
            json!({"result": []}),
        ),
    ];
    all.push(g);
    all
}

fn text_seqs() -> Vec<Seq> {
    let message = |resource, name: &str, set: &str| {
        let mut s = Seq::new(resource);
        let texts = json!({"title": format!("{name} title"), "preHeader": format!("{name} pre-header"),
                           "subject": format!("{name} subject"), "greeting": "Hallo {{.DisplayName}},",
                           "text": format!("{name} text"), "buttonText": format!("{name} button"),
                           "footerText": format!("{name} footer")});
        let changed = json!({"title": format!("{name} new title"), "preHeader": "", "subject": format!("{name} re"),
                             "greeting": "", "text": format!("{name} new text"), "buttonText": "", "footerText": ""});
        // An SMS has a text only.
        let (texts, changed) = match name {
            "VerifySMSOTP" => (json!({"text": texts["text"]}), json!({"text": changed["text"]})),
            _ => (texts, changed),
        };
        let de = json!({"language": "de"});
        s.create = vec![step(set, with(&de, texts.clone()))];
        s.reads = vec![read(
            &format!("M:GetCustom{name}MessageText"),
            de.clone(),
            json!({"customText": with(&texts, json!({"isDefault": false}))}),
            json!({"customText": with(&changed, json!({"isDefault": false}))}),
            Shows::Default("/customText/isDefault"),
        )];
        s.update = vec![step(set, with(&de, changed))];
        s.delete = vec![step(&format!("M:ResetCustom{name}MessageTextToDefault"), de)];
        s
    };
    let mut all = vec![
        message("zitadel_init_message_text", "Init", "M:SetCustomInitMessageText"),
        message("zitadel_password_reset_message_text", "PasswordReset", "M:SetCustomPasswordResetMessageText"),
        message("zitadel_password_change_message_text", "PasswordChange", "M:SetCustomPasswordChangeMessageCustomText"),
        message("zitadel_verify_email_message_text", "VerifyEmail", "M:SetCustomVerifyEmailMessageText"),
        message("zitadel_verify_phone_message_text", "VerifyPhone", "M:SetCustomVerifyPhoneMessageText"),
        message("zitadel_domain_claimed_message_text", "DomainClaimed", "M:SetCustomDomainClaimedMessageCustomText"),
        message(
            "zitadel_passwordless_registration_message_text",
            "PasswordlessRegistration",
            "M:SetCustomPasswordlessRegistrationMessageCustomText",
        ),
        message("zitadel_verify_email_otp_message_text", "VerifyEmailOTP", "M:SetCustomVerifyEmailOTPMessageText"),
        message("zitadel_verify_sms_otp_message_text", "VerifySMSOTP", "M:SetCustomVerifySMSOTPMessageText"),
    ];
    let mut l = Seq::new("zitadel_login_texts");
    let set = json!({"language": "de", "loginText": {"title": "Willkommen", "description": "Bei Acme anmelden"},
                     "passwordText": {"title": "Passwort", "nextButtonText": "Weiter"}});
    let changed = json!({"language": "de", "loginText": {"title": "Hallo"}});
    l.create = vec![step("M:SetCustomLoginText", set.clone())];
    l.reads = vec![read(
        "M:GetCustomLoginTexts",
        json!({"language": "de"}),
        json!({"customText": with(&set, json!({"language": null, "isDefault": false}))}),
        json!({"customText": {"isDefault": false, "loginText": {"title": "Hallo", "description": ""},
                              "passwordText": null}}),
        Shows::Default("/customText/isDefault"),
    )];
    l.update = vec![step("M:SetCustomLoginText", changed)];
    l.delete = vec![step("M:ResetCustomLoginTextToDefault", json!({"language": "de"}))];
    all.push(l);
    all
}

/// A template of the organization (`M:Add<kind>Provider`, …): its read
/// shows the request's options and settings, its secrets left out.
fn template(resource: &'static str, kind: &str, branch: &str, add: Value, update: Value) -> Seq {
    let shown = |request: &Value| {
        let mut config = request.clone();
        let map = config.as_object_mut().expect("an object");
        for secret in ["name", "providerOptions", "clientSecret", "bindPassword", "privateKey"] {
            map.remove(secret);
        }
        json!({"idp": {"id": "$idp", "name": request["name"], "owner": "IDP_OWNER_TYPE_ORG",
                       "config": {"options": request["providerOptions"], branch: config}}})
    };
    let mut s = Seq::new(resource);
    s.create = vec![step(&format!("M:Add{kind}Provider"), add.clone()).save("/id", "idp")];
    let id = json!({"id": "$idp"});
    s.reads = vec![read("M:GetProviderByID", id.clone(), shown(&add), shown(&update), Shows::Fails(Code::NotFound))];
    s.update = vec![step(&format!("M:Update{kind}Provider"), with(&update, id.clone()))];
    s.delete = vec![step("M:DeleteProvider", id)];
    // The provider deletes every template through one helper.
    s.unlisted = &["M:DeleteProvider"];
    s
}

fn idp_seqs() -> Vec<Seq> {
    let options = json!({"isLinkingAllowed": true, "isCreationAllowed": true, "isAutoCreation": true,
                         "isAutoUpdate": false, "autoLinking": "AUTO_LINKING_OPTION_EMAIL"});
    let other = json!({"isLinkingAllowed": false, "isCreationAllowed": true, "isAutoCreation": false,
                       "isAutoUpdate": true, "autoLinking": "AUTO_LINKING_OPTION_USERNAME"});
    // The members every kind has: a name, options, a client and scopes.
    let base = |name: &str, client: &str, opts: &Value, scopes: Value| {
        json!({"name": name, "clientId": client, "clientSecret": format!("{client}-secret"),
               "providerOptions": opts, "scopes": scopes})
    };
    let first = |name: &str| base(name, "first-client", &options, json!(["openid", "email"]));
    let second = |name: &str| base(name, "second-client", &other, json!(["openid", "groups"]));
    let endpoints = |host: &str| {
        json!({"authorizationEndpoint": format!("https://{host}/authorize"),
               "tokenEndpoint": format!("https://{host}/token"), "userEndpoint": format!("https://{host}/user")})
    };
    let ldap = |name: &str, server: &str, opts: &Value, tls: bool| {
        json!({"name": name, "servers": [server], "startTls": tls, "baseDn": "dc=acme,dc=example",
               "bindDn": "cn=admin,dc=acme,dc=example", "bindPassword": "bind-secret", "userBase": "dn",
               "userObjectClasses": ["user"], "userFilters": ["uid", "email"], "timeout": "10s",
               "attributes": {"idAttribute": "uid", "emailAttribute": "mail"}, "providerOptions": opts})
    };
    let saml = |name: &str, opts: &Value, binding: &str, signed: bool| {
        json!({"name": name, "metadataXml": b64(SAML_METADATA), "binding": binding, "withSignedRequest": signed,
               "providerOptions": opts, "nameIdFormat": "SAML_NAME_ID_FORMAT_PERSISTENT",
               "transientMappingAttributeName": "uid", "federatedLogoutEnabled": signed})
    };
    let apple = |name: &str, client: &str, opts: &Value| {
        json!({"name": name, "clientId": client, "teamId": "ALT03JV3OS", "keyId": "OGKDK25KD1",
               "privateKey": b64(&apple_key()), "scopes": ["name", "email"], "providerOptions": opts})
    };
    let mut all = vec![
        template(
            "zitadel_org_idp_oidc",
            "GenericOIDC",
            "oidc",
            with(&first("OIDC"), json!({"issuer": "https://sso.acme.example", "isIdTokenMapping": true})),
            with(&second("OIDC 2"), json!({"issuer": "https://sso2.acme.example", "usePkce": true})),
        ),
        template(
            "zitadel_org_idp_oauth",
            "GenericOAuth",
            "oauth",
            with(&with(&first("OAuth"), endpoints("oauth.example")), json!({"idAttribute": "user_id"})),
            with(
                &with(&second("OAuth 2"), endpoints("oauth2.example")),
                json!({"idAttribute": "sub", "usePkce": true}),
            ),
        ),
        template("zitadel_org_idp_github", "GitHub", "github", first("GitHub"), second("GitHub 2")),
        template(
            "zitadel_org_idp_github_es",
            "GitHubEnterpriseServer",
            "githubEs",
            with(&first("GHES"), endpoints("github.acme.example")),
            with(&second("GHES 2"), endpoints("github2.acme.example")),
        ),
        template("zitadel_org_idp_gitlab", "GitLab", "gitlab", first("GitLab"), second("GitLab 2")),
        template(
            "zitadel_org_idp_gitlab_self_hosted",
            "GitLabSelfHosted",
            "gitlabSelfHosted",
            with(&first("GitLab SH"), json!({"issuer": "https://gitlab.acme.example"})),
            with(&second("GitLab SH 2"), json!({"issuer": "https://gitlab2.acme.example"})),
        ),
        template("zitadel_org_idp_google", "Google", "google", first("Google"), second("Google 2")),
        template(
            "zitadel_org_idp_azure_ad",
            "AzureAD",
            "azureAd",
            with(&first("Azure"), json!({"tenant": {"tenantId": "tenant-1234"}, "emailVerified": true})),
            with(&second("Azure 2"), json!({"tenant": {"tenantType": "AZURE_AD_TENANT_TYPE_ORGANISATIONS"}})),
        ),
        template(
            "zitadel_org_idp_ldap",
            "LDAP",
            "ldap",
            ldap("LDAP", "ldaps://ldap.acme.example:636", &options, false),
            ldap("LDAP 2", "ldap://ldap2.acme.example:389", &other, true),
        ),
        template(
            "zitadel_org_idp_saml",
            "SAML",
            "saml",
            saml("SAML", &options, "SAML_BINDING_POST", true),
            saml("SAML 2", &other, "SAML_BINDING_REDIRECT", false),
        ),
        template(
            "zitadel_org_idp_apple",
            "Apple",
            "apple",
            apple("Apple", "com.acme.app", &options),
            apple("Apple 2", "com.acme.app2", &other),
        ),
    ];

    // The first IdP API's JWT configuration.
    let mut j = Seq::new("zitadel_org_idp_jwt");
    let config = |host: &str, header: &str| {
        json!({"jwtEndpoint": format!("https://{host}/jwt"), "issuer": format!("https://{host}"),
               "keysEndpoint": format!("https://{host}/keys"), "headerName": header})
    };
    j.create = vec![
        step(
            "M:AddOrgJWTIDP",
            with(
                &config("jwt.acme.example", "x-token"),
                json!({"name": "Legacy JWT", "stylingType": "STYLING_TYPE_GOOGLE", "autoRegister": true}),
            ),
        )
        .save("/idpId", "idp"),
    ];
    let idp = json!({"idpId": "$idp"});
    j.reads = vec![read(
        "M:GetOrgIDPByID",
        json!({"id": "$idp"}),
        json!({"idp": {"id": "$idp", "name": "Legacy JWT", "stylingType": "STYLING_TYPE_GOOGLE", "autoRegister": true,
                       "state": "IDP_STATE_ACTIVE", "owner": "IDP_OWNER_TYPE_ORG",
                       "jwtConfig": config("jwt.acme.example", "x-token")}}),
        json!({"idp": {"name": "Legacy JWT 2", "stylingType": null, "autoRegister": false,
                       "jwtConfig": config("jwt2.acme.example", "authorization")}}),
        Shows::Fails(Code::NotFound),
    )];
    j.update = vec![
        step("M:UpdateOrgIDP", with(&idp, json!({"name": "Legacy JWT 2", "autoRegister": false}))),
        step("M:UpdateOrgIDPJWTConfig", with(&idp, config("jwt2.acme.example", "authorization"))),
    ];
    j.delete = vec![step("M:RemoveOrgIDP", idp)];
    all.push(j);
    all
}
