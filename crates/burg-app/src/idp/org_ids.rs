//! ZITADEL's error ids for an organization's templates. Its commands for
//! them (`internal/command/org_idp.go`) check what the instance's check,
//! mostly with the instance's id under the `ORG-` prefix, some with ids of
//! their own; the kinds declare the instance's ids, and an organization's
//! call answers with the id this table gives for it.

use burg_domain::idp::Kind;

/// The organization's id for the instance's `id` (an id that both scopes
/// share, or that no table names, as it is).
pub(super) fn of(id: &'static str) -> &'static str {
    let Some(suffix) = id.strip_prefix("INST-") else { return id };
    ORG_IDS.iter().find(|(inst, _)| inst.contains(&suffix)).map(|(_, org)| *org).unwrap_or(id)
}

/// The id of an update that names no organization's template of `kind`
/// (the instance's code gives some kinds one id).
pub(super) fn update_not_found(kind: Kind) -> &'static str {
    match kind {
        Kind::Oidc => "ORG-Dg331",
        Kind::Jwt => "ORG-Bhju5",
        Kind::Ldap => "ORG-ASF3F",
        Kind::Oauth => "ORG-JNsd3",
        Kind::Azure => "ORG-BHz3q",
        Kind::Github => "ORG-Dr1gs",
        Kind::GithubEnterprise => "ORG-GBr42",
        Kind::Gitlab => "ORG-HBReq",
        Kind::GitlabSelfHosted => "ORG-D2tg1",
        Kind::Google => "ORG-Dqrg1",
        Kind::Apple => "ORG-SG3bh",
        Kind::Saml => "ORG-z82dddndql",
    }
}

/// The instance's ids (without their `INST-` prefix) → the organization's
/// id. Ids marked "(burg)" are checks ZITADEL's organization code does not
/// name; they take the `ORG-` prefix.
const ORG_IDS: &[(&[&str], &str)] = &[
    // Generic OAuth.
    (&["D32ef", "Sf3gh"], "ORG-D32ef"),
    (&["Dbgzf", "SHJ3ui"], "ORG-Dbgzf"),
    (&["B23bs", "SVrgh"], "ORG-B23bs"),
    (&["D2gj8", "DJKeio"], "ORG-D2gj8"),
    (&["Fb8jk", "ILSJi"], "ORG-Fb8jk"),
    (&["sdf3f"], "ORG-sadf3d"),
    (&["JKD3h"], "ORG-SAe4gh"),
    (&["DF4ga"], "ORG-DF4ga"),
    (&["SAffg"], "ORG-asfsa"),
    // Generic OIDC.
    (&["Sgtj5"], "ORG-Sgtj5"),
    (&["Hz6zj"], "ORG-Hz6zj"),
    (&["fb5jm"], "ORG-fb5jm"),
    (&["Sfdf4"], "ORG-Sfdf4"),
    (&["SAfd3"], "ORG-SAfd3"),
    (&["Dvf4f"], "ORG-Dvf4f"),
    (&["BDfr3"], "ORG-BDfr3"),
    (&["Db3bs"], "ORG-Db3bs"),
    // JWT.
    (&["JLKef"], "ORG-JLKef"),
    (&["WNJK3"], "ORG-WNJK3"),
    (&["NJKSD"], "ORG-NJKSD"),
    (&["NJKE3"], "ORG-NJKE3"),
    (&["2rlks"], "ORG-2rlks"),
    (&["HUe3q"], "ORG-HUe3q"),
    (&["JKLS2"], "ORG-JKLS2"),
    (&["JKs3f"], "ORG-JKs3f"),
    (&["NJKS2"], "ORG-NJKS2"),
    (&["SJk2d"], "ORG-SJk2d"),
    (&["SJK2f"], "ORG-SJK2f"),
    // Azure AD (and the migration to it).
    (&["sdf3g"], "ORG-sdf3g"),
    (&["Fhbr2"], "ORG-Fhbr2"),
    (&["Dzh3g"], "ORG-Dzh3g"),
    (&["SAgh2"], "ORG-SAgh2"),
    (&["fh3h1"], "ORG-fh3h1"),
    (&["dmitg"], "ORG-dmitg"),
    // GitHub.
    (&["Jdsgf"], "ORG-Jdsgf"),
    (&["dsgz3"], "ORG-dsgz3"),
    (&["sdf4h"], "ORG-sdf4h"),
    (&["fdh5z"], "ORG-fdh5z"),
    // GitHub Enterprise Server.
    (&["Dg4td"], "ORG-Dg4td"),
    (&["dgj53"], "ORG-dgj53"),
    (&["Ghjjs"], "ORG-Ghjjs"),
    (&["sani2"], "ORG-sani2"),
    (&["agj42"], "ORG-agj42"),
    (&["sd5hn"], "ORG-sd5hn"),
    (&["sdfh3"], "ORG-sdfh3"),
    (&["shj42"], "ORG-shj42"),
    (&["sdh73"], "ORG-sdh73"),
    (&["acx2w"], "ORG-acx2w"),
    (&["dgj6q"], "ORG-dgj6q"),
    (&["ybj62"], "ORG-ybj62"),
    // GitLab.
    (&["adsg2"], "ORG-adsg2"),
    (&["GD1j2"], "ORG-GD1j2"),
    (&["HJK91"], "ORG-HJK91"),
    (&["D12t6"], "ORG-D12t6"),
    // GitLab self-hosted.
    (&["jw4ZT"], "ORG-jw4ZT"),
    (&["AST4S"], "ORG-AST4S"),
    (&["DBZHJ"], "ORG-DBZHJ"),
    (&["SDGJ4"], "ORG-SDGJ4"),
    (&["SAFG4"], "ORG-SAFG4"),
    (&["DG4H"], "ORG-DG4H"),
    (&["SD4eb"], "ORG-SD4eb"),
    (&["GHWE3"], "ORG-GHWE3"),
    // Google (and the migration to it).
    (&["D3fvs"], "ORG-D3fvs"),
    (&["W2vqs"], "ORG-W2vqs"),
    (&["S32t1"], "ORG-S32t1"),
    (&["ds432"], "ORG-ds432"),
    // LDAP.
    (&["SAfdd"], "ORG-SAfdd"),
    (&["sv31s"], "ORG-sv31s"),
    (&["sdgf4"], "ORG-sdgf4"),
    (&["AEG2w"], "ORG-AEG2w"),
    (&["SAD5n"], "ORG-SAD5n"),
    (&["SAx905n"], "ORG-SAy945n"),
    (&["S1x905n"], "ORG-S1x705n"),
    (&["aAx905n"], "ORG-aAx9x1n"),
    (&["Dgdbs"], "ORG-Dgdbs"),
    (&["Sffgd"], "ORG-Sffgd"),
    (&["vb3ss"], "ORG-vb3ss"),
    (&["hbere"], "ORG-hbere"),
    (&["DG45z"], "ORG-DG45z"),
    (&["SAx945n"], "ORG-Sxx945n"),
    (&["S1x605n"], "ORG-S1p605n"),
    (&["aAx901n"], "ORG-aBx901n"),
    (&["cwqVVdBwKt"], "ORG-cwqVVdBwKt"), // (burg) the root CA
    // Apple.
    (&["jkn3w"], "ORG-jkn3w"),
    (&["Ffg32"], "ORG-Ffg32"),
    (&["GDjm5"], "ORG-GDjm5"),
    (&["GVD4n"], "ORG-GVD4n"),
    (&["Fk38d"], "ORG-Fk38d"), // (burg) a private key that is not one
    (&["FRHBH"], "ORG-FRHBH"),
    (&["SFm4l"], "ORG-SFm4l"),
    (&["SG34t"], "ORG-SG34t"),
    (&["Gh4z2"], "ORG-Gh4z2"),
    (&["eWSDf"], "ORG-eWSDf"), // (burg) a private key that is not one
    // SAML.
    (&["o07zjotgnd"], "ORG-957lr0f8u3"),
    (&["3bi3esi16t"], "ORG-78isv6m53a"),
    (&["8vam1khq22"], "ORG-ipzxvf3cv2"),
    (&["SF3rwhgh"], "ORG-SF3rwhgh"), // (burg) metadata that is not SAML metadata
    (&["7o3rq1owpm"], "ORG-wwdwdlaya0"),
    (&["q2s9rak7o9"], "ORG-egixaofgyl"),
    (&["iijz4h01if"], "ORG-bkaiyd3rfo"),
    (&["iw1rxnf4sf"], "ORG-j6spncd74m"),
    (&["dsfj3kl2"], "ORG-dsfj3kl2"), // (burg) metadata that is not SAML metadata
    // RegenerateSAMLProviderCertificate.
    (&["7de108gqya"], "ORG-arv4vdrb6c"),
    (&["76dbwsv9vm"], "ORG-4dw21ch9o9"),
    // DeleteProvider.
    (&["Se3tg"], "ORG-Se3tg"),
    // MigrateGenericOIDCProvider: ZITADEL's organization code answers with
    // `INST-` ids of its own.
    (&["Dg29201"], "INST-Dg239201"),
    (&["Dg29202"], "INST-x09981"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_instance_id_is_named_once() {
        let all: Vec<&str> = ORG_IDS.iter().flat_map(|(inst, _)| inst.iter().copied()).collect();
        for (i, inst) in all.iter().enumerate() {
            assert!(!all[..i].contains(inst), "{inst} twice");
        }
        for (_, org) in ORG_IDS {
            assert!(org.starts_with("ORG-") || org.starts_with("INST-"), "{org}");
        }
        assert_eq!(of("INST-Sf3gh"), "ORG-D32ef");
        assert_eq!(of("INST-SAx905n"), "ORG-SAy945n");
        assert_eq!(of("IDP-saml02"), "IDP-saml02", "burg's own ids stay");
    }
}
