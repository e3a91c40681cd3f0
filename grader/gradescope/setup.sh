#!/usr/bin/env bash
# Gradescope setup: runs once when the autograder image is built (Ubuntu), from /autograder/source.
# Installs Node 20 and the kit's locked dependencies; the offline data set comes from Debian/Ubuntu
# (fashion-mnist) when the package exists, else `npm run datasets` fetches it with checksums.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  apt-get update
  apt-get install -y ca-certificates curl gnupg
  curl -fsSL https://deb.nodesource.com/setup_20.x | bash -
  apt-get install -y nodejs
fi
apt-get install -y util-linux || true   # unshare: the sandbox's network and PID namespaces
npm ci --no-audit --no-fund
npm run setup
[ -d /usr/share/datasets/fashion-mnist ] || npm run datasets -- fashion-mnist || true
# The reference solution graded once now, not before every submission (warm_cache.sh).
bash grader/gradescope/warm_cache.sh ||
  echo "setup.sh: the reference solution could not be graded now; each submission will grade it" >&2
