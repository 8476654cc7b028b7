#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Brings new or changed real evidence from the shared test data (default
# ../shared/testdata, or the directory given) into tests/vectors, the
# repository's own copy, and shows what changed. Files only in
# tests/vectors are kept. Commit the result with its PROVENANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:-../shared/testdata}
[ -d "$src" ] || { echo "refresh-vectors: $src not found" >&2; exit 1; }
mkdir -p tests/vectors
cp -a "$src"/. tests/vectors/
chmod -R u+w tests/vectors
git status --short tests/vectors
