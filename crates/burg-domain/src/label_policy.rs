//! The label policy (branding): colours, flags and uploaded files, with
//! ZITADEL's split into a preview, which every change writes, and the
//! active policy, a copy of the preview made by `…policy.label.activated`.
//! Its events are ZITADEL's (`internal/repository/policy/label.go`): the
//! added event with zero members left out (and the watermark flag under
//! its old name `disableMsgPopup`), the changed event with the members that
//! changed, and one event per file added or removed, naming its key.

use serde::{Deserialize, Serialize};

use crate::event::{Aggregate, NewEvent, aggregate};
use crate::settings::{self, Setting, SettingEvents};

/// One state of a label policy: what the login shows.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LabelStyle {
    pub primary_color: String,
    pub background_color: String,
    pub warn_color: String,
    pub font_color: String,
    pub primary_color_dark: String,
    pub background_color_dark: String,
    pub warn_color_dark: String,
    pub font_color_dark: String,
    pub hide_login_name_suffix: bool,
    pub error_msg_popup: bool,
    pub disable_watermark: bool,
    /// ZITADEL's `domain.LabelPolicyThemeMode`: 0 auto, 1 light, 2 dark.
    pub theme_mode: i32,
    /// The keys of the uploaded files ("" for none).
    pub logo: String,
    pub logo_dark: String,
    pub icon: String,
    pub icon_dark: String,
    pub font: String,
}

/// The stored document: the preview, and the active policy with the
/// sequence and time of the activation that made it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LabelPolicy {
    pub preview: LabelStyle,
    pub active: Option<LabelStyle>,
    pub active_sequence: i64,
    pub active_at: i64,
}

/// The files of a label policy, with ZITADEL's event type part and key
/// prefix of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelAsset {
    Logo,
    LogoDark,
    Icon,
    IconDark,
    Font,
}

impl LabelAsset {
    pub const ALL: [LabelAsset; 5] =
        [LabelAsset::Logo, LabelAsset::LogoDark, LabelAsset::Icon, LabelAsset::IconDark, LabelAsset::Font];

    /// `logo.dark` in `instance.policy.label.logo.dark.added`.
    pub fn event_part(self) -> &'static str {
        match self {
            LabelAsset::Logo => "logo",
            LabelAsset::LogoDark => "logo.dark",
            LabelAsset::Icon => "icon",
            LabelAsset::IconDark => "icon.dark",
            LabelAsset::Font => "font",
        }
    }

    /// The start of a stored file's key (ZITADEL's object names:
    /// `logo-<id>`, `logo-dark-<id>`, …).
    pub fn key_prefix(self) -> &'static str {
        match self {
            LabelAsset::Logo => "logo-",
            LabelAsset::LogoDark => "logo-dark-",
            LabelAsset::Icon => "icon-",
            LabelAsset::IconDark => "icon-dark-",
            LabelAsset::Font => "font-",
        }
    }

    /// What an uploaded file of this kind may be: images for logos and
    /// icons, fonts (or octet streams) for the font.
    pub fn content_type_allowed(self, content_type: &str) -> bool {
        match self {
            LabelAsset::Font => {
                content_type.starts_with("font/") || content_type.starts_with("application/octet-stream")
            }
            _ => content_type.starts_with("image/"),
        }
    }

    pub fn key(self, style: &LabelStyle) -> &str {
        match self {
            LabelAsset::Logo => &style.logo,
            LabelAsset::LogoDark => &style.logo_dark,
            LabelAsset::Icon => &style.icon,
            LabelAsset::IconDark => &style.icon_dark,
            LabelAsset::Font => &style.font,
        }
    }

    fn key_mut(self, style: &mut LabelStyle) -> &mut String {
        match self {
            LabelAsset::Logo => &mut style.logo,
            LabelAsset::LogoDark => &mut style.logo_dark,
            LabelAsset::Icon => &mut style.icon,
            LabelAsset::IconDark => &mut style.icon_dark,
            LabelAsset::Font => &mut style.font,
        }
    }

    /// The event that adds (`added`) or removes this file on `on`.
    pub fn event(self, on: &Aggregate, added: bool, key: &str) -> crate::Result<NewEvent> {
        let event_type = part_type(on, self, added);
        settings::event(on, event_type, &AssetEvent { store_key: key.to_string() })
    }
}

/// ZITADEL's largest uploaded file of the label policy: 512 KiB.
pub const MAX_ASSET_BYTES: usize = 1 << 19;

/// `storeKey`: the payload of a file's added and removed events.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct AssetEvent {
    store_key: String,
}

const ACTIVATED: [&str; 2] = ["instance.policy.label.activated", "org.policy.label.activated"];
const ASSETS_REMOVED: [&str; 2] = ["instance.policy.label.assets.removed", "org.policy.label.assets.removed"];

/// The file events' types: per scope (instance, org), per file, added then
/// removed.
const ASSET_EVENTS: [[[&str; 2]; 5]; 2] = [
    [
        ["instance.policy.label.logo.added", "instance.policy.label.logo.removed"],
        ["instance.policy.label.logo.dark.added", "instance.policy.label.logo.dark.removed"],
        ["instance.policy.label.icon.added", "instance.policy.label.icon.removed"],
        ["instance.policy.label.icon.dark.added", "instance.policy.label.icon.dark.removed"],
        ["instance.policy.label.font.added", "instance.policy.label.font.removed"],
    ],
    [
        ["org.policy.label.logo.added", "org.policy.label.logo.removed"],
        ["org.policy.label.logo.dark.added", "org.policy.label.logo.dark.removed"],
        ["org.policy.label.icon.added", "org.policy.label.icon.removed"],
        ["org.policy.label.icon.dark.added", "org.policy.label.icon.dark.removed"],
        ["org.policy.label.font.added", "org.policy.label.font.removed"],
    ],
];

const PARTS: [&str; 24] = [
    ACTIVATED[0],
    ACTIVATED[1],
    ASSETS_REMOVED[0],
    ASSETS_REMOVED[1],
    ASSET_EVENTS[0][0][0],
    ASSET_EVENTS[0][0][1],
    ASSET_EVENTS[0][1][0],
    ASSET_EVENTS[0][1][1],
    ASSET_EVENTS[0][2][0],
    ASSET_EVENTS[0][2][1],
    ASSET_EVENTS[0][3][0],
    ASSET_EVENTS[0][3][1],
    ASSET_EVENTS[0][4][0],
    ASSET_EVENTS[0][4][1],
    ASSET_EVENTS[1][0][0],
    ASSET_EVENTS[1][0][1],
    ASSET_EVENTS[1][1][0],
    ASSET_EVENTS[1][1][1],
    ASSET_EVENTS[1][2][0],
    ASSET_EVENTS[1][2][1],
    ASSET_EVENTS[1][3][0],
    ASSET_EVENTS[1][3][1],
    ASSET_EVENTS[1][4][0],
    ASSET_EVENTS[1][4][1],
];

fn scope(on: &Aggregate) -> usize {
    usize::from(on.kind == aggregate::ORG)
}

fn part_type(on: &Aggregate, asset: LabelAsset, added: bool) -> &'static str {
    let i = LabelAsset::ALL.iter().position(|a| *a == asset).unwrap_or_default();
    ASSET_EVENTS[scope(on)][i][usize::from(!added)]
}

/// The event that makes `on`'s preview its active policy.
pub fn activated_event(on: &Aggregate) -> NewEvent {
    NewEvent { aggregate: on.clone(), event_type: ACTIVATED[scope(on)], payload: serde_json::Value::Null }
}

/// `<aggregate>.policy.label.added`: zero members left out, the watermark
/// flag as `disableMsgPopup` (ZITADEL's name in this event).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct LabelPolicyAdded {
    #[serde(skip_serializing_if = "String::is_empty")]
    primary_color: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    background_color: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    warn_color: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    font_color: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    primary_color_dark: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    background_color_dark: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    warn_color_dark: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    font_color_dark: String,
    #[serde(skip_serializing_if = "crate::events::is_zero")]
    hide_login_name_suffix: bool,
    #[serde(skip_serializing_if = "crate::events::is_zero")]
    error_msg_popup: bool,
    #[serde(rename = "disableMsgPopup", skip_serializing_if = "crate::events::is_zero")]
    disable_watermark: bool,
    #[serde(skip_serializing_if = "crate::events::is_zero")]
    theme_mode: i32,
}

/// `<aggregate>.policy.label.changed`: the members that changed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct LabelPolicyChanged {
    #[serde(skip_serializing_if = "Option::is_none")]
    primary_color: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    background_color: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    warn_color: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    font_color: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    primary_color_dark: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    background_color_dark: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    warn_color_dark: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    font_color_dark: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hide_login_name_suffix: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_msg_popup: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    disable_watermark: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    theme_mode: Option<i32>,
}

impl LabelPolicy {
    /// ZITADEL's `DefaultInstance.LabelPolicy` (`cmd/defaults.yaml`), active.
    pub fn instance_default() -> Self {
        let style = LabelStyle {
            primary_color: "#5469d4".into(),
            background_color: "#fafafa".into(),
            warn_color: "#cd3d56".into(),
            font_color: "#000000".into(),
            primary_color_dark: "#2073c4".into(),
            background_color_dark: "#111827".into(),
            warn_color_dark: "#ff3b5b".into(),
            font_color_dark: "#ffffff".into(),
            ..LabelStyle::default()
        };
        LabelPolicy { preview: style.clone(), active: Some(style), active_sequence: 0, active_at: 0 }
    }
}

/// ZITADEL's colour rule: empty, or `#` and three or six hex digits.
pub fn color_ok(color: &str) -> bool {
    let Some(hex) = color.strip_prefix('#') else { return color.is_empty() };
    matches!(hex.len(), 3 | 6) && hex.chars().all(|c| c.is_ascii_hexdigit())
}

/// The colours of `style` that break [`color_ok`], with ZITADEL's error id
/// for each (`domain.LabelPolicy.IsValid`), in its order.
pub fn first_bad_color(style: &LabelStyle) -> Option<(&'static str, &'static str)> {
    let colors = [
        (&style.primary_color, "POLICY-391dG", "primaryColor"),
        (&style.background_color, "POLICY-502F1", "backgroundColor"),
        (&style.warn_color, "POLICY-nvw33", "warnColor"),
        (&style.font_color, "POLICY-93mSf", "fontColor"),
        (&style.primary_color_dark, "POLICY-391dG", "primaryColorDark"),
        (&style.background_color_dark, "POLICY-llsp2", "backgroundColorDark"),
        (&style.warn_color_dark, "POLICY-2b6sf", "warnColorDark"),
        (&style.font_color_dark, "POLICY-3M0fs", "fontColorDark"),
    ];
    colors.into_iter().find(|(c, _, _)| !color_ok(c)).map(|(_, id, field)| (id, field))
}

impl Setting for LabelPolicy {
    const KIND: &'static str = "policy.label";
    const NAME: &'static str = "label policy";
    const EVENTS: SettingEvents = settings::setting_events!("policy.label", parts: &PARTS);

    fn instance_default() -> Self {
        LabelPolicy::instance_default()
    }

    /// The preview as an added event, then its activation if it is active
    /// (ZITADEL's setup activates the default at once).
    fn added_events(&self, on: &Aggregate) -> crate::Result<Vec<NewEvent>> {
        let p = &self.preview;
        let added = LabelPolicyAdded {
            primary_color: p.primary_color.clone(),
            background_color: p.background_color.clone(),
            warn_color: p.warn_color.clone(),
            font_color: p.font_color.clone(),
            primary_color_dark: p.primary_color_dark.clone(),
            background_color_dark: p.background_color_dark.clone(),
            warn_color_dark: p.warn_color_dark.clone(),
            font_color_dark: p.font_color_dark.clone(),
            hide_login_name_suffix: p.hide_login_name_suffix,
            error_msg_popup: p.error_msg_popup,
            disable_watermark: p.disable_watermark,
            theme_mode: p.theme_mode,
        };
        let mut events = vec![settings::event(on, Self::EVENTS.added(on), &added)?];
        if self.active.is_some() {
            events.push(activated_event(on));
        }
        Ok(events)
    }

    /// A changed event with the preview's colours and flags that differ
    /// (files and activation have their own events).
    fn changed_events(&self, on: &Aggregate, next: &Self) -> crate::Result<Vec<NewEvent>> {
        fn diff<T: PartialEq + Clone>(from: &T, to: &T) -> Option<T> {
            (from != to).then(|| to.clone())
        }
        let (a, b) = (&self.preview, &next.preview);
        let changed = LabelPolicyChanged {
            primary_color: diff(&a.primary_color, &b.primary_color),
            background_color: diff(&a.background_color, &b.background_color),
            warn_color: diff(&a.warn_color, &b.warn_color),
            font_color: diff(&a.font_color, &b.font_color),
            primary_color_dark: diff(&a.primary_color_dark, &b.primary_color_dark),
            background_color_dark: diff(&a.background_color_dark, &b.background_color_dark),
            warn_color_dark: diff(&a.warn_color_dark, &b.warn_color_dark),
            font_color_dark: diff(&a.font_color_dark, &b.font_color_dark),
            hide_login_name_suffix: diff(&a.hide_login_name_suffix, &b.hide_login_name_suffix),
            error_msg_popup: diff(&a.error_msg_popup, &b.error_msg_popup),
            disable_watermark: diff(&a.disable_watermark, &b.disable_watermark),
            theme_mode: diff(&a.theme_mode, &b.theme_mode),
        };
        if changed == LabelPolicyChanged::default() {
            return Ok(Vec::new());
        }
        Ok(vec![settings::event(on, Self::EVENTS.changed(on), &changed)?])
    }

    fn reduce(stored: Option<Self>, event_type: &str, payload: &serde_json::Value) -> crate::Result<Self> {
        Self::reduce_at(stored, event_type, payload, 0, 0)
    }

    fn reduce_at(
        stored: Option<Self>,
        event_type: &str,
        payload: &serde_json::Value,
        sequence: i64,
        at: i64,
    ) -> crate::Result<Self> {
        let events = &Self::EVENTS;
        if event_type == events.instance_added || event_type == events.org_added {
            let p: LabelPolicyAdded = settings::decode(event_type, payload)?;
            let preview = LabelStyle {
                primary_color: p.primary_color,
                background_color: p.background_color,
                warn_color: p.warn_color,
                font_color: p.font_color,
                primary_color_dark: p.primary_color_dark,
                background_color_dark: p.background_color_dark,
                warn_color_dark: p.warn_color_dark,
                font_color_dark: p.font_color_dark,
                hide_login_name_suffix: p.hide_login_name_suffix,
                error_msg_popup: p.error_msg_popup,
                disable_watermark: p.disable_watermark,
                theme_mode: p.theme_mode,
                ..LabelStyle::default()
            };
            return Ok(LabelPolicy { preview, ..LabelPolicy::default() });
        }
        let mut policy = stored.unwrap_or_default();
        if event_type == events.instance_changed || event_type == events.org_changed {
            let p: LabelPolicyChanged = settings::decode(event_type, payload)?;
            let s = &mut policy.preview;
            fn set<T>(field: &mut T, value: Option<T>) {
                if let Some(v) = value {
                    *field = v;
                }
            }
            set(&mut s.primary_color, p.primary_color);
            set(&mut s.background_color, p.background_color);
            set(&mut s.warn_color, p.warn_color);
            set(&mut s.font_color, p.font_color);
            set(&mut s.primary_color_dark, p.primary_color_dark);
            set(&mut s.background_color_dark, p.background_color_dark);
            set(&mut s.warn_color_dark, p.warn_color_dark);
            set(&mut s.font_color_dark, p.font_color_dark);
            set(&mut s.hide_login_name_suffix, p.hide_login_name_suffix);
            set(&mut s.error_msg_popup, p.error_msg_popup);
            set(&mut s.disable_watermark, p.disable_watermark);
            set(&mut s.theme_mode, p.theme_mode);
        } else if ACTIVATED.contains(&event_type) {
            policy.active = Some(policy.preview.clone());
            policy.active_sequence = sequence;
            policy.active_at = at;
        } else if ASSETS_REMOVED.contains(&event_type) {
            for asset in LabelAsset::ALL {
                asset.key_mut(&mut policy.preview).clear();
            }
        } else {
            for (i, asset) in LabelAsset::ALL.into_iter().enumerate() {
                let [added, removed] = ASSET_EVENTS[0][i];
                let [org_added, org_removed] = ASSET_EVENTS[1][i];
                if event_type == added || event_type == org_added {
                    let p: AssetEvent = settings::decode(event_type, payload)?;
                    *asset.key_mut(&mut policy.preview) = p.store_key;
                } else if event_type == removed || event_type == org_removed {
                    asset.key_mut(&mut policy.preview).clear();
                }
            }
        }
        Ok(policy)
    }
}

/// A digest of an uploaded file, its `ETag`.
pub fn asset_hash(data: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(data))
}

/// The content type of an uploaded file, read from its bytes as ZITADEL
/// does (it ignores the type the client declares); an octet stream whose
/// name ends like a font is that font.
pub fn sniff_content_type(data: &[u8], filename: &str) -> String {
    let starts = |magic: &[u8]| data.starts_with(magic);
    let sniffed = if starts(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if starts(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        "image/gif"
    } else if data.len() >= 12 && &data[..4] == b"RIFF" && &data[8..12] == b"WEBP" {
        "image/webp"
    } else if starts(&[0x00, 0x00, 0x01, 0x00]) {
        "image/x-icon"
    } else if starts(b"BM") {
        "image/bmp"
    } else if starts(b"wOFF") {
        "font/woff"
    } else if starts(b"wOF2") {
        "font/woff2"
    } else if starts(b"OTTO") {
        "font/otf"
    } else if starts(&[0x00, 0x01, 0x00, 0x00]) || starts(b"true") {
        "font/ttf"
    } else if is_svg(data) {
        "image/svg+xml"
    } else if std::str::from_utf8(data).is_ok_and(|t| !t.chars().any(|c| c.is_control() && !c.is_whitespace())) {
        "text/plain; charset=utf-8"
    } else {
        "application/octet-stream"
    };
    if sniffed != "application/octet-stream" {
        return sniffed.to_string();
    }
    let extension = filename.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match extension.as_str() {
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "eot" => "application/vnd.ms-fontobject",
        "ttc" => "font/collection",
        _ => sniffed,
    }
    .to_string()
}

fn is_svg(data: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(&data[..data.len().min(4096)]) else { return false };
    let mut rest = text.trim_start_matches('\u{feff}').trim_start();
    loop {
        if let Some(after) =
            rest.strip_prefix("<?xml").or_else(|| rest.strip_prefix("<!--")).or_else(|| rest.strip_prefix("<!DOCTYPE"))
        {
            let Some(end) = after.find('>') else { return false };
            rest = after[end + 1..].trim_start();
        } else {
            return rest.starts_with("<svg");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_zitadels_and_rebuild_the_document() {
        let on = Aggregate::new(aggregate::INSTANCE, "i", "i");
        let default = LabelPolicy::instance_default();
        let events = default.added_events(&on).unwrap();
        assert_eq!(events[0].event_type, "instance.policy.label.added");
        assert_eq!(events[0].payload["primaryColor"], "#5469d4");
        assert!(events[0].payload.get("disableMsgPopup").is_none(), "zero members left out");
        assert_eq!(events[1].event_type, "instance.policy.label.activated");
        let mut doc = None;
        for (n, e) in events.iter().enumerate() {
            doc = Some(LabelPolicy::reduce_at(doc, e.event_type, &e.payload, n as i64 + 1, 7).unwrap());
        }
        let doc = doc.unwrap();
        assert_eq!(doc.active.as_ref(), Some(&default.preview));
        assert_eq!((doc.active_sequence, doc.active_at), (2, 7));

        let mut next = doc.clone();
        next.preview.disable_watermark = true;
        next.preview.theme_mode = 2;
        let changed = doc.changed_events(&on, &next).unwrap();
        assert_eq!(changed[0].payload, serde_json::json!({"disableWatermark": true, "themeMode": 2}));
        let logo = LabelAsset::LogoDark.event(&on, true, "logo-dark-1").unwrap();
        assert_eq!(logo.event_type, "instance.policy.label.logo.dark.added");
        assert_eq!(logo.payload, serde_json::json!({"storeKey": "logo-dark-1"}));
        let doc = LabelPolicy::reduce(Some(doc), logo.event_type, &logo.payload).unwrap();
        assert_eq!(doc.preview.logo_dark, "logo-dark-1");
        assert_eq!(doc.active.unwrap().logo_dark, "", "the active policy waits for its activation");
    }

    #[test]
    fn colors_follow_zitadels_rule() {
        for ok in ["", "#fff", "#A0b1C2"] {
            assert!(color_ok(ok), "{ok}");
        }
        for bad in ["fff", "#ffff", "#ggg", "red"] {
            assert!(!color_ok(bad), "{bad}");
        }
        let style = LabelStyle { warn_color: "blue".into(), ..LabelStyle::default() };
        assert_eq!(sniff_content_type(b"\x89PNG\r\n\x1a\n....", "x.txt"), "image/png");
        assert_eq!(sniff_content_type(b"<?xml version=\"1.0\"?>\n<svg xmlns=\"x\"/>", "a"), "image/svg+xml");
        assert_eq!(sniff_content_type(b"hello", "a.png"), "text/plain; charset=utf-8");
        assert_eq!(sniff_content_type(&[0xde, 0xad, 0xbe, 0xef, 0x00], "f.TTF"), "font/ttf");
        assert_eq!(sniff_content_type(&[0xde, 0xad, 0xbe, 0xef, 0x00], "f.bin"), "application/octet-stream");
        assert_eq!(first_bad_color(&style), Some(("POLICY-nvw33", "warnColor")));
    }
}
