#!/usr/bin/env bash
# Debian packages the test suite runs besides Node: promtool (package prometheus) checks the metrics
# exposition and the alert rules. Installed from apt when missing, which needs root or sudo.
set -euo pipefail

missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing Debian packages the tests need: ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "cannot install ${missing[*]}: run as root, or install them with apt-get install ${missing[*]}" >&2
  exit 1
fi
apt_install() {
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}
# A fresh machine may have no package lists yet.
apt_install >/dev/null 2>&1 || { "${as_root[@]}" apt-get update >/dev/null && apt_install >/dev/null; }
