#!/usr/bin/env bash
# Regenerates the protobuf-c bindings for ONNX from Debian's libonnx-dev.
#
#   proto/generate.sh           write Sources/CONNXProto/{onnx.pb-c.c,include/onnx.pb-c.h}
#   proto/generate.sh --check   exit 1 if the committed files differ from a fresh generation
#
# Needs: protobuf-c-compiler (protoc-c) and libonnx-dev (/usr/include/onnx/onnx.proto).
# The generated files are committed so that a build needs only the runtime library
# (libprotobuf-c-dev); CI runs --check so they never drift from the schema.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
proto_dir=${ONNX_PROTO_DIR:-/usr/include/onnx}
target="$root/Sources/CONNXProto"

command -v protoc-c >/dev/null || { echo "generate.sh: protoc-c not found (apt-get install protobuf-c-compiler)" >&2; exit 2; }
[ -f "$proto_dir/onnx.proto" ] || { echo "generate.sh: $proto_dir/onnx.proto not found (apt-get install libonnx-dev)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$proto_dir" && protoc-c --c_out="$work" -I. onnx.proto)
# protoc-c includes the header by its plain name; SwiftPM wants public headers in include/.
if [ "${1:-}" = "--check" ]; then
  status=0
  cmp -s "$work/onnx.pb-c.c" "$target/onnx.pb-c.c" || { echo "drift: Sources/CONNXProto/onnx.pb-c.c differs from protoc-c output" >&2; status=1; }
  cmp -s "$work/onnx.pb-c.h" "$target/include/onnx.pb-c.h" || { echo "drift: Sources/CONNXProto/include/onnx.pb-c.h differs from protoc-c output" >&2; status=1; }
  [ $status -eq 0 ] && echo "proto: generated sources match $proto_dir/onnx.proto ($(protoc-c --version | head -1))"
  exit $status
fi
mkdir -p "$target/include"
cp "$work/onnx.pb-c.c" "$target/onnx.pb-c.c"
cp "$work/onnx.pb-c.h" "$target/include/onnx.pb-c.h"
echo "wrote $target/onnx.pb-c.c and include/onnx.pb-c.h from $proto_dir/onnx.proto"
