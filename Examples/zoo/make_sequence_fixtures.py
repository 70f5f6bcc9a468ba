#!/usr/bin/env python3
"""Builds the small sequence-model fixtures in Fixtures/zoo/ that the weight-analysis tests use.

A bidirectional LSTM classifier, a GRU classifier and a Transformer-encoder classifier (token
embedding, learned positions, two encoder layers, mean pooling), each exported with both PyTorch
exporters: legacy TorchScript (`dynamo=False`, opset 17) and the default dynamo exporter (saved
with its weights inline, so each model is one file). Random weights (`torch.manual_seed`), eval
mode; the files are a few tens of KB (node metadata of the dynamo exporter removed). Next to each model: its seeded input and onnxruntime's
output on it.

Run by hand (not by CI), with torch, onnx, onnxruntime and onnxscript:

    /tmp/venv/bin/python Examples/zoo/make_sequence_fixtures.py

Files (EXPORTER = legacy | dynamo):
  lstm_EXPORTER.onnx, gru_EXPORTER.onnx, transformer_EXPORTER.onnx
  lstm_x.npy, gru_x.npy (float32 [2, 6, 8]), transformer_x.npy (int64 tokens [2, 6])
  NAME_EXPORTER_ort.npy   onnxruntime's logits on NAME_x.npy
  VERSIONS.txt            the versions of torch, onnx, onnxruntime and onnxscript used
"""
import os

import numpy as np
import onnx
import onnxruntime as ort
import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "Fixtures", "zoo")


class Recurrent(nn.Module):
    def __init__(self, cell):
        super().__init__()
        if cell == "lstm":
            self.rnn = nn.LSTM(8, 12, batch_first=True, bidirectional=True)
        else:
            self.rnn = nn.GRU(8, 12, batch_first=True)
        self.head = nn.Linear(24 if cell == "lstm" else 12, 3)

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.head(y[:, -1])


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(20, 16)
        self.position = nn.Parameter(torch.randn(1, 6, 16) * 0.1)
        layer = nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        # TransformerEncoder deep-copies `layer`: draw each copy's matrices anew so that the
        # layers differ (as after training) instead of being deduplicated into shared ones.
        for parameter in self.encoder.parameters():
            if parameter.dim() > 1:
                nn.init.xavier_uniform_(parameter)
        self.head = nn.Linear(16, 3)

    def forward(self, tokens):
        return self.head(self.encoder(self.embed(tokens) + self.position).mean(dim=1))


def export(model, x, path, exporter):
    if exporter == "legacy":
        torch.onnx.export(model, (x,), path, dynamo=False, opset_version=17, input_names=["input"],
                          output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    else:
        program = torch.onnx.export(model, (x,), dynamo=True, input_names=["input"], output_names=["logits"],
                                    dynamic_shapes=({0: torch.export.Dim("batch")},))
        program.save(path, external_data=False)
        # The dynamo exporter annotates every node with metadata_props (source stack traces):
        # 90% of the file. They are dropped here to keep the fixtures small; the importer's
        # handling of them is tested on Fixtures/tiny_cnn_external.onnx.
        model = onnx.load(path)
        for node in model.graph.node:
            del node.metadata_props[:]
        onnx.save(model, path)
    onnx.checker.check_model(path)


def main():
    os.makedirs(OUT, exist_ok=True)
    import onnxscript
    with open(os.path.join(OUT, "VERSIONS.txt"), "w") as f:
        f.write(f"torch {torch.__version__}, onnx {onnx.__version__}, onnxruntime {ort.__version__}, "
                f"onnxscript {onnxscript.__version__}\n")
    # Attention's eval fast path has no legacy ONNX symbolic; the plain path is the same function.
    torch.backends.mha.set_fastpath_enabled(False)
    generator = torch.Generator().manual_seed(1)
    inputs = {
        "lstm": torch.randn(2, 6, 8, generator=generator),
        "gru": torch.randn(2, 6, 8, generator=generator),
        "transformer": torch.randint(0, 20, (2, 6), generator=generator),
    }
    for name, x in inputs.items():
        torch.manual_seed(0)
        model = (Encoder() if name == "transformer" else Recurrent(name)).eval()
        np.save(os.path.join(OUT, f"{name}_x.npy"), x.numpy())
        for exporter in ("legacy", "dynamo"):
            path = os.path.join(OUT, f"{name}_{exporter}.onnx")
            with torch.no_grad():
                export(model, x, path, exporter)
            session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
            y = session.run(None, {session.get_inputs()[0].name: x.numpy()})[0]
            expected = model(x).detach().numpy()
            assert np.max(np.abs(y - expected)) < 1e-4, f"{name} {exporter}: onnxruntime differs from torch"
            np.save(os.path.join(OUT, f"{name}_{exporter}_ort.npy"), y)
            print(f"{path}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
