//! The states and types that read tables store as integers, named.
//!
//! The numbers are ZITADEL's enum values (`zitadel.user.v1.UserState`,
//! `zitadel.org.v1.OrgState`, `zitadel.idp.v1.IDPState`, …), so a stored
//! value is also its wire value. The store binds
//! [`code`](UserType::code) and reads rows back with `from_code`; nothing
//! else spells the numbers.

/// Defines a stored enum: its variants with their codes, `code` and
/// `from_code`.
macro_rules! stored_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// The stored (and wire) number.
            pub const fn code(self) -> i64 {
                match self {
                    $($name::$variant => $code,)+
                }
            }

            /// The value stored as `code`; `None` for a number it does not know.
            pub const fn from_code(code: i64) -> Option<Self> {
                match code {
                    $($code => Some($name::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

stored_enum! {
    /// `users.user_type`.
    UserType {
        Human = 1,
        Machine = 2,
    }
}

stored_enum! {
    /// `users.state`.
    UserState {
        Active = 1,
        Inactive = 2,
        Locked = 4,
        /// Added without a verified address or a way to sign in: an
        /// initialization code is out (`user.human.initialization.code.added`).
        Initial = 6,
    }
}

stored_enum! {
    /// `orgs.state`.
    OrgState {
        Active = 1,
        Inactive = 2,
    }
}

stored_enum! {
    /// `org_domains.validation_type`: how a domain was (or is to be)
    /// proven.
    DomainValidationType {
        /// Not proven by a challenge (added verified, or not verified).
        Unspecified = 0,
        Http = 1,
        Dns = 2,
    }
}

stored_enum! {
    /// `instances.state` (`zitadel.instance.v1.State`).
    InstanceState {
        Creating = 1,
        Running = 2,
        Stopping = 3,
        Stopped = 4,
    }
}

stored_enum! {
    /// `idp_templates.state` (`zitadel.idp.v1.IDPState`).
    IdpState {
        Active = 1,
        Inactive = 2,
    }
}

stored_enum! {
    /// `idp_templates.owner_type`: whose template it is
    /// (`zitadel.idp.v1.IDPOwnerType`).
    IdpOwnerType {
        /// The instance's.
        System = 1,
        /// An organization's.
        Org = 2,
    }
}

stored_enum! {
    /// `login_policy_idps.owner_type`: whose template a login policy
    /// offers (`zitadel.idp.v1.IDPOwnerType`). Its events number it as
    /// ZITADEL's domain does ([`IdpProviderType::event_code`]).
    IdpProviderType {
        /// The instance's.
        System = 1,
        /// The organization's own.
        Org = 2,
    }
}

impl IdpProviderType {
    /// The `idpProviderType` of a login policy's IdP events: ZITADEL's
    /// `domain.IdentityProviderType`, 0 for the instance's (left out of
    /// the payload) and 1 for an organization's.
    pub const fn event_code(self) -> i32 {
        match self {
            IdpProviderType::System => 0,
            IdpProviderType::Org => 1,
        }
    }

    /// The owner a `DataOrg` login policy's `idps[].ownerType` names, as
    /// its enum name or number: the organization for ORG, else the
    /// instance.
    pub fn of_owner_type(owner_type: &serde_json::Value) -> Self {
        if *owner_type == "IDP_OWNER_TYPE_ORG" || *owner_type == 2 {
            IdpProviderType::Org
        } else {
            IdpProviderType::System
        }
    }

    /// The owner an event's `idpProviderType` names (absent is 0).
    pub const fn from_event_code(code: i64) -> Option<Self> {
        match code {
            0 => Some(IdpProviderType::System),
            1 => Some(IdpProviderType::Org),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_match_zitadels_numbers() {
        for (t, code) in [(UserType::Human, 1), (UserType::Machine, 2)] {
            assert_eq!((t.code(), UserType::from_code(code)), (code, Some(t)));
        }
        for (s, code) in [(UserState::Active, 1), (UserState::Inactive, 2), (UserState::Initial, 6)] {
            assert_eq!((s.code(), UserState::from_code(code)), (code, Some(s)));
        }
        for (s, code) in [(OrgState::Active, 1), (OrgState::Inactive, 2)] {
            assert_eq!((s.code(), OrgState::from_code(code)), (code, Some(s)));
        }
        for (t, code) in
            [(DomainValidationType::Unspecified, 0), (DomainValidationType::Http, 1), (DomainValidationType::Dns, 2)]
        {
            assert_eq!((t.code(), DomainValidationType::from_code(code)), (code, Some(t)));
        }
        for (s, code) in [
            (InstanceState::Creating, 1),
            (InstanceState::Running, 2),
            (InstanceState::Stopping, 3),
            (InstanceState::Stopped, 4),
        ] {
            assert_eq!((s.code(), InstanceState::from_code(code)), (code, Some(s)));
        }
        for (s, code) in [(IdpState::Active, 1), (IdpState::Inactive, 2)] {
            assert_eq!((s.code(), IdpState::from_code(code)), (code, Some(s)));
        }
        for (o, code) in [(IdpOwnerType::System, 1), (IdpOwnerType::Org, 2)] {
            assert_eq!((o.code(), IdpOwnerType::from_code(code)), (code, Some(o)));
        }
        for (o, code, event_code) in [(IdpProviderType::System, 1, 0), (IdpProviderType::Org, 2, 1)] {
            assert_eq!((o.code(), IdpProviderType::from_code(code)), (code, Some(o)));
            assert_eq!((o.event_code(), IdpProviderType::from_event_code(event_code.into())), (event_code, Some(o)));
        }
        assert_eq!(IdpProviderType::from_event_code(2), None);
        assert_eq!(UserType::from_code(0), None);
        assert_eq!(OrgState::from_code(3), None);
    }
}
