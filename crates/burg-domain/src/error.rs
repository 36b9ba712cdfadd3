//! The error every layer speaks.
//!
//! Each error has a kind (which becomes the gRPC code and the HTTP status at
//! the edge), a stable id in ZITADEL's style (`IDP-x7k2p`) that operators can
//! grep for, and a message for humans. Messages never contain secrets.

use std::fmt;

/// What went wrong, in gRPC's vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    InvalidArgument,
    NotFound,
    AlreadyExists,
    FailedPrecondition,
    PermissionDenied,
    Unauthenticated,
    DeadlineExceeded,
    /// A concurrent write changed the same aggregate; retrying may succeed.
    Aborted,
    Unavailable,
    Unimplemented,
    Internal,
}

/// An error with a kind, a stable id and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub id: &'static str,
    pub message: String,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

macro_rules! constructors {
    ($($name:ident => $kind:ident),* $(,)?) => {
        impl Error {
            $(
                pub fn $name(id: &'static str, message: impl Into<String>) -> Self {
                    Error { kind: ErrorKind::$kind, id, message: message.into() }
                }
            )*
        }
    };
}

constructors! {
    invalid_argument => InvalidArgument,
    not_found => NotFound,
    already_exists => AlreadyExists,
    failed_precondition => FailedPrecondition,
    permission_denied => PermissionDenied,
    unauthenticated => Unauthenticated,
    deadline_exceeded => DeadlineExceeded,
    aborted => Aborted,
    unavailable => Unavailable,
    unimplemented => Unimplemented,
    internal => Internal,
}

impl Error {
    /// Prefixes the message with context, keeping kind and id.
    pub fn context(mut self, what: impl fmt::Display) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.id)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    /// Ids that ZITADEL itself answers from several places; burg keeps
    /// them: its "IdP not found" of the OAuth, Google and SAML updates, and
    /// the AlreadyExists of every unique constraint (an organization's
    /// name, a username), the restrictions' refusal of unsupported
    /// languages and of a list without the default language, and the
    /// login policy factors' and label policy colours' ids.
    const SHARED_BY_ZITADEL: &[&str] =
        &["INST-D3r1s", "V3-DKcYh", "COMMAND-2M9fs", "INSTANCE-2B0ps", "INSTANCE-3M9od", "POLICY-391dG", "ORG-Sjdi3"];

    fn sources(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }

    /// An error id names one place: a log line or an answer that quotes it
    /// leads to one line of code.
    #[test]
    fn every_error_id_is_used_in_one_place() {
        let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        for krate in std::fs::read_dir(&crates).unwrap().flatten() {
            let src = krate.path().join("src");
            if src.is_dir() {
                sources(&src, &mut files);
            }
        }
        let mut places: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            // A file's test module (at its end) may quote ids it expects.
            let code = text.split("#[cfg(test)]\nmod ").next().unwrap_or_default();
            for (line_no, line) in code.lines().enumerate() {
                for quoted in line.split('"').skip(1).step_by(2) {
                    let is_id = quoted.split_once('-').is_some_and(|(area, rest)| {
                        area.len() >= 2
                            && area.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                            && area.starts_with(|c: char| c.is_ascii_uppercase())
                            && rest.len() >= 4
                            && rest.chars().all(|c| c.is_ascii_alphanumeric())
                    });
                    if is_id {
                        places.entry(quoted.to_string()).or_default().push(format!(
                            "{}:{}",
                            file.display(),
                            line_no + 1
                        ));
                    }
                }
            }
        }
        assert!(places.len() > 200, "the ids were found: {}", places.len());
        let twice: Vec<String> = places
            .iter()
            .filter(|(id, at)| at.len() > 1 && !SHARED_BY_ZITADEL.contains(&id.as_str()))
            .map(|(id, at)| format!("{id}: {}", at.join(", ")))
            .collect();
        assert!(twice.is_empty(), "error ids used in more than one place:\n{}", twice.join("\n"));
    }
}
