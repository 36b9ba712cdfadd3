//! Projects and applications through the v2 APIs
//! (`zitadel.project.v2.ProjectService`,
//! `zitadel.application.v2.ApplicationService`), the RPCs Terraform's
//! `zitadel_project_v2` and `zitadel_application_v2` resources call. They
//! name a project or an app by its id alone: its organization is looked
//! up, the caller's permission is checked there ([`Ctx::in_org`]), and the
//! Management API's methods do the work, so the objects, events and checks
//! are the v1 ones. A change names only what changes (unset: kept); a
//! change that changes nothing answers the current change date.

use burg_api::management as m;
use burg_api::zitadel::app::v1 as app1;
use burg_api::zitadel::application::v2 as a2;
use burg_api::zitadel::project::v2 as p2;
use burg_domain::{Error, ErrorKind, Result};
use burg_store::projection::app::{API_KIND, APP_KINDS, OIDC_KIND};

use crate::{App, Ctx};

/// ZITADEL's `Errors.Project.NotFound` of the project query.
const PROJECT_NOT_FOUND: &str = crate::project::QUERY_NOT_FOUND;
/// ZITADEL's `Errors.Project.App.NotExisting` of the app query.
const APP_NOT_FOUND: &str = crate::apps::QUERY_NOT_FOUND;

/// The v1 errors that say only that a change changes nothing: the
/// project's and an app configuration's.
const UNCHANGED: [&str; 2] = [crate::shared_ids::NO_CHANGES, crate::apps::CONFIG_UNCHANGED];

/// `Ok(None)` for an error that only says nothing changed: a v2 change
/// that changes nothing is no error.
fn unless_unchanged<T>(result: Result<T>) -> Result<Option<T>> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.kind == ErrorKind::FailedPrecondition && UNCHANGED.contains(&e.id) => Ok(None),
        Err(e) => Err(e),
    }
}

impl App {
    /// The organization of project `id`, or ZITADEL's NotFound.
    async fn project_org(&self, id: &str) -> Result<String> {
        let mut conn = self.db.acquire("PROJECT-db20").await?;
        burg_store::documents::owner_of(&mut *conn, &self.instance_id, &[crate::project::KIND], id.trim())
            .await?
            .map(|(org, _)| org)
            .ok_or_else(|| Error::not_found(PROJECT_NOT_FOUND, format!("project {id:?} not found")))
    }

    /// The organization and kind of app `id`, or ZITADEL's NotFound.
    async fn app_owner(&self, id: &str) -> Result<(String, String)> {
        let mut conn = self.db.acquire("PROJECT-db21").await?;
        burg_store::documents::owner_of(&mut *conn, &self.instance_id, &APP_KINDS, id.trim())
            .await?
            .ok_or_else(|| Error::not_found(APP_NOT_FOUND, format!("application {id:?} not found")))
    }

    pub async fn create_project(&self, ctx: &Ctx, r: p2::CreateProjectRequest) -> Result<p2::CreateProjectResponse> {
        let org = r.organization_id.trim();
        let ctx = ctx.in_org("project.create", org)?;
        let request = m::AddProjectRequest {
            name: r.name,
            project_role_assertion: r.project_role_assertion,
            project_role_check: r.authorization_required,
            has_project_check: r.project_access_required,
            private_labeling_setting: r.private_labeling_setting,
        };
        let given = r.project_id.map(|id| id.trim().to_string()).filter(|id| !id.is_empty());
        let added = self.add_project_as(&ctx, request, given).await?;
        Ok(p2::CreateProjectResponse {
            project_id: added.id,
            creation_date: added.details.and_then(|d| d.creation_date.or(d.change_date)),
        })
    }

    /// `UpdateProject` of the v2 API (the Management API has one of that name).
    pub async fn update_project_v2(&self, ctx: &Ctx, r: p2::UpdateProjectRequest) -> Result<p2::UpdateProjectResponse> {
        let org = self.project_org(&r.project_id).await?;
        let ctx = ctx.in_org("project.write", &org)?;
        let id = r.project_id.trim().to_string();
        let current = self.get_project_by_id(&ctx, m::GetProjectByIdRequest { id: id.clone() }).await?.project;
        let current = current.unwrap_or_default();
        let request = m::UpdateProjectRequest {
            id,
            name: r.name.unwrap_or(current.name),
            project_role_assertion: r.project_role_assertion.unwrap_or(current.project_role_assertion),
            project_role_check: r.authorization_required.unwrap_or(current.project_role_check),
            has_project_check: r.project_access_required.unwrap_or(current.has_project_check),
            private_labeling_setting: r.private_labeling_setting.unwrap_or(current.private_labeling_setting),
        };
        let changed = unless_unchanged(self.update_project(&ctx, request).await)?;
        let change_date = match changed.and_then(|c| c.details) {
            Some(d) => d.change_date,
            None => current.details.and_then(|d| d.change_date),
        };
        Ok(p2::UpdateProjectResponse { change_date })
    }

    pub async fn delete_project(&self, ctx: &Ctx, r: p2::DeleteProjectRequest) -> Result<p2::DeleteProjectResponse> {
        let org = self.project_org(&r.project_id).await?;
        let ctx = ctx.in_org("project.delete", &org)?;
        let removed =
            self.remove_project(&ctx, m::RemoveProjectRequest { id: r.project_id.trim().to_string() }).await?;
        Ok(p2::DeleteProjectResponse { deletion_date: removed.details.and_then(|d| d.change_date) })
    }

    pub async fn get_project(&self, ctx: &Ctx, r: p2::GetProjectRequest) -> Result<p2::GetProjectResponse> {
        let org = self.project_org(&r.project_id).await?;
        let ctx = ctx.in_org("project.read", &org)?;
        let got =
            self.get_project_by_id(&ctx, m::GetProjectByIdRequest { id: r.project_id.trim().to_string() }).await?;
        let p = got.project.unwrap_or_default();
        let details = p.details.unwrap_or_default();
        Ok(p2::GetProjectResponse {
            project: Some(p2::Project {
                project_id: p.id,
                organization_id: org,
                creation_date: details.creation_date,
                change_date: details.change_date,
                name: p.name,
                // v1 and v2 number the states and labeling settings alike.
                state: p.state,
                project_role_assertion: p.project_role_assertion,
                authorization_required: p.project_role_check,
                project_access_required: p.has_project_check,
                private_labeling_setting: p.private_labeling_setting,
                granted_organization_id: None,
                granted_organization_name: None,
                granted_state: 0,
            }),
        })
    }

    pub async fn create_application(
        &self,
        ctx: &Ctx,
        r: a2::CreateApplicationRequest,
    ) -> Result<a2::CreateApplicationResponse> {
        let org = self.project_org(&r.project_id).await?;
        let ctx = ctx.in_org("project.app.write", &org)?;
        let given = Some(r.application_id.trim().to_string()).filter(|id| !id.is_empty());
        let project_id = r.project_id.trim().to_string();
        use a2::create_application_request::ApplicationType as T;
        use a2::create_application_response::ApplicationType as Answer;
        let (app_id, details, answer) = match r.application_type {
            Some(T::OidcConfiguration(c)) => {
                let request = m::AddOidcAppRequest {
                    project_id,
                    name: r.name,
                    redirect_uris: c.redirect_uris,
                    response_types: response_types_v1(&c.response_types),
                    grant_types: c.grant_types,
                    app_type: c.application_type,
                    auth_method_type: c.auth_method_type,
                    post_logout_redirect_uris: c.post_logout_redirect_uris,
                    version: c.version,
                    dev_mode: c.development_mode,
                    access_token_type: c.access_token_type,
                    access_token_role_assertion: c.access_token_role_assertion,
                    id_token_role_assertion: c.id_token_role_assertion,
                    id_token_userinfo_assertion: c.id_token_userinfo_assertion,
                    clock_skew: c.clock_skew,
                    additional_origins: c.additional_origins,
                    skip_native_app_success_page: c.skip_native_app_success_page,
                    back_channel_logout_uri: c.back_channel_logout_uri,
                    login_version: c.login_version.map(login_version_v1),
                };
                let added = self.add_oidc_app_as(&ctx, request, given).await?;
                let answer = Answer::OidcConfiguration(a2::CreateOidcApplicationResponse {
                    client_id: added.client_id,
                    client_secret: added.client_secret,
                    non_compliant: added.none_compliant,
                    compliance_problems: localized_v2(added.compliance_problems),
                });
                (added.app_id, added.details, answer)
            }
            Some(T::ApiConfiguration(c)) => {
                let request = m::AddApiAppRequest { project_id, name: r.name, auth_method_type: c.auth_method_type };
                let added = self.add_api_app_as(&ctx, request, given).await?;
                let answer = Answer::ApiConfiguration(a2::CreateApiApplicationResponse {
                    client_id: added.client_id,
                    client_secret: added.client_secret,
                });
                (added.app_id, added.details, answer)
            }
            Some(T::SamlConfiguration(c)) => {
                use a2::create_saml_application_request::Metadata;
                let metadata = c.metadata.map(|m| match m {
                    Metadata::MetadataXml(xml) => m::add_saml_app_request::Metadata::MetadataXml(xml),
                    Metadata::MetadataUrl(url) => m::add_saml_app_request::Metadata::MetadataUrl(url),
                });
                let request = m::AddSamlAppRequest {
                    project_id,
                    name: r.name,
                    metadata,
                    login_version: c.login_version.map(login_version_v1),
                };
                let added = self.add_saml_app_as(&ctx, request, given).await?;
                let answer = Answer::SamlConfiguration(a2::CreateSamlApplicationResponse {});
                (added.app_id, added.details, answer)
            }
            None => {
                return Err(Error::invalid_argument(
                    "APP-v2type",
                    "`applicationType`: one of `oidcConfiguration`, `apiConfiguration`, `samlConfiguration` is required",
                ));
            }
        };
        Ok(a2::CreateApplicationResponse {
            application_id: app_id,
            creation_date: details.and_then(|d| d.creation_date.or(d.change_date)),
            application_type: Some(answer),
        })
    }

    pub async fn update_application(
        &self,
        ctx: &Ctx,
        r: a2::UpdateApplicationRequest,
    ) -> Result<a2::UpdateApplicationResponse> {
        let org = self.project_org(&r.project_id).await?;
        let ctx = ctx.in_org("project.app.write", &org)?;
        let (project_id, app_id) = (r.project_id.trim().to_string(), r.application_id.trim().to_string());
        let current = self.v1_app(&ctx, &project_id, &app_id).await?;
        let mut last = None;
        if !r.name.is_empty() && r.name != current.name {
            let request = m::UpdateAppRequest { project_id: project_id.clone(), app_id: app_id.clone(), name: r.name };
            last = self.update_app(&ctx, request).await?.details.or(last);
        }
        use a2::update_application_request::ApplicationType as T;
        match (r.application_type, current.config.clone()) {
            (None, _) => {}
            (Some(T::OidcConfiguration(c)), Some(app1::app::Config::OidcConfig(now))) => {
                let keep_list =
                    |given: Vec<String>, now: &[String]| if given.is_empty() { now.to_vec() } else { given };
                let request = m::UpdateOidcAppConfigRequest {
                    project_id: project_id.clone(),
                    app_id: app_id.clone(),
                    redirect_uris: keep_list(c.redirect_uris, &now.redirect_uris),
                    response_types: if c.response_types.is_empty() {
                        now.response_types
                    } else {
                        response_types_v1(&c.response_types)
                    },
                    grant_types: if c.grant_types.is_empty() { now.grant_types } else { c.grant_types },
                    app_type: c.application_type.unwrap_or(now.app_type),
                    auth_method_type: c.auth_method_type.unwrap_or(now.auth_method_type),
                    post_logout_redirect_uris: keep_list(c.post_logout_redirect_uris, &now.post_logout_redirect_uris),
                    dev_mode: c.development_mode.unwrap_or(now.dev_mode),
                    access_token_type: c.access_token_type.unwrap_or(now.access_token_type),
                    access_token_role_assertion: c
                        .access_token_role_assertion
                        .unwrap_or(now.access_token_role_assertion),
                    id_token_role_assertion: c.id_token_role_assertion.unwrap_or(now.id_token_role_assertion),
                    id_token_userinfo_assertion: c
                        .id_token_userinfo_assertion
                        .unwrap_or(now.id_token_userinfo_assertion),
                    clock_skew: c.clock_skew.or(now.clock_skew),
                    additional_origins: keep_list(c.additional_origins, &now.additional_origins),
                    skip_native_app_success_page: c
                        .skip_native_app_success_page
                        .unwrap_or(now.skip_native_app_success_page),
                    back_channel_logout_uri: c.back_channel_logout_uri.unwrap_or(now.back_channel_logout_uri),
                    login_version: c.login_version.map(login_version_v1).or(now.login_version),
                };
                if let Some(changed) = unless_unchanged(self.update_oidc_app_config(&ctx, request).await)? {
                    last = changed.details.or(last);
                }
            }
            (Some(T::ApiConfiguration(c)), Some(app1::app::Config::ApiConfig(_))) => {
                let request = m::UpdateApiAppConfigRequest {
                    project_id: project_id.clone(),
                    app_id: app_id.clone(),
                    auth_method_type: c.auth_method_type,
                };
                if let Some(changed) = unless_unchanged(self.update_api_app_config(&ctx, request).await)? {
                    last = changed.details.or(last);
                }
            }
            (Some(T::SamlConfiguration(c)), Some(app1::app::Config::SamlConfig(now))) => {
                use a2::update_saml_application_configuration_request::Metadata;
                let metadata = match c.metadata {
                    Some(Metadata::MetadataXml(xml)) => {
                        Some(m::update_saml_app_config_request::Metadata::MetadataXml(xml))
                    }
                    Some(Metadata::MetadataUrl(url)) => {
                        Some(m::update_saml_app_config_request::Metadata::MetadataUrl(url))
                    }
                    None => now.metadata.map(|m| match m {
                        app1::saml_config::Metadata::MetadataXml(xml) => {
                            m::update_saml_app_config_request::Metadata::MetadataXml(xml)
                        }
                        app1::saml_config::Metadata::MetadataUrl(url) => {
                            m::update_saml_app_config_request::Metadata::MetadataUrl(url)
                        }
                    }),
                };
                let request = m::UpdateSamlAppConfigRequest {
                    project_id: project_id.clone(),
                    app_id: app_id.clone(),
                    metadata,
                    login_version: c.login_version.map(login_version_v1).or(now.login_version),
                };
                if let Some(changed) = unless_unchanged(self.update_saml_app_config(&ctx, request).await)? {
                    last = changed.details.or(last);
                }
            }
            (Some(_), _) => {
                return Err(Error::invalid_argument(
                    "APP-v2kind",
                    "the configuration given is of another kind than the application's",
                ));
            }
        }
        let change_date = match last {
            Some(d) => d.change_date,
            None => current.details.and_then(|d| d.change_date),
        };
        Ok(a2::UpdateApplicationResponse { change_date })
    }

    pub async fn delete_application(
        &self,
        ctx: &Ctx,
        r: a2::DeleteApplicationRequest,
    ) -> Result<a2::DeleteApplicationResponse> {
        let org = self.project_org(&r.project_id).await?;
        let ctx = ctx.in_org("project.app.delete", &org)?;
        let request = m::RemoveAppRequest {
            project_id: r.project_id.trim().to_string(),
            app_id: r.application_id.trim().to_string(),
        };
        let removed = self.remove_app(&ctx, request).await?;
        Ok(a2::DeleteApplicationResponse { deletion_date: removed.details.and_then(|d| d.change_date) })
    }

    pub async fn get_application(&self, ctx: &Ctx, r: a2::GetApplicationRequest) -> Result<a2::GetApplicationResponse> {
        let (org, _) = self.app_owner(&r.application_id).await?;
        let ctx = ctx.in_org("project.app.read", &org)?;
        let app_id = r.application_id.trim().to_string();
        let project_id = self.app_project(&ctx, &app_id).await?;
        let app = self.v1_app(&ctx, &project_id, &app_id).await?;
        Ok(a2::GetApplicationResponse { application: Some(application_v2(app, project_id)) })
    }

    pub async fn generate_client_secret(
        &self,
        ctx: &Ctx,
        r: a2::GenerateClientSecretRequest,
    ) -> Result<a2::GenerateClientSecretResponse> {
        let org = self.project_org(&r.project_id).await?;
        let ctx = ctx.in_org("project.app.write", &org)?;
        let (project_id, app_id) = (r.project_id.trim().to_string(), r.application_id.trim().to_string());
        let (_, kind) = self.app_owner(&app_id).await?;
        let (secret, details) = match kind.as_str() {
            OIDC_KIND => {
                let request = m::RegenerateOidcClientSecretRequest { project_id, app_id };
                let r = self.regenerate_oidc_client_secret(&ctx, request).await?;
                (r.client_secret, r.details)
            }
            API_KIND => {
                let request = m::RegenerateApiClientSecretRequest { project_id, app_id };
                let r = self.regenerate_api_client_secret(&ctx, request).await?;
                (r.client_secret, r.details)
            }
            _ => {
                return Err(Error::failed_precondition("APP-v2secret", "a SAML application has no client secret"));
            }
        };
        Ok(a2::GenerateClientSecretResponse {
            client_secret: secret,
            creation_date: details.and_then(|d| d.change_date),
        })
    }

    async fn v1_app(&self, ctx: &Ctx, project_id: &str, app_id: &str) -> Result<app1::App> {
        let request = m::GetAppByIdRequest { project_id: project_id.to_string(), app_id: app_id.to_string() };
        Ok(self.get_app_by_id(ctx, request).await?.app.unwrap_or_default())
    }

    /// The project of app `app_id` of the call's organization.
    async fn app_project(&self, ctx: &Ctx, app_id: &str) -> Result<String> {
        self.project_of_app(ctx.org(), app_id)
            .await?
            .ok_or_else(|| Error::not_found(APP_NOT_FOUND, format!("application {app_id:?} not found")))
    }
}

/// v2 numbers the response types from 1 (0 is unspecified); v1 from 0.
fn response_types_v1(types: &[i32]) -> Vec<i32> {
    types.iter().map(|t| t - 1).collect()
}

fn response_types_v2(types: &[i32]) -> Vec<i32> {
    types.iter().map(|t| t + 1).collect()
}

fn login_version_v1(l: a2::LoginVersion) -> app1::LoginVersion {
    app1::LoginVersion {
        version: l.version.map(|v| match v {
            a2::login_version::Version::LoginV1(_) => app1::login_version::Version::LoginV1(app1::LoginV1 {}),
            a2::login_version::Version::LoginV2(v2) => {
                app1::login_version::Version::LoginV2(app1::LoginV2 { base_uri: v2.base_uri })
            }
        }),
    }
}

fn login_version_v2(l: app1::LoginVersion) -> a2::LoginVersion {
    a2::LoginVersion {
        version: l.version.map(|v| match v {
            app1::login_version::Version::LoginV1(_) => a2::login_version::Version::LoginV1(a2::LoginV1 {}),
            app1::login_version::Version::LoginV2(v2) => {
                a2::login_version::Version::LoginV2(a2::LoginV2 { base_uri: v2.base_uri })
            }
        }),
    }
}

fn localized_v2(problems: Vec<burg_api::object::LocalizedMessage>) -> Vec<a2::OidcLocalizedMessage> {
    problems
        .into_iter()
        .map(|p| a2::OidcLocalizedMessage { key: p.key, localized_message: p.localized_message })
        .collect()
}

fn application_v2(app: app1::App, project_id: String) -> a2::Application {
    let details = app.details.unwrap_or_default();
    use a2::application::Configuration as C;
    let configuration = app.config.map(|c| match c {
        app1::app::Config::OidcConfig(o) => C::OidcConfiguration(a2::OidcConfiguration {
            redirect_uris: o.redirect_uris,
            response_types: response_types_v2(&o.response_types),
            grant_types: o.grant_types,
            application_type: o.app_type,
            client_id: o.client_id,
            auth_method_type: o.auth_method_type,
            post_logout_redirect_uris: o.post_logout_redirect_uris,
            version: o.version,
            non_compliant: o.none_compliant,
            compliance_problems: localized_v2(o.compliance_problems),
            development_mode: o.dev_mode,
            access_token_type: o.access_token_type,
            access_token_role_assertion: o.access_token_role_assertion,
            id_token_role_assertion: o.id_token_role_assertion,
            id_token_userinfo_assertion: o.id_token_userinfo_assertion,
            clock_skew: o.clock_skew,
            additional_origins: o.additional_origins,
            allowed_origins: o.allowed_origins,
            skip_native_app_success_page: o.skip_native_app_success_page,
            back_channel_logout_uri: o.back_channel_logout_uri,
            login_version: o.login_version.map(login_version_v2),
        }),
        app1::app::Config::ApiConfig(a) => {
            C::ApiConfiguration(a2::ApiConfiguration { client_id: a.client_id, auth_method_type: a.auth_method_type })
        }
        app1::app::Config::SamlConfig(s) => {
            let (metadata_xml, metadata_url) = match s.metadata {
                Some(app1::saml_config::Metadata::MetadataXml(xml)) => (xml, String::new()),
                Some(app1::saml_config::Metadata::MetadataUrl(url)) => (Vec::new(), url),
                None => (Vec::new(), String::new()),
            };
            C::SamlConfiguration(a2::SamlConfiguration {
                metadata_xml,
                metadata_url,
                login_version: s.login_version.map(login_version_v2),
            })
        }
    });
    a2::Application {
        application_id: app.id,
        creation_date: details.creation_date,
        change_date: details.change_date,
        // v1 and v2 number the states alike (active 1, inactive 2).
        state: app.state,
        name: app.name,
        configuration,
        project_id,
    }
}
