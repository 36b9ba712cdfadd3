//! The instance's label policy (branding, issue 18): ZITADEL's defaults,
//! the preview/active split, its events, and the asset endpoints that
//! upload and serve its files.

use std::sync::Arc;

use burg_api::admin::*;
use burg_api::zitadel::policy::v1::ThemeMode;
use burg_testkit::{Backend, Client, Protocol, TestServer, in_process, matrix};
use tonic::Code;

/// The newest stored event: its type and payload as written.
async fn newest_event(s: &TestServer) -> (String, serde_json::Value) {
    let (t, p): (String, String) =
        sqlx::query_as("SELECT event_type, payload FROM events ORDER BY position DESC LIMIT 1")
            .fetch_one(s.app.db().pool())
            .await
            .unwrap();
    (t, serde_json::from_str(&p).unwrap())
}

matrix!(label_policy_preview_and_activation);

async fn label_policy_preview_and_activation(s: Arc<TestServer>, c: Client) {
    let got: GetLabelPolicyResponse = c.call("GetLabelPolicy", GetLabelPolicyRequest {}).await.unwrap();
    let p = got.policy.unwrap();
    assert_eq!(
        (
            p.primary_color.as_str(),
            p.background_color.as_str(),
            p.warn_color.as_str(),
            p.font_color.as_str(),
            p.primary_color_dark.as_str(),
            p.background_color_dark.as_str(),
            p.warn_color_dark.as_str(),
            p.font_color_dark.as_str()
        ),
        ("#5469d4", "#fafafa", "#cd3d56", "#000000", "#2073c4", "#111827", "#ff3b5b", "#ffffff"),
        "cmd/defaults.yaml"
    );
    assert_eq!((p.hide_login_name_suffix, p.disable_watermark, p.is_default), (false, false, true));
    assert_eq!(p.theme_mode, ThemeMode::Auto as i32);
    assert_eq!(p.logo_url, "");
    assert_eq!(p.details.unwrap().resource_owner, s.app.instance_id());

    let update = UpdateLabelPolicyRequest {
        primary_color: "#112233".into(),
        hide_login_name_suffix: true,
        warn_color: "#cd3d56".into(),
        background_color: "#fafafa".into(),
        font_color: "#000000".into(),
        primary_color_dark: "#2073c4".into(),
        background_color_dark: "#111827".into(),
        warn_color_dark: "#ff3b5b".into(),
        font_color_dark: "#ffffff".into(),
        disable_watermark: false,
        theme_mode: ThemeMode::Dark as i32,
    };
    let changed: UpdateLabelPolicyResponse = c.call("UpdateLabelPolicy", update.clone()).await.unwrap();
    assert_eq!(
        newest_event(&s).await,
        (
            "instance.policy.label.changed".into(),
            serde_json::json!({"primaryColor": "#112233", "hideLoginNameSuffix": true, "themeMode": 2})
        )
    );
    // The preview has the change; the active policy waits for activation.
    let preview: GetPreviewLabelPolicyResponse =
        c.call("GetPreviewLabelPolicy", GetPreviewLabelPolicyRequest {}).await.unwrap();
    let preview = preview.policy.unwrap();
    assert_eq!((preview.primary_color.as_str(), preview.theme_mode), ("#112233", ThemeMode::Dark as i32));
    assert_eq!(preview.details.unwrap().sequence, changed.details.unwrap().sequence);
    let active: GetLabelPolicyResponse = c.call("GetLabelPolicy", GetLabelPolicyRequest {}).await.unwrap();
    assert_eq!(active.policy.unwrap().primary_color, "#5469d4");

    let err = c.call::<_, UpdateLabelPolicyResponse>("UpdateLabelPolicy", update).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "INSTANCE-28fHe"));

    let activated: ActivateLabelPolicyResponse =
        c.call("ActivateLabelPolicy", ActivateLabelPolicyRequest {}).await.unwrap();
    assert_eq!(newest_event(&s).await.0, "instance.policy.label.activated");
    let active: GetLabelPolicyResponse = c.call("GetLabelPolicy", GetLabelPolicyRequest {}).await.unwrap();
    let active = active.policy.unwrap();
    assert_eq!((active.primary_color.as_str(), active.hide_login_name_suffix), ("#112233", true));
    assert_eq!(active.details.unwrap().sequence, activated.details.unwrap().sequence);

    // Removing a file there is none of still writes ZITADEL's event.
    let _: RemoveLabelPolicyIconDarkResponse =
        c.call("RemoveLabelPolicyIconDark", RemoveLabelPolicyIconDarkRequest {}).await.unwrap();
    assert_eq!(
        newest_event(&s).await,
        ("instance.policy.label.icon.dark.removed".into(), serde_json::json!({"storeKey": ""}))
    );
}

in_process!(label_policy_colors_answer_as_zitadel);

async fn label_policy_colors_answer_as_zitadel(s: Arc<TestServer>, c: Client) {
    let before = s.event_count().await;
    for (update, id) in [
        (UpdateLabelPolicyRequest { primary_color: "blue".into(), ..Default::default() }, "POLICY-391dG"),
        (UpdateLabelPolicyRequest { background_color: "#12".into(), ..Default::default() }, "POLICY-502F1"),
        (UpdateLabelPolicyRequest { font_color_dark: "#1234567".into(), ..Default::default() }, "POLICY-3M0fs"),
    ] {
        let err = c.call::<_, UpdateLabelPolicyResponse>("UpdateLabelPolicy", update).await.unwrap_err();
        assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, id));
    }
    assert_eq!(s.event_count().await, before);
}

/// A `multipart/form-data` body with one `file` part.
pub(crate) fn form(filename: &str, declared: &str, data: &[u8]) -> (String, Vec<u8>) {
    let boundary = "burg-test-boundary-7f3a";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n\
         Content-Type: {declared}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A PNG's bytes: its signature, then arbitrary content.
pub(crate) fn png(len: usize) -> Vec<u8> {
    let mut data = b"\x89PNG\r\n\x1a\n".to_vec();
    data.extend((0..len).map(|i| (i * 7 % 251) as u8));
    data
}

/// Uploads to the asset path `path` with `token`; answers the status and text.
pub(crate) async fn upload(s: &TestServer, token: &str, path: &str, filename: &str, data: &[u8]) -> (u16, String) {
    let (content_type, body) = form(filename, "application/x-anything", data);
    let response = burg_testkit::http_client()
        .post(format!("{}/assets/v1/instance/policy/label/{path}", s.base_url()))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assets_upload_download_and_limits() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(s) = TestServer::start_or_skip(backend).await else { continue };
        let c = s.client(Protocol::Rest).await;
        let http = burg_testkit::http_client();
        let base = s.base_url();
        let token = s.admin_token.clone();

        // Upload a logo: stored, named by the preview, served byte for byte.
        let logo = png(40_000);
        assert_eq!(upload(&s, &token, "logo", "brand.png", &logo).await, (200, String::new()), "{backend:?}");
        let (event, payload) = newest_event(&s).await;
        assert_eq!(event, "instance.policy.label.logo.added");
        let key = payload["storeKey"].as_str().unwrap().to_string();
        assert!(key.starts_with("logo-"), "{key}");
        let preview: GetPreviewLabelPolicyResponse =
            c.call("GetPreviewLabelPolicy", GetPreviewLabelPolicyRequest {}).await.unwrap();
        let url = preview.policy.unwrap().logo_url;
        assert!(url.ends_with(&format!("/assets/v1/{}/{key}", s.app.instance_id())), "{url}");
        let active: GetLabelPolicyResponse = c.call("GetLabelPolicy", GetLabelPolicyRequest {}).await.unwrap();
        assert_eq!(active.policy.unwrap().logo_url, "", "not active before the activation");

        let get = |path: String| http.get(path).bearer_auth(&token).send();
        let response = get(format!("{base}/assets/v1/instance/policy/label/logo/_preview")).await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let headers = response.headers().clone();
        assert_eq!(headers["content-type"], "image/png", "read from the bytes, not the declared type");
        assert_eq!(headers["cache-control"], "public, max-age=5, s-maxage=604800");
        let etag = headers["etag"].to_str().unwrap().to_string();
        assert!(headers.contains_key("last-modified"));
        assert_eq!(response.bytes().await.unwrap().as_ref(), logo.as_slice(), "byte for byte");
        let response = get(format!("{base}/assets/v1/instance/policy/label/logo")).await.unwrap();
        assert_eq!(response.status().as_u16(), 404, "the active policy has no logo yet");
        let _: ActivateLabelPolicyResponse =
            c.call("ActivateLabelPolicy", ActivateLabelPolicyRequest {}).await.unwrap();
        let response = get(format!("{base}/assets/v1/instance/policy/label/logo")).await.unwrap();
        assert_eq!(response.bytes().await.unwrap().as_ref(), logo.as_slice());
        // The public URL the policy names, without a token; and a client
        // that holds the file gets 304.
        let response = http.get(&url).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.bytes().await.unwrap().as_ref(), logo.as_slice());
        let response = http.get(&url).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 304);

        // A font, and a dark icon.
        let font = b"wOF2\x00\x01\x00\x00 font data".to_vec();
        assert_eq!(upload(&s, &token, "font", "brand.woff2", &font).await.0, 200);
        let response = get(format!("{base}/assets/v1/instance/policy/label/font/_preview")).await.unwrap();
        assert_eq!(response.headers()["content-type"], "font/woff2");
        assert_eq!(response.bytes().await.unwrap().as_ref(), font.as_slice());
        assert_eq!(upload(&s, &token, "icon/dark", "icon.png", &png(10)).await.0, 200);
        assert_eq!(newest_event(&s).await.0, "instance.policy.label.icon.dark.added");

        // Refused: too big, a wrong type, no token, no permission; nothing written.
        let events = s.event_count().await;
        let (status, text) = upload(&s, &token, "icon", "big.png", &png(600 * 1024)).await;
        assert_eq!((status, text.trim()), (400, "file too big, max file size is 512KB"));
        let (status, text) = upload(&s, &token, "logo", "logo.png", b"just some text").await;
        assert_eq!((status, text.trim()), (400, "invalid content-type: text/plain; charset=utf-8"));
        let (status, text) = upload(&s, &token, "font", "font.ttf", &png(10)).await;
        assert_eq!((status, text.trim()), (400, "invalid content-type: image/png"));
        let (status, _) = upload(&s, "not-a-token", "logo", "logo.png", &png(10)).await;
        assert_eq!(status, 401);
        let response = http.get(format!("{base}/assets/v1/instance/policy/label/logo")).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 401, "downloads by path need iam.policy.read");
        assert_eq!(s.event_count().await, events);

        // Removing the logo removes its bytes.
        let _: RemoveLabelPolicyLogoResponse =
            c.call("RemoveLabelPolicyLogo", RemoveLabelPolicyLogoRequest {}).await.unwrap();
        assert_eq!(
            newest_event(&s).await,
            ("instance.policy.label.logo.removed".into(), serde_json::json!({"storeKey": key}))
        );
        let response = http.get(&url).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 404);
        s.stop().await;
    }
}

/// An organization's own label policy takes its files at ZITADEL's
/// `/assets/v1/org/policy/label/…` paths (the organization of
/// `x-zitadel-orgid`): stored under the organization, named by its preview
/// and, once activated, by its policy; without its own policy the upload
/// is refused with ZITADEL's NotFound.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organizations_branding_files() {
    use burg_api::management as m;
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(s) = TestServer::start_or_skip(backend).await else { continue };
        let c = s.client(Protocol::Rest).await;
        let org: SetUpOrgResponse = c
            .call(
                "SetUpOrg",
                SetUpOrgRequest {
                    org: Some(set_up_org_request::Org { name: "Branded".into(), domain: String::new() }),
                    user: Some(set_up_org_request::User::Human(set_up_org_request::Human {
                        user_name: "brand".into(),
                        profile: Some(set_up_org_request::human::Profile {
                            first_name: "B".into(),
                            last_name: "R".into(),
                            ..Default::default()
                        }),
                        email: Some(set_up_org_request::human::Email {
                            email: "brand@example.com".into(),
                            is_email_verified: true,
                        }),
                        password: "Secr3t-Passw0rd!".into(),
                        ..Default::default()
                    })),
                    roles: vec![],
                },
            )
            .await
            .unwrap();
        let http = burg_testkit::http_client();
        let url = format!("{}/assets/v1/org/policy/label/logo", s.base_url());
        let post = |data: Vec<u8>| {
            let (content_type, body) = form("org.png", "image/png", &data);
            http.post(&url)
                .bearer_auth(&s.admin_token)
                .header("x-zitadel-orgid", &org.org_id)
                .header("content-type", content_type)
                .body(body)
                .send()
        };
        // No policy of its own yet.
        let refused = post(png(1000)).await.unwrap();
        assert_eq!(refused.status().as_u16(), 404, "{backend:?}");
        assert!(refused.text().await.unwrap().contains("ORG-4MVsf"));

        let o = c.with_org(&org.org_id);
        let _: m::AddCustomLabelPolicyResponse =
            o.call("AddCustomLabelPolicy", m::AddCustomLabelPolicyRequest::default()).await.unwrap();
        let logo = png(30_000);
        assert_eq!(post(logo.clone()).await.unwrap().status().as_u16(), 200);
        let (event, payload) = newest_event(&s).await;
        assert_eq!(event, "org.policy.label.logo.added");
        let key = payload["storeKey"].as_str().unwrap().to_string();
        let preview: m::GetPreviewLabelPolicyResponse =
            o.call("GetPreviewLabelPolicy", m::GetPreviewLabelPolicyRequest {}).await.unwrap();
        let logo_url = preview.policy.unwrap().logo_url;
        assert!(logo_url.ends_with(&format!("/assets/v1/{}/{key}", org.org_id)), "{logo_url}");

        let get =
            |path: String| http.get(path).bearer_auth(&s.admin_token).header("x-zitadel-orgid", &org.org_id).send();
        let served = get(format!("{url}/_preview")).await.unwrap();
        assert_eq!(served.status().as_u16(), 200);
        assert_eq!(served.bytes().await.unwrap().as_ref(), logo.as_slice(), "byte for byte");
        let public = http.get(&logo_url).send().await.unwrap();
        assert_eq!(public.bytes().await.unwrap().as_ref(), logo.as_slice());
        // Active only once activated; before, the instance's policy applies (no logo).
        assert_eq!(get(url.clone()).await.unwrap().status().as_u16(), 404);
        let _: m::ActivateCustomLabelPolicyResponse =
            o.call("ActivateCustomLabelPolicy", m::ActivateCustomLabelPolicyRequest {}).await.unwrap();
        let active = get(url.clone()).await.unwrap();
        assert_eq!(active.status().as_u16(), 200);
        assert_eq!(active.bytes().await.unwrap().as_ref(), logo.as_slice());
        // The instance's preview is untouched.
        let instance = http
            .get(format!("{}/assets/v1/instance/policy/label/logo/_preview", s.base_url()))
            .bearer_auth(&s.admin_token)
            .send()
            .await
            .unwrap();
        assert_eq!(instance.status().as_u16(), 404);
        s.stop().await;
    }
}
