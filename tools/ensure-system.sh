#!/usr/bin/env bash
# Installs the Debian packages a make target needs, only when they are missing.
#   fonts   — a CJK font (fonts-noto-cjk) so charts, PNG/SVG and the browser show Chinese
#   browser — Debian's chromium, driven by Playwright: prints the review's PDF and runs the browser
#             tests (never `playwright install`)
#   viewers — poppler-utils (pdftotext, pdftoppm) and LibreOffice without its GUI, with which the
#             tests read the PDF and take screenshots of the Word document and the workbook
set -euo pipefail
need=()
case "${1:-}" in
  fonts)   fc-list :lang=zh 2>/dev/null | grep -q . || need+=(fonts-noto-cjk fontconfig) ;;
  browser) [ -x /usr/bin/chromium ] || need+=(chromium) ;;
  viewers) command -v pdftoppm >/dev/null || need+=(poppler-utils)
           command -v soffice >/dev/null || need+=(libreoffice-writer-nogui libreoffice-calc-nogui) ;;
  *) echo "usage: $0 fonts|browser|viewers" >&2; exit 2 ;;
esac
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "plananalysis: missing Debian packages ${need[*]}; run: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "plananalysis: installing ${need[*]} (apt-get)…" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
