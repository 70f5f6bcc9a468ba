#!/usr/bin/env python3
"""Number-format fixtures: tiny_cnn (the weights stored in Fixtures/tiny_cnn.onnx, not retrained)
in float16, bfloat16 and int8, each with reference logits on Fixtures/digits_x.npy, and a small
model holding tensors in every stored layout. Called by make_fixtures.py; run by hand:

    /tmp/venv/bin/python Examples/make_fixtures.py

Files (all in Fixtures/):
  tiny_cnn_fp16.onnx            model.half(), legacy exporter, opset 17: float16 input, weights,
                                output (raw_data)
  tiny_cnn_fp16_logits_ort.npy  onnxruntime logits (float16) on digits_x rounded to float16
  tiny_cnn_bf16.onnx(.data)     model.to(torch.bfloat16), default (dynamo) exporter, opset 20,
                                external data; onnxruntime's CPU provider rejects it
  tiny_cnn_bf16_logits_torch.npy  PyTorch bfloat16 logits (as float32) on digits_x rounded to
                                bfloat16: the independent reference
  tiny_cnn_int8.onnx            onnxruntime quantize_static, QDQ, int8 weights per channel
                                (DequantizeLinear with axis), int8 activations, int32 biases
  tiny_cnn_int8_pt.onnx         the same with per-tensor weight scales
  tiny_cnn_int8_qop.onnx        QOperator format: QLinearConv, QLinearMatMul (Gemm rewritten as
                                MatMul + Add first, so no com.microsoft QGemm), uint8 activations
  tiny_cnn_int8_dyn.onnx        quantize_dynamic: ConvInteger, MatMulInteger,
                                DynamicQuantizeLinear, Cast
  tiny_cnn_int8*_logits_ort.npy onnxruntime logits (float32) of each int8 model on digits_x
  layouts.onnx(.data)           float16/bfloat16/float64/int8 tensors in raw_data, the typed
                                fields (int32_data, double_data) and external data
  conversion_cases.onnx         a small float32 graph exercising `seu-onnx convert`: Resize
                                scales (must stay float32), a weight beyond float16's range, a
                                Constant below its smallest subnormal, Cast to float,
                                ConstantOfShape with a float value
  FORMATS.txt                   versions and parity figures computed here
"""
import copy
import os
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import TensorProto, helper, numpy_helper

from make_fixtures import TinyCNN, digits


def load_tiny_cnn(out):
    """TinyCNN with the weights of the committed Fixtures/tiny_cnn.onnx."""
    m = onnx.load(os.path.join(out, "tiny_cnn.onnx"))
    state = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in m.graph.initializer}
    model = TinyCNN()
    model.load_state_dict(state)
    return model.eval()


def ort_run(path, feeds, optimize=True):
    options = ort.SessionOptions()
    if not optimize:
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    return session.run(None, feeds)[0]


def remove(*paths):
    for path in paths:
        if os.path.exists(path):
            os.remove(path)


def stats(name, logits, reference, y):
    a, b = logits.astype(np.float32), reference.astype(np.float32)
    rel = np.abs(a - b).max() / np.abs(b).max()
    line = (f"{name}: top-1 agreement {(a.argmax(1) == b.argmax(1)).mean():.5f}, accuracy {(a.argmax(1) == y).mean():.5f} "
            f"vs {(b.argmax(1) == y).mean():.5f}, max |diff| {np.abs(a - b).max():.3g}, max |diff| / max |ref| {rel:.3g}")
    print(line)
    return line


def export16(model, dtype, path, dynamo):
    example = torch.zeros(1, 1, 8, 8, dtype=dtype)
    kwargs = dict(dynamic_shapes=({0: torch.export.Dim("batch")},)) if dynamo else \
        dict(dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=17)
    torch.onnx.export(model, (example,), path, input_names=["input"], output_names=["logits"], dynamo=dynamo, **kwargs)


def sixteen_bit(out, model, x, y, report):
    fp16_path = os.path.join(out, "tiny_cnn_fp16.onnx")
    half = copy.deepcopy(model).half().eval()
    export16(half, torch.float16, fp16_path, dynamo=False)
    x16 = x.astype(np.float16)
    ort16 = ort_run(fp16_path, {"input": x16})
    np.save(os.path.join(out, "tiny_cnn_fp16_logits_ort.npy"), ort16)
    with torch.no_grad():
        torch16 = half(torch.from_numpy(x16)).float().numpy()
    report.append(stats("float16: onnxruntime vs PyTorch float16", ort16, torch16, y))

    bf16_path = os.path.join(out, "tiny_cnn_bf16.onnx")
    remove(bf16_path, bf16_path + ".data")
    brain = copy.deepcopy(model).to(torch.bfloat16).eval()
    export16(brain, torch.bfloat16, bf16_path, dynamo=True)  # default exporter: external data
    with torch.no_grad():
        torch_bf16 = brain(torch.from_numpy(x).to(torch.bfloat16)).float().numpy()
    np.save(os.path.join(out, "tiny_cnn_bf16_logits_torch.npy"), torch_bf16)
    with torch.no_grad():
        torch32 = model(torch.from_numpy(x)).numpy()
    report.append(stats("bfloat16: PyTorch bfloat16 vs PyTorch float32", torch_bf16, torch32, y))
    try:
        ort_run(bf16_path, {"input": x})
        report.append("bfloat16: onnxruntime ran the model (unexpected)")
    except Exception as error:  # onnxruntime's CPU provider has no bfloat16 Conv
        report.append("bfloat16: onnxruntime rejects the model: " + str(error).splitlines()[0][:160])


def gemm_to_matmul(model):
    """Gemm(transB=1) → MatMul(Wᵀ) + Add, so QOperator quantization writes QLinearMatMul."""
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    nodes = []
    for node in graph.node:
        if node.op_type != "Gemm":
            nodes.append(node)
            continue
        w = numpy_helper.to_array(inits[node.input[1]])
        graph.initializer.remove(inits[node.input[1]])
        graph.initializer.append(numpy_helper.from_array(np.ascontiguousarray(w.T), node.input[1]))
        product = node.output[0] + "_matmul"
        nodes.append(helper.make_node("MatMul", [node.input[0], node.input[1]], [product], name=node.name + "_MatMul"))
        nodes.append(helper.make_node("Add", [product, node.input[2]], [node.output[0]], name=node.name + "_Add"))
    del graph.node[:]
    graph.node.extend(nodes)
    del graph.value_info[:]
    return model


def int8(out, x, y, x_train, report):
    from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType, quantize_dynamic,
                                          quantize_static)
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Calibration(CalibrationDataReader):
        def __init__(self):
            self.batches = iter([{"input": x_train[i:i + 32]} for i in range(0, 256, 32)])

        def get_next(self):
            return next(self.batches, None)

    with tempfile.TemporaryDirectory() as tmp:
        pre = os.path.join(tmp, "pre.onnx")
        quant_pre_process(os.path.join(out, "tiny_cnn.onnx"), pre)
        matmul = os.path.join(tmp, "matmul.onnx")
        onnx.save(gemm_to_matmul(onnx.load(pre)), matmul)
        variants = [
            ("tiny_cnn_int8", lambda p: quantize_static(pre, p, Calibration(), quant_format=QuantFormat.QDQ, per_channel=True,
                                                        weight_type=QuantType.QInt8, activation_type=QuantType.QInt8)),
            ("tiny_cnn_int8_pt", lambda p: quantize_static(pre, p, Calibration(), quant_format=QuantFormat.QDQ, per_channel=False,
                                                           weight_type=QuantType.QInt8, activation_type=QuantType.QInt8)),
            ("tiny_cnn_int8_qop", lambda p: quantize_static(matmul, p, Calibration(), quant_format=QuantFormat.QOperator,
                                                            op_types_to_quantize=["Conv", "MatMul"], per_channel=False,
                                                            weight_type=QuantType.QInt8, activation_type=QuantType.QUInt8)),
            ("tiny_cnn_int8_dyn", lambda p: quantize_dynamic(pre, p, weight_type=QuantType.QInt8,
                                                             op_types_to_quantize=["Conv", "MatMul", "Gemm"])),
        ]
        for name, make in variants:
            path = os.path.join(out, name + ".onnx")
            make(path)
            logits = ort_run(path, {"input": x})
            np.save(os.path.join(out, name + "_logits_ort.npy"), logits)
            ops = sorted({n.op_type for n in onnx.load(path).graph.node})
            report.append(f"{name}: ops {', '.join(ops)}")
            report.append(stats(f"{name}: onnxruntime (optimized) vs onnxruntime (graph as written)", logits,
                                ort_run(path, {"input": x}, optimize=False), y))


def layouts(out):
    """Tensors of each 16/64-bit and 8-bit type in each stored layout, with known bit patterns."""
    half = np.array([1.0, -2.0, 65504.0, 2.0 ** -24], dtype=np.float16)   # 0x3c00 0xc000 0x7bff 0x0001
    half_bits = half.view(np.uint16)
    brain_bits = np.array([0x3F80, 0xC000, 0x7F7F, 0x0001], dtype=np.uint16)  # 1, -2, max, subnormal
    double = np.array([1.0, -2.0, np.finfo(np.float64).max, 5e-324])
    signed = np.array([-128, -1, 0, 127], dtype=np.int8)

    def typed(name, data_type, field, values):
        tensor = TensorProto(name=name, data_type=data_type, dims=[4])
        getattr(tensor, field).extend(int(v) if field != "double_data" else float(v) for v in values)
        return tensor

    def raw(name, data_type, array):
        return helper.make_tensor(name, data_type, [4], array.tobytes(), raw=True)

    inits = [
        raw("half_raw", TensorProto.FLOAT16, half_bits), typed("half_int32", TensorProto.FLOAT16, "int32_data", half_bits),
        raw("half_external", TensorProto.FLOAT16, half_bits),
        raw("bf16_raw", TensorProto.BFLOAT16, brain_bits), typed("bf16_int32", TensorProto.BFLOAT16, "int32_data", brain_bits),
        raw("double_raw", TensorProto.DOUBLE, double), typed("double_typed", TensorProto.DOUBLE, "double_data", double),
        raw("int8_raw", TensorProto.INT8, signed), typed("int8_int32", TensorProto.INT8, "int32_data", signed),
    ]
    nodes = [helper.make_node("Identity", [i.name], [i.name + "_out"]) for i in inits]
    outputs = [helper.make_tensor_value_info(i.name + "_out", i.data_type, [4]) for i in inits]
    graph = helper.make_graph(nodes, "layouts", [], outputs, initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="make_format_fixtures")
    model.ir_version = 8
    path = os.path.join(out, "layouts.onnx")
    remove(path, path + ".data")
    external = next(i for i in model.graph.initializer if i.name == "half_external")
    onnx.external_data_helper.set_external_data(external, "layouts.onnx.data", offset=0, length=len(external.raw_data))
    with open(path + ".data", "wb") as f:
        f.write(external.raw_data)
    external.ClearField("raw_data")
    external.data_location = TensorProto.EXTERNAL
    onnx.save(model, path)


def conversion_cases(out):
    """y = Resize(x, scales 2) · big + tiny + Cast(int 3 → float) + ConstantOfShape(0.5), float32."""
    f = TensorProto.FLOAT
    inits = [
        numpy_helper.from_array(np.array([1, 1, 2, 2], dtype=np.float32), "scales"),
        numpy_helper.from_array(np.array([1e5, 1.0], dtype=np.float32).reshape(1, 2, 1, 1), "big"),
        numpy_helper.from_array(np.array(3, dtype=np.int64), "three"),
        numpy_helper.from_array(np.array([1, 2, 2, 2], dtype=np.int64), "shape"),
    ]
    nodes = [
        helper.make_node("Resize", ["x", "", "scales"], ["up"], mode="nearest"),
        helper.make_node("Mul", ["up", "big"], ["scaled"]),
        helper.make_node("Constant", [], ["tiny"], value=numpy_helper.from_array(np.array([1e-9], dtype=np.float32))),
        helper.make_node("Add", ["scaled", "tiny"], ["shifted"]),
        helper.make_node("Cast", ["three"], ["three_float"], to=f),
        helper.make_node("Add", ["shifted", "three_float"], ["plus"]),
        helper.make_node("ConstantOfShape", ["shape"], ["halves"], value=numpy_helper.from_array(np.array([0.5], dtype=np.float32))),
        helper.make_node("Add", ["plus", "halves"], ["y"]),
    ]
    graph = helper.make_graph(nodes, "conversion_cases", [helper.make_tensor_value_info("x", f, [1, 2, 1, 1])],
                              [helper.make_tensor_value_info("y", f, [1, 2, 2, 2])], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="make_format_fixtures")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, os.path.join(out, "conversion_cases.onnx"))


def make_format_fixtures(out):
    torch.manual_seed(0)
    model = load_tiny_cnn(out)
    x = np.load(os.path.join(out, "digits_x.npy"))
    y = np.load(os.path.join(out, "digits_y.npy"))
    x_train = digits()[0]
    report = []
    sixteen_bit(out, model, x, y, report)
    int8(out, x, y, x_train, report)
    layouts(out)
    conversion_cases(out)
    with open(os.path.join(out, "FORMATS.txt"), "w") as f:
        f.write(f"torch {torch.__version__}, onnx {onnx.__version__}, onnxruntime {ort.__version__}\n")
        f.write("\n".join(report) + "\n")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    make_format_fixtures(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Fixtures"))
