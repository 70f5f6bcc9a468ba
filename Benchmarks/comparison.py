"""peers.py's main run (inside the venv): `seu-onnx bench`, then the peers, then the table."""
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import onnxruntime as ort
import torch

import peer_runs


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def run_seu_onnx(args, repeat, only=None, echo=True):
    """`seu-onnx bench --json` (all measurements, or `only`), its output streamed when `echo`;
    returns (results, kernel line)."""
    if args.skip_seu_onnx:
        with open(args.skip_seu_onnx) as f:
            return json.load(f), f"(seu-onnx bench not run: results read from {args.skip_seu_onnx})"
    if not os.access(args.seu_onnx, os.X_OK):
        sys.exit(f"no seu-onnx binary at {args.seu_onnx} (run `swift build -c release` or pass --seu-onnx PATH)")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "bench.json")
        command = [args.seu_onnx, "bench", "--models", args.models, "--repeat", str(repeat), "--json", out]
        if only:
            command += ["--only", only]
        if echo:
            print("+ " + " ".join(command), flush=True)
        process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        kernel = ""
        for line in process.stdout:
            if echo:
                print("  | " + line.rstrip(), flush=True)
            if line.startswith("kernels:"):
                kernel = line.strip()
        if process.wait() != 0:
            sys.exit(f"seu-onnx bench failed with status {process.returncode}")
        with open(out) as f:
            return json.load(f), kernel


def interleaved_latency(args, rounds, seu):
    """resnet18 latency at batch 1 and 8, seu-onnx and onnxruntime alternating for `rounds`
    rounds (each round: one `seu-onnx bench --only latency1,latency8 --repeat 1` — 10 and 3 timed
    runs — then as many onnxruntime runs), so that both see the same machine conditions (on a
    shared VM these drift by ±30% within minutes). Each side's figure is the median of all its
    runs; seu-onnx's medians replace those of the main bench in `seu` (with --skip-seu-onnx,
    onnxruntime alone runs the rounds and `seu` keeps the figures read from the file)."""
    ort_side = peer_runs.OrtLatency(args.models, args.threads)
    times = {1: [], 8: []}
    for index in range(rounds):
        mine = None
        if not args.skip_seu_onnx:
            mine, _ = run_seu_onnx(args, 1, only="latency1,latency8", echo=False)
            for batch in (1, 8):
                times[batch] += mine.get(f"latency{batch}_times_ms", [mine[f"latency{batch}_ms"]])
        ort_side.round(1, 10)
        ort_side.round(8, 3)
        own = f"seu-onnx {mine['latency1_ms']:.1f} / {mine['latency8_ms']:.1f} ms, " if mine else ""
        print(f"  round {index + 1}/{rounds}: {own}onnxruntime {np.median(ort_side.times[1][-10:]):.1f} / "
              f"{np.median(ort_side.times[8][-3:]):.1f} ms (batch 1 / 8)", flush=True)
    for batch in (1, 8):
        if times[batch]:
            seu[f"latency{batch}_ms"] = float(np.median(times[batch]))
            seu[f"latency{batch}_runs"] = len(times[batch])
    return ort_side.result(rounds, alternating=not args.skip_seu_onnx)


def fmt(value, unit):
    if value is None:
        return "—"
    return f"{value:.1f} {unit}" if value >= 10 else f"{value:.2f} {unit}"


def rows(seu, peers):
    """(measurement, seu-onnx, peer, ratio text, target text, met) rows; ratio = seu-onnx's speed
    over the peer's (latency: seu-onnx's time over the peer's, as the target is stated)."""
    table = []
    ort_lat = peers["ort_latency"]
    for batch in (1, 8):
        mine, theirs = seu.get(f"latency{batch}_ms"), ort_lat[f"latency{batch}_ms"]
        ratio = mine / theirs if mine else None
        table.append((f"resnet18 224 batch {batch} latency (onnxruntime)", fmt(mine, "ms"), fmt(theirs, "ms"),
                      f"{ratio:.2f}× ORT's time" if ratio else "—", "≤ 1.5× ORT", ratio is not None and ratio <= 1.5))
    for key, label, peer, target in (
            ("digits_per_s", "(a) digits_cnn exhaustive bit 1, 360 images (framework)", peers["framework_digits"], 20),
            ("r18digits_per_s", "(b) resnet18_digits32 200 faults, 64 images (framework stochastic)",
             peers["framework_r18digits_stochastic"], 10),
            ("r18digits_per_s", "(b') same, framework single-injection loop", peers["framework_r18digits_loop"], 10),
            ("r18sdc_per_s", "(c) resnet18 224 200 faults, 1 image, SDC (ORT new session per fault)",
             peers["ort_new_session_per_fault"], 20)):
        mine, theirs = seu.get(key), peer["per_s"]
        ratio = mine / theirs if mine else None
        table.append((label, fmt(mine, "inj/s"), fmt(theirs, "inj/s"), f"{ratio:.1f}×" if ratio else "—",
                      f"≥ {target}×", ratio is not None and ratio >= target))
    memory = peers.get("ort_memory", {})
    for key, label in (("r18digits", "resnet18_digits32, 64 images"), ("r18", "resnet18 224, 1 image")):
        run, inject = seu.get(f"memory_{key}_run_mib"), seu.get(f"memory_{key}_inject_mib")
        ratio = inject / run if run and inject else None
        peer = memory.get(f"{key}_run_mib")
        table.append((f"peak memory {label}: inject / run", f"{inject:.0f} / {run:.0f} MiB" if ratio else "—",
                      f"ORT run {peer:.0f} MiB" if peer else "—", f"{ratio:.2f}× (inject/run)" if ratio else "—",
                      "inject ≤ 2× run", ratio is not None and ratio <= 2))
    return table


def markdown(table):
    lines = ["| measurement | seu-onnx | peer | ratio | target | met? |", "|---|---|---|---|---|---|"]
    for name, mine, theirs, ratio, target, met in table:
        lines.append(f"| {name} | {mine} | {theirs} | {ratio} | {target} | {'yes' if met else 'no'} |")
    return "\n".join(lines)


def run_all(args):
    repeat = 1 if args.quick else max(1, args.repeat)
    rounds = 2 if args.quick else 5
    faults_c = 40 if args.quick else 200
    torch_threads = args.torch_threads or args.threads
    torch.set_num_threads(torch_threads)
    load_before = os.getloadavg()
    machine = {"cpu": cpu_model(), "cores": os.cpu_count(), "threads": args.threads, "torch_threads": torch_threads,
               "python": platform.python_version(),
               "torch": torch.__version__, "onnxruntime": ort.__version__, "onnx": onnx.__version__,
               "numpy": np.__version__, "load_average_before": load_before, "quick": args.quick}
    with peer_runs.quiet():  # the framework prints a banner when imported
        from seu_injection import __version__ as framework_version
    machine["seu_injection_framework"] = framework_version
    print(f"CPU: {machine['cpu']} ({machine['cores']} cores); load average {load_before[0]:.2f}", flush=True)
    if load_before[0] > 0.5:
        print("warning: the machine is not quiet; every figure (torch's 2 threads above all) will suffer", flush=True)

    started = time.time()
    seu, kernel = run_seu_onnx(args, repeat, only=None if args.skip_seu_onnx else "digits,r18digits,r18sdc,memory")
    peers = {}
    print(f"latency, seu-onnx and onnxruntime alternating ({rounds} rounds) ...", flush=True)
    peers["ort_latency"] = interleaved_latency(args, rounds, seu)
    print("framework (a): digits_cnn exhaustive ...", flush=True)
    peers["framework_digits"] = peer_runs.framework_digits(args.models, repeat)
    print("framework (b): resnet18_digits32, ~200 random faults ...", flush=True)
    module, error, x, y = peer_runs.r18digits_setup(args.models)
    peers["framework_r18digits_stochastic"] = peer_runs.framework_r18digits_stochastic(module, x, y, 200, repeat)
    peers["framework_r18digits_stochastic"]["torch_check_max_abs_diff"] = error
    peers["framework_r18digits_loop"] = peer_runs.framework_r18digits_loop(module, x, y, 200, repeat)
    print(f"onnxruntime (c): new session per fault, {faults_c} faults ...", flush=True)
    peers["ort_new_session_per_fault"] = peer_runs.ort_new_session_per_fault(args.models, args.threads, faults_c)
    print("onnxruntime peak memory ...", flush=True)
    peers["ort_memory"] = peer_runs.ort_peak_memory(args.models, args.threads)
    machine["load_average_after"] = os.getloadavg()
    machine["seconds"] = time.time() - started

    table = rows(seu, peers)
    print()
    print(markdown(table))
    print()
    print(f"CPU: {machine['cpu']}, {machine['cores']} cores; load average before {load_before[0]:.2f}, "
          f"after {machine['load_average_after'][0]:.2f} (figures are only comparable on a quiet machine)")
    print(f"seu-onnx {kernel}")
    print(f"peers: {args.threads} threads (framework: torch {torch_threads}); torch {torch.__version__}, onnxruntime {ort.__version__}, numpy {np.__version__}, "
          f"seu-injection-framework {framework_version}; seu-onnx bench --repeat {repeat} (campaigns: best of {repeat})")
    print("what each peer timed:")
    for key, label in (("ort_latency", "latency"), ("framework_digits", "(a)"),
                       ("framework_r18digits_stochastic", "(b)"), ("framework_r18digits_loop", "(b')"),
                       ("ort_new_session_per_fault", "(c)"), ("ort_memory", "memory")):
        print(f"  {label}: {peers[key]['what']}")
    print("ratios: latency = seu-onnx's time / onnxruntime's; campaigns = seu-onnx's injections/s / the peer's;"
          " memory = seu-onnx inject peak / seu-onnx run peak")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": machine, "seu_onnx": seu, "seu_onnx_kernels": kernel, "peers": peers,
                       "table": [dict(zip(("measurement", "seu_onnx", "peer", "ratio", "target", "met"), r)) for r in table]},
                      f, indent=2)
        print(f"wrote {args.json}")
