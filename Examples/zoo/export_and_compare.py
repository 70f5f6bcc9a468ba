#!/usr/bin/env python3
"""The torchvision zoo: export, run in seu-onnx and onnxruntime, compare, time, inject.

For every model below and both PyTorch exporters (legacy TorchScript `dynamo=False` at opset
17, and the default dynamo exporter; `--exporters dynamo23` adds the dynamo exporter at opset
23, which writes attention as ONNX's Attention operator), this script

1. builds the model with random weights (`torch.manual_seed`; no pretrained weights are
   downloaded), draws zero-initialized parameters (ViT's head, biases) at random so that no
   logit is trivially 0, gives BatchNorm random affine parameters and running statistics
   measured on random images (so BatchNorm is not the identity and logits stay at a sane
   scale), and puts it in eval mode;
2. exports it to ONNX in the work folder (never into the repository: the files are big);
3. runs onnxruntime (CPU, 2 intra-op threads) on one seeded input and saves the logits;
4. runs `seu-onnx run` on the same input and compares: parity when
   max |seu - ort| <= 1e-4 * max |ort|;
5. times both: onnxruntime as the best of K runs after a warm-up (K >= --repeat, more for
   fast models); seu-onnx as the difference between a run over K+1 copies of the input
   (batch 1) and a run over one copy, divided by K, so that model loading and planning are
   not counted (best of three runs each). Best-of rather than median because the machine
   may be shared: contention only ever adds time;
6. reads the default fault-injection targets from `seu-onnx info`, runs
   `seu-onnx inject MODEL --count 20 --seed 1` and records whether it completes and its
   wall-clock time.

It prints a markdown table (also written to WORK/zoo.md). Run by hand, not by CI, after
`swift build -c release`:

    /tmp/venv/bin/python Examples/zoo/export_and_compare.py [--work /tmp/zoo]
        [--models resnet18,lstm] [--exporters legacy,dynamo] [--repeat 5] [--no-inject]

Needs torch, torchvision, onnx, onnxruntime and onnxscript (for the dynamo exporter).
"""
import argparse
import collections
import contextlib
import os
import re
import subprocess
import sys
import time
import traceback

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOLERANCE = 1e-4

# name -> (constructor name in torchvision.models, input side)
VISION = collections.OrderedDict([
    ("resnet18", 224), ("resnet50", 224), ("mobilenet_v2", 224), ("mobilenet_v3_small", 224),
    ("efficientnet_b0", 224), ("squeezenet1_1", 224), ("shufflenet_v2_x1_0", 224),
    ("googlenet", 224), ("inception_v3", 299), ("densenet121", 224), ("vgg16", 224),
    ("regnet_y_400mf", 224), ("mnasnet0_5", 224), ("convnext_tiny", 224), ("vit_b_16", 224),
    # Further variants with operators or shapes of their own: grouped convolutions, SE blocks
    # with fused MBConv, windowed attention (Swin), multi-axis attention (MaxViT).
    ("alexnet", 224), ("resnext50_32x4d", 224), ("mobilenet_v3_large", 224), ("efficientnet_v2_s", 224),
    ("regnet_x_400mf", 224), ("swin_t", 224), ("maxvit_t", 224),
])
SEQUENCE = ["lstm", "gru", "rnn", "transformer"]


def build_vision(name):
    import torch
    import torchvision
    torch.manual_seed(0)
    kwargs = {"weights": None}
    if name in ("googlenet", "inception_v3"):
        kwargs.update(aux_logits=False, init_weights=True)
    model = getattr(torchvision.models, name)(**kwargs)
    side = VISION[name]
    randomize_zeros(model)
    calibrate_batchnorm(model, side)
    model.eval()
    return model, torch.randn(1, 3, side, side, generator=torch.Generator().manual_seed(1))


def calibrate_batchnorm(model, side):
    """BatchNorm made to do something, at a sane scale: random affine parameters, and running
    statistics measured on random images (as training would, so activations stay O(1) and the
    logits do not explode the way arbitrary statistics make them in deep networks)."""
    import torch
    layers = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    if not layers:
        return
    generator = torch.Generator().manual_seed(2)
    for module in layers:
        n = module.num_features
        with torch.no_grad():
            if module.affine:
                module.weight.copy_(torch.rand(n, generator=generator) + 0.5)
                module.bias.copy_(torch.randn(n, generator=generator) * 0.1)
        module.reset_running_stats()
        module.momentum = None  # cumulative average over the calibration batches
    model.train()
    with torch.no_grad():
        for _ in range(2):
            model(torch.randn(4, 3, side, side, generator=generator))


def randomize_zeros(model):
    """Parameters initialized to zero (ViT's classification head, zero biases) drawn at random:
    an all-zero head would make every logit 0 and parity trivial."""
    import torch
    generator = torch.Generator().manual_seed(3)
    with torch.no_grad():
        for parameter in model.parameters():
            if parameter.is_floating_point() and not parameter.any():
                parameter.copy_(torch.randn(parameter.shape, generator=generator) * 0.02)


def build_sequence(name):
    """Small sequence classifiers: batch-first [1, 12, 16] features (tokens for the Transformer)."""
    import torch
    from torch import nn
    torch.manual_seed(0)

    class Recurrent(nn.Module):
        def __init__(self, cell):
            super().__init__()
            if cell == "lstm":
                self.rnn = nn.LSTM(16, 32, num_layers=2, batch_first=True, bidirectional=True)
            elif cell == "gru":
                self.rnn = nn.GRU(16, 32, num_layers=2, batch_first=True)
            else:
                self.rnn = nn.RNN(16, 32, batch_first=True, nonlinearity="tanh")
            width = 64 if cell == "lstm" else 32
            self.head = nn.Linear(width, 5)

        def forward(self, x):
            y, _ = self.rnn(x)
            return self.head(y[:, -1])

    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(100, 32)
            self.position = nn.Parameter(torch.randn(1, 12, 32) * 0.1)
            layer = nn.TransformerEncoderLayer(32, 4, 64, dropout=0.0, batch_first=True)
            self.encoder = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
            # TransformerEncoder deep-copies `layer`: draw each copy's matrices anew so that the
            # layers differ (as after training) instead of being deduplicated into shared ones.
            for parameter in self.encoder.parameters():
                if parameter.dim() > 1:
                    nn.init.xavier_uniform_(parameter)
            self.head = nn.Linear(32, 5)

        def forward(self, tokens):
            h = self.encoder(self.embed(tokens) + self.position)
            return self.head(h.mean(dim=1))

    generator = torch.Generator().manual_seed(1)
    if name == "transformer":
        model = Encoder().eval()
        return model, torch.randint(0, 100, (1, 12), generator=generator)
    model = Recurrent(name).eval()
    return model, torch.randn(1, 12, 16, generator=generator)


def export(model, x, path, exporter):
    import torch
    # The eval-mode fast paths of attention (aten::_native_multi_head_attention,
    # aten::_transformer_encoder_layer_fwd) have no legacy ONNX symbolic; the plain path
    # computes the same function.
    torch.backends.mha.set_fastpath_enabled(False)
    if exporter == "legacy":
        torch.onnx.export(model, (x,), path, dynamo=False, opset_version=17,
                          input_names=["input"], output_names=["logits"])
    elif exporter == "dynamo":
        torch.onnx.export(model, (x,), path, dynamo=True, input_names=["input"],
                          output_names=["logits"])
    elif exporter == "dynamo23":
        # Opset 23 makes the exporter write scaled_dot_product_attention as ONNX Attention.
        torch.onnx.export(model, (x,), path, dynamo=True, opset_version=23, input_names=["input"],
                          output_names=["logits"])
    else:
        raise ValueError(f"unknown exporter {exporter}")


def operator_counts(path):
    import onnx
    model = onnx.load(path, load_external_data=False)
    counts = collections.Counter(node.op_type for node in model.graph.node)
    return counts


def onnxruntime_run(path, x, repeat):
    """Logits, the best time in ms, and the number of timed runs: at least `repeat`, more
    for fast models so that the seu-onnx difference of two runs is not lost in noise."""
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    feed = {session.get_inputs()[0].name: x}
    y = session.run(None, feed)[0]
    start = time.perf_counter()
    session.run(None, feed)
    first = (time.perf_counter() - start) * 1000
    repeat = int(min(max(repeat, 300 / max(first, 0.01)), 2000))
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        session.run(None, feed)
        times.append((time.perf_counter() - start) * 1000)
    return y, float(np.min(times)), repeat


def seu_run(tool, path, x_path, out_path):
    result = subprocess.run([tool, "run", path, "--input", x_path, "--output", out_path, "--batch-size", "1"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip() or result.stdout.strip())
    match = re.search(r"time: ([0-9.]+) ms", result.stdout)
    return float(match.group(1)) if match else float("nan")


def seu_targets(tool, path):
    """`seu-onnx info`'s default fault-injection targets: "N tensors, M elements"."""
    result = subprocess.run([tool, "info", path], capture_output=True, text=True)
    match = re.search(r"fault-injection targets by default \([^)]*\): (\d+) tensors.*?, ([\d,]+) elements", result.stdout)
    return f"{match.group(1)} / {match.group(2)}" if match else "?"


def seu_inject(tool, path):
    start = time.perf_counter()
    result = subprocess.run([tool, "inject", path, "--count", "20", "--seed", "1", "--quiet"],
                            capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        return f"failed: {(result.stderr.strip() or result.stdout.strip()).splitlines()[-1][:80]}"
    return f"20 in {elapsed:.1f} s" if elapsed >= 1 else f"20 in {elapsed:.2f} s"


def evaluate(name, exporter, args):
    import torch
    folder = os.path.join(args.work, f"{name}-{exporter}")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "model.onnx")
    model, x = build_sequence(name) if name in SEQUENCE else build_vision(name)
    if args.force or not os.path.exists(path):
        # The dynamo exporter prints its progress on stdout: keep stdout for the table.
        with torch.no_grad(), contextlib.redirect_stdout(sys.stderr):
            export(model, x, path, exporter)
    ops = operator_counts(path)
    if args.export_only:
        return {"model": name, "exporter": exporter, "failure": "exported only"}
    x_np = x.numpy()
    x_path = os.path.join(folder, "x.npy")
    np.save(x_path, x_np)
    reference, ort_ms, repeat = onnxruntime_run(path, x_np, args.repeat)
    np.save(os.path.join(folder, "logits_ort.npy"), reference)
    out_path = os.path.join(folder, "logits_seu.npy")
    seu_run(args.seu, path, x_path, out_path)  # parity on one sample
    actual = np.load(out_path)
    # Timing: K+1 copies minus one copy, so loading and planning cancel out.
    copies_path = os.path.join(folder, "x_copies.npy")
    np.save(copies_path, np.repeat(x_np, repeat + 1, axis=0))
    # Best of three runs each: the machine is shared, and noise only ever adds time.
    one = min(seu_run(args.seu, path, x_path, out_path) for _ in range(3))
    many = min(seu_run(args.seu, path, copies_path, os.path.join(folder, "logits_copies.npy")) for _ in range(3))
    seu_ms = (many - one) / repeat
    scale = float(np.max(np.abs(reference)))
    if not np.isfinite(scale) or scale == 0 or float(np.ptp(reference)) == 0:
        raise RuntimeError(f"degenerate reference logits (max |ref| = {scale}): parity would prove nothing")
    error = float(np.max(np.abs(actual.astype(np.float64) - reference))) if actual.shape == reference.shape else float("inf")
    row = {
        "model": name, "exporter": exporter, "nodes": sum(ops.values()),
        "ops": " ".join(sorted(ops)), "error": error, "scale": scale,
        "parity": error <= TOLERANCE * scale, "seu_ms": seu_ms, "ort_ms": ort_ms,
    }
    row["targets"] = seu_targets(args.seu, path)
    row["inject"] = seu_inject(args.seu, path) if args.inject else "-"
    return row


def fixed(ms):
    """Milliseconds with three significant digits at least (sequence models run in µs)."""
    return f"{ms:.1f}" if ms >= 10 else f"{ms:.2f}" if ms >= 1 else f"{ms:.3f}"


def markdown(rows):
    lines = [
        "| model | exporter | nodes | max abs err / max abs ref | parity | seu-onnx ms | onnxruntime ms | ratio "
        "| default targets (tensors / elements) | inject --count 20 |",
        "| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in rows:
        if "failure" in r:
            lines.append(f"| {r['model']} | {r['exporter']} | | | **{r['failure']}** | | | | | |")
            continue
        relative = r["error"] / r["scale"] if r["scale"] > 0 else r["error"]
        lines.append(
            f"| {r['model']} | {r['exporter']} | {r['nodes']} | {relative:.1e} | {'yes' if r['parity'] else '**no**'} "
            f"| {fixed(r['seu_ms'])} | {fixed(r['ort_ms'])} | {r['seu_ms'] / r['ort_ms']:.2f} | {r.get('targets', '?')} | {r['inject']} |")
    lines.append("")
    lines.append("Operators per export:")
    lines.append("")
    for r in rows:
        if "ops" in r:
            lines.append(f"- {r['model']} ({r['exporter']}): {r['ops']}")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", default="/tmp/zoo", help="folder for exported models (outside the repository)")
    parser.add_argument("--seu", default=os.path.join(ROOT, ".build/release/seu-onnx"))
    parser.add_argument("--models", default=",".join(list(VISION) + SEQUENCE))
    parser.add_argument("--exporters", default="legacy,dynamo",
                        help="legacy (TorchScript, opset 17), dynamo (default, opset 20), dynamo23 (opset 23)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per model (default 5)")
    parser.add_argument("--force", action="store_true", help="export again even if the file exists")
    parser.add_argument("--export-only", action="store_true", help="export the models, run nothing")
    parser.add_argument("--no-inject", dest="inject", action="store_false")
    args = parser.parse_args()
    if os.path.abspath(args.work).startswith(ROOT + os.sep):
        sys.exit("--work must be outside the repository (exported models are large)")
    os.makedirs(args.work, exist_ok=True)
    rows = []
    for name in args.models.split(","):
        if name not in VISION and name not in SEQUENCE:
            sys.exit(f"unknown model {name}")
        for exporter in args.exporters.split(","):
            try:
                row = evaluate(name, exporter, args)
            except Exception as error:  # a failure is a row of the table, not the end of the run
                traceback.print_exc(file=sys.stderr)
                message = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
                row = {"model": name, "exporter": exporter, "failure": message[:120].replace("|", "/")}
            rows.append(row)
            print(f"{name} {exporter}: {row}", file=sys.stderr, flush=True)
    table = markdown(rows)
    with open(os.path.join(args.work, "zoo.md"), "w") as f:
        f.write(table + "\n")
    print(table)
    sys.exit(0 if all(r.get("parity") for r in rows) else 1)


if __name__ == "__main__":
    main()
