#!/usr/bin/env bash
# Create .venv with Python 3.12+ and install negotiate into it (with test tools when given --test).
# Why 3.12: on 3.11, pip silently resolves PyMC 5 and ArviZ 0.x (old APIs) instead of PyMC 6 / ArviZ 1.
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
[[ "${1:-}" == "--test" ]] && extras="[test]"

ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }

find_python() {
  local c
  for c in "${PYTHON:-}" python3.12 python3.13 python3; do  # 3.12 first: the version measured in STACK.md
    [[ -n "$c" ]] && command -v "$c" >/dev/null 2>&1 && ok "$c" && { command -v "$c"; return; }
  done
  if command -v pyenv >/dev/null 2>&1; then  # installed through pyenv but not active
    local root v
    root=$(pyenv root)
    for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[2-9]|[2-9][0-9])(\.|$)' | sort -V); do
      ok "$root/versions/$v/bin/python" && { echo "$root/versions/$v/bin/python"; return; }
    done
  fi
  local p  # pyenv's folder without the pyenv command on PATH
  for p in $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.*/bin/python 2>/dev/null | sort -V); do
    ok "$p" && { echo "$p"; return; }
  done
  return 1
}

if ! py=$(find_python); then
  echo "negotiate needs Python 3.12 or newer, and none was found (tried \$PYTHON, python3.13, python3.12, python3, pyenv)." >&2
  echo "Install one (for example: pyenv install 3.12) and run this again, or point to it: PYTHON=/path/to/python3.12 $0 $*" >&2
  exit 1
fi
echo "Using $py ($("$py" -V 2>&1))" >&2
if [[ ! -x .venv/bin/python ]] || ! ok .venv/bin/python; then
  rm -rf .venv
  "$py" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# this project installed as "negotiate" before it became negotiate-forecast: drop that install (and its script)
if .venv/bin/python -m pip show negotiate >/dev/null 2>&1; then .venv/bin/python -m pip uninstall --quiet -y negotiate; fi
if [[ -n "$extras" ]] && ! .venv/bin/python -c 'import pygambit' 2>/dev/null; then
  echo "Installing negotiate with the test tools into .venv. pygambit (the independent equilibrium oracle) compiles" >&2
  echo "from source: about 7 minutes on 2 cores, with no output meanwhile. This happens once." >&2
else
  echo "Installing negotiate${extras:+ with the test tools} into .venv (the first time, PyMC and its dependencies take a minute or two)..." >&2
fi
.venv/bin/python -m pip install --quiet -e ".${extras}"
echo "Ready: .venv/bin/negotiate --help" >&2
