#!/usr/bin/env python3
"""Cross-checks seu-onnx against the Python seu-injection-framework 1.3.0, injection by injection.

Campaign: bit 1 (the exponent's most significant bit; bit 0 = sign = MSB) of every element of
`conv1.weight` (16x1x3x3 = 144 injections) of digits_cnn.onnx, accuracy on the 360 held-out
digits (digits_test_x.npy / digits_test_y.npy).

1. Rebuilds the PyTorch model from the ONNX graph (checks every node and attribute first) with
   the ONNX initializers as weights, and checks its logits against onnxruntime's.
2. Runs the framework's exhaustive campaign (ExhaustiveSEUInjector, classification_accuracy).
3. Runs `seu-onnx inject ... --exhaustive --out records.csv` and compares both per injection.
4. Compares the stochastic (Bernoulli) modes of both tools (different RNGs: distributions and
   consistency with the exhaustive results, not the same draws).
5. Writes the framework's per-injection results to Fixtures/crosscheck_digits_bit1_conv1.csv,
   which Tests/SEUOnnxTests/CrossCheckTests.swift checks seu-onnx against without Python.

Run by hand (see Examples/crosscheck/README.md):

    /tmp/venv/bin/pip install seu-injection-framework==1.3.0 onnx onnxruntime
    swift build -c release
    /tmp/venv/bin/python Examples/crosscheck/crosscheck_digits.py [--seu-onnx .build/release/seu-onnx]
"""
import argparse
import csv
import os
import re
import resource
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn as nn

import seu_injection
from seu_injection import ExhaustiveSEUInjector, StochasticSEUInjector, classification_accuracy

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TENSOR, BIT, BATCH = "conv1.weight", 1, 64  # BATCH: classification_accuracy's default batch_size

# The graph digits_cnn.onnx must have: (op, attributes other than defaults we rely on).
EXPECTED_NODES = [
    ("Conv", {"dilations": [1, 1], "group": 1, "kernel_shape": [3, 3], "pads": [1, 1, 1, 1], "strides": [1, 1]}),
    ("Relu", {}),
    ("MaxPool", {"ceil_mode": 0, "dilations": [1, 1], "kernel_shape": [2, 2], "pads": [0, 0, 0, 0], "strides": [2, 2]}),
    ("Conv", {"dilations": [1, 1], "group": 1, "kernel_shape": [3, 3], "pads": [1, 1, 1, 1], "strides": [1, 1]}),
    ("Relu", {}),
    ("MaxPool", {"ceil_mode": 0, "dilations": [1, 1], "kernel_shape": [2, 2], "pads": [0, 0, 0, 0], "strides": [2, 2]}),
    ("Flatten", {"axis": 1}),
    ("Gemm", {"alpha": 1.0, "beta": 1.0, "transB": 1}),
    ("Relu", {}),
    ("Gemm", {"alpha": 1.0, "beta": 1.0, "transB": 1}),
]


class DigitsCNN(nn.Module):
    """digits_cnn.onnx as PyTorch: conv1 1->16 3x3 pad 1, relu, maxpool 2/2, conv2 16->32 3x3
    pad 1, relu, maxpool 2/2, flatten, fc1 128->64, relu, fc2 64->10 (logits)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, stride=1, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, stride=1, padding=1)
        self.pool = nn.MaxPool2d(2, stride=2, padding=0, ceil_mode=False)
        self.fc1 = nn.Linear(32 * 2 * 2, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        return self.fc2(torch.relu(self.fc1(x)))


def onnx_weights(path):
    """The ONNX file's initializers, after checking its graph is the one DigitsCNN rebuilds."""
    import onnx  # here, not at the top: --weights runs without onnx (see README: numpy < 2)
    from onnx import numpy_helper
    graph = onnx.load(path).graph
    nodes = [(n.op_type, {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute}) for n in graph.node]
    if nodes != EXPECTED_NODES:
        sys.exit(f"{path}: graph differs from the PyTorch rebuild:\n{nodes}")
    return {i.name: numpy_helper.to_array(i).copy() for i in graph.initializer}


def load_model(arrays):
    """DigitsCNN with the given weights (name -> float32 array)."""
    weights = {name: torch.from_numpy(np.asarray(value)) for name, value in arrays.items()}
    model = DigitsCNN()
    state = model.state_dict()
    if set(weights) != set(state):
        sys.exit(f"initializers {sorted(weights)} != parameters {sorted(state)}")
    for name, value in weights.items():
        if tuple(value.shape) != tuple(state[name].shape) or value.dtype != torch.float32:
            sys.exit(f"{name}: {value.dtype} {tuple(value.shape)} vs {tuple(state[name].shape)}")
    model.load_state_dict(weights)
    return model.eval()


def bits_hex(value):
    return "0x%08x" % struct.unpack("<I", struct.pack("<f", value))[0]


def framework_exhaustive(model, x, y):
    """The framework's campaign, timed; returns (baseline, per-injection dicts, (wall, CPU) seconds)."""
    injector = ExhaustiveSEUInjector(trained_model=model, criterion=classification_accuracy, device="cpu", x=x, y=y)
    start, cpu = time.perf_counter(), time.process_time()
    results = injector.run_injector(bit_i=BIT, layer_name=TENSOR)
    seconds = (time.perf_counter() - start, time.process_time() - cpu)
    shape = tuple(model.state_dict()[TENSOR].shape)
    rows = []
    for loc, score, before, after in zip(results["tensor_location"], results["criterion_score"],
                                         results["value_before"], results["value_after"]):
        rows.append({"index": int(np.ravel_multi_index(loc, shape)), "accuracy": float(score),
                     "before": before, "after": after})
    return float(injector.baseline_score), rows, seconds


def add_nonfinite(model, x, y, rows):
    """Replays each injection (the framework records no finiteness) with the same batches of 64,
    marking rows whose logits held NaN/Inf, and checks the replay reproduces the accuracy."""
    weight = model.conv1.weight.data.view(-1)
    labels = y.astype(np.int64)
    with torch.no_grad():
        for row in rows:
            original = float(weight[row["index"]])
            weight[row["index"]] = row["after"]
            try:
                logits = torch.cat([model(torch.from_numpy(x[s:s + BATCH])) for s in range(0, len(x), BATCH)]).numpy()
            finally:
                weight[row["index"]] = original
            row["nonfinite_samples"] = int((~np.isfinite(logits)).any(axis=1).sum())
            row["correct"] = int((logits.argmax(axis=1) == labels).sum())
            if row["correct"] / len(labels) != row["accuracy"]:
                sys.exit(f"replay of injection {row['index']} gives {row['correct']}/{len(labels)}, framework {row['accuracy']}")


def run_seu_onnx(binary, models, extra):
    """Runs `seu-onnx inject` on digits_cnn.onnx; returns (records, campaign seconds, (wall, CPU) seconds of
    the whole process, stdout)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "records.csv")
        cmd = [binary, "inject", os.path.join(models, "digits_cnn.onnx"),
               "--input", os.path.join(models, "digits_test_x.npy"),
               "--labels", os.path.join(models, "digits_test_y.npy"),
               "--tensors", TENSOR, "--bits", str(BIT), "--out", out, "--quiet"] + extra
        start, cpu = time.perf_counter(), children_cpu()
        done = subprocess.run(cmd, capture_output=True, text=True)
        wall = (time.perf_counter() - start, children_cpu() - cpu)
        if done.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        with open(out, newline="") as f:
            records = list(csv.DictReader(f))
    match = re.search(r"injections: (\d+) in ([0-9.]+) s", done.stdout)
    campaign = float(match.group(2)) if match else wall[0]
    return records, campaign, wall, done.stdout


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timing(model, x, y, binary, models, first_fw, first_so, repeat):
    """Best of `repeat` runs of each campaign (the first from the comparison), interleaved so that
    both see the same machine load; CPU seconds are less sensitive to other jobs than wall time."""
    fw_runs, so_runs = [first_fw], [first_so]
    for _ in range(repeat - 1):
        fw_runs.append(framework_exhaustive(model, x, y)[2])
        _, campaign, process, _ = run_seu_onnx(binary, models, ["--exhaustive"])
        so_runs.append((campaign, process[1]))
    fw_wall, fw_cpu = min(r[0] for r in fw_runs), min(r[1] for r in fw_runs)
    so_wall, so_cpu = min(r[0] for r in so_runs), min(r[1] for r in so_runs)
    print(f"throughput (campaign only, best of {repeat}): framework {144 / fw_wall:.1f} injections/s ({fw_wall:.2f} s),"
          f" seu-onnx {144 / so_wall:.1f} injections/s ({so_wall:.2f} s); seu-onnx/framework speed ratio {fw_wall / so_wall:.2f}")
    print(f"CPU time (all threads): framework {fw_cpu:.2f} s for the campaign, seu-onnx {so_cpu:.2f} s for the whole"
          f" process (load, baseline, campaign)")


def stdout_number(text, pattern):
    match = re.search(pattern, text)
    return float(match.group(1)) if match else float("nan")


def compare_exhaustive(rows, records, fw_baseline, so_stdout):
    print("\n== exhaustive, bit %d of %s: %d injections ==" % (BIT, TENSOR, len(rows)))
    so_baseline = stdout_number(so_stdout, r"baseline: accuracy ([0-9.]+)")
    fw_mean = float(np.mean([r["accuracy"] for r in rows]))
    so_mean = float(np.mean([float(r["metric"]) for r in records]))
    print(f"baseline: framework {fw_baseline:.5f}, seu-onnx {so_baseline:.5f}")
    print(f"mean accuracy: framework {fw_mean:.5f}, seu-onnx {so_mean:.5f}")
    if len(records) != len(rows):
        sys.exit(f"seu-onnx made {len(records)} injections, the framework {len(rows)}")
    same, differ = 0, []
    for fw, so in zip(rows, records):
        if int(so["index"]) != fw["index"] or so["bits_after"] != bits_hex(fw["after"]):
            sys.exit(f"fault order or flipped value differs: {so} vs {fw}")
        if float(so["metric"]) == fw["accuracy"]:
            same += 1
        else:
            differ.append((fw, so))
    print(f"identical accuracy: {same} of {len(rows)}")
    nonfinite_both = sum(1 for fw, so in zip(rows, records) if fw["nonfinite_samples"] and so["nonfinite"] == "true")
    nonfinite_split = [(fw["index"], fw["nonfinite_samples"], so["nonfinite_samples"]) for fw, so in zip(rows, records)
                       if (fw["nonfinite_samples"] > 0) != (so["nonfinite"] == "true")]
    print(f"non-finite logits on both sides: {nonfinite_both}; on one side only: {nonfinite_split or 'none'}")
    counts = [(fw["index"], fw["nonfinite_samples"], int(so["nonfinite_samples"])) for fw, so in zip(rows, records)
              if fw["nonfinite_samples"] != int(so["nonfinite_samples"])]
    print(f"injections whose number of non-finite samples differs (index, framework, seu-onnx): {counts or 'none'}")
    if differ:
        print("differences:\n  index  value after      framework  (non-finite samples)  seu-onnx  (non-finite samples)")
        for fw, so in differ:
            print(f"  {fw['index']:5d}  {fw['after']:<15.8g}  {fw['accuracy']:.5f}  ({fw['nonfinite_samples']:3d})"
                  f"               {float(so['metric']):.5f}  ({int(so['nonfinite_samples']):3d})")
    return same, differ


def compare_stochastic(model, x, y, binary, models, p, seed, exhaustive):
    """Both tools' Bernoulli modes at the same p. The draws differ (NumPy PCG64 vs xoshiro256**),
    so compare the sample sizes and means, and check each drawn injection equals the exhaustive
    result at its index on that tool's own side (a fault's effect does not depend on the draw)."""
    print(f"\n== stochastic, p = {p}, seed {seed} (different RNGs: distributions, not draws) ==")
    injector = StochasticSEUInjector(trained_model=model, criterion=classification_accuracy, device="cpu", x=x, y=y, seed=seed)
    start = time.perf_counter()
    results = injector.run_injector(bit_i=BIT, layer_name=TENSOR, p=p)
    fw_seconds = time.perf_counter() - start
    shape = tuple(model.state_dict()[TENSOR].shape)
    fw = {int(np.ravel_multi_index(loc, shape)): s for loc, s in zip(results["tensor_location"], results["criterion_score"])}
    records, so_seconds, _, _ = run_seu_onnx(binary, models, ["--probability", str(p), "--seed", str(seed)])
    so = {int(r["index"]): float(r["metric"]) for r in records}
    by_index = {r["index"]: r["accuracy"] for r in exhaustive}
    expected = 144 * p
    for name, draw, secs in (("framework", fw, fw_seconds), ("seu-onnx", so, so_seconds)):
        values = list(draw.values())
        agree = sum(1 for i, v in draw.items() if v == by_index[i])
        print(f"{name:9s}: {len(draw):3d} injections (expected {expected:.0f} ± {np.sqrt(144 * p * (1 - p)):.0f}),"
              f" mean accuracy {np.mean(values):.5f}, equal to the exhaustive value at their index: {agree}/{len(draw)},"
              f" {len(draw) / secs:.1f} injections/s")
    common = sorted(set(fw) & set(so))
    print(f"indices drawn by both: {len(common)}, same accuracy on {sum(fw[i] == so[i] for i in common)}")


def write_fixture(path, rows):
    with open(path, "w", newline="") as f:
        f.write("# seu-injection-framework %s, torch %s: ExhaustiveSEUInjector bit %d over %s of digits_cnn.onnx,\n"
                "# classification_accuracy on digits_test_x/y (360 images, batch 64). Written by\n"
                "# Examples/crosscheck/crosscheck_digits.py; index is flat row-major, after_bits the flipped float32.\n"
                % (seu_injection.__version__, torch.__version__, BIT, TENSOR))
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["index", "after_bits", "accuracy", "correct", "nonfinite", "nonfinite_samples"])
        for r in rows:
            writer.writerow([r["index"], bits_hex(r["after"]), repr(r["accuracy"]), r["correct"],
                             "true" if r["nonfinite_samples"] else "false", r["nonfinite_samples"]])
    print(f"\nwrote {os.path.relpath(path, ROOT)} ({len(rows)} rows)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seu-onnx", default=os.path.join(ROOT, ".build/release/seu-onnx"))
    parser.add_argument("--models", default=os.environ.get("SEU_SHARED_MODELS", "/work/shared/models"))
    parser.add_argument("--fixture", default=os.path.join(ROOT, "Fixtures/crosscheck_digits_bit1_conv1.csv"))
    parser.add_argument("--probability", type=float, default=0.5, help="stochastic comparison (0 skips it)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save-weights", metavar="NPZ", help="only save the ONNX initializers to NPZ and stop")
    parser.add_argument("--weights", metavar="NPZ", help="weights saved by --save-weights (then onnx is not needed)")
    parser.add_argument("--repeat", type=int, default=3, help="timing: best of this many runs of each campaign")
    parser.add_argument("--torch-threads", type=int, default=0,
                        help="torch.set_num_threads (0: torch's default; 1 is faster when other jobs load the CPU)")
    args = parser.parse_args()

    if args.torch_threads > 0:
        torch.set_num_threads(args.torch_threads)
    if args.weights:
        with np.load(args.weights) as saved:
            arrays = {name: saved[name] for name in saved.files}
    else:
        arrays = onnx_weights(os.path.join(args.models, "digits_cnn.onnx"))
    if args.save_weights:
        np.savez(args.save_weights, **arrays)
        print(f"saved the initializers to {args.save_weights}")
        return
    model = load_model(arrays)
    x = np.load(os.path.join(args.models, "digits_test_x.npy"))
    y = np.load(os.path.join(args.models, "digits_test_y.npy"))
    with torch.no_grad():
        logits = model(torch.from_numpy(x)).numpy()
    ort_logits = np.load(os.path.join(args.models, "digits_cnn_logits_ort.npy"))
    error = float(np.abs(logits - ort_logits).max())
    print(f"torch {torch.__version__} ({torch.get_num_threads()} threads), numpy {np.__version__}, "
          f"seu-injection-framework {seu_injection.__version__}")
    print(f"PyTorch rebuild vs onnxruntime logits: max |difference| {error:.3g}, same argmax on "
          f"{int((logits.argmax(1) == ort_logits.argmax(1)).sum())}/{len(x)}")
    if error > 1e-4:
        sys.exit("the PyTorch rebuild does not reproduce onnxruntime's logits")

    load = os.getloadavg()[0]
    fw_baseline, rows, fw_seconds = framework_exhaustive(model, x, y)
    add_nonfinite(model, x, y, rows)
    records, so_seconds, so_process, so_stdout = run_seu_onnx(args.seu_onnx, args.models, ["--exhaustive"])
    compare_exhaustive(rows, records, fw_baseline, so_stdout)

    kernels = re.search(r"kernels: (.*)", so_stdout)
    print("\nload average before timing: %.2f (timings are only comparable on a quiet machine)" % load)
    print(f"torch: {torch.get_num_threads()} thread(s); seu-onnx: {kernels.group(1) if kernels else '?'}")
    timing(model, x, y, args.seu_onnx, args.models, fw_seconds, (so_seconds, so_process[1]), args.repeat)
    print(f"seu-onnx wall clock including model load and baseline: {so_process[0]:.2f} s")

    if args.probability > 0:
        compare_stochastic(model, x, y, args.seu_onnx, args.models, args.probability, args.seed, rows)
    if args.fixture:
        write_fixture(args.fixture, rows)


if __name__ == "__main__":
    main()
