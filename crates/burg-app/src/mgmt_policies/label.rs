//! An organization's label policy (branding): its own preview and active
//! copy, or the instance's (ZITADEL's `internal/command/org_policy_label.go`).

use burg_api::admin::UpdateLabelPolicyRequest;
use burg_api::management as m;
use burg_api::zitadel::policy::v1 as pb;
use burg_domain::label_policy::{LabelAsset, LabelPolicy, activated_event};
use burg_domain::settings::Setting;
use burg_domain::{Error, Result};

use crate::label_policy::{label_style, preview_change};
use crate::mgmt_org::org_aggregate;
use crate::settings::Scope;
use crate::{App, Ctx, changed_details, details, retry};

/// The members an add or update carries, in the Admin API's update shape.
macro_rules! as_update {
    ($r:expr) => {
        UpdateLabelPolicyRequest {
            primary_color: $r.primary_color.clone(),
            hide_login_name_suffix: $r.hide_login_name_suffix,
            warn_color: $r.warn_color.clone(),
            background_color: $r.background_color.clone(),
            font_color: $r.font_color.clone(),
            primary_color_dark: $r.primary_color_dark.clone(),
            background_color_dark: $r.background_color_dark.clone(),
            warn_color_dark: $r.warn_color_dark.clone(),
            font_color_dark: $r.font_color_dark.clone(),
            disable_watermark: $r.disable_watermark,
            theme_mode: $r.theme_mode,
        }
    };
}

/// ZITADEL's id of a file removal that finds no policy of the organization.
pub(crate) fn remove_missing(asset: LabelAsset) -> &'static str {
    match asset {
        LabelAsset::Logo => "ORG-4MVsf",
        LabelAsset::LogoDark => "ORG-0peQw",
        LabelAsset::Icon => "ORG-1nd9f",
        LabelAsset::IconDark => "ORG-3NFos",
        LabelAsset::Font => "ORG-4n9SD",
    }
}

impl App {
    /// The label policy that applies to the call's organization, active
    /// (`preview` false: the organization's activated copy, else the
    /// instance's) or its preview (the organization's, else the
    /// instance's), and whether it is the instance's.
    async fn org_label(&self, ctx: &Ctx, preview: bool) -> Result<(pb::LabelPolicy, bool)> {
        let mut conn = self.db.acquire("LABEL-db010").await?;
        let org = ctx.org();
        for (owner, is_default) in [(org, false), (self.instance_id.as_str(), true)] {
            let mut row =
                burg_store::settings::load(&mut conn, &self.instance_id, owner, <LabelPolicy as Setting>::KIND).await?;
            if row.is_none() && !is_default {
                row = self.imported_document::<LabelPolicy>(&mut conn, owner).await?;
            }
            let Some(row) = row else {
                continue;
            };
            let policy: LabelPolicy = serde_json::from_str(&row.data)
                .map_err(|e| Error::internal("SETTING-dec6", format!("the stored label policy is unreadable: {e}")))?;
            if preview {
                let d = details(row.sequence, row.creation_date, row.change_date, &row.owner_id);
                let mut p = self.label_pb(ctx, owner, &policy.preview, d);
                p.is_default = is_default;
                return Ok((p, is_default));
            }
            if let Some(active) = &policy.active {
                let at = policy.active_at.max(row.creation_date);
                let d = details(policy.active_sequence, row.creation_date, at, &row.owner_id);
                let mut p = self.label_pb(ctx, owner, active, d);
                p.is_default = is_default;
                return Ok((p, is_default));
            }
        }
        Err(Error::not_found(crate::label_policy::LABEL_MISSING, "label policy not found"))
    }

    pub async fn org_get_label_policy(
        &self,
        ctx: &Ctx,
        _r: m::GetLabelPolicyRequest,
    ) -> Result<m::GetLabelPolicyResponse> {
        let (policy, is_default) = self.org_label(ctx, false).await?;
        Ok(m::GetLabelPolicyResponse { policy: Some(policy), is_default })
    }

    pub async fn org_get_preview_label_policy(
        &self,
        ctx: &Ctx,
        _r: m::GetPreviewLabelPolicyRequest,
    ) -> Result<m::GetPreviewLabelPolicyResponse> {
        let (policy, is_default) = self.org_label(ctx, true).await?;
        Ok(m::GetPreviewLabelPolicyResponse { policy: Some(policy), is_default })
    }

    pub async fn org_get_default_label_policy(
        &self,
        ctx: &Ctx,
        _r: m::GetDefaultLabelPolicyRequest,
    ) -> Result<m::GetDefaultLabelPolicyResponse> {
        let policy = self.get_label_policy(ctx, burg_api::admin::GetLabelPolicyRequest {}).await?.policy;
        Ok(m::GetDefaultLabelPolicyResponse { policy })
    }

    /// The organization's own label policy, a preview until activated.
    pub async fn org_add_custom_label_policy(
        &self,
        ctx: &Ctx,
        r: m::AddCustomLabelPolicyRequest,
    ) -> Result<m::AddCustomLabelPolicyResponse> {
        let preview = label_style(&as_update!(r))?;
        let value = LabelPolicy { preview, active: None, active_sequence: 0, active_at: 0 };
        let details = self.add_org_setting(ctx, ctx.org(), value, "Org-2B0ps").await?;
        Ok(m::AddCustomLabelPolicyResponse { details })
    }

    pub async fn org_update_custom_label_policy(
        &self,
        ctx: &Ctx,
        r: m::UpdateCustomLabelPolicyRequest,
    ) -> Result<m::UpdateCustomLabelPolicyResponse> {
        let change = preview_change(label_style(&as_update!(r))?);
        let details = self.change_setting(ctx, Scope::Org(ctx.org()), change, "Org-8nfSr", "Org-0K9dq").await?;
        Ok(m::UpdateCustomLabelPolicyResponse { details })
    }

    pub async fn org_activate_custom_label_policy(
        &self,
        ctx: &Ctx,
        _r: m::ActivateCustomLabelPolicyRequest,
    ) -> Result<m::ActivateCustomLabelPolicyResponse> {
        let org = ctx.org();
        let details = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            if self.own_setting::<LabelPolicy>(tx.conn(), Scope::Org(org)).await?.is_none() {
                return Err(Error::not_found("ORG-34mSE", "label policy not found"));
            }
            let events = tx.push(vec![activated_event(&org_aggregate(org))]).await?;
            tx.commit().await?;
            Ok(changed_details(&events))
        })
        .await?;
        Ok(m::ActivateCustomLabelPolicyResponse { details })
    }

    async fn org_remove_label_asset(
        &self,
        ctx: &Ctx,
        asset: LabelAsset,
    ) -> Result<Option<burg_api::object::ObjectDetails>> {
        self.remove_label_asset(ctx, Scope::Org(ctx.org()), asset, remove_missing(asset)).await
    }

    pub async fn org_remove_custom_label_policy_logo(
        &self,
        ctx: &Ctx,
        _r: m::RemoveCustomLabelPolicyLogoRequest,
    ) -> Result<m::RemoveCustomLabelPolicyLogoResponse> {
        let details = self.org_remove_label_asset(ctx, LabelAsset::Logo).await?;
        Ok(m::RemoveCustomLabelPolicyLogoResponse { details })
    }

    pub async fn org_remove_custom_label_policy_logo_dark(
        &self,
        ctx: &Ctx,
        _r: m::RemoveCustomLabelPolicyLogoDarkRequest,
    ) -> Result<m::RemoveCustomLabelPolicyLogoDarkResponse> {
        let details = self.org_remove_label_asset(ctx, LabelAsset::LogoDark).await?;
        Ok(m::RemoveCustomLabelPolicyLogoDarkResponse { details })
    }

    pub async fn org_remove_custom_label_policy_icon(
        &self,
        ctx: &Ctx,
        _r: m::RemoveCustomLabelPolicyIconRequest,
    ) -> Result<m::RemoveCustomLabelPolicyIconResponse> {
        let details = self.org_remove_label_asset(ctx, LabelAsset::Icon).await?;
        Ok(m::RemoveCustomLabelPolicyIconResponse { details })
    }

    pub async fn org_remove_custom_label_policy_icon_dark(
        &self,
        ctx: &Ctx,
        _r: m::RemoveCustomLabelPolicyIconDarkRequest,
    ) -> Result<m::RemoveCustomLabelPolicyIconDarkResponse> {
        let details = self.org_remove_label_asset(ctx, LabelAsset::IconDark).await?;
        Ok(m::RemoveCustomLabelPolicyIconDarkResponse { details })
    }

    pub async fn org_remove_custom_label_policy_font(
        &self,
        ctx: &Ctx,
        _r: m::RemoveCustomLabelPolicyFontRequest,
    ) -> Result<m::RemoveCustomLabelPolicyFontResponse> {
        let details = self.org_remove_label_asset(ctx, LabelAsset::Font).await?;
        Ok(m::RemoveCustomLabelPolicyFontResponse { details })
    }

    /// Takes the organization's label policy away (its files too).
    pub async fn org_reset_label_policy_to_default(
        &self,
        ctx: &Ctx,
        _r: m::ResetLabelPolicyToDefaultRequest,
    ) -> Result<m::ResetLabelPolicyToDefaultResponse> {
        let details = self.reset_org_setting::<LabelPolicy>(ctx, ctx.org(), "Org-3M9df").await?;
        Ok(m::ResetLabelPolicyToDefaultResponse { details })
    }
}
