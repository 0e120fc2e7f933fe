#!/usr/bin/env bash
# The scale tests run real PgBouncer, HAProxy and PostgreSQL 15 servers from Debian's packages.
# Usage: ensure-debian-packages.sh pgbouncer haproxy postgresql-15
# Installs the missing ones when root on Debian/Ubuntu; otherwise says which to install and fails.
set -euo pipefail
missing=()
for package in "$@"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "ensure-debian-packages: installing ${missing[*]} from Debian for the scale tests" >&2
  apt-get update -qq
  # policy-rc.d 101: install the binaries without starting the packages' own services.
  policy=/usr/sbin/policy-rc.d
  created_policy=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [ "$created_policy" = 1 ]; then rm -f "$policy"; fi
  exit 0
fi
echo "ensure-debian-packages: missing ${missing[*]}. Install them (Debian: apt-get install ${missing[*]}); the scale tests need the real servers." >&2
exit 1
