#!/usr/bin/env bash
# Installs the Debian packages the test suite runs against (real servers, ldirectord,
# keepalived, iproute2, nftables...). Each test area lists its packages in
# test/setup/apt-packages.d/*.txt (one package per line, '#' comments). Idempotent:
# only missing packages are installed, so a second run costs a dpkg query.
# Needs root for apt-get; when not root and something is missing it fails, unless
# HALDIR_ALLOW_SKIP=1 (a local unprivileged run that accepts skipped tests). Then it
# checks that every program in test/setup/required-commands.txt can be found.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mapfile -t wanted < <(cat "$here"/apt-packages.d/*.txt 2>/dev/null | sed 's/#.*//' | tr -s ' \t' '\n' | sed '/^$/d' | sort -u)
check_commands() {
  local bad=() cmd pkg
  while read -r cmd pkg; do
    PATH="$PATH:/usr/sbin:/sbin" command -v "$cmd" >/dev/null 2>&1 || bad+=("$cmd (package $pkg)")
  done < <(sed 's/#.*//' "$here/required-commands.txt" | sed '/^[[:space:]]*$/d')
  if [ "${#bad[@]}" -gt 0 ]; then
    echo "system-deps: programs the tests run are missing: ${bad[*]}" >&2
    [ "${HALDIR_ALLOW_SKIP:-}" = 1 ] || exit 1
  fi
}
[ "${#wanted[@]}" -gt 0 ] || { check_commands; exit 0; }
missing=()
for p in "${wanted[@]}"; do
  st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$st" = "installed" ] || missing+=("$p")
done
[ "${#missing[@]}" -gt 0 ] || { echo "system-deps: all ${#wanted[@]} packages present"; check_commands; exit 0; }
if [ "$(id -u)" != 0 ]; then
  echo "system-deps: not root; missing Debian packages: ${missing[*]} (run this script as root, or set HALDIR_ALLOW_SKIP=1 to run what can run)" >&2
  [ "${HALDIR_ALLOW_SKIP:-}" = 1 ] && exit 0
  exit 1
fi
echo "system-deps: installing ${missing[*]}"
exec 9>/tmp/haldir-apt.lock; flock 9
export DEBIAN_FRONTEND=noninteractive
# Debian's maintainer scripts would start the servers we install (postgresql, slapd,
# dovecot...); the tests start their own instances on loopback, so forbid that.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; created_policy=1; fi
trap '[ "$created_policy" = 1 ] && rm -f "$policy"' EXIT
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/haldir-apt.log 2>&1 || { tail -30 /tmp/haldir-apt.log >&2; exit 1; }
echo "system-deps: installed ${#missing[@]} packages"
check_commands
