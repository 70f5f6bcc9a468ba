#!/bin/bash
# Renders the HTML report of a small planned campaign on the shipped CNN in headless Chromium
# (Debian: apt-get install -y chromium) and saves a screenshot, to check the page in a real
# browser. Usage:  Examples/report/screenshot.sh [OUT_DIR]     (default /tmp/seu-onnx-report)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-/tmp/seu-onnx-report}
SEU=${SEU:-.build/release/seu-onnx}
BROWSER=${BROWSER:-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$BROWSER" ] || { echo "needs Chromium: apt-get install -y chromium" >&2; exit 1; }
[ -x "$SEU" ] || swift build -c release
mkdir -p "$OUT"

# ±3 % at 99 % over every weight bit of the CNN: 1,815 faults.
"$SEU" inject Fixtures/tiny_cnn.onnx --input Fixtures/digits_x.npy --labels Fixtures/digits_y.npy \
    --margin 0.03 --confidence 0.99 --seed 1 --quiet --out "$OUT/records.csv" > "$OUT/summary.txt"
"$SEU" report "$OUT/records.csv" --html "$OUT/report.html" --svg "$OUT/charts" > /dev/null

# Root needs --no-sandbox; the page loads nothing from the network, so none is needed.
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1)
"$BROWSER" "${flags[@]}" --window-size=1200,3400 --screenshot="$OUT/report.png" "file://$(realpath "$OUT/report.html")" 2> "$OUT/chromium.log"
# The DOM as Chromium parsed it: all three charts must be there.
svgs=$("$BROWSER" "${flags[@]}" --dump-dom "file://$(realpath "$OUT/report.html")" 2>> "$OUT/chromium.log" | grep -o '<svg ' | wc -l)
[ -s "$OUT/report.png" ] || { echo "no screenshot (see $OUT/chromium.log)" >&2; exit 1; }
[ "$svgs" -eq 3 ] || { echo "expected 3 charts in the rendered page, found $svgs" >&2; exit 1; }
echo "report:     $OUT/report.html"
echo "screenshot: $OUT/report.png ($svgs charts rendered)"
