#!/usr/bin/env bash
# Regenerates assets/graphiql/: the browser builds of GraphiQL and React that the
# server embeds (include_bytes!) and serves under /graphiql/, so GET /graphql works
# on a network without internet access. Each package is fetched from the npm
# registry with `npm pack` at a pinned version and refused unless its tarball
# matches the pinned sha512 integrity. Run it to refresh the assets; the output is
# committed. To move to other versions, change VERSION and INTEGRITY below (the
# integrity is `npm view <pkg>@<version> dist.integrity`) and check the page in a
# browser (cargo test --test graphiql).
#
# GraphiQL 3.x is the last major line whose UMD bundle works with React 18's UMD
# builds (React 19 ships no UMD build; GraphiQL 5 ships none either).
set -euo pipefail
cd "$(dirname "$0")/.."
out=assets/graphiql

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# fetch NAME VERSION INTEGRITY: leaves the package in $tmp/NAME/package.
fetch() {
  local name=$1 version=$2 integrity=$3
  mkdir -p "$tmp/$name"
  npm pack --silent --pack-destination "$tmp/$name" "$name@$version" >/dev/null
  local tarball="$tmp/$name/$name-$version.tgz"
  local got
  got="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
  if [ "$got" != "$integrity" ]; then
    echo "integrity mismatch for $name@$version: $got" >&2
    exit 1
  fi
  tar xzf "$tarball" -C "$tmp/$name"
  printf '%s@%s %s\n' "$name" "$version" "$integrity" >>"$tmp/VERSIONS"
}

fetch graphiql 3.8.3 'sha512-cuPDYtXVKV86Pu5PHBX642Odi/uVEE2y1Jxq5rGO/Qy1G2lRp7ZZ7a/T30RzxhuLSWo9zUbzq0P3U49//H0Ugw=='
fetch react 18.3.1 'sha512-wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rve+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ=='
fetch react-dom 18.3.1 'sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw=='

rm -rf "$out"
mkdir -p "$out"
cp "$tmp/graphiql/package/graphiql.min.js" "$out/graphiql.min.js"
cp "$tmp/graphiql/package/graphiql.min.css" "$out/graphiql.min.css"
cp "$tmp/graphiql/package/LICENSE" "$out/LICENSE.graphiql"
cp "$tmp/react/package/umd/react.production.min.js" "$out/react.production.min.js"
cp "$tmp/react/package/LICENSE" "$out/LICENSE.react"
cp "$tmp/react-dom/package/umd/react-dom.production.min.js" "$out/react-dom.production.min.js"
cp "$tmp/react-dom/package/LICENSE" "$out/LICENSE.react-dom"
cp "$tmp/VERSIONS" "$out/VERSIONS"
du -cb "$out"/* | sed 's/^/  /'
