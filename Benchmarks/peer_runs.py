"""The peers' measurements for peers.py (runs inside the venv it creates). Each function does the
work of one `seu-onnx bench` measurement with a peer tool and returns a dict of figures plus a
`what` string saying exactly what was timed."""
import contextlib
import io
import os
import subprocess
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort
import torch

import model_bytes
import onnx_torch


def ort_options(threads):
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return options


def cycled(array, count):
    """The first `count` samples of `array` (axis 0), cycling when it has fewer — as `seu-onnx
    bench` builds its batches (resnet18_input.npy holds 2 images; batch 8 repeats them)."""
    return np.ascontiguousarray(array[np.arange(count) % len(array)])


class OrtLatency:
    """onnxruntime on resnet18 224 (output checked against resnet18_output_ort.npy), timed in
    rounds that peers.py interleaves with seu-onnx's own latency rounds."""

    def __init__(self, models, threads):
        path = os.path.join(models, "resnet18.onnx")
        self.threads = threads
        self.session = ort.InferenceSession(path, ort_options(threads), providers=["CPUExecutionProvider"])
        self.name = self.session.get_inputs()[0].name
        self.images = np.load(os.path.join(models, "resnet18_input.npy"))
        reference = np.load(os.path.join(models, "resnet18_output_ort.npy"))
        self.check = float(np.abs(self.session.run(None, {self.name: self.images})[0] - reference).max())
        if self.check > 1e-3:
            sys.exit(f"onnxruntime's resnet18 output differs from resnet18_output_ort.npy by {self.check:.3g}")
        self.times = {1: [], 8: []}

    def round(self, batch, runs):
        """Warm-up, then `runs` timed runs at `batch` (ms, appended to self.times[batch])."""
        feed = {self.name: cycled(self.images, batch)}
        for _ in range(3 if batch == 1 else 2):
            self.session.run(None, feed)
        for _ in range(runs):
            start = time.perf_counter()
            self.session.run(None, feed)
            self.times[batch].append((time.perf_counter() - start) * 1e3)

    def result(self, rounds, alternating=True):
        result = {"check_max_abs_diff": self.check}
        for batch, times in self.times.items():
            result[f"latency{batch}_ms"] = float(np.median(times))
            result[f"latency{batch}_runs"] = len(times)
        result["what"] = (f"onnxruntime {ort.__version__} CPU, intra_op_num_threads={self.threads}, default graph optimizations "
                          f"(output vs resnet18_output_ort.npy: max |diff| {self.check:.2g}): median of "
                          f"{len(self.times[1])} (batch 1) / {len(self.times[8])} (batch 8) runs after warm-up, in {rounds} rounds"
                          + (" alternating with seu-onnx's (whose figure is the median of its runs in the same rounds)"
                             if alternating else " (seu-onnx's figures read from a file)"))
        return result


def checked_module(models, onnx_file, x_file, reference_file):
    """The ONNX model as a torch module, after checking its logits against onnxruntime's."""
    module = onnx_torch.load(os.path.join(models, onnx_file))
    x = np.load(os.path.join(models, x_file))
    with torch.no_grad():
        logits = module(torch.from_numpy(x)).numpy()
    reference = np.load(os.path.join(models, reference_file))
    error = float(np.abs(logits - reference).max())
    same = int((logits.argmax(1) == reference.argmax(1)).sum())
    print(f"  {onnx_file} as torch: max |logit - onnxruntime| {error:.3g}, same argmax {same}/{len(x)}", flush=True)
    if error > 1e-4 or same != len(x):
        sys.exit(f"the torch interpretation of {onnx_file} does not reproduce onnxruntime's logits")
    return module, error


@contextlib.contextmanager
def quiet():
    """Hides the framework's prints and tqdm bars (they still run: they are part of its cost)."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        yield


def framework_digits(models, repeats):
    """(a) ExhaustiveSEUInjector, bit 1 over conv1.weight of digits_cnn, 360 images."""
    from seu_injection import ExhaustiveSEUInjector, classification_accuracy
    module, error = checked_module(models, "digits_cnn.onnx", "digits_test_x.npy", "digits_cnn_logits_ort.npy")
    x = np.load(os.path.join(models, "digits_test_x.npy"))
    y = np.load(os.path.join(models, "digits_test_y.npy"))
    best, count, baseline = 0.0, 0, None
    for _ in range(repeats):
        with quiet():
            injector = ExhaustiveSEUInjector(trained_model=module, criterion=classification_accuracy, device="cpu", x=x, y=y)
            start = time.perf_counter()
            results = injector.run_injector(bit_i=1, layer_name="conv1.weight")
            seconds = time.perf_counter() - start
        count, baseline = len(results["criterion_score"]), float(injector.baseline_score)
        best = max(best, count / seconds)
    return {"per_s": best, "injections": count, "baseline_accuracy": baseline, "torch_check_max_abs_diff": error,
            "what": f"ExhaustiveSEUInjector.run_injector(bit_i=1, layer_name='conv1.weight'), classification_accuracy "
                    f"on 360 images (batch 64): {count} injections, best of {repeats}"}


def r18digits_setup(models):
    module, error = checked_module(models, "resnet18_digits32.onnx", "digits32_test_x.npy",
                                   "resnet18_digits32_logits_ort.npy")
    x = np.load(os.path.join(models, "digits32_test_x.npy"))[:64]
    y = np.load(os.path.join(models, "digits_test_y.npy"))[:64]
    return module, error, x, y


def framework_r18digits_stochastic(module, x, y, faults, repeats):
    """(b) StochasticSEUInjector over every parameter, one run per bit position 0..31 (the framework
    flips one bit position per run), p chosen so that ~`faults` injections are made in all."""
    from seu_injection import StochasticSEUInjector, classification_accuracy
    elements = sum(p.numel() for p in module.parameters())
    p = faults / (32 * elements)
    best, count = 0.0, 0
    for _ in range(repeats):
        with quiet():
            injector = StochasticSEUInjector(trained_model=module, criterion=classification_accuracy, device="cpu",
                                             x=x, y=y, seed=1)
            start = time.perf_counter()
            count = 0
            for bit in range(32):
                results = injector.run_injector(bit_i=bit, p=p, run_at_least_one_injection=False)
                count += len(results["criterion_score"])
            seconds = time.perf_counter() - start
        best = max(best, count / seconds)
    return {"per_s": best, "injections": count, "p": p, "elements": elements,
            "what": f"StochasticSEUInjector(seed=1).run_injector(bit_i=b, p={p:.3g}, run_at_least_one_injection=False) "
                    f"for b = 0..31 over all {elements:,} parameters: {count} injections in all, 64 images, whole loop "
                    f"timed (it includes drawing a mask over every parameter per bit), best of {repeats}"}


def framework_r18digits_loop(module, x, y, faults, repeats):
    """(b') The framework's own inject-evaluate-restore step (`_inject_and_evaluate`, the body of
    its injection loop) on `faults` distinct (parameter, element, bit) sites drawn uniformly with
    NumPy default_rng(1): its per-injection cost without the per-bit mask drawing."""
    from seu_injection import StochasticSEUInjector, classification_accuracy
    with quiet():
        injector = StochasticSEUInjector(trained_model=module, criterion=classification_accuracy, device="cpu", x=x, y=y)
    parameters = list(module.named_parameters())
    sizes = np.array([p.numel() for _, p in parameters])
    starts = np.concatenate([[0], np.cumsum(sizes)])
    sites = np.random.default_rng(1).choice(int(starts[-1]) * 32, size=faults, replace=False)
    plan = []
    for site in sorted(int(s) for s in sites):
        element, bit = divmod(site, 32)
        k = int(np.searchsorted(starts, element, side="right") - 1)
        _, tensor = parameters[k]
        index = tuple(int(i) for i in np.unravel_index(element - int(starts[k]), tuple(tensor.shape)))
        plan.append((tensor, index, bit))
    best = 0.0
    for _ in range(repeats):
        with quiet(), torch.no_grad():
            start = time.perf_counter()
            for tensor, index, bit in plan:
                injector._inject_and_evaluate(tensor, index, float(tensor.data[index]), bit)
            seconds = time.perf_counter() - start
        best = max(best, len(plan) / seconds)
    return {"per_s": best, "injections": len(plan),
            "what": f"the framework's per-injection step BaseInjector._inject_and_evaluate (flip, classification_accuracy "
                    f"on 64 images, restore) on {len(plan)} distinct (parameter, element, bit) sites drawn uniformly "
                    f"(numpy default_rng(1)), best of {repeats}"}


def weight_names(model):
    """Float initializers used as Conv/Gemm/MatMul weights or biases: seu-onnx's default selection."""
    floats = {t.name for t in model.graph.initializer if t.data_type == onnx.TensorProto.FLOAT}
    names = set()
    for node in model.graph.node:
        for position in onnx_torch.WEIGHT_INPUTS.get(node.op_type, ()):
            if position < len(node.input) and node.input[position] in floats:
                names.add(node.input[position])
    return names


def ort_new_session_per_fault(models, threads, faults):
    """(c) resnet18 224, one image: per fault, copy the model bytes, flip one bit of one weight
    element in them, build a new InferenceSession from the bytes, run, compare top-1."""
    path = os.path.join(models, "resnet18.onnx")
    with open(path, "rb") as f:
        data = f.read()
    names = weight_names(onnx.load_model_from_string(data))
    payloads = {n: span for n, span in model_bytes.float_payloads(data).items() if n in names}
    if set(payloads) != names:
        sys.exit(f"could not locate the payloads of {sorted(names - set(payloads))} in {path}")
    order = sorted(payloads)
    sizes = np.array([payloads[n][1] for n in order])
    starts = np.concatenate([[0], np.cumsum(sizes)])
    image = cycled(np.load(os.path.join(models, "resnet18_input.npy")), 1)
    options = ort_options(threads)

    def top1(model_bytes_):
        session = ort.InferenceSession(model_bytes_, options, providers=["CPUExecutionProvider"])
        out = session.run(None, {session.get_inputs()[0].name: image})[0]
        return int(np.argmax(out[0])), bool(np.isfinite(out).all())

    baseline, _ = top1(data)
    sites = np.random.default_rng(1).choice(int(starts[-1]) * 32, size=faults, replace=False)
    sdc = nonfinite = 0
    start = time.perf_counter()
    for site in sites:
        element, bit = divmod(int(site), 32)
        k = int(np.searchsorted(starts, element, side="right") - 1)
        patched = bytearray(data)
        model_bytes.flip(patched, payloads[order[k]][0], element - int(starts[k]), bit)
        label, finite = top1(bytes(patched))
        sdc += label != baseline
        nonfinite += not finite
    seconds = time.perf_counter() - start
    return {"per_s": faults / seconds, "faults": faults, "sdc": sdc, "nonfinite": nonfinite,
            "elements": int(starts[-1]),
            "what": f"{faults} distinct (weight element, bit) sites over all {int(starts[-1]):,} weight/bias elements "
                    f"(numpy default_rng(1)); per fault: copy the {len(data) / 2**20:.0f} MiB model bytes, flip the bit, "
                    f"InferenceSession from the bytes ({threads} threads), run one image, compare top-1 "
                    f"({sdc} SDC, {nonfinite} non-finite); one pass"}


MEMORY_CHILD = """
import sys, numpy as np, onnxruntime as ort
model, data, count, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
o = ort.SessionOptions(); o.intra_op_num_threads = threads; o.inter_op_num_threads = 1
s = ort.InferenceSession(model, o, providers=["CPUExecutionProvider"])
x = np.load(data); x = np.ascontiguousarray(x[np.arange(count) % len(x)])
s.run(None, {s.get_inputs()[0].name: x})
print(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")))
"""


def ort_peak_memory(models, threads):
    """Peak resident memory (MiB) of a child Python process that runs onnxruntime once on the
    inputs `seu-onnx bench` uses for its memory figures (its `run` side). The child reports its
    own VmHWM: wait4's ru_maxrss would start at this (large, torch-laden) process's peak, which
    Linux carries into a child across fork/exec."""
    result = {}
    for key, model, data, count in (("r18digits", "resnet18_digits32.onnx", "digits32_test_x.npy", 64),
                                    ("r18", "resnet18.onnx", "resnet18_input.npy", 1)):
        done = subprocess.run([sys.executable, "-c", MEMORY_CHILD, os.path.join(models, model),
                               os.path.join(models, data), str(count), str(threads)], capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"the onnxruntime memory child failed on {model}:\n{done.stderr}")
        result[f"{key}_run_mib"] = int(done.stdout.split()[-1]) / 1024  # VmHWM is in kB
    result["what"] = ("peak RSS (VmHWM) of a child Python process running onnxruntime once on the same inputs "
                      "(python + numpy included)")
    return result
