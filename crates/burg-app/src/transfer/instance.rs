//! The instance's own section of an export (`burgInstance`): what ZITADEL
//! leaves out of its exports because it belongs to the instance, not to an
//! organization. It is opt-in (`burgWithInstance`, `burg export
//! --instance`), written after the organizations, and read by an import
//! after them, since members name users of the organizations. ZITADEL's
//! readers skip it as an unknown member.
//!
//! Its parts are burg's own documents, not ZITADEL's messages, so that an
//! import can compare each with what is stored: the settings documents of
//! every declared kind, the label policy's files, the default language,
//! restrictions, secret generators, trusted domains, custom texts, IAM
//! members, notification providers, identity-provider templates and the
//! ones the login policy offers, and the personal access tokens (their
//! hashes) of the exported organizations' users. Secrets travel in clear
//! only when the export carries passwords, as an organization's IdP
//! secrets do. An import applies the whole section in one transaction:
//! each setting-like part is made equal to the document (a setting's
//! changed members, a text set or removed, a generator changed, a trusted
//! domain or offered provider added or removed); each object with an id
//! (provider, template, token) is added when absent, kept when the stored
//! one has the same settings, and refused when it has others, as an
//! organization's items are. So importing the same section twice writes
//! nothing the second time. IAM members are added or given the document's roles;
//! members the target has besides are kept (they may be the importer). A
//! refused part leaves the whole section unwritten and is reported like an
//! item of an organization (`type` `instance_…`).

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine;
use burg_api::admin::ImportDataError;
use burg_domain::crypto::Sealed;
use burg_domain::event::{Aggregate, NewEvent, aggregate};
use burg_domain::events::EventTime;
use burg_domain::events::instance as ie;
use burg_domain::events::notify as ne;
use burg_domain::events::restrictions::RestrictionsSet;
use burg_domain::events::user::PersonalAccessTokenAdded;
use burg_domain::idp::{Config as IdpConfig, Template};
use burg_domain::instance_settings::{
    GeneratorConfig, SecretGeneratorAdded, SecretGeneratorChanged, SecretGeneratorType, TrustedDomainAdded,
    TrustedDomainRemoved,
};
use burg_domain::label_policy::{LabelAsset, LabelPolicy, LabelStyle, MAX_ASSET_BYTES, activated_event, asset_hash};
use burg_domain::notify::{Channel, Config as NotifyConfig, ProviderState};
use burg_domain::settings::{self, Setting};
use burg_domain::{Error, ErrorKind, Result, texts};
use burg_store::WriteTx;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{App, Ctx};

/// The section as it travels.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub(crate) struct InstanceSection {
    /// The section's format; this is 1.
    pub format: u32,
    pub default_language: String,
    /// Every settings document the instance holds, by kind
    /// (`policy.login`, …), as burg stores it.
    pub settings: BTreeMap<String, Value>,
    /// The label policy's files that its active or preview style names.
    pub assets: Vec<Asset>,
    pub restrictions: Option<Restrictions>,
    pub secret_generators: Vec<Generator>,
    pub trusted_domains: Vec<String>,
    pub texts: Vec<Text>,
    pub iam_members: Vec<Member>,
    pub notification_providers: Vec<NotificationProvider>,
    /// The identity-provider templates the instance owns (not those of the
    /// first IdP API).
    pub idp_templates: Vec<IdpTemplate>,
    /// The templates the instance's login policy offers, in order.
    pub login_policy_idps: Vec<String>,
    /// The personal access tokens of the exported organizations' users.
    pub personal_access_tokens: Vec<Token>,
    /// The configurations of the first IdP API the instance owns.
    pub idp_configs: Vec<LegacyIdp>,
    /// The instance's default organization, when the export has it.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub default_org_id: String,
    /// The feature `login_default_org`, as earlier releases wrote it
    /// (now one of `features`); read, not written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_default_org: Option<bool>,
    /// The instance's feature flags (Feature API v2) by ZITADEL's key, as
    /// their events hold the values.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub features: BTreeMap<String, Value>,
    /// The instance's custom domains (not the generated one). An import
    /// adds those the target lacks and removes none: the target's own
    /// domains route to it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub domains: Vec<String>,
}

/// A configuration of the first IdP API: burg's document without its
/// client secret, which travels in clear only with the passwords.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub(crate) struct LegacyIdp {
    pub config: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// An email or SMS provider; its secret (SMTP password, HTTP signing key,
/// Twilio token) in clear, and only when the export carries passwords.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub(crate) struct NotificationProvider {
    pub id: String,
    pub description: String,
    pub active: bool,
    /// burg's document of the provider, without its secret.
    pub config: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// A template: burg's document without its secrets; the client secret (or
/// bind password, or private key) and a SAML provider's own key in clear,
/// only when the export carries passwords.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub(crate) struct IdpTemplate {
    pub template: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saml_key: Option<String>,
}

/// A personal access token: its SHA-256, never the token.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub(crate) struct Token {
    pub id: String,
    pub user_id: String,
    pub token_hash: String,
    pub expiration: EventTime,
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub(crate) struct Asset {
    pub key: String,
    pub content_type: String,
    /// The file, base64.
    pub data: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub(crate) struct Restrictions {
    pub disallow_public_org_registration: bool,
    /// `None`: never set (every supported language).
    pub allowed_languages: Option<Vec<String>>,
}

/// A secret generator: its type (ZITADEL's number) and configuration;
/// `expiry` in nanoseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub(crate) struct Generator {
    pub generator_type: i64,
    pub length: u64,
    pub expiry: i64,
    pub include_lower_letters: bool,
    pub include_upper_letters: bool,
    pub include_digits: bool,
    pub include_symbols: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub(crate) struct Text {
    pub template: String,
    pub language: String,
    pub key: String,
    pub text: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub(crate) struct Member {
    pub user_id: String,
    pub roles: Vec<String>,
}

/// The format this release writes and reads.
const FORMAT: u32 = 1;

fn refused(ty: &str, id: &str, e: &Error) -> ImportDataError {
    ImportDataError { r#type: format!("instance_{ty}"), id: id.to_string(), message: e.to_string() }
}

impl App {
    /// The instance's section, as stored now: secrets in clear only
    /// `with_passwords`; the tokens of users of `orgs` only.
    pub(crate) async fn export_instance(&self, with_passwords: bool, orgs: &[&str]) -> Result<Value> {
        let mut conn = self.db.acquire("EXPORT-inst1").await?;
        let instance = burg_store::instance::get(&mut *conn, &self.instance_id)
            .await?
            .ok_or_else(|| Error::internal("EXPORT-inst2", "the instance is not stored"))?;
        let instance_default_org = instance.default_org_id.clone();
        let mut section =
            InstanceSection { format: FORMAT, default_language: instance.default_language, ..Default::default() };
        for (kind, _) in settings::KINDS {
            let Some(row) = burg_store::settings::load(&mut conn, &self.instance_id, &self.instance_id, kind).await?
            else {
                continue;
            };
            let mut doc: Value = serde_json::from_str(&row.data)
                .map_err(|e| Error::internal("EXPORT-inst3", format!("the stored {kind} is unreadable: {e}")))?;
            if *kind == LabelPolicy::KIND {
                let policy: LabelPolicy = serde_json::from_value(doc).map_err(|e| {
                    Error::internal("EXPORT-inst4", format!("the stored label policy is unreadable: {e}"))
                })?;
                let keys: BTreeSet<&str> = std::iter::once(&policy.preview)
                    .chain(policy.active.as_ref())
                    .flat_map(|style| LabelAsset::ALL.map(|a| a.key(style)))
                    .filter(|k| !k.is_empty())
                    .collect();
                for key in keys {
                    if let Some(file) =
                        burg_store::assets::get(&mut *conn, &self.instance_id, &self.instance_id, key).await?
                    {
                        section.assets.push(Asset {
                            key: key.to_string(),
                            content_type: file.content_type,
                            data: base64::engine::general_purpose::STANDARD.encode(&file.data),
                        });
                    }
                }
                // When it was activated is the target's own history.
                doc = serde_json::to_value(LabelPolicy { active_sequence: 0, active_at: 0, ..policy })
                    .map_err(|e| Error::internal("EXPORT-inst5", format!("cannot encode the label policy: {e}")))?;
            }
            section.settings.insert(kind.to_string(), doc);
        }
        if let Some(r) = burg_store::texts::restrictions(&mut *conn, &self.instance_id).await? {
            section.restrictions = Some(Restrictions {
                disallow_public_org_registration: r.disallow_public_org_registration,
                allowed_languages: r.allowed_languages,
            });
        }
        for row in burg_store::instance_settings::all_secret_generators(&mut *conn, &self.instance_id).await? {
            let c = row.config;
            section.secret_generators.push(Generator {
                generator_type: row.generator_type,
                length: c.length,
                expiry: c.expiry,
                include_lower_letters: c.include_lower_letters,
                include_upper_letters: c.include_upper_letters,
                include_digits: c.include_digits,
                include_symbols: c.include_symbols,
            });
        }
        section.trusted_domains =
            burg_store::instance_settings::all_trusted_domains(&mut *conn, &self.instance_id).await?;
        section.texts = burg_store::texts::all_texts(&mut *conn, &self.instance_id, &self.instance_id)
            .await?
            .into_iter()
            .map(|t| Text { template: t.template, language: t.language, key: t.key, text: t.text })
            .collect();
        section.iam_members = burg_store::members::all_iam_members(&mut *conn, &self.instance_id)
            .await?
            .into_iter()
            .map(|(user_id, roles)| Member { user_id, roles })
            .collect();
        for row in burg_store::notify::all(&mut *conn, &self.instance_id).await? {
            let mut config = row.config;
            let secret = notify_secret(&mut config).take();
            section.notification_providers.push(NotificationProvider {
                id: row.id,
                description: row.description,
                active: row.state == ProviderState::Active,
                config: encode("notification provider", &config)?,
                secret: if with_passwords { self.opened(secret.as_ref())? } else { None },
            });
        }
        let legacy = burg_store::idp_config::ids(&mut *conn, &self.instance_id).await?;
        for row in burg_store::idp::all_templates(&mut *conn, &self.instance_id, &self.instance_id).await? {
            if legacy.contains(&row.template.id) {
                continue;
            }
            let mut template = row.template;
            let (secret, saml_key) = blank_secrets(&mut template);
            section.idp_templates.push(IdpTemplate {
                template: encode("identity provider", &template)?,
                secret: if with_passwords { self.opened(secret.as_ref())? } else { None },
                saml_key: if with_passwords { self.opened(saml_key.as_ref())? } else { None },
            });
        }
        for row in burg_store::idp_config::all_of(&mut *conn, &self.instance_id, &self.instance_id).await? {
            let mut config = row.config;
            let secret = legacy_secret(&mut config).and_then(Option::take);
            section.idp_configs.push(LegacyIdp {
                config: encode("identity provider", &config)?,
                secret: if with_passwords { self.opened(secret.as_ref())? } else { None },
            });
        }
        if orgs.contains(&instance_default_org.as_str()) {
            section.default_org_id = instance_default_org;
        }
        let (flags, _) = self.flags(burg_domain::feature::Level::Instance).await?;
        section.features = flags.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        section.domains = burg_store::instance::all_domains(&mut *conn, &self.instance_id)
            .await?
            .into_iter()
            .filter(|(_, generated)| !generated)
            .map(|(domain, _)| domain)
            .collect();
        section.login_policy_idps = burg_store::idp::policy_links(&mut *conn, &self.instance_id, &self.instance_id)
            .await?
            .into_iter()
            .map(|l| l.idp_id)
            .collect();
        section.personal_access_tokens = burg_store::users::all_tokens(&mut *conn, &self.instance_id)
            .await?
            .into_iter()
            .filter(|t| orgs.contains(&t.org_id.as_str()))
            .map(|t| Token {
                id: t.id,
                user_id: t.user_id,
                token_hash: t.token_hash,
                expiration: EventTime(t.expiration),
                scopes: t.scopes,
            })
            .collect();
        serde_json::to_value(section)
            .map_err(|e| Error::internal("EXPORT-inst6", format!("cannot encode the instance section: {e}")))
    }

    /// A sealed value opened.
    fn opened(&self, sealed: Option<&Sealed>) -> Result<Option<String>> {
        sealed.map(|s| Ok(self.key.open_string(s)?.expose().to_string())).transpose()
    }

    /// Applies the instance's section `doc` in one transaction (none when
    /// `dry_run`); what was refused, if anything (then nothing is written).
    pub(crate) async fn import_instance(&self, ctx: &Ctx, doc: &Value, dry_run: bool) -> Result<Vec<ImportDataError>> {
        let section: InstanceSection = match serde_json::from_value(doc.clone()) {
            Ok(s) => s,
            Err(e) => {
                let e = Error::invalid_argument("IMPORT-inst01", format!("`burgInstance` is unreadable: {e}"));
                return Ok(vec![refused("section", &self.instance_id, &e)]);
            }
        };
        if section.format != FORMAT {
            let e = Error::invalid_argument(
                "IMPORT-inst02",
                format!("`burgInstance.format` is {}; this release reads format {FORMAT}", section.format),
            );
            return Ok(vec![refused("section", &self.instance_id, &e)]);
        }
        let mut attempts = 0;
        loop {
            let mut tx = self.begin(ctx).await?;
            let (mut errors, mut skipped) = (Vec::new(), Vec::new());
            let written = self.apply_instance(&mut tx, &section, &mut errors, &mut skipped).await;
            match written {
                Ok(()) if errors.is_empty() => {
                    if !dry_run {
                        tx.commit().await?;
                    }
                    return Ok(skipped);
                }
                Ok(()) => return Ok(errors.into_iter().chain(skipped).collect()),
                Err(e) if e.kind == ErrorKind::Aborted && attempts < 5 => attempts += 1,
                Err(e) => return Err(e),
            }
        }
    }

    /// Writes what makes the instance equal to `section` into `tx`; a
    /// refused part is added to `errors` and the rest still checked. An
    /// IAM member whose user exists nowhere is left out and added to
    /// `skipped`, as the import does with an organization's members.
    async fn apply_instance(
        &self,
        tx: &mut WriteTx,
        section: &InstanceSection,
        errors: &mut Vec<ImportDataError>,
        skipped: &mut Vec<ImportDataError>,
    ) -> Result<()> {
        let on = self.instance_aggregate();
        // Restrictions before the default language, which they must allow.
        if let Some(r) = &section.restrictions {
            self.import_restrictions(tx, r).await?;
        }
        if !section.default_language.is_empty() {
            let language = crate::texts::make_language(&section.default_language);
            match crate::texts::supported_language(&language) {
                Err(e) => errors.push(refused("default_language", &section.default_language, &e)),
                Ok(()) => {
                    let stored = burg_store::instance::get(tx.conn(), &self.instance_id).await?;
                    if stored.is_some_and(|i| i.default_language != language) {
                        tx.push(vec![NewEvent::new(&on, &ie::DefaultLanguageSet { language })?]).await?;
                    }
                }
            }
        }
        for (kind, doc) in &section.settings {
            let field = format!("burgInstance.settings.{kind}");
            let stored = burg_store::settings::load(tx.conn(), &self.instance_id, &self.instance_id, kind).await?;
            let result = if kind == LabelPolicy::KIND {
                self.label_policy_events(tx, &field, stored.as_ref().map(|r| r.data.as_str()), doc, &section.assets)
                    .await
            } else {
                settings::transition(kind, &field, &on, stored.as_ref().map(|r| r.data.as_str()), doc)
            };
            match result {
                Ok(events) if !events.is_empty() => {
                    tx.push(events).await?;
                }
                Ok(_) => {}
                Err(e) if e.kind == ErrorKind::InvalidArgument => errors.push(refused("setting", kind, &e)),
                Err(e) => return Err(e),
            }
        }
        for g in &section.secret_generators {
            let id = g.generator_type.to_string();
            let Some(ty) = SecretGeneratorType::from_code(g.generator_type) else {
                let e =
                    Error::invalid_argument("IMPORT-inst05", format!("no secret generator type {}", g.generator_type));
                errors.push(refused("secret_generator", &id, &e));
                continue;
            };
            let next = GeneratorConfig {
                length: g.length,
                expiry: g.expiry,
                include_lower_letters: g.include_lower_letters,
                include_upper_letters: g.include_upper_letters,
                include_digits: g.include_digits,
                include_symbols: g.include_symbols,
            };
            if next.length == 0 || next.expiry < 0 {
                let e = Error::invalid_argument(
                    "IMPORT-inst06",
                    "a secret generator needs a length and no negative expiry",
                );
                errors.push(refused("secret_generator", &id, &e));
                continue;
            }
            let stored =
                burg_store::instance_settings::secret_generator(tx.conn(), &self.instance_id, g.generator_type).await?;
            let event = match stored {
                None => Some(NewEvent::new(&on, &SecretGeneratorAdded::new(ty, next))?),
                Some(row) => match SecretGeneratorChanged::between(ty, &row.config, &next) {
                    Some(change) => Some(NewEvent::new(&on, &change)?),
                    None => None,
                },
            };
            if let Some(event) = event {
                tx.push(vec![event]).await?;
            }
        }
        self.import_trusted_domains(tx, &section.trusted_domains, errors).await?;
        self.import_texts(tx, &section.texts, errors).await?;
        for m in &section.iam_members {
            if burg_store::users::get(tx.conn(), &self.instance_id, &m.user_id).await?.is_none() {
                let e = Error::failed_precondition(
                    crate::shared_ids::IAM_MEMBER_USER_NOT_FOUND,
                    format!("user {:?} not found", m.user_id),
                );
                skipped.push(refused("iam_member", &m.user_id, &e));
                continue;
            }
            if let Err(e) = crate::member::check_roles(&m.roles) {
                errors.push(refused("iam_member", &m.user_id, &e));
                continue;
            }
            let event = match burg_store::members::iam_roles(tx.conn(), &self.instance_id, &m.user_id).await? {
                None => {
                    Some(NewEvent::new(&on, &ie::MemberAdded { user_id: m.user_id.clone(), roles: m.roles.clone() })?)
                }
                Some(roles) if roles != m.roles => {
                    Some(NewEvent::new(&on, &ie::MemberChanged { user_id: m.user_id.clone(), roles: m.roles.clone() })?)
                }
                Some(_) => None,
            };
            if let Some(event) = event {
                tx.push(vec![event]).await?;
            }
        }
        for p in &section.notification_providers {
            if let Err(e) = self.import_provider(tx, p).await? {
                errors.push(refused("notification_provider", &p.id, &e));
            }
        }
        for t in &section.idp_templates {
            let id = t.template.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
            if let Err(e) = self.import_template(tx, t).await? {
                errors.push(refused("idp_template", &id, &e));
            }
        }
        for c in &section.idp_configs {
            let id = c.config.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
            if let Err(e) = self.import_legacy_idp(tx, c).await? {
                errors.push(refused("idp_config", &id, &e));
            }
        }
        self.import_policy_idps(tx, &section.login_policy_idps, skipped).await?;
        if !section.default_org_id.is_empty() {
            let stored = burg_store::instance::get(tx.conn(), &self.instance_id).await?;
            if burg_store::orgs::get(tx.conn(), &self.instance_id, &section.default_org_id).await?.is_none() {
                let e = Error::failed_precondition("IMPORT-inst24", "the default organization is not there");
                skipped.push(refused("default_org", &section.default_org_id, &e));
            } else if stored.is_some_and(|i| i.default_org_id != section.default_org_id) {
                let set = ie::DefaultOrgSet { org_id: section.default_org_id.clone() };
                tx.push(vec![NewEvent::new(&on, &set)?]).await?;
            }
        }
        self.import_features(tx, section).await?;
        self.import_domains(tx, &section.domains, skipped).await?;
        for t in &section.personal_access_tokens {
            let Some(user) = burg_store::users::get(tx.conn(), &self.instance_id, &t.user_id).await? else {
                let e = Error::failed_precondition("IMPORT-inst15", format!("user {:?} not found", t.user_id));
                skipped.push(refused("personal_access_token", &t.id, &e));
                continue;
            };
            match burg_store::users::token_of(tx.conn(), &self.instance_id, &t.id).await? {
                Some((user_id, hash)) if user_id == t.user_id && hash == t.token_hash => {}
                Some(_) => {
                    let e = Error::already_exists("IMPORT-inst16", "another token has this id");
                    errors.push(refused("personal_access_token", &t.id, &e));
                }
                None if t.id.is_empty() || t.token_hash.len() != 64 => {
                    let e = Error::invalid_argument("IMPORT-inst17", "a token needs an id and a SHA-256 (hex)");
                    errors.push(refused("personal_access_token", &t.id, &e));
                }
                None => {
                    let on = Aggregate::new(aggregate::USER, &t.user_id, &user.resource_owner);
                    let event = PersonalAccessTokenAdded {
                        token_id: t.id.clone(),
                        expiration: t.expiration,
                        scopes: t.scopes.clone(),
                        token_hash: t.token_hash.clone(),
                    };
                    tx.push(vec![NewEvent::new(&on, &event)?]).await?;
                }
            }
        }
        Ok(())
    }

    /// Adds provider `p` when absent (and activates it when it is active
    /// in the document), or makes a stored one with the same settings
    /// active or inactive as the document says; one with other settings
    /// is refused, as an organization's items are.
    async fn import_provider(&self, tx: &mut WriteTx, p: &NotificationProvider) -> Result<Result<()>> {
        let mut config: NotifyConfig = match serde_json::from_value(p.config.clone()) {
            Ok(c) => c,
            Err(e) => return Ok(Err(Error::invalid_argument("IMPORT-inst18", format!("`config` is unreadable: {e}")))),
        };
        if p.id.is_empty() || notify_secret(&mut config).is_some() {
            return Ok(Err(Error::invalid_argument("IMPORT-inst19", "a provider needs an id, and its secret apart")));
        }
        let channel = config.channel();
        let on = self.instance_aggregate();
        let activated = |id: &str| match channel {
            Channel::Email => NewEvent::new(&on, &ne::SmtpConfigActivated { id: id.to_string() }),
            Channel::Sms => NewEvent::new(&on, &ne::SmsConfigActivated { id: id.to_string() }),
        };
        if let Some(stored) = burg_store::notify::get(tx.conn(), &self.instance_id, channel, &p.id).await? {
            let mut stored_config = stored.config;
            notify_secret(&mut stored_config).take();
            if stored_config != config || stored.description != p.description {
                return Ok(Err(Error::already_exists("IMPORT-inst20", "the stored provider has other settings")));
            }
            let active = stored.state == ProviderState::Active;
            if active != p.active {
                let event = match (p.active, channel) {
                    (true, _) => activated(&p.id)?,
                    (false, Channel::Email) => NewEvent::new(&on, &ne::SmtpConfigDeactivated { id: p.id.clone() })?,
                    (false, Channel::Sms) => NewEvent::new(&on, &ne::SmsConfigDeactivated { id: p.id.clone() })?,
                };
                tx.push(vec![event]).await?;
            }
            return Ok(Ok(()));
        }
        let sealed = p.secret.as_ref().map(|s| self.key.seal(s.as_bytes()));
        let (id, description) = (p.id.clone(), p.description.clone());
        let added = match config {
            NotifyConfig::Smtp(c) => NewEvent::new(
                &on,
                &ne::SmtpConfigAdded {
                    id,
                    description,
                    sender_address: c.sender_address,
                    sender_name: c.sender_name,
                    reply_to_address: c.reply_to_address,
                    tls: c.tls,
                    host: c.host,
                    user: c.user,
                    password: sealed,
                },
            )?,
            NotifyConfig::EmailHttp(c) => {
                let key = sealed.unwrap_or_else(|| self.key.seal(burg_domain::notify::new_signing_key().as_bytes()));
                NewEvent::new(
                    &on,
                    &ne::SmtpConfigHttpAdded { id, description, endpoint: c.endpoint, signing_key: Some(key) },
                )?
            }
            NotifyConfig::Twilio(c) => NewEvent::new(
                &on,
                &ne::SmsConfigTwilioAdded {
                    id,
                    description,
                    sid: c.sid,
                    token: sealed,
                    sender_number: c.sender_number,
                    verify_service_sid: c.verify_service_sid,
                },
            )?,
            NotifyConfig::SmsHttp(c) => {
                let key = sealed.unwrap_or_else(|| self.key.seal(burg_domain::notify::new_signing_key().as_bytes()));
                NewEvent::new(
                    &on,
                    &ne::SmsConfigHttpAdded { id, description, endpoint: c.endpoint, signing_key: Some(key) },
                )?
            }
        };
        let mut events = vec![added];
        if p.active {
            events.push(activated(&p.id)?);
        }
        tx.push(events).await?;
        Ok(Ok(()))
    }

    /// Adds template `t` when absent; a stored one with the same settings
    /// is kept as it is (its secrets too), one with other settings is
    /// refused. A new SAML template without its key gets a fresh key pair.
    async fn import_template(&self, tx: &mut WriteTx, t: &IdpTemplate) -> Result<Result<()>> {
        let mut template: Template = match serde_json::from_value(t.template.clone()) {
            Ok(c) => c,
            Err(e) => {
                return Ok(Err(Error::invalid_argument("IMPORT-inst21", format!("`template` is unreadable: {e}"))));
            }
        };
        if template.id.is_empty() {
            return Ok(Err(Error::invalid_argument("IMPORT-inst22", "a template needs an id")));
        }
        if let Some(stored) = self.load_template(tx.conn(), &template.id).await? {
            let mut stored = stored.template;
            blank_secrets(&mut stored);
            if let IdpConfig::Saml { certificate, .. } = &mut stored.config {
                certificate.clear();
            }
            let mut compared = template.clone();
            blank_secrets(&mut compared);
            if let IdpConfig::Saml { certificate, .. } = &mut compared.config {
                certificate.clear();
            }
            return Ok(if stored == compared {
                Ok(())
            } else {
                Err(Error::already_exists("IMPORT-inst23", "the stored identity provider has other settings"))
            });
        }
        if let Some(slot) = template.config.secret_mut() {
            *slot = self.key.seal(t.secret.as_deref().unwrap_or_default().as_bytes());
        }
        if let IdpConfig::Saml { key, certificate, .. } = &mut template.config {
            match &t.saml_key {
                Some(pem) => *key = self.key.seal(pem.as_bytes()),
                None => (*key, *certificate) = self.sp_key_pair(&template.id).await?,
            }
        }
        let payload = burg_domain::idp_events::added_payload(&template)?;
        let event_type = template.kind().added_event();
        tx.push(vec![NewEvent { aggregate: self.instance_aggregate(), event_type, payload }]).await?;
        Ok(Ok(()))
    }

    /// Adds configuration `c` of the first IdP API when absent (its two
    /// events, and its deactivation when the document's is inactive); a
    /// stored one with the same settings is kept, one with others refused.
    async fn import_legacy_idp(&self, tx: &mut WriteTx, c: &LegacyIdp) -> Result<Result<()>> {
        use burg_domain::idp_config::{self as ic, ConfigAdded, ConfigId, JwtAdded, OidcAdded, Protocol};
        let mut config: ic::IdpConfig = match serde_json::from_value(c.config.clone()) {
            Ok(c) => c,
            Err(e) => return Ok(Err(Error::invalid_argument("IMPORT-inst25", format!("`config` is unreadable: {e}")))),
        };
        if config.id.is_empty() || legacy_secret(&mut config).is_some_and(|s| s.is_some()) {
            return Ok(Err(Error::invalid_argument(
                "IMPORT-inst26",
                "a configuration needs an id, and its secret apart",
            )));
        }
        if let Some(stored) = burg_store::idp_config::get(tx.conn(), &self.instance_id, &config.id).await? {
            let mut stored = stored.config;
            if let Some(slot) = legacy_secret(&mut stored) {
                slot.take();
            }
            return Ok(if stored == config {
                Ok(())
            } else {
                Err(Error::already_exists("IMPORT-inst27", "the stored identity provider has other settings"))
            });
        }
        let events = &ic::INSTANCE;
        let on = self.instance_aggregate();
        let event = |event_type: &'static str, payload: Value| NewEvent { aggregate: on.clone(), event_type, payload };
        let id = config.id.clone();
        let idp_type = match config.protocol {
            Some(Protocol::Jwt { .. }) => ic::TYPE_JWT,
            _ => ic::TYPE_OIDC,
        };
        let added = ConfigAdded {
            idp_config_id: id.clone(),
            name: config.name.clone(),
            idp_type,
            styling_type: config.styling_type,
            auto_register: config.auto_register,
        };
        let mut out = vec![event(events.added, encode("identity provider", &added)?)];
        match config.protocol {
            Some(Protocol::Oidc {
                client_id,
                issuer,
                authorization_endpoint,
                token_endpoint,
                scopes,
                display_name_mapping,
                username_mapping,
                ..
            }) => {
                let oidc = OidcAdded {
                    idp_config_id: id.clone(),
                    client_id,
                    client_secret: c.secret.as_ref().map(|s| self.key.seal(s.as_bytes())),
                    issuer,
                    authorization_endpoint,
                    token_endpoint,
                    scopes,
                    idp_display_name_mapping: display_name_mapping,
                    username_mapping,
                };
                out.push(event(events.oidc_added, encode("identity provider", &oidc)?));
            }
            Some(Protocol::Jwt { jwt_endpoint, issuer, keys_endpoint, header_name }) => {
                let jwt = JwtAdded { idp_config_id: id.clone(), jwt_endpoint, issuer, keys_endpoint, header_name };
                out.push(event(events.jwt_added, encode("identity provider", &jwt)?));
            }
            None => {}
        }
        if config.state == ic::STATE_INACTIVE {
            out.push(event(events.deactivated, encode("identity provider", &ConfigId { idp_config_id: id })?));
        }
        tx.push(out).await?;
        Ok(Ok(()))
    }

    /// Makes the login policy offer `wanted`; a template that is not there
    /// (one of the first IdP API's, which the section leaves out) is left
    /// out and reported in `skipped`.
    async fn import_policy_idps(
        &self,
        tx: &mut WriteTx,
        wanted: &[String],
        skipped: &mut Vec<ImportDataError>,
    ) -> Result<()> {
        let on = self.instance_aggregate();
        let stored: Vec<String> = burg_store::idp::policy_links(tx.conn(), &self.instance_id, &self.instance_id)
            .await?
            .into_iter()
            .map(|l| l.idp_id)
            .collect();
        let mut events = Vec::new();
        for id in stored.iter().filter(|id| !wanted.contains(id)) {
            events.push(NewEvent::new(&on, &ie::LoginPolicyIdpRemoved { idp_config_id: id.clone() })?);
        }
        for id in wanted.iter().filter(|id| !stored.contains(id)) {
            if self.load_template(tx.conn(), id).await?.is_none() {
                let e = Error::failed_precondition(
                    crate::shared_ids::POLICY_IDP_NOT_FOUND,
                    format!("identity provider {id:?} not found"),
                );
                skipped.push(refused("login_policy_idp", id, &e));
                continue;
            }
            let system = burg_domain::state::IdpProviderType::System.event_code();
            let added = ie::LoginPolicyIdpAdded { idp_config_id: id.clone(), idp_provider_type: system };
            events.push(NewEvent::new(&on, &added)?);
        }
        if !events.is_empty() {
            tx.push(events).await?;
        }
        Ok(())
    }

    async fn import_restrictions(&self, tx: &mut WriteTx, r: &Restrictions) -> Result<()> {
        let stored = burg_store::texts::restrictions(tx.conn(), &self.instance_id).await?;
        let mut change = RestrictionsSet::default();
        let (disallow, languages) = match &stored {
            Some(s) => (s.disallow_public_org_registration, s.allowed_languages.clone()),
            None => (false, None),
        };
        if disallow != r.disallow_public_org_registration {
            change.disallow_public_org_registration = Some(r.disallow_public_org_registration);
        }
        if let Some(allowed) = &r.allowed_languages
            && languages.as_ref() != Some(allowed)
        {
            change.allowed_languages = Some(allowed.clone());
        }
        if change == RestrictionsSet::default() {
            return Ok(());
        }
        let id = match &stored {
            Some(s) => s.aggregate_id.clone(),
            None => self.new_id(),
        };
        let on = Aggregate::new(aggregate::RESTRICTIONS, id, &self.instance_id);
        tx.push(vec![NewEvent::new(&on, &change)?]).await?;
        Ok(())
    }

    /// Makes the instance's feature flags those of the section (an earlier
    /// release's `loginDefaultOrg` among them): the flags that differ are
    /// set; when the instance has flags the section lacks, a reset first.
    async fn import_features(&self, tx: &mut WriteTx, section: &InstanceSection) -> Result<()> {
        use burg_domain::feature::{self, Level};
        let mut wanted = section.features.clone();
        if let Some(value) = section.login_default_org {
            wanted.entry("login_default_org".into()).or_insert(Value::Bool(value));
        }
        wanted.retain(|key, _| Level::Instance.set_event(key).is_some());
        let (current, _) = self.flags(Level::Instance).await?;
        let current: BTreeMap<String, Value> = current.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        if current == wanted || (wanted.is_empty() && section.login_default_org.is_none()) {
            return Ok(());
        }
        let reset = current.keys().any(|k| !wanted.contains_key(k));
        let mut events = if reset { vec![feature::reset(Level::Instance, &self.instance_id)] } else { Vec::new() };
        for (key, value) in &wanted {
            if reset || current.get(key) != Some(value) {
                events.extend(feature::set(Level::Instance, &self.instance_id, key, value.clone()));
            }
        }
        tx.push(events).await?;
        Ok(())
    }

    /// Adds the section's custom domains the instance lacks.
    async fn import_domains(
        &self,
        tx: &mut WriteTx,
        wanted: &[String],
        errors: &mut Vec<ImportDataError>,
    ) -> Result<()> {
        let on = self.instance_aggregate();
        let mut events = Vec::new();
        for domain in wanted {
            if domain.trim().is_empty()
                || domain.contains(':')
                || !burg_domain::instance_settings::domain_runes_ok(domain)
            {
                let e = Error::invalid_argument("IMPORT-inst30", format!("{domain:?} is no domain"));
                errors.push(refused("instance_domain", domain, &e));
            } else if !burg_store::instance::has_domain(tx.conn(), &self.instance_id, domain).await? {
                let added = burg_domain::events::instance::DomainAdded { domain: domain.clone(), generated: false };
                events.push(NewEvent::new(&on, &added)?);
            }
        }
        if !events.is_empty() {
            tx.push(events).await?;
        }
        Ok(())
    }

    async fn import_trusted_domains(
        &self,
        tx: &mut WriteTx,
        wanted: &[String],
        errors: &mut Vec<ImportDataError>,
    ) -> Result<()> {
        let on = self.instance_aggregate();
        let stored: BTreeSet<String> = burg_store::instance_settings::all_trusted_domains(tx.conn(), &self.instance_id)
            .await?
            .into_iter()
            .collect();
        let mut events = Vec::new();
        for domain in wanted {
            if domain.trim().is_empty()
                || domain.len() > 253
                || !burg_domain::instance_settings::domain_runes_ok(domain)
            {
                let e = Error::invalid_argument("IMPORT-inst07", format!("{domain:?} is no domain"));
                errors.push(refused("trusted_domain", domain, &e));
            } else if !stored.contains(domain) {
                events.push(NewEvent::new(&on, &TrustedDomainAdded { domain: domain.clone() })?);
            }
        }
        for domain in stored.iter().filter(|d| !wanted.contains(d)) {
            events.push(NewEvent::new(&on, &TrustedDomainRemoved { domain: domain.clone() })?);
        }
        if !events.is_empty() {
            tx.push(events).await?;
        }
        Ok(())
    }

    async fn import_texts(&self, tx: &mut WriteTx, wanted: &[Text], errors: &mut Vec<ImportDataError>) -> Result<()> {
        let on = self.instance_aggregate();
        let known = |template: &str| {
            template == texts::LOGIN_TEMPLATE || texts::MessageType::ALL.iter().any(|m| m.template() == template)
        };
        let mut want: BTreeMap<(&str, String, &str), &str> = BTreeMap::new();
        for t in wanted {
            let language = crate::texts::make_language(&t.language);
            let id = format!("{}/{}/{}", t.template, t.language, t.key);
            if !known(&t.template) {
                let e = Error::invalid_argument("IMPORT-inst08", format!("no text template {:?}", t.template));
                errors.push(refused("text", &id, &e));
            } else if let Err(e) = crate::texts::supported_language(&language) {
                errors.push(refused("text", &id, &e));
            } else if t.key.is_empty() || t.key.len() > 200 {
                let e = Error::invalid_argument("IMPORT-inst09", "a text's `key` is 1 to 200 characters");
                errors.push(refused("text", &id, &e));
            } else {
                want.insert((&t.template, language, &t.key), &t.text);
            }
        }
        let stored = burg_store::texts::all_texts(tx.conn(), &self.instance_id, &self.instance_id).await?;
        let mut events = Vec::new();
        for t in &stored {
            if !want.contains_key(&(t.template.as_str(), t.language.clone(), t.key.as_str())) {
                events.push(texts::removed_event(&on, &t.template, &t.key, &t.language)?);
            }
        }
        for ((template, language, key), text) in &want {
            let same = stored
                .iter()
                .any(|s| s.template == *template && s.language == *language && s.key == *key && s.text == **text);
            if !same {
                events.push(texts::set_event(&on, template, key, language, text)?);
            }
        }
        if !events.is_empty() {
            tx.push(events).await?;
        }
        Ok(())
    }

    /// The events that take the stored label policy to `doc`: when the
    /// document's active style differs from the stored one, the preview is
    /// made that style and activated first; then the preview is made the
    /// document's. Files are stored from `assets` under their keys.
    async fn label_policy_events(
        &self,
        tx: &mut WriteTx,
        field: &str,
        stored: Option<&str>,
        doc: &Value,
        assets: &[Asset],
    ) -> Result<Vec<NewEvent>> {
        let next: LabelPolicy = serde_json::from_value(doc.clone())
            .map_err(|e| Error::invalid_argument("IMPORT-inst28", format!("`{field}` is no label policy: {e}")))?;
        if let Some((id, member)) = std::iter::once(&next.preview)
            .chain(next.active.as_ref())
            .find_map(burg_domain::label_policy::first_bad_color)
        {
            return Err(Error::invalid_argument(id, format!("`{field}`: `{member}` is no colour like #5469d4")));
        }
        let current: LabelPolicy = match stored {
            Some(s) => serde_json::from_str(s)
                .map_err(|e| Error::internal("IMPORT-inst11", format!("the stored label policy is unreadable: {e}")))?,
            None => LabelPolicy::default(),
        };
        let on = self.instance_aggregate();
        let mut events = Vec::new();
        let mut preview = current.preview.clone();
        if let Some(active) = &next.active
            && current.active.as_ref() != Some(active)
        {
            events.extend(self.style_events(tx, field, &on, &preview, active, assets).await?);
            events.push(activated_event(&on));
            preview = active.clone();
        }
        events.extend(self.style_events(tx, field, &on, &preview, &next.preview, assets).await?);
        Ok(events)
    }

    /// The events that make the preview `from` into `to`: its colours and
    /// flags, then each file that differs (stored from `assets`).
    async fn style_events(
        &self,
        tx: &mut WriteTx,
        field: &str,
        on: &Aggregate,
        from: &LabelStyle,
        to: &LabelStyle,
        assets: &[Asset],
    ) -> Result<Vec<NewEvent>> {
        let as_policy = |style: &LabelStyle| LabelPolicy { preview: style.clone(), ..Default::default() };
        let mut events = as_policy(from).changed_events(on, &as_policy(to))?;
        for kind in LabelAsset::ALL {
            let (old, new) = (kind.key(from), kind.key(to));
            if old == new {
                continue;
            }
            if new.is_empty() {
                events.push(kind.event(on, false, old)?);
                continue;
            }
            let file = assets.iter().find(|a| a.key == new).ok_or_else(|| {
                Error::invalid_argument(
                    "IMPORT-inst12",
                    format!("`{field}` names the file {new:?}, which `assets` lacks"),
                )
            })?;
            let data = base64::engine::general_purpose::STANDARD.decode(&file.data).map_err(|_| {
                Error::invalid_argument("IMPORT-inst13", format!("`burgInstance.assets` {new:?}: `data` is not base64"))
            })?;
            if data.len() > MAX_ASSET_BYTES
                || !new.starts_with(kind.key_prefix())
                || !kind.content_type_allowed(&file.content_type)
            {
                return Err(Error::invalid_argument(
                    "IMPORT-inst14",
                    format!(
                        "`burgInstance.assets` {new:?}: not a {} file of at most {MAX_ASSET_BYTES} bytes",
                        kind.event_part()
                    ),
                ));
            }
            let now = tx.now();
            burg_store::assets::put(
                tx.conn(),
                &self.instance_id,
                &self.instance_id,
                new,
                &file.content_type,
                &data,
                &asset_hash(&data),
                now,
            )
            .await?;
            events.push(kind.event(on, true, new)?);
        }
        Ok(events)
    }
}

/// The one secret of a provider's document.
fn notify_secret(config: &mut NotifyConfig) -> &mut Option<Sealed> {
    match config {
        NotifyConfig::Smtp(c) => &mut c.password,
        NotifyConfig::EmailHttp(c) | NotifyConfig::SmsHttp(c) => &mut c.signing_key,
        NotifyConfig::Twilio(c) => &mut c.token,
    }
}

/// Takes a template's secret and SAML key out (leaving empty values).
fn blank_secrets(template: &mut Template) -> (Option<Sealed>, Option<Sealed>) {
    let blank = || Sealed { crypto_type: 0, algorithm: String::new(), key_id: String::new(), crypted: String::new() };
    let secret = template.config.secret_mut().map(|slot| std::mem::replace(slot, blank()));
    let saml_key = match &mut template.config {
        IdpConfig::Saml { key, .. } => Some(std::mem::replace(key, blank())),
        _ => None,
    };
    (secret, saml_key)
}

fn encode<T: Serialize>(what: &str, value: &T) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| Error::internal("EXPORT-inst7", format!("cannot encode a {what}: {e}")))
}

/// The client secret of a configuration of the first IdP API (OIDC ones
/// have one).
fn legacy_secret(config: &mut burg_domain::idp_config::IdpConfig) -> Option<&mut Option<Sealed>> {
    match &mut config.protocol {
        Some(burg_domain::idp_config::Protocol::Oidc { client_secret, .. }) => Some(client_secret),
        _ => None,
    }
}
