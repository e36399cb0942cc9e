#!/usr/bin/env bash
# `npm run provision`: installs the real parts the tests run against on a Debian or Ubuntu machine
# (a registry, skopeo, umoci, PostgreSQL, rsync, git, the shells and xmllint the CLI tests use,
# and Debian's own older Node.js, which the Node-version guard test runs the bundles with). Run it
# once before `npm test` on a fresh machine; .ci/run runs exactly this. Idempotent: installs
# only what is missing.
set -euo pipefail

debs=(docker-registry skopeo umoci postgresql rsync git nodejs systemd zsh fish libxml2-utils openssl)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "provision: all of ${debs[*]} installed"
  exit 0
fi
echo "provision: installing Debian packages: ${missing[*]}"
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo_cmd apt-get update -qq
$sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
