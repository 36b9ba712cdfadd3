//! The instance's label policy (branding), a setting: its preview and
//! active states, its activation, and its files, uploaded and served
//! through the asset endpoints of `burg-server` (ZITADEL's
//! `internal/command/instance_policy_label.go` and `internal/api/assets`).

use burg_api::admin as a;
use burg_api::object::ObjectDetails;
use burg_api::zitadel::policy::v1::{self as pb, ThemeMode};
use burg_domain::event::{Aggregate, aggregate};
use burg_domain::label_policy::{
    LabelAsset, LabelPolicy, LabelStyle, MAX_ASSET_BYTES, activated_event, asset_hash, first_bad_color,
    sniff_content_type,
};
use burg_domain::{Error, Result};
use burg_store::settings::SettingRow;

use crate::settings::Scope;
use crate::{App, Ctx, changed_details, details, retry};

/// The API's theme mode as ZITADEL's domain number (0 auto, 1 light, 2 dark).
fn theme_to_domain(api: i32) -> i32 {
    match ThemeMode::try_from(api) {
        Ok(ThemeMode::Light) => 1,
        Ok(ThemeMode::Dark) => 2,
        _ => 0,
    }
}

pub(crate) fn theme_to_api(domain: i32) -> i32 {
    match domain {
        1 => ThemeMode::Light as i32,
        2 => ThemeMode::Dark as i32,
        _ => ThemeMode::Auto as i32,
    }
}

/// ZITADEL's error ids of the file RPCs: (policy missing on upload, on
/// removal).
fn missing_ids(asset: LabelAsset) -> (&'static str, &'static str) {
    match asset {
        LabelAsset::Logo => ("INSTANCE-Qw0pd", "INSTANCE-Xc8Kf"),
        LabelAsset::LogoDark => ("INSTANCE-ZR9fs", "INSTANCE-3FGds"),
        LabelAsset::Icon => ("INSTANCE-1yMx0", "INSTANCE-4M0qw"),
        LabelAsset::IconDark => ("INSTANCE-vMsf9", "INSTANCE-2nc7F"),
        LabelAsset::Font => ("INSTANCE-1N8fE", "INSTANCE-Tk0gw"),
    }
}

/// A file as served: its bytes and how to describe them.
#[derive(Debug, Clone)]
pub struct ServedAsset {
    pub content_type: String,
    pub data: Vec<u8>,
    pub hash: String,
    /// When it was stored (microseconds since the epoch).
    pub stored_at: i64,
}

/// Why an upload is refused before anything is stored (ZITADEL answers
/// these with 400 and a plain-text message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadRefused {
    ContentType(String),
    TooBig,
}

impl std::fmt::Display for UploadRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UploadRefused::ContentType(t) => write!(f, "invalid content-type: {t}"),
            UploadRefused::TooBig => write!(f, "file too big, max file size is {}KB", MAX_ASSET_BYTES / 1024),
        }
    }
}

/// ZITADEL's query answer for a label policy it cannot find.
/// The colours and flags of an update (the Admin API's, or the
/// Management API's add and update in that shape), checked as ZITADEL's
/// `LabelPolicy.IsValid`.
pub(crate) fn label_style(r: &a::UpdateLabelPolicyRequest) -> Result<LabelStyle> {
    let style = LabelStyle {
        primary_color: r.primary_color.clone(),
        background_color: r.background_color.clone(),
        warn_color: r.warn_color.clone(),
        font_color: r.font_color.clone(),
        primary_color_dark: r.primary_color_dark.clone(),
        background_color_dark: r.background_color_dark.clone(),
        warn_color_dark: r.warn_color_dark.clone(),
        font_color_dark: r.font_color_dark.clone(),
        hide_login_name_suffix: r.hide_login_name_suffix,
        error_msg_popup: false,
        disable_watermark: r.disable_watermark,
        theme_mode: theme_to_domain(r.theme_mode),
        ..LabelStyle::default()
    };
    if let Some((id, field)) = first_bad_color(&style) {
        return Err(Error::invalid_argument(
            id,
            format!("`{field}` must be empty or a hex colour such as #5469d4 or #fff"),
        ));
    }
    Ok(style)
}

/// The change of a label policy's preview to `style`, its files kept.
pub(crate) fn preview_change(style: LabelStyle) -> impl Fn(&LabelPolicy) -> LabelPolicy {
    move |current: &LabelPolicy| {
        let mut next = current.clone();
        let files = current.preview.clone();
        next.preview = LabelStyle {
            logo: files.logo,
            logo_dark: files.logo_dark,
            icon: files.icon,
            icon_dark: files.icon_dark,
            font: files.font,
            ..style.clone()
        };
        next
    }
}

pub(crate) const LABEL_MISSING: &str = "QUERY-V22un";

fn decode(row: &SettingRow) -> Result<LabelPolicy> {
    serde_json::from_str(&row.data)
        .map_err(|e| Error::internal("SETTING-dec5", format!("the stored label policy is unreadable: {e}")))
}

impl App {
    fn label_aggregate(&self) -> Aggregate {
        Aggregate::new(aggregate::INSTANCE, &self.instance_id, &self.instance_id)
    }

    /// The URL of a stored file: `<origin>/assets/v1/<owner>/<key>`, or ""
    /// for none (ZITADEL's `domain.AssetURL`).
    fn asset_url(&self, ctx: &Ctx, owner: &str, key: &str) -> String {
        if key.is_empty() {
            return String::new();
        }
        let origin = ctx.origin.clone().unwrap_or_else(|| format!("http://{}", self.config.external_domain));
        format!("{origin}/assets/v1/{owner}/{key}")
    }

    /// The wire form of `style`, `owner`'s (the instance or an
    /// organization: its files' URLs name it).
    pub(crate) fn label_pb(
        &self,
        ctx: &Ctx,
        owner: &str,
        style: &LabelStyle,
        details: Option<ObjectDetails>,
    ) -> pb::LabelPolicy {
        let s = style;
        pb::LabelPolicy {
            details,
            primary_color: s.primary_color.clone(),
            is_default: true,
            hide_login_name_suffix: s.hide_login_name_suffix,
            warn_color: s.warn_color.clone(),
            background_color: s.background_color.clone(),
            font_color: s.font_color.clone(),
            primary_color_dark: s.primary_color_dark.clone(),
            background_color_dark: s.background_color_dark.clone(),
            warn_color_dark: s.warn_color_dark.clone(),
            font_color_dark: s.font_color_dark.clone(),
            disable_watermark: s.disable_watermark,
            logo_url: self.asset_url(ctx, owner, &s.logo),
            icon_url: self.asset_url(ctx, owner, &s.icon),
            logo_url_dark: self.asset_url(ctx, owner, &s.logo_dark),
            icon_url_dark: self.asset_url(ctx, owner, &s.icon_dark),
            font_url: self.asset_url(ctx, owner, &s.font),
            theme_mode: theme_to_api(s.theme_mode),
        }
    }

    /// The instance's label policy row and document.
    async fn label_row(&self) -> Result<(SettingRow, LabelPolicy)> {
        let mut conn = self.db.acquire("LABEL-db001").await?;
        let row = burg_store::settings::load(&mut conn, &self.instance_id, &self.instance_id, "policy.label")
            .await?
            .ok_or_else(|| Error::not_found(LABEL_MISSING, "label policy not found"))?;
        let policy = decode(&row)?;
        Ok((row, policy))
    }

    pub async fn get_label_policy(&self, ctx: &Ctx, _r: a::GetLabelPolicyRequest) -> Result<a::GetLabelPolicyResponse> {
        let (row, policy) = self.label_row().await?;
        let active = policy.active.as_ref().ok_or_else(|| Error::not_found(LABEL_MISSING, "label policy not found"))?;
        let details =
            details(policy.active_sequence, row.creation_date, policy.active_at.max(row.creation_date), &row.owner_id);
        Ok(a::GetLabelPolicyResponse { policy: Some(self.label_pb(ctx, &self.instance_id, active, details)) })
    }

    pub async fn get_preview_label_policy(
        &self,
        ctx: &Ctx,
        _r: a::GetPreviewLabelPolicyRequest,
    ) -> Result<a::GetPreviewLabelPolicyResponse> {
        let (row, policy) = self.label_row().await?;
        let details = details(row.sequence, row.creation_date, row.change_date, &row.owner_id);
        Ok(a::GetPreviewLabelPolicyResponse {
            policy: Some(self.label_pb(ctx, &self.instance_id, &policy.preview, details)),
        })
    }

    pub async fn update_label_policy(
        &self,
        ctx: &Ctx,
        r: a::UpdateLabelPolicyRequest,
    ) -> Result<a::UpdateLabelPolicyResponse> {
        let change = preview_change(label_style(&r)?);
        let details = self.change_setting(ctx, Scope::Instance, change, "INSTANCE-28fHe", "INSTANCE-0K9dq").await?;
        Ok(a::UpdateLabelPolicyResponse { details })
    }

    pub async fn activate_label_policy(
        &self,
        ctx: &Ctx,
        _r: a::ActivateLabelPolicyRequest,
    ) -> Result<a::ActivateLabelPolicyResponse> {
        let details = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            if self.own_setting::<LabelPolicy>(tx.conn(), Scope::Instance).await?.is_none() {
                return Err(Error::not_found("INSTANCE-6M23e", "label policy not found"));
            }
            let events = tx.push(vec![activated_event(&self.label_aggregate())]).await?;
            tx.commit().await?;
            Ok(changed_details(&events))
        })
        .await?;
        Ok(a::ActivateLabelPolicyResponse { details })
    }

    /// Removes the preview's file `asset`: its stored bytes and an event
    /// naming its key (ZITADEL writes it whether there was a file or not).
    /// Removes file `asset` of the label policy `scope` holds (refused
    /// with `missing`, NotFound, when it holds none).
    pub(crate) async fn remove_label_asset(
        &self,
        ctx: &Ctx,
        scope: Scope<'_>,
        asset: LabelAsset,
        missing: &'static str,
    ) -> Result<Option<ObjectDetails>> {
        let owner = match scope {
            Scope::Instance => self.instance_id.as_str(),
            Scope::Org(org) => org,
        };
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let policy = self
                .own_setting::<LabelPolicy>(tx.conn(), scope)
                .await?
                .ok_or_else(|| Error::not_found(missing, "label policy not found"))?;
            let key = asset.key(&policy.preview).to_string();
            if !key.is_empty() {
                burg_store::assets::remove(tx.conn(), &self.instance_id, owner, &key).await?;
            }
            let events = tx.push(vec![asset.event(&self.aggregate_of(scope), false, &key)?]).await?;
            tx.commit().await?;
            Ok(changed_details(&events))
        })
        .await
    }

    pub async fn remove_label_policy_logo(
        &self,
        ctx: &Ctx,
        _r: a::RemoveLabelPolicyLogoRequest,
    ) -> Result<a::RemoveLabelPolicyLogoResponse> {
        let details =
            self.remove_label_asset(ctx, Scope::Instance, LabelAsset::Logo, missing_ids(LabelAsset::Logo).1).await?;
        Ok(a::RemoveLabelPolicyLogoResponse { details })
    }

    pub async fn remove_label_policy_logo_dark(
        &self,
        ctx: &Ctx,
        _r: a::RemoveLabelPolicyLogoDarkRequest,
    ) -> Result<a::RemoveLabelPolicyLogoDarkResponse> {
        let details = self
            .remove_label_asset(ctx, Scope::Instance, LabelAsset::LogoDark, missing_ids(LabelAsset::LogoDark).1)
            .await?;
        Ok(a::RemoveLabelPolicyLogoDarkResponse { details })
    }

    pub async fn remove_label_policy_icon(
        &self,
        ctx: &Ctx,
        _r: a::RemoveLabelPolicyIconRequest,
    ) -> Result<a::RemoveLabelPolicyIconResponse> {
        let details =
            self.remove_label_asset(ctx, Scope::Instance, LabelAsset::Icon, missing_ids(LabelAsset::Icon).1).await?;
        Ok(a::RemoveLabelPolicyIconResponse { details })
    }

    pub async fn remove_label_policy_icon_dark(
        &self,
        ctx: &Ctx,
        _r: a::RemoveLabelPolicyIconDarkRequest,
    ) -> Result<a::RemoveLabelPolicyIconDarkResponse> {
        let details = self
            .remove_label_asset(ctx, Scope::Instance, LabelAsset::IconDark, missing_ids(LabelAsset::IconDark).1)
            .await?;
        Ok(a::RemoveLabelPolicyIconDarkResponse { details })
    }

    pub async fn remove_label_policy_font(
        &self,
        ctx: &Ctx,
        _r: a::RemoveLabelPolicyFontRequest,
    ) -> Result<a::RemoveLabelPolicyFontResponse> {
        let details =
            self.remove_label_asset(ctx, Scope::Instance, LabelAsset::Font, missing_ids(LabelAsset::Font).1).await?;
        Ok(a::RemoveLabelPolicyFontResponse { details })
    }

    /// Checks an upload of `asset` as ZITADEL's asset handler does: the
    /// content type read from the bytes, then the size.
    pub fn check_label_upload(
        &self,
        asset: LabelAsset,
        filename: &str,
        data: &[u8],
    ) -> std::result::Result<String, UploadRefused> {
        let content_type = sniff_content_type(data, filename);
        if !asset.content_type_allowed(&content_type) {
            return Err(UploadRefused::ContentType(content_type));
        }
        if data.len() > MAX_ASSET_BYTES {
            return Err(UploadRefused::TooBig);
        }
        Ok(content_type)
    }

    /// Stores an uploaded file of the preview of the instance's label
    /// policy (`org`: `None`) or of an organization's own one under a new
    /// key and writes its added event, in one transaction. The caller
    /// checked it ([`App::check_label_upload`]).
    pub async fn upload_label_asset(
        &self,
        ctx: &Ctx,
        org: Option<&str>,
        asset: LabelAsset,
        content_type: &str,
        data: &[u8],
    ) -> Result<Option<ObjectDetails>> {
        let hash = asset_hash(data);
        let scope = org.map_or(Scope::Instance, Scope::Org);
        let (owner, missing) = match org {
            None => (self.instance_id.as_str(), missing_ids(asset).0),
            Some(org) => (org, crate::mgmt_policies::org_label_missing(asset)),
        };
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            if self.own_setting::<LabelPolicy>(tx.conn(), scope).await?.is_none() {
                return Err(Error::not_found(missing, "label policy not found"));
            }
            let key = format!("{}{}", asset.key_prefix(), self.new_id());
            let now = tx.now();
            burg_store::assets::put(tx.conn(), &self.instance_id, owner, &key, content_type, data, &hash, now).await?;
            let events = tx.push(vec![asset.event(&self.aggregate_of(scope), true, &key)?]).await?;
            tx.commit().await?;
            Ok(changed_details(&events))
        })
        .await
    }

    /// The file `asset` of the active label policy, or of its preview: the
    /// instance's (`org`: `None`), or the one an organization's calls get
    /// (its own, else the instance's).
    pub async fn label_asset(
        &self,
        org: Option<&str>,
        asset: LabelAsset,
        preview: bool,
    ) -> Result<Option<ServedAsset>> {
        let mut conn = self.db.acquire("LABEL-db002").await?;
        let owners = org.into_iter().chain(std::iter::once(self.instance_id.as_str()));
        for owner in owners {
            let Some(row) = burg_store::settings::load(&mut conn, &self.instance_id, owner, "policy.label").await?
            else {
                continue;
            };
            let policy: LabelPolicy = decode(&row)?;
            let style = if preview { Some(&policy.preview) } else { policy.active.as_ref() };
            let Some(style) = style else {
                // An organization's policy not yet activated: the instance's applies.
                if owner == self.instance_id {
                    return Ok(None);
                }
                continue;
            };
            let key = asset.key(style);
            if key.is_empty() {
                return Ok(None);
            }
            return self.stored_asset(owner, key).await;
        }
        Err(Error::not_found(LABEL_MISSING, "label policy not found"))
    }

    /// A stored file by its owner and key (the public download path).
    pub async fn stored_asset(&self, owner: &str, key: &str) -> Result<Option<ServedAsset>> {
        // ZITADEL drops a cache-busting `?v=` from the key.
        let key = key.split("?v=").next().unwrap_or(key);
        let row = burg_store::assets::get(self.db.pool(), &self.instance_id, owner, key).await?;
        Ok(row.map(|r| ServedAsset {
            content_type: r.content_type,
            data: r.data,
            hash: r.hash,
            stored_at: r.change_date,
        }))
    }
}
