#!/usr/bin/env bash
# Provides the S3-compatible server the team-state tests run against (SeaweedFS's `weed`), and prints its path.
#
#   bash tools/s3server/setup.sh            # build or reuse; prints the binary's path on stdout
#
# SeaweedFS (Apache-2.0) is a real S3 gateway teams run in production, unlike in-process fakes, so the tests
# exercise the engine's S3 client, its locking and its error paths end to end. It is built from the Go module
# proxy at a pinned version and cached outside the working tree (MAJORDOME_CACHE, default ~/.cache/majordome):
# neither its source nor its 230 MB binary ever enters the repository.
#
# Its go.mod carries a `replace` directive, so `go install module@version` is refused; the module is downloaded
# into the module cache (read-only), copied to a writable temporary folder and built there with its own go.mod.
# The build takes about 4-5 minutes and 2.7 GB of memory on 2 cores the first time: it runs under `nice`.
set -euo pipefail
cd "$(dirname "$0")"
MODULE=github.com/seaweedfs/seaweedfs
VERSION=v0.0.0-20261109003541-7506e5f91cd6
CACHE="${MAJORDOME_CACHE:-$HOME/.cache/majordome}"
DEST="$CACHE/s3server/$VERSION"
BIN="$DEST/weed"
say() { printf 's3server: %s\n' "$*" >&2; }

if [ -x "$BIN" ]; then
  say "reusing SeaweedFS built earlier ($BIN)"
  echo "$BIN"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  for candidate in /usr/local/go/bin /usr/lib/go/bin; do
    [ -x "$candidate/go" ] && export PATH="$candidate:$PATH" && break
  done
fi
if ! command -v go >/dev/null 2>&1; then
  echo "error: no Go toolchain to build the S3 test server (SeaweedFS)" >&2
  echo "  hint: install Go 1.26+ (https://go.dev/dl/), then run bash tools/s3server/setup.sh again" >&2
  exit 2
fi

start=$(date +%s)
mkdir -p "$DEST"
work=$(mktemp -d "$DEST/build.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
say "downloading $MODULE@$VERSION from the Go module proxy"
# `go mod download -json` must run outside any module that would constrain it: use the empty temporary folder.
moddir=$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "$MODULE@$VERSION" | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const info = JSON.parse(s);
    if (info.Error || !info.Dir) { console.error(info.Error || "no Dir in go mod download output"); process.exit(1); }
    console.log(info.Dir);
  });')
cp -r "$moddir" "$work/src"
chmod -R u+w "$work/src"
say "building weed (CGO_ENABLED=0; a few minutes the first time)"
(cd "$work/src" && CGO_ENABLED=0 GOFLAGS="-trimpath -mod=mod" nice -n 10 go build -ldflags "-s -w" -o "$work/weed" ./weed)
mv "$work/weed" "$BIN.partial" && mv "$BIN.partial" "$BIN"
say "built in $(($(date +%s) - start)) s: $("$BIN" version 2>/dev/null | head -1) in $BIN"
echo "$BIN"
