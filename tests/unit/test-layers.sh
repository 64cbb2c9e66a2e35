#!/bin/bash
# SPDX-License-Identifier: MIT
# The layer check passes on this tree, and fails (naming file, line and both
# directories) on a tree where a lower layer includes a higher one.
set -euo pipefail

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
check="$srcdir/tools/check-layers"

"$check" "$srcdir"
echo "ok: $srcdir follows its layers"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src/shared" "$tmp/src/daemon" "$tmp/src/ctl"
echo 'Layers: shared < daemon | ctl' >"$tmp/README.md"
printf '#include "shared/a.h"\n' >"$tmp/src/daemon/d.c"
printf '#include <stdio.h>\n#include "shared/a.h"\n' >"$tmp/src/shared/a.c"
"$check" "$tmp"
echo "ok: a tree that follows its layers passes"

expect_failure() {
        local want=$1 out
        if out=$("$check" "$tmp" 2>&1); then
                echo "FAIL: the check passed although $2"
                exit 1
        fi
        if [[ "$out" != *"$want"* ]]; then
                echo "FAIL: expected '$want' in: $out"
                exit 1
        fi
        echo "ok: $2 is refused"
}

printf '#include <stdio.h>\n#include "daemon/manager.h"\n' >"$tmp/src/shared/a.c"
expect_failure 'src/shared/a.c:2: #include "daemon/manager.h": src/shared may not include src/daemon' \
        "a lower layer including a higher one"
printf '#include "shared/a.h"\n' >"$tmp/src/shared/a.c"

printf '#include "ctl/ctl.h"\n' >"$tmp/src/daemon/d.c"
expect_failure 'src/daemon may not include src/ctl' "a peer including its peer"

printf '#include "a.h"\n' >"$tmp/src/daemon/d.c"
expect_failure 'write project headers as "DIR/a.h"' "an include without its directory"
