#!/bin/bash
# The shipped unit passes systemd-analyze verify, and its exposure score does
# not regress past what the README quotes.
set -euo pipefail

if ! command -v systemd-analyze >/dev/null; then
        echo "skip: systemd-analyze not installed"
        exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Point the unit at the binaries just built, so verify checks real executables.
sed -e "s|@bindir@|$top_builddir/src|g" -e "s|@sbindir@|$top_builddir/src|g" \
        "$top_srcdir/units/oompolicyd.service.in" >"$tmp/oompolicyd.service"

out=$(systemd-analyze verify --man=no "$tmp/oompolicyd.service" 2>&1) || { echo "$out"; exit 1; }
if [ -n "$out" ]; then
        echo "verify printed warnings:"; echo "$out"; exit 1
fi
echo "ok: systemd-analyze verify is clean"

score=$(systemd-analyze security --offline=true "$tmp/oompolicyd.service" 2>/dev/null |
        sed -n 's/.*Overall exposure level for oompolicyd.service: \([0-9.]*\).*/\1/p')
echo "exposure: $score"
awk -v s="$score" 'BEGIN { exit !(s != "" && s <= 2.6) }' || { echo "exposure $score is above 2.6"; exit 1; }
echo "ok: exposure $score <= 2.6"

# A metrics_file in the node exporter's textfile directory works without a
# drop-in; "-" so that machines without the exporter still start the unit.
grep -qx 'ReadWritePaths=-/var/lib/prometheus/node-exporter' "$tmp/oompolicyd.service" || {
        echo "the unit does not grant ReadWritePaths=-/var/lib/prometheus/node-exporter"; exit 1; }
echo "ok: the node exporter's textfile directory is writable (if it exists)"
