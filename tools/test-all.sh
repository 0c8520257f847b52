#!/usr/bin/env bash
# `npm test`: everything CI checks, in the order that fails fastest.
#   1. lint and format (eslint, prettier --check)
#   2. type-check (strict TypeScript, tests included)
#   3. build dist/ (the CLI and the Pulumi program run from it)
#   4. the engine and test hosts the integration tests need (built or reused from the cache)
#   5. unit tests, then integration tests (real engine, real providers, real SSH server)
set -euo pipefail
cd "$(dirname "$0")/.."
# Go is needed for the engine build and the emulator's go-ovh test; Debian's Go lives outside the default PATH.
command -v go >/dev/null 2>&1 || export PATH="/usr/local/go/bin:$PATH"

step() { printf '\n== %s\n' "$*" >&2; }

step "lint"
npx eslint .
npx prettier --check . >/dev/null || { npx prettier --check .; exit 1; }

step "type-check"
npx tsc -p tsconfig.json --noEmit

step "build"
npm run -s build

if [ -f tools/test-setup.sh ]; then
  step "integration set-up"
  bash tools/test-setup.sh
fi

step "unit tests"
npx jest --selectProjects unit

step "integration tests"
# --forceExit: the Automation API leaves a gRPC channel open after the last stack operation.
npx jest --selectProjects integration --runInBand --forceExit
