#!/usr/bin/env bash
# Vendors axe-core (Deque's accessibility checker, MPL-2.0) from the npm
# registry into tests/browser/vendor/, where the browser tests read it
# (tests/browser/support.rs, Page::check_accessibility). Run once per clone
# (.ci/run does): the tests themselves never touch the network. The
# tarball is checked against the registry's published sha512 before use.
set -euo pipefail
cd "$(dirname "$0")/.."
version=4.11.1
integrity="sha512-BASOg+YwO2C+346x3LZOeoovTIoTrRqEsqMa6fmfAV0P+U9mFr9NsyOEpiYvFjbc64NMrSswhV50WdXzdb/Z5A=="
dest=tests/browser/vendor/axe-core
if [ -f "$dest/axe.min.js" ] && [ "$(cat "$dest/VERSION" 2>/dev/null)" = "$version" ]; then
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
curl -fsSL --retry 3 -o "$tmp/axe.tgz" "https://registry.npmjs.org/axe-core/-/axe-core-$version.tgz"
got="sha512-$(openssl dgst -sha512 -binary "$tmp/axe.tgz" | base64 -w0)"
if [ "$got" != "$integrity" ]; then
    echo "axe-core $version: the tarball's sha512 is not the registry's ($got)" >&2
    exit 1
fi
tar -xzf "$tmp/axe.tgz" -C "$tmp" package/axe.min.js package/LICENSE
mkdir -p "$dest"
mv "$tmp/package/axe.min.js" "$tmp/package/LICENSE" "$dest/"
echo "$version" > "$dest/VERSION"
echo "axe-core $version vendored into $dest"
