#!/usr/bin/env bash
# Prints a Python 3.11 interpreter with venv support, installing Debian's when none is found.
set -euo pipefail

for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 \
        && "$candidate" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
        command -v "$candidate"
        exit 0
    fi
done
"$(dirname "$0")/ensure-debian-packages.sh" python3.11 python3.11-venv >&2
command -v python3.11
