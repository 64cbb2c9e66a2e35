#!/bin/bash
# SPDX-License-Identifier: MIT
# No directory of src/ includes a header of a higher layer (tools/check-layers; the
# order is the "Layers:" line of README.md). Reads the source tree only.
set -euo pipefail
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
exec "$srcdir/tools/check-layers" "$srcdir"
