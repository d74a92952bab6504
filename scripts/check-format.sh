#!/usr/bin/env bash
# Checks that C++ files match the repository's .clang-format, with clang-format-14 (the version
# pinned by scripts/install-deps.sh: other versions format some constructs differently).
#
#   scripts/check-format.sh          every tracked C++ file (*.cpp *.hpp *.h) -- what CI runs
#   scripts/check-format.sh BASE     only the C++ files changed between BASE and the working
#                                    tree (added, copied, modified or renamed; e.g. origin/main),
#                                    for a quick check before a commit (untracked files are
#                                    not seen: git add them first)
#
# Prints clang-format's own "file:line:col: error: code should be clang-formatted" for each
# offending spot, then one summary line. Exits 0 when clean, 1 when a file needs formatting,
# 2 on a usage error. Fix with `clang-format-14 -i FILE...`. Never modifies a file.
# Environment: CLANG_FORMAT (default clang-format-14).
set -euo pipefail
cd "$(dirname "$0")/.."
cf=${CLANG_FORMAT:-clang-format-14}
if ! command -v "$cf" >/dev/null 2>&1; then
  echo "check-format: $cf not found (scripts/install-deps.sh installs it)" >&2
  exit 2
fi
if ! git rev-parse --git-dir >/dev/null 2>&1; then
  echo "check-format: not a git checkout (the files to check are git's tracked files)" >&2
  exit 2
fi
if [ $# -gt 1 ]; then
  echo "usage: $0 [BASE]" >&2
  exit 2
fi

patterns=('*.cpp' '*.hpp' '*.h')
files=()
if [ $# -eq 1 ]; then
  if ! git rev-parse --verify --quiet "$1^{commit}" >/dev/null; then
    echo "check-format: unknown base '$1'" >&2
    exit 2
  fi
  mapfile -t files < <(git diff --name-only --diff-filter=ACMR "$1" -- "${patterns[@]}")
  scope="changed since $1"
else
  mapfile -t files < <(git ls-files -- "${patterns[@]}")
  scope="tracked"
fi

if [ ${#files[@]} -eq 0 ]; then
  echo "check-format: no $scope C++ files"
  exit 0
fi

# One clang-format run over all the files; --dry-run -Werror reports each difference as
# "file:line:col: error: code should be clang-formatted" on stderr and exits non-zero.
if out=$("$cf" --dry-run -Werror --style=file "${files[@]}" 2>&1); then
  echo "check-format: ${#files[@]} $scope C++ file(s) formatted"
  exit 0
fi
printf '%s\n' "$out" >&2
spots=$(grep -c 'code should be clang-formatted' <<<"$out" || true)
bad_files=$(grep -o '^[^:]*:[0-9]*:[0-9]*: error: code should be clang-formatted' <<<"$out" |
  cut -d: -f1 | sort -u | wc -l)
echo "check-format: $spots spot(s) in $bad_files of ${#files[@]} $scope C++ file(s)" \
  "need formatting (clang-format-14 -i FILE)" >&2
exit 1
