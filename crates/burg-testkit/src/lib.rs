//! Real burg servers for tests.
//!
//! [`TestServer::start`] creates a fresh SQLite file or a fresh PostgreSQL
//! database (on 127.0.0.1:5432, trust auth; dropped afterwards), opens the
//! app on it and serves on a random port. [`Client`] speaks REST, gRPC or
//! gRPC-Web to it with the same typed messages, so one test body covers
//! every protocol.
//!
//! A test that needs PostgreSQL fails when it is missing and `CI=true`; on a
//! developer machine it is skipped with a message.
// A dependency nothing uses fails the lints (unit tests use dev-dependencies).
#![cfg_attr(not(test), deny(unused_crate_dependencies))]

pub mod bench_data;
mod client;
pub mod emulators;
pub mod load;
pub mod process;
mod server;
pub mod store_dump;

pub use client::{ApiError, Client, Protocol, grpc_web_call, http_client};
pub use server::{Backend, TestServer, test_app_config};

/// Whether we run under CI, where missing services are failures.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Declares one `#[tokio::test]` per backend × protocol for an async test
/// function `fn(TestServer, Client)`.
#[macro_export]
macro_rules! matrix {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                use super::*;
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite_rest() {
                    $crate::run_case($crate::Backend::Sqlite, $crate::Protocol::Rest, |s, c| Box::pin(super::$name(s, c))).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite_grpc() {
                    $crate::run_case($crate::Backend::Sqlite, $crate::Protocol::Grpc, |s, c| Box::pin(super::$name(s, c))).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres_rest() {
                    $crate::run_case($crate::Backend::Postgres, $crate::Protocol::Rest, |s, c| Box::pin(super::$name(s, c))).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres_grpc() {
                    $crate::run_case($crate::Backend::Postgres, $crate::Protocol::Grpc, |s, c| Box::pin(super::$name(s, c))).await
                }
            }
        )*
    };
}

/// Declares one `#[tokio::test]` per async test function
/// `fn(TestServer, Client)`, run once, on SQLite, with its requests handed to
/// the router without a socket ([`Protocol::InProcess`]): for validation,
/// permission and error cases, which the transport and the backend do not
/// change. Behaviour goes through [`matrix!`].
#[macro_export]
macro_rules! in_process {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                use super::*;
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn in_process() {
                    $crate::run_case($crate::Backend::Sqlite, $crate::Protocol::InProcess, |s, c| Box::pin(super::$name(s, c))).await
                }
            }
        )*
    };
}

/// Starts a server (or skips, off CI, when the backend is missing) and runs
/// the case with an admin client of `protocol`.
pub async fn run_case<F>(backend: Backend, protocol: Protocol, case: F)
where
    F: FnOnce(std::sync::Arc<TestServer>, Client) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>,
{
    let Some(server) = TestServer::start_or_skip(backend).await else {
        return;
    };
    let server = std::sync::Arc::new(server);
    let client = server.client(protocol).await;
    case(server.clone(), client).await;
    server.stop().await;
}
