//! SAML: metadata from a URL, and the service provider's certificates.

use std::sync::Arc;

use burg_api::admin::*;
use burg_api::idp::{self as pb, provider_config::Config as C};
use burg_testkit::{Client, TestServer, matrix};
use tonic::Code;

use super::cases::*;

matrix!(saml_certificates_are_generated_and_regenerated);

/// Serves `body` once per connection on a loopback port: a real HTTP
/// server for SAML metadata URLs.
pub async fn serve_document(body: &'static str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = vec![0u8; 4096];
            let _ = socket.read(&mut buf).await;
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/xml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(response.as_bytes()).await;
        }
    });
    format!("http://{addr}/metadata")
}

async fn saml_certificates_are_generated_and_regenerated(s: Arc<TestServer>, c: Client) {
    let url = serve_document(SAML_METADATA).await;
    let added: AddSamlProviderResponse = c
        .call(
            "AddSAMLProvider",
            AddSamlProviderRequest {
                name: "SAML by URL".into(),
                metadata: Some(add_saml_provider_request::Metadata::MetadataUrl(url)),
                binding: pb::SamlBinding::Post as i32,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let idp = get(&c, &added.id).await.unwrap();
    match idp.config.unwrap().config.unwrap() {
        C::Saml(saml) => assert_eq!(saml.metadata_xml, SAML_METADATA.as_bytes(), "the fetched document is kept"),
        other => panic!("{other:?}"),
    }
    let first = s.app.saml_sp_certificate(&added.id).await.unwrap();
    assert!(first.starts_with("-----BEGIN CERTIFICATE-----"), "{first}");

    let regenerated: RegenerateSamlProviderCertificateResponse = c
        .call("RegenerateSAMLProviderCertificate", RegenerateSamlProviderCertificateRequest { id: added.id.clone() })
        .await
        .unwrap();
    let details = regenerated.details.unwrap();
    assert!(details.creation_date.is_none() && details.change_date.is_some(), "a change: {details:?}");
    assert!(details.sequence > idp.details.unwrap().sequence);
    let second = s.app.saml_sp_certificate(&added.id).await.unwrap();
    assert_ne!(first, second, "a new certificate replaces the old");

    // An update keeps the certificate.
    update(&c, Kind::Saml, &added.id, "SAML renamed", "").await.unwrap();
    assert_eq!(s.app.saml_sp_certificate(&added.id).await.unwrap(), second);

    let jwt = add(&c, Kind::Jwt, "Not SAML", "").await.unwrap();
    for id in [jwt, "987654".to_string()] {
        let err = c
            .call::<_, RegenerateSamlProviderCertificateResponse>(
                "RegenerateSAMLProviderCertificate",
                RegenerateSamlProviderCertificateRequest { id },
            )
            .await
            .unwrap_err();
        assert_eq!(err.code, Code::NotFound);
    }
}
