#!/usr/bin/env bash
# Meta-test: the source checks of scripts/checksrc.sh.
exec bash "$(dirname "$0")/../../scripts/checksrc.sh"
