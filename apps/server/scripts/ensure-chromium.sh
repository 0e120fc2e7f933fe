#!/usr/bin/env bash
# The docs-page test drives a real headless Chromium. Use CHROMIUM_PATH or /usr/bin/chromium;
# when neither exists and we are root on Debian/Ubuntu, install Debian's chromium package.
set -euo pipefail
path="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$path" ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "ensure-chromium: installing Debian's chromium package for the docs-page browser test" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  exit 0
fi
echo "ensure-chromium: no Chromium at $path. Install it (Debian: apt-get install chromium) or set CHROMIUM_PATH." >&2
exit 1
