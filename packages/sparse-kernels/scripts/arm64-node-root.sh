#!/usr/bin/env bash
# Unpacks Debian's arm64 Node.js, and the arm64 libraries and Node modules it needs, into a
# folder: `qemu-aarch64-static -L <folder> <folder>/usr/bin/node` is then a real arm64 Node, in
# which the linux-arm64 prebuilt binary is loaded (scripts/consumer-test.mjs,
# POFA_ARM64_NODE_ROOT). Needs `dpkg --add-architecture arm64` and `apt-get update` first (as
# root; .ci/run does both); downloads about 15 MB and installs nothing.
set -euo pipefail
root="$(realpath -m "$1")"
mkdir -p "$root/debs"
cd "$root/debs"
packages=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances \
  --no-pre-depends nodejs:arm64 | grep -v '^[ <]' | grep -E ':arm64$|^node-' | grep -vE '^(dpkg|tar|install-info):' | sort -u)
# shellcheck disable=SC2086
apt-get download $packages >/dev/null 2>&1 || apt-get download $packages
for deb in *.deb; do dpkg -x "$deb" "$root"; done
rm -rf "$root/debs"
echo "arm64 Node.js: $root/usr/bin/node (run it with qemu-aarch64-static -L $root)"
