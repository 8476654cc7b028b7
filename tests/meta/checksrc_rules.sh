#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Meta-test: every structural rule of scripts/checksrc.sh (layering, the
# module table against CMakeLists.txt, microhttpd.h only in the server, no
# bare return -1, citations inside the repository) fails on a bad sample
# tree and passes on a good one, so none of them is a check that cannot
# fail.
exec bash "$(dirname "$0")/../../scripts/checksrc.sh" --self-test
