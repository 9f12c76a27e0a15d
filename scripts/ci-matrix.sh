#!/usr/bin/env bash
# The supported ranges, tested: the whole suite once per leg, each under a header naming the Node
# and SDK versions it ran with, then its duration. Every leg named runs even after one fails; the
# script exits non-zero if any failed. Needs Redis at REDIS_URL, like `npm test`.
#
#   bash scripts/ci-matrix.sh                  # all legs, in this order:
#   bash scripts/ci-matrix.sh node20           # Node 20, locked dependencies
#   bash scripts/ci-matrix.sh node22           # Node 22, locked dependencies
#   bash scripts/ci-matrix.sh sdk-floor        # Node 20, lowest supported SDK v1 (SDK_FLOOR)
#                                              # and @modelcontextprotocol/node (NODE_ADAPTER_FLOOR)
#
# The sdk-floor leg leaves out test/docs/readme-snippets.test.ts: it type-checks the README with
# `exactOptionalPropertyTypes`, under which SDK v1 before 1.32.2 rejects its own transports in
# `server.connect(transport)` (a typing bug of those SDK versions; nothing runs there).
#
# A Node line other than the one running this script comes from the npm package node-<os>-<arch>,
# installed into a temporary directory and put first on PATH for that leg. The sdk-floor leg swaps
# in the lowest versions the peer ranges accept with `npm install --no-save` and puts the locked
# tree back with `npm ci` when the script ends, so it runs after the others.
set -euo pipefail
cd "$(dirname "$0")/.."

SDK_FLOOR="${SDK_FLOOR:-1.30.0}"
NODE_ADAPTER_FLOOR="${NODE_ADAPTER_FLOOR:-2.1.0}"
ALL_LEGS=(node20 node22 sdk-floor)
legs=("$@")
[ ${#legs[@]} -gt 0 ] || legs=("${ALL_LEGS[@]}")
for leg in "${legs[@]}"; do
  case "$leg" in
    node20 | node22 | sdk-floor) ;;
    *)
      echo "ci-matrix: unknown leg '$leg'; accepted: ${ALL_LEGS[*]}" >&2
      exit 2
      ;;
  esac
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mcp-sessions-ci-XXXXXX")
sdk_swapped=false
cleanup() {
  if $sdk_swapped; then
    echo "ci: putting the locked dependencies back (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error >/dev/null || echo "ci: npm ci failed; run it by hand" >&2
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

installed_version() {
  node -p "try { require('./node_modules/$1/package.json').version } catch { 'absent' }"
}

# Prints the directory holding a `node` of the given major version: the running one if it matches,
# else one installed from npm into $tmp.
node_dir() {
  local major=$1
  if [ "$(node -p 'process.versions.node.split(".")[0]')" = "$major" ]; then
    dirname "$(command -v node)"
    return
  fi
  local pkg
  pkg="node-$(node -p 'process.platform + "-" + process.arch')"
  timeout 300 npm install --prefix "$tmp/node$major" --no-audit --no-fund --loglevel=error \
    "$pkg@$major" >&2
  echo "$tmp/node$major/node_modules/$pkg/bin"
}

failed=()
summary=()
run_leg() {
  local leg=$1 major=$2 bin version
  shift 2
  bin=$(node_dir "$major")
  version=$(PATH="$bin:$PATH" node --version)
  case "$version" in
    "v$major".*) ;;
    *)
      echo "ci: leg $leg wanted Node $major, got $version" >&2
      failed+=("$leg")
      return
      ;;
  esac
  echo
  echo "ci: node $version, sdk $(installed_version @modelcontextprotocol/sdk), server" \
    "$(installed_version @modelcontextprotocol/server) (@modelcontextprotocol/node" \
    "$(installed_version @modelcontextprotocol/node)) [$leg]"
  local start=$SECONDS verdict=passed
  # The README's test command, `npm test` (vitest run), with this leg's Node first on PATH.
  PATH="$bin:$PATH" npm test -- "$@" || verdict=FAILED
  local line="ci: $leg ($version, sdk $(installed_version @modelcontextprotocol/sdk)) $verdict in $((SECONDS - start)) s"
  echo "$line"
  summary+=("$line")
  [ "$verdict" = passed ] || failed+=("$leg")
}

for leg in "${legs[@]}"; do
  case "$leg" in
    node20) run_leg node20 20 ;;
    node22) run_leg node22 22 ;;
    sdk-floor)
      echo
      floors=("@modelcontextprotocol/sdk@$SDK_FLOOR" "@modelcontextprotocol/node@$NODE_ADAPTER_FLOOR")
      echo "ci: installing ${floors[*]} (--no-save)"
      sdk_swapped=true
      npm install --no-save --no-audit --no-fund --loglevel=error "${floors[@]}"
      # Every test file by name but one (vitest's --exclude does not reach the projects).
      mapfile -t tests < <(find test -name '*.test.ts' ! -path test/docs/readme-snippets.test.ts | sort)
      run_leg sdk-floor 20 "${tests[@]}"
      ;;
  esac
done

echo
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "ci: failed legs: ${failed[*]}" >&2
  exit 1
fi
