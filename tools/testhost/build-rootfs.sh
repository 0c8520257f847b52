#!/usr/bin/env bash
# Builds (once) the minimal Debian root file system that integration tests boot as SSH-reached "hosts":
# debootstrap minbase + OpenSSH server, host keys, and a few small packages pre-downloaded into apt's cache
# so build steps can really install them during tests without reaching any network.
# The result is cached outside the working tree (MAJORDOME_CACHE, default ~/.cache/majordome), keyed by
# this script's content, so a fresh clone reuses it. Requires root (debootstrap, chroot).
set -euo pipefail

CACHE="${MAJORDOME_CACHE:-$HOME/.cache/majordome}"
SUITE=bookworm
KEY=$(sha256sum "$0" | cut -c1-12)
ROOTFS="$CACHE/testhost/rootfs-$SUITE-$KEY"
# Packages tests install through build steps; downloaded now, installed (offline) by the tests.
TEST_PACKAGES="tree unattended-upgrades rsyslog rsyslog-gnutls prometheus-node-exporter curl"

if [ -f "$ROOTFS/.majordome-ready" ]; then
  echo "test host root file system: cached at $ROOTFS" >&2
  echo "$ROOTFS"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "error: building the test host root file system needs root (debootstrap, chroot)" >&2
  exit 2
fi
if ! command -v debootstrap >/dev/null; then
  echo "installing debootstrap (Debian package)" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi
MIRROR=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
MIRROR="${MIRROR:-http://deb.debian.org/debian}"

start=$(date +%s)
tmp="$ROOTFS.partial"
rm -rf "$tmp"
mkdir -p "$(dirname "$ROOTFS")"
echo "building the test host root file system ($SUITE minbase + openssh-server) in $tmp" >&2
debootstrap --variant=minbase --include=openssh-server,passwd,sudo "$SUITE" "$tmp" "$MIRROR" >&2
chroot "$tmp" /bin/sh -c "apt-get update -qq && apt-get install -y -qq --download-only $TEST_PACKAGES && ssh-keygen -A" >&2
rm -f "$tmp/etc/ssh/sshd_config.d/"*.conf
cat > "$tmp/etc/ssh/sshd_config.d/majordome-test.conf" <<'CONF'
PermitRootLogin prohibit-password
PasswordAuthentication no
UsePAM no
PrintMotd no
CONF
mkdir -p "$tmp/run/sshd" "$tmp/root/.ssh"
chmod 700 "$tmp/root/.ssh"
touch "$tmp/.majordome-ready"
mv "$tmp" "$ROOTFS"
echo "test host root file system ready in $(($(date +%s) - start)) s: $ROOTFS" >&2
echo "$ROOTFS"
