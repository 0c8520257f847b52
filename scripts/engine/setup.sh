#!/usr/bin/env bash
# Provides the Pulumi engine Majordome runs under, and prints the folder to put first on PATH.
#
#   bash scripts/engine/setup.sh            # build or reuse; prints the bin folder on stdout
#
# 1. Where a `pulumi` CLI is already on PATH with a Node.js language host beside it (a workstation or a CI
#    runner with the official install), that installation is used as is (MAJORDOME_ENGINE=build overrides).
# 2. Otherwise it builds, with the installed Go toolchain through the Go module proxy:
#      - the Pulumi CLI at the version of the @pulumi/pulumi npm package (tools module scripts/engine/cli),
#      - Majordome's own Node.js language host (scripts/engine/language-host; see its main.go for why),
#      - the dynamic-provider plugin shim (scripts/engine/bin).
#    Builds are cached outside the working tree (MAJORDOME_CACHE, default ~/.cache/majordome), keyed by the
#    inputs' content, so a fresh clone reuses them.
set -euo pipefail
cd "$(dirname "$0")"
ENGINE_DIR=$(pwd)
PULUMI_VERSION=$(node -p 'require("../../node_modules/@pulumi/pulumi/package.json").version' 2>/dev/null || echo 3.248.0)
CACHE="${MAJORDOME_CACHE:-$HOME/.cache/majordome}"
say() { printf 'engine: %s\n' "$*" >&2; }

if [ "${MAJORDOME_ENGINE:-auto}" != build ] && command -v pulumi >/dev/null 2>&1; then
  existing=$(dirname "$(command -v pulumi)")
  if [ -x "$existing/pulumi-language-nodejs" ] || command -v pulumi-language-nodejs >/dev/null 2>&1; then
    if [ ! -f "$existing/.majordome-engine" ]; then
      say "using the pulumi already on PATH: $(command -v pulumi) ($(pulumi version 2>/dev/null || echo unknown version))"
    fi
    echo "$existing"
    exit 0
  fi
fi

if ! command -v go >/dev/null 2>&1; then
  for candidate in /usr/local/go/bin /usr/lib/go/bin; do
    [ -x "$candidate/go" ] && export PATH="$candidate:$PATH" && break
  done
fi
if ! command -v go >/dev/null 2>&1; then
  echo "error: no pulumi CLI on PATH and no Go toolchain to build one" >&2
  echo "  hint: install Pulumi (https://www.pulumi.com/docs/install/) or Go 1.25+, then run npm run engine again" >&2
  exit 2
fi

KEY=$( (go version; echo "$PULUMI_VERSION"; cat cli/go.mod cli/go.sum language-host/go.mod language-host/go.sum language-host/*.go bin/*) | sha256sum | cut -c1-16)
BIN="$CACHE/engine/$KEY/bin"
if [ -f "$BIN/.majordome-engine" ]; then
  say "reusing the engine built earlier ($BIN)"
  echo "$BIN"
  exit 0
fi

start=$(date +%s)
tmp="$CACHE/engine/$KEY/bin.partial"
rm -rf "$tmp" && mkdir -p "$tmp"
export GOFLAGS="-trimpath -mod=readonly" CGO_ENABLED=0
LDFLAGS="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
say "building the Pulumi CLI v$PULUMI_VERSION from its Go module (a few minutes the first time)"
(cd cli && go build -tags osusergo,grpcnotrace -ldflags "$LDFLAGS" -o "$tmp/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
say "building the Node.js language host"
(cd language-host && go build -ldflags "-s -w -X main.version=$PULUMI_VERSION" -o "$tmp/pulumi-language-nodejs" .)
cp bin/pulumi-resource-pulumi-nodejs "$tmp/"
echo "$PULUMI_VERSION" > "$tmp/.majordome-engine"
rm -rf "$BIN" && mv "$tmp" "$BIN"
say "built in $(($(date +%s) - start)) s: $("$BIN/pulumi" version) in $BIN"
echo "$BIN"
