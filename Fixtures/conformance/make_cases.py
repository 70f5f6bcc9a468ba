#!/usr/bin/env python3
"""Builds the tiny conformance case folders in Fixtures/conformance/ that the runner's tests use.

Run by hand (not by CI); needs onnx and numpy:

    /tmp/venv/bin/python Fixtures/conformance/make_cases.py

Each case has ONNX's backend-test layout: <suite>/<case>/model.onnx and
test_data_set_N/input_K.pb, output_K.pb (serialized TensorProto or, for sequences,
SequenceProto). Expected outputs are written by hand here (they are simple), not computed by
seu-onnx, so the tests check the runner against independent values.

  node/test_fixture_relu            Relu on [nan, -inf, inf, -1, 0, 2.5]: passes (NaN equals NaN)
  node/test_fixture_relu_off        the same, expected element 4 off by 0.01: fails at index 4
  node/test_fixture_custom_op       an operator of domain com.example: unsupported-operator error
  node/test_fixture_float8_output   Cast to FLOAT8E4M3FN: skipped (type not representable)
  node/test_fixture_sequence_input  SequenceLength of a sequence input: skipped
  simple/test_fixture_two_sets      Sub with two data sets; the second's expectation is wrong
"""
import os
import shutil

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))


def write_case(suite, name, model, data_sets):
    folder = os.path.join(HERE, suite, name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    onnx.save(model, os.path.join(folder, "model.onnx"))
    for index, (inputs, outputs) in enumerate(data_sets):
        data = os.path.join(folder, f"test_data_set_{index}")
        os.makedirs(data)
        for kind, values in (("input", inputs), ("output", outputs)):
            for k, proto in enumerate(values):
                with open(os.path.join(data, f"{kind}_{k}.pb"), "wb") as f:
                    f.write(proto.SerializeToString())


def tensor(array, name):
    return numpy_helper.from_array(np.asarray(array), name)


def single_node_model(node, inputs, outputs, opset=17, extra_opsets=()):
    graph = helper.make_graph([node], "fixture", inputs, outputs)
    opsets = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, v) for d, v in extra_opsets]
    model = helper.make_model(graph, producer_name="seu-onnx fixtures", opset_imports=opsets)
    model.ir_version = 8
    return model


def main():
    x = np.array([[np.nan, -np.inf, np.inf], [-1.0, 0.0, 2.5]], dtype=np.float32)
    relu_y = np.array([[np.nan, 0.0, np.inf], [0.0, 0.0, 2.5]], dtype=np.float32)
    relu = single_node_model(
        helper.make_node("Relu", ["x"], ["y"]),
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])])
    write_case("node", "test_fixture_relu", relu, [([tensor(x, "x")], [tensor(relu_y, "y")])])
    off = relu_y.copy()
    off[1, 1] = 0.01  # element 4: the runner must report index 4, value 0.0 against 0.01
    write_case("node", "test_fixture_relu_off", relu, [([tensor(x, "x")], [tensor(off, "y")])])

    custom = single_node_model(
        helper.make_node("Frobnicate", ["x"], ["y"], domain="com.example"),
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])],
        extra_opsets=[("com.example", 1)])
    write_case("node", "test_fixture_custom_op", custom,
               [([tensor(np.array([1, 2], np.float32), "x")], [tensor(np.array([1, 2], np.float32), "y")])])

    cast = single_node_model(
        helper.make_node("Cast", ["x"], ["y"], to=TensorProto.FLOAT8E4M3FN),
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT8E4M3FN, [2])], opset=19)
    y8 = helper.make_tensor("y", TensorProto.FLOAT8E4M3FN, [2], [1.0, 2.0])
    write_case("node", "test_fixture_float8_output", cast,
               [([tensor(np.array([1, 2], np.float32), "x")], [y8])])

    seq_type = helper.make_tensor_sequence_value_info("s", TensorProto.FLOAT, None)
    length = single_node_model(
        helper.make_node("SequenceLength", ["s"], ["n"]),
        [seq_type], [helper.make_tensor_value_info("n", TensorProto.INT64, [])])
    sequence = onnx.numpy_helper.from_list([np.array([1.0], np.float32), np.array([2.0], np.float32)], "s")
    write_case("node", "test_fixture_sequence_input", length,
               [([sequence], [tensor(np.array(2, np.int64), "n")])])

    sub = single_node_model(
        helper.make_node("Sub", ["a", "b"], ["d"]),
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, [3]),
         helper.make_tensor_value_info("b", TensorProto.FLOAT, [3])],
        [helper.make_tensor_value_info("d", TensorProto.FLOAT, [3])])
    a = np.array([5, 7, 9], np.float32)
    b = np.array([1, 2, 3], np.float32)
    write_case("simple", "test_fixture_two_sets", sub, [
        ([tensor(a, "a"), tensor(b, "b")], [tensor(np.array([4, 5, 6], np.float32), "d")]),
        # Wrong on purpose: 7 - 2 is 5, not 5.5 (the runner must name test_data_set_1).
        ([tensor(a, "a"), tensor(b, "b")], [tensor(np.array([4, 5.5, 6], np.float32), "d")]),
    ])


if __name__ == "__main__":
    main()
