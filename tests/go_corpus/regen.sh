#!/bin/sh
# Regenerate tests/go_corpus/expected/*.html with Go's html/template.
# Needs only a Go toolchain (standard library, no modules to download).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/gen"
GOTOOLCHAIN=local GOPROXY=off GOFLAGS= GO111MODULE=on go run . "$here"
