#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main job on the bundled model pack.
# Until the studio exists, the main job is a gallery of the classifier's output units.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-deps.sh
cmake --preset dev
cmake --build --preset dev
./build/dev/app/dgnam synthesize --units all --out gallery --force "$@"
