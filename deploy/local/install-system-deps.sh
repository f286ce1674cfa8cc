#!/usr/bin/env bash
# System packages the local stack needs, from Debian's packages when they are missing:
# a Java runtime (17+) and Maven (Kafka, Kafka Connect + Debezium from Maven Central),
# the PostgreSQL server (the sample database Debezium captures) and Prometheus.
# Idempotent; prints what it installs.
set -euo pipefail

need=()
if ! command -v java >/dev/null 2>&1; then need+=(openjdk-17-jre-headless); fi
if ! command -v mvn >/dev/null 2>&1; then need+=(maven); fi
if ! compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; then need+=(postgresql); fi
if ! command -v prometheus >/dev/null 2>&1; then need+=(prometheus); fi
# cdr docs: the catalog test renders the HTML in headless Chromium (tests/unit/test_docs_browser.py)
if ! command -v chromium >/dev/null 2>&1; then need+=(chromium); fi
# cdr docs: the AsyncAPI test fetches the official schema once (npm pack @asyncapi/specs, cached)
if ! command -v npm >/dev/null 2>&1; then need+=(npm); fi
# the virtualenv: no Python 3.11+ with its venv module (find-python.sh, as the Makefile asks)
if ! bash "$(dirname "$0")/find-python.sh" >/dev/null; then need+=(python3-venv); fi

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "installing Debian packages: ${need[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
# Debian starts packaged services on install; the stack runs its own throwaway instances.
export DEBIAN_FRONTEND=noninteractive
printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
$SUDO chmod +x /usr/sbin/policy-rc.d
trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
