#!/usr/bin/env python3
"""Parity of seu-onnx on float16, bfloat16 and int8 models against independent computations:
onnxruntime (float16, int8) and PyTorch in bfloat16 (onnxruntime's CPU provider rejects
bfloat16 models). Runs the seu-onnx executable (`run --output`), so build it first:

    swift build -c release
    /tmp/venv/bin/python Examples/check_formats.py [--binary .build/release/seu-onnx] [--shared ../shared/models]

Compares, on the digits test sets:
  - Fixtures/tiny_cnn_fp16.onnx, tiny_cnn_bf16.onnx, tiny_cnn_int8*.onnx against the reference
    logits stored next to them (made by make_format_fixtures.py);
  - the reference digits_cnn.onnx and digits_cnn_dynamo.onnx (if ../shared/models exists)
    converted by `seu-onnx convert --to float16` (whole model), against onnxruntime running the
    converted file: the converted models run in onnxruntime, and seu-onnx agrees with it.
Prints top-1 agreement, max |diff| / max |reference| and the number of identical logits.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "Fixtures")


def seu_run(binary, model, x, tmp):
    out = os.path.join(tmp, "out.npy")
    xp = os.path.join(tmp, "x.npy")
    np.save(xp, x)
    # One batch, as onnxruntime runs: dynamic quantization takes its scales from the whole batch.
    subprocess.run([binary, "run", model, "--input", xp, "--output", out, "--batch-size", str(len(x))], check=True,
                   stdout=subprocess.DEVNULL)
    y = np.load(out)
    if y.dtype == np.uint16:  # bfloat16 written as raw uint16 patterns
        y = (y.astype(np.uint32) << 16).view(np.float32)
    return y.astype(np.float32)


def compare(name, ours, ref, labels):
    ref = ref.astype(np.float32)
    agree = (ours.argmax(1) == ref.argmax(1)).mean()
    rel = np.abs(ours - ref).max() / np.abs(ref).max()
    same = int((ours == ref).sum())
    print(f"{name:44s} top-1 agreement {agree:.5f}  accuracy {(ours.argmax(1) == labels).mean():.5f} "
          f"(reference {(ref.argmax(1) == labels).mean():.5f})  max|diff|/max|ref| {rel:.2e}  identical {same}/{ref.size}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/seu-onnx"))
    parser.add_argument("--shared", default=os.path.join(os.path.dirname(ROOT), "shared/models"))
    args = parser.parse_args()
    x = np.load(os.path.join(FIX, "digits_x.npy"))
    y = np.load(os.path.join(FIX, "digits_y.npy"))
    with tempfile.TemporaryDirectory() as tmp:
        fixture = lambda n: os.path.join(FIX, n)
        compare("tiny_cnn_fp16 vs onnxruntime float16", seu_run(args.binary, fixture("tiny_cnn_fp16.onnx"), x, tmp),
                np.load(fixture("tiny_cnn_fp16_logits_ort.npy")), y)
        compare("tiny_cnn_bf16 vs PyTorch bfloat16", seu_run(args.binary, fixture("tiny_cnn_bf16.onnx"), x, tmp),
                np.load(fixture("tiny_cnn_bf16_logits_torch.npy")), y)
        for name in ["tiny_cnn_int8", "tiny_cnn_int8_pt", "tiny_cnn_int8_qop", "tiny_cnn_int8_dyn"]:
            try:
                ours = seu_run(args.binary, fixture(name + ".onnx"), x, tmp)
            except subprocess.CalledProcessError:
                print(f"{name:44s} does not run (an operator is missing)")
                continue
            compare(f"{name} vs onnxruntime", ours, np.load(fixture(name + "_logits_ort.npy")), y)
        shared = args.shared
        if os.path.exists(os.path.join(shared, "digits_cnn.onnx")):
            sx = np.load(os.path.join(shared, "digits_test_x.npy"))
            sy = np.load(os.path.join(shared, "digits_test_y.npy"))
            for name in ["digits_cnn", "digits_cnn_dynamo"]:
                half = os.path.join(tmp, name + "_fp16.onnx")
                subprocess.run([args.binary, "convert", os.path.join(shared, name + ".onnx"), "--to", "float16", "-o", half],
                               check=True, stdout=subprocess.DEVNULL)
                onnx.checker.check_model(half, full_check=True)
                session = ort.InferenceSession(half, providers=["CPUExecutionProvider"])
                ref = session.run(None, {session.get_inputs()[0].name: sx.astype(np.float16)})[0]
                compare(f"{name} converted to float16 vs onnxruntime", seu_run(args.binary, half, sx, tmp), ref, sy)
        else:
            print(f"{shared} not found: skipping digits_cnn", file=sys.stderr)


if __name__ == "__main__":
    main()
