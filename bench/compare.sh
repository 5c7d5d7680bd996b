#!/usr/bin/env bash
# Side-by-side benchmark: ExpReg vs NumPy (and JAX when importable). Called by `make bench`.
#
#   bench/compare.sh PATH-TO-RELEASE-expreg [compare.py options: --steps K --rounds R --sizes N,D,M ...]
#
# Installs nothing by default: uses python3 (or bench/.venv when it exists) and says which of
# numpy / jax / threadpoolctl are missing. With BENCH_INSTALL=1 it creates bench/.venv (seeing the
# system's site-packages, so an installed numpy is reused) and pip-installs jax and threadpoolctl,
# and numpy only when none is importable, from PyPI into it (nothing outside bench/.venv).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
expreg="${1:?usage: bench/compare.sh PATH-TO-expreg [--steps K] [--rounds R]}"
shift
if [[ ! -x "$expreg" ]]; then
    echo "compare.sh: $expreg is not an executable; build it with: swift build -c release" >&2
    exit 2
fi

python="${BENCH_PYTHON:-python3}"
if [[ "${BENCH_INSTALL:-0}" == "1" ]]; then
    if [[ ! -x "$here/.venv/bin/python" ]]; then
        echo "BENCH_INSTALL=1: creating $here/.venv" >&2
        "$python" -m venv --system-site-packages "$here/.venv"
    fi
    wanted=(jax threadpoolctl)
    "$here/.venv/bin/python" -c "import numpy" 2>/dev/null || wanted+=(numpy)
    echo "BENCH_INSTALL=1: pip install ${wanted[*]} into $here/.venv" >&2
    "$here/.venv/bin/python" -m pip install --quiet "${wanted[@]}" >&2
fi
if [[ -x "$here/.venv/bin/python" ]]; then
    python="$here/.venv/bin/python"
fi

for module in numpy jax threadpoolctl; do
    if ! "$python" -c "import $module" 2>/dev/null; then
        case "$module" in
            numpy) echo "note: numpy is missing for $python: the NumPy column will be empty (BENCH_INSTALL=1 installs it into bench/.venv)" >&2 ;;
            jax) echo "note: jax is missing for $python: the JAX column will be empty (BENCH_INSTALL=1 installs it into bench/.venv)" >&2 ;;
            threadpoolctl) echo "note: threadpoolctl is missing: NumPy's BLAS kernel cannot be named (BENCH_INSTALL=1 installs it)" >&2 ;;
        esac
    fi
done
echo "python: $python; expreg: $expreg" >&2
"$python" "$here/probe.py" "$expreg"  # the condition probe line (bench/probe.py)
exec "$python" "$here/compare.py" "$expreg" --python "$python" "$@"
