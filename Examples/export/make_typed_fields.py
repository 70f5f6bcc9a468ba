#!/usr/bin/env python3
"""Builds Fixtures/typed_fields.onnx: a tiny model whose initializers use the typed TensorProto
fields instead of raw_data, for the byte-exactness tests of `seu-onnx flip` (float_data,
float16/bfloat16/int8 widened into int32_data varints, int32_data, int64_data, double_data,
uint32 in uint64_data).

Run by hand (not by CI): /tmp/venv/bin/python Examples/export/make_typed_fields.py

The graph computes out = x * w_float + Cast(w_half); the other initializers are unused (the
importer still decodes them, and they can be flipped).
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(os.path.dirname(HERE)), "Fixtures", "typed_fields.onnx")


def main():
    inits = [
        helper.make_tensor("w_float", TensorProto.FLOAT, [2, 3], [1.0, -2.0, 0.5, 3.25, 0.0, -0.125]),
        # float16 bit patterns in int32_data (varints): 1.0, -2.0, 0.5
        helper.make_tensor("w_half", TensorProto.FLOAT16, [3], np.array([1.0, -2.0, 0.5], dtype=np.float16)),
        helper.make_tensor("w_bf16", TensorProto.BFLOAT16, [2], [1.0, -3.0]),
        helper.make_tensor("w_int8", TensorProto.INT8, [4], [5, -1, 127, -128]),
        helper.make_tensor("w_int32", TensorProto.INT32, [2], [7, -7]),
        helper.make_tensor("w_int64", TensorProto.INT64, [2], [1 << 40, -3]),
        helper.make_tensor("w_double", TensorProto.DOUBLE, [2], [1.5, -0.25]),
        helper.make_tensor("w_uint32", TensorProto.UINT32, [2], [1, 4000000000]),
    ]
    for t in inits:
        assert not t.HasField("raw_data"), t.name
    nodes = [
        helper.make_node("Mul", ["x", "w_float"], ["scaled"]),
        helper.make_node("Cast", ["w_half"], ["half_f"], to=TensorProto.FLOAT),
        helper.make_node("Add", ["scaled", "half_f"], ["out"]),
    ]
    graph = helper.make_graph(nodes, "typed_fields",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3])],
                              [helper.make_tensor_value_info("out", TensorProto.FLOAT, [2, 3])],
                              initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="make_typed_fields.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, OUT)
    print("wrote", OUT, os.path.getsize(OUT), "bytes")
    for t in inits:
        fields = [f.name for f, _ in t.ListFields() if f.name.endswith("_data")]
        print(f"  {t.name}: {fields}")


if __name__ == "__main__":
    main()
