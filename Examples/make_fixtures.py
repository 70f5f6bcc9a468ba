#!/usr/bin/env python3
"""Builds the small models and data in Fixtures/ that the tests and the README use.

Run by hand (not by CI); needs torch, onnx, onnxruntime, onnxscript and scikit-learn:

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install torch onnx onnxruntime onnxscript scikit-learn
    /tmp/venv/bin/python Examples/make_fixtures.py            # number-format fixtures only
    /tmp/venv/bin/python Examples/make_fixtures.py --retrain  # also retrain tiny_cnn (changes every file)

Without --retrain, the trained model is not touched: the number-format fixtures below are made
from the weights stored in Fixtures/tiny_cnn.onnx (see Examples/make_format_fixtures.py), so
rerunning the script leaves the committed base fixtures byte for byte unchanged.

Made with torch 2.15.0, onnx 1.20, onnxruntime 1.32 (versions are also written to
Fixtures/VERSIONS.txt). Training is seeded, but PyTorch kernels are not bit-reproducible across
machines, so rerunning may change the weights slightly; tests read the reference outputs this
script stores next to each model instead of hard-coding logits.

Files:
  tiny_cnn.onnx              legacy TorchScript exporter (dynamo=False), opset 17, weights inline
  tiny_cnn_external.onnx     default torch.export exporter, external data in
  tiny_cnn_external.onnx.data   (torch.onnx.export defaults)
  digits_x.npy, digits_y.npy 360 held-out 8x8 digits (float32 NCHW) and int64 labels
  tiny_cnn_logits_ort.npy    onnxruntime logits of tiny_cnn.onnx on digits_x.npy
  tiny_cnn_fp16*, tiny_cnn_bf16*, tiny_cnn_int8*, layouts.onnx: see make_format_fixtures.py
"""
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
import torch
import torch.nn as nn
from sklearn.datasets import load_digits

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "Fixtures")


class TinyCNN(nn.Module):
    """Conv-Relu-MaxPool twice, then two fully connected layers: 8x8 grey digits to 10 classes."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(16 * 2 * 2, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        return self.fc2(torch.relu(self.fc1(x)))


def digits():
    data = load_digits()
    x = (data.images / 16.0).astype(np.float32)[:, None, :, :]
    y = data.target.astype(np.int64)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(x))
    test, train = order[:360], order[360:]
    return x[train], y[train], x[test], y[test]


def train(model, x, y):
    torch.manual_seed(0)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    xs, ys = torch.from_numpy(x), torch.from_numpy(y)
    for epoch in range(30):
        perm = torch.randperm(len(xs))
        for i in range(0, len(xs), 64):
            batch = perm[i:i + 64]
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(xs[batch]), ys[batch])
            loss.backward()
            optimizer.step()
    return model.eval()


def export(model, path, dynamo, **kwargs):
    example = torch.zeros(1, 1, 8, 8)
    torch.onnx.export(model, (example,), path, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}} if not dynamo else None,
                      dynamic_shapes=({0: torch.export.Dim("batch")},) if dynamo else None,
                      dynamo=dynamo, **kwargs)


def main():
    if "--retrain" in sys.argv or not os.path.exists(os.path.join(OUT, "tiny_cnn.onnx")):
        make_base_fixtures()
    from make_format_fixtures import make_format_fixtures
    make_format_fixtures(OUT)


def make_base_fixtures():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    x_train, y_train, x_test, y_test = digits()
    model = train(TinyCNN(), x_train, y_train)
    with torch.no_grad():
        accuracy = (model(torch.from_numpy(x_test)).argmax(1).numpy() == y_test).mean()
    print(f"tiny_cnn test accuracy (PyTorch): {accuracy:.5f}")

    np.save(os.path.join(OUT, "digits_x.npy"), x_test)
    np.save(os.path.join(OUT, "digits_y.npy"), y_test)

    legacy = os.path.join(OUT, "tiny_cnn.onnx")
    export(model, legacy, dynamo=False, opset_version=17)

    external = os.path.join(OUT, "tiny_cnn_external.onnx")
    for stale in (external, external + ".data"):
        if os.path.exists(stale):
            os.remove(stale)
    export(model, external, dynamo=True)  # torch.onnx.export defaults: external data
    if not os.path.exists(external + ".data"):
        # Small models may be written inline; force the layout the exporter uses for big ones.
        m = onnx.load(external)
        onnx.save_model(m, external, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=os.path.basename(external) + ".data", size_threshold=256)

    session = ort.InferenceSession(legacy, providers=["CPUExecutionProvider"])
    logits = session.run(None, {"input": x_test})[0]
    np.save(os.path.join(OUT, "tiny_cnn_logits_ort.npy"), logits)
    ort_accuracy = (logits.argmax(1) == y_test).mean()
    ext_logits = ort.InferenceSession(external, providers=["CPUExecutionProvider"]).run(None, {"input": x_test})[0]
    assert np.abs(ext_logits - logits).max() < 1e-4, "the two exports disagree"
    print(f"tiny_cnn test accuracy (onnxruntime): {ort_accuracy:.5f} ({int(round(ort_accuracy * 360))}/360)")

    with open(os.path.join(OUT, "VERSIONS.txt"), "w") as f:
        f.write(f"python {sys.version.split()[0]}\ntorch {torch.__version__}\nonnx {onnx.__version__}\n"
                f"onnxruntime {ort.__version__}\n")
        f.write(f"tiny_cnn accuracy on digits_x/digits_y: PyTorch {accuracy:.5f}, onnxruntime {ort_accuracy:.5f}\n")


if __name__ == "__main__":
    main()
