#!/usr/bin/env bash
# Prints the interpreter the virtualenv is made from: the first of these that is Python
# 3.11+ with its venv module (ensurepip included). Debian's own /usr/bin/python3 comes
# first: its interpreter is linked statically, where pyenv's (and other builds with
# --enable-shared) call into libpython3.11.so, each internal call through the PLT; the
# processing core runs 0.896x the instructions on it (README, Performance on real
# workloads). Exits 1, printing nothing, when none is.
for p in /usr/bin/python3 python3; do
  if "$p" -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
    echo "$p"
    exit 0
  fi
done
exit 1
