#!/bin/sh
# SPDX-License-Identifier: ISC
# po/update-pot.sh SRCDIR OUT - the message template (inkan.pot) from the
# files in po/POTFILES, as xgettext extracts it: _() and N_(), T() (the
# translate-or-not switch of the received summary and records) and the
# format argument of check_say and check_more (keys-tool/check.h), which
# translate it themselves. Run from anywhere; OUT is usually
# SRCDIR/po/inkan.pot. tests/i18n/po.sh checks the committed one is current.
set -eu
SRC=$1 OUT=$2
cd "$SRC"
# shellcheck disable=SC2046
xgettext --language=C --from-code=UTF-8 --add-comments=TRANSLATORS \
    --keyword=_ --keyword=N_ --keyword=T \
    --keyword=check_say:3 --keyword=check_more:2 \
    --flag=check_say:3:c-format --flag=check_more:2:c-format \
    --flag=buf_printf:2:c-format --flag=T:1:pass-c-format \
    --package-name=inkan --msgid-bugs-address=postmaster@localhost \
    --sort-by-file --width=79 -o "$OUT" $(cat po/POTFILES)
