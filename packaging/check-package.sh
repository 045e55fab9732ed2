#!/bin/sh
# Checks a built paddock .deb (make package): lintian fails on any error and on any warning
# the package does not override with a reason (packaging/lintian-overrides); systemd-analyze
# verify checks the unit with the package's files unpacked into a temp root, so that the
# binary its ExecStart names exists there, next to the host's systemd units (the targets its
# default dependencies name), as the systemd package it depends on would put them.
set -eu
deb="$1"
echo "lintian $deb"
lintian --fail-on error,warning --display-level '>=warning' --show-overrides "$deb"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/lib/systemd/system"
cp -a /lib/systemd/system/. "$root/lib/systemd/system/"
dpkg-deb -x "$deb" "$root"
echo "systemd-analyze verify paddock.service"
systemd-analyze verify --man=no --root="$root" "$root/lib/systemd/system/paddock.service"
echo "package ok: $deb"
