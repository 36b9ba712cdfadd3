//! The instance's default login policy and its identity providers.
