#!/usr/bin/env python3
"""Do models exported by seu-onnx behave in onnxruntime as seu-onnx said they would?

Runs seu-onnx campaigns on digits_cnn with --export-worst, then evaluates every exported model
in onnxruntime on the same 360 digits and compares its accuracy and its number of changed
top-1 predictions with what the campaign recorded in the model's manifest. It also checks each
file against the manifest's SHA-256, and compares `seu-onnx run` with onnxruntime on models
written by `flip` and `corrupt` (including the external-data fixture).

Run by hand (not by CI), after `swift build -c release`:

    /tmp/venv/bin/python Examples/export/check_onnxruntime.py [--models ../shared/models]

Exit status 0 when every model with finite outputs agrees exactly. Models whose outputs contain
NaN/Inf are reported separately: seu-onnx follows PyTorch's NaN propagation (Relu and MaxPool
pass NaN through), which onnxruntime's kernels do not always do, so their argmax may differ.
"""
import argparse
import glob
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnxruntime as ort

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def predict(model_path, x):
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return session.run(None, {name: x})[0]


def seu(tool, *args):
    result = subprocess.run([tool, *args], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"seu-onnx {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def check_campaign_exports(tool, model, x_path, y_path, work, label, extra):
    """Exports every fault of a campaign and compares each with onnxruntime."""
    folder = os.path.join(work, label)
    seu(tool, "inject", model, "--input", x_path, "--labels", y_path, "--quiet",
        "--out", os.path.join(work, label + ".csv"), "--export-worst", "100000", folder, *extra)
    x, y = np.load(x_path), np.load(y_path)
    baseline_top1 = predict(model, x).argmax(1)
    rows = []
    for path in sorted(glob.glob(os.path.join(folder, "*.onnx"))):
        manifest = json.load(open(path + ".json"))
        assert sha256(path) == manifest["output"]["sha256"], path
        assert manifest["source"]["sha256"] == sha256(model), path
        logits = predict(path, x)
        top1 = logits.argmax(1)  # NumPy argmax: the first NaN wins, as in seu-onnx
        correct = int((top1 == y).sum())
        mismatches = int((top1 != baseline_top1).sum())
        recorded = manifest["campaign"]
        rows.append(dict(file=os.path.basename(path), recorded=int(round(recorded["metric"] * len(y))), ort=correct,
                         recorded_mismatches=recorded["mismatches"], ort_mismatches=mismatches,
                         nonfinite=bool(recorded["nonfinite_samples"] > 0 or not np.isfinite(logits).all())))
    return rows


def report(label, rows):
    agree = [r for r in rows if r["recorded"] == r["ort"] and r["recorded_mismatches"] == r["ort_mismatches"]]
    finite = [r for r in rows if not r["nonfinite"]]
    finite_agree = [r for r in finite if r in agree]
    print(f"{label}: {len(rows)} exported models; accuracy and changed-prediction count agree exactly for "
          f"{len(agree)}/{len(rows)} (finite outputs: {len(finite_agree)}/{len(finite)}; "
          f"NaN/Inf outputs: {len(agree) - len(finite_agree)}/{len(rows) - len(finite)})")
    for r in rows:
        if r not in agree:
            print(f"  differs: {r['file']}: seu-onnx {r['recorded']}/360 correct, {r['recorded_mismatches']} changed; "
                  f"onnxruntime {r['ort']}/360, {r['ort_mismatches']} changed{' (NaN/Inf outputs)' if r['nonfinite'] else ''}")
    return len(finite) - len(finite_agree)


def check_written(tool, path, x_path, y_path):
    """`seu-onnx run` and onnxruntime on one exported model: (seu-onnx correct, ort correct)."""
    out = seu(tool, "run", path, "--input", x_path, "--labels", y_path)
    seu_correct = int(re.search(r"accuracy: [0-9.]+ \((\d+)/", out).group(1))
    x, y = np.load(x_path), np.load(y_path)
    return seu_correct, int((predict(path, x).argmax(1) == y).sum())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=os.path.join(os.path.dirname(ROOT), "shared", "models"))
    parser.add_argument("--seu-onnx", default=os.path.join(ROOT, ".build", "release", "seu-onnx"))
    parser.add_argument("--keep", help="folder to keep the exported models in (default: a temporary folder)")
    args = parser.parse_args()
    model = os.path.join(args.models, "digits_cnn.onnx")
    x_path, y_path = os.path.join(args.models, "digits_test_x.npy"), os.path.join(args.models, "digits_test_y.npy")
    for path in (model, x_path, y_path, args.seu_onnx):
        if not os.path.exists(path):
            sys.exit(f"missing {path}")
    work = args.keep or tempfile.mkdtemp(prefix="seu-onnx-ort-")
    os.makedirs(work, exist_ok=True)
    print(f"onnxruntime {ort.__version__}; seu-onnx {args.seu_onnx}; models in {work}")

    failures = 0
    all_rows = []

    def campaign(title, label, extra):
        rows = check_campaign_exports(args.seu_onnx, model, x_path, y_path, work, label, extra)
        report(f"digits_cnn, {title}", rows)
        all_rows.extend(rows)

    campaign("random: 300 sites over every bit of every weight, seed 1", "random", ["--count", "300", "--seed", "1"])
    campaign("exhaustive: exponent MSB (bit 1) of conv1.weight", "bit1", ["--tensors", "conv1.weight", "--bits", "1", "--exhaustive"])
    # Multi-bit faults: the random campaign's sites paired up, replayed with --faults.
    with open(os.path.join(work, "random.csv")) as f:
        lines = f.read().splitlines()
    header = lines[0].split(",")
    sites = [dict(zip(header, line.split(","))) for line in lines[1:]]
    with open(os.path.join(work, "pairs_faults.csv"), "w") as f:
        f.write("id,tensor,index,bit,extra_sites\n")
        for i in range(0, len(sites) - 1, 2):
            a, b = sites[i], sites[i + 1]
            f.write(f"{i // 2},{a['tensor']},{a['index']},{a['bit']},{b['tensor']}[{b['index']}]:{b['bit']}\n")
    campaign("replay of 150 two-bit faults (--faults)", "pairs", ["--faults", os.path.join(work, "pairs_faults.csv")])
    failures += report("digits_cnn, all campaigns", all_rows)

    # Informational: Fixtures/tiny_cnn, whose bit-1 faults overflow much more often. Where the
    # outputs hold Inf/NaN, which entries overflow depends on the kernels' summation order, so
    # the two engines may legitimately disagree there; finite models must agree.
    fixtures = os.path.join(ROOT, "Fixtures")
    tiny_rows = check_campaign_exports(args.seu_onnx, os.path.join(fixtures, "tiny_cnn.onnx"), os.path.join(fixtures, "digits_x.npy"),
                                       os.path.join(fixtures, "digits_y.npy"), work, "tiny_bit1",
                                       ["--tensors", "conv1.weight,conv1.bias,fc2.bias", "--bits", "1", "--exhaustive"])
    failures += report("tiny_cnn (informational), exhaustive bit 1 of conv1.*, fc2.bias", tiny_rows)

    # flip and corrupt outputs (inline and external data) through `seu-onnx run` vs onnxruntime.
    written = []
    flip = os.path.join(work, "flip.onnx")
    seu(args.seu_onnx, "flip", model, "--fault", "fc1.weight[3,7]:1", "--fault", "conv2.bias[5]:0", "-o", flip)
    written.append((flip, x_path, y_path))
    for seed in range(5):
        out = os.path.join(work, f"corrupt_ber_{seed}.onnx")
        seu(args.seu_onnx, "corrupt", model, "--ber", "2e-5", "--bits", "mantissa,sign", "--seed", str(seed), "-o", out)
        written.append((out, x_path, y_path))
        ext = os.path.join(work, f"external_ber_{seed}.onnx")
        seu(args.seu_onnx, "corrupt", os.path.join(fixtures, "tiny_cnn_external.onnx"), "--ber", "1e-4", "--seed", str(seed), "-o", ext)
        written.append((ext, os.path.join(fixtures, "digits_x.npy"), os.path.join(fixtures, "digits_y.npy")))
    same = 0
    for path, xp, yp in written:
        mine, theirs = check_written(args.seu_onnx, path, xp, yp)
        same += mine == theirs
        if mine != theirs:
            print(f"  differs: {os.path.basename(path)}: seu-onnx run {mine}/360, onnxruntime {theirs}/360")
    print(f"flip/corrupt outputs: `seu-onnx run` and onnxruntime agree on {same}/{len(written)} models")
    failures += len(written) - same
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
