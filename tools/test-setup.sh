#!/usr/bin/env bash
# Installs and builds what the integration tests need, once (everything is cached outside the working tree):
#   - Debian packages: openssh-client (ssh, ssh-keygen) and debootstrap, when missing (needs root);
#   - the Pulumi engine (scripts/engine/setup.sh);
#   - the test hosts' root file system (tools/testhost/build-rootfs.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# Go is needed for the engine build and the emulator's go-ovh test; Debian's Go lives outside the default PATH.
command -v go >/dev/null 2>&1 || export PATH="/usr/local/go/bin:$PATH"
missing=()
command -v ssh >/dev/null 2>&1 || missing+=(openssh-client)
command -v ssh-keygen >/dev/null 2>&1 || missing+=(openssh-client)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
command -v unshare >/dev/null 2>&1 || missing+=(util-linux)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "error: the integration tests need these Debian packages: ${missing[*]} (run as root, or install them)" >&2
    exit 2
  fi
  echo "installing Debian packages: ${missing[*]}" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
bash scripts/engine/setup.sh >/dev/null
# The emulator test drives the emulator with the real OVH Go client; fetch its module now, so tests run offline.
(cd tests/emulator-client && go mod download)
bash tools/testhost/build-rootfs.sh >/dev/null
bash tools/s3server/setup.sh >/dev/null # SeaweedFS: the S3-compatible server of the team-state tests
