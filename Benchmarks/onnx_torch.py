"""A small ONNX -> PyTorch interpreter: a torch.nn.Module whose parameters are the ONNX model's
weight and bias initializers, so that the Python seu-injection-framework (which injects into
`model.named_parameters()`) works on the same weights seu-onnx injects into.

Parameter names are the initializer names: "layer1.0.conv1.weight" becomes parameter "weight" of
nested submodules layer1 -> 0 -> conv1, so `named_parameters()` yields the ONNX names exactly.
Which initializers are parameters follows seu-onnx's default campaign selection: floating-point
initializers used as a Conv/Gemm weight or bias. Other initializers (shapes, axes) are kept as
plain tensors.

Only the operators and attributes of the reference models are supported (Conv, Relu, MaxPool,
Add, Flatten, Gemm, ReduceMean, Reshape, GlobalAveragePool); anything else is rejected when the
module is built, not silently computed differently. Tensors are NCHW float32.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# Inputs of these operators that hold weights or biases (seu-onnx's WeightAnalysis: weights and
# biases of the compute operators these models use).
WEIGHT_INPUTS = {"Conv": (1, 2), "Gemm": (1, 2), "MatMul": (1,)}


def _attributes(node):
    from onnx import helper
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _pads2d(pads):
    """ONNX pads [top, left, bottom, right] -> torch symmetric padding, or None if asymmetric."""
    top, left, bottom, right = pads
    return (top, left) if (top, left) == (bottom, right) else None


class OnnxModule(nn.Module):
    """Interprets one ONNX graph node by node in PyTorch (inference only)."""

    def __init__(self, model):
        super().__init__()
        from onnx import numpy_helper
        graph = model.graph
        self.input_names = [i.name for i in graph.input if i.name not in {t.name for t in graph.initializer}]
        self.output_names = [o.name for o in graph.output]
        weights = set()
        for node in graph.node:
            for position in WEIGHT_INPUTS.get(node.op_type, ()):
                if position < len(node.input) and node.input[position]:
                    weights.add(node.input[position])
        self._constants = {}
        self._parameters_by_name = {}
        for tensor in graph.initializer:
            array = numpy_helper.to_array(tensor).copy()
            if tensor.name in weights and array.dtype == np.float32:
                parameter = nn.Parameter(torch.from_numpy(array), requires_grad=False)
                self._place(tensor.name, parameter)
                self._parameters_by_name[tensor.name] = parameter
            else:
                self._constants[tensor.name] = torch.from_numpy(array)
        self.nodes = []
        for node in graph.node:
            attributes = _attributes(node)
            self._check(node, attributes)
            self.nodes.append((node.op_type, list(node.input), list(node.output), attributes))

    def _place(self, name, parameter):
        """Registers `parameter` under its dotted ONNX name through nested submodules."""
        *path, leaf = name.split(".")
        module = self
        for part in path:
            child = module._modules.get(part)
            if child is None:
                child = nn.Module()
                module.add_module(part, child)
            module = child
        if leaf in module._modules or leaf in module._parameters:
            raise ValueError(f"initializer name {name!r} clashes with another initializer's path")
        module.register_parameter(leaf, parameter)

    def _constant_ints(self, name, what):
        if name not in self._constants:
            raise ValueError(f"{what} must be an initializer, got {name!r}")
        return [int(v) for v in self._constants[name].reshape(-1).tolist()]

    def _check(self, node, a):
        """Rejects attributes this interpreter does not implement."""
        op = node.op_type
        if op == "Conv":
            if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET") or len(a.get("kernel_shape", [0, 0])) != 2:
                raise ValueError(f"Conv {node.name}: only 2-D explicit padding is supported")
        elif op == "MaxPool":
            if (a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET") or a.get("storage_order", 0) != 0
                    or _pads2d(a.get("pads", [0, 0, 0, 0])) is None or len(node.output) != 1):
                raise ValueError(f"MaxPool {node.name}: unsupported attributes {a}")
        elif op == "Gemm":
            if a.get("transA", 0) != 0:
                raise ValueError(f"Gemm {node.name}: transA=1 is not supported")
        elif op == "ReduceMean":
            if len(node.input) < 2 and "axes" not in a:
                raise ValueError(f"ReduceMean {node.name}: reducing all axes is not supported")
        elif op == "Reshape":
            if len(node.input) < 2:
                raise ValueError(f"Reshape {node.name}: needs a shape input")
        elif op not in ("Relu", "Add", "Flatten", "GlobalAveragePool"):
            raise ValueError(f"operator {op} is not supported by this interpreter")

    def _value(self, values, name):
        if name in values:
            return values[name]
        if name in self._parameters_by_name:
            return self._parameters_by_name[name]
        return self._constants[name]

    def forward(self, *inputs):
        values = dict(zip(self.input_names, inputs))
        for op, names, outputs, a in self.nodes:
            x = [self._value(values, n) if n else None for n in names]
            if op == "Conv":
                pads = a.get("pads", [0, 0, 0, 0])
                padding = _pads2d(pads)
                data = x[0]
                if padding is None:  # asymmetric: pad explicitly (left, right, top, bottom)
                    data, padding = F.pad(data, (pads[1], pads[3], pads[0], pads[2])), (0, 0)
                y = F.conv2d(data, x[1], x[2] if len(x) > 2 else None, stride=tuple(a.get("strides", [1, 1])),
                             padding=padding, dilation=tuple(a.get("dilations", [1, 1])), groups=a.get("group", 1))
            elif op == "Relu":
                y = torch.relu(x[0])
            elif op == "MaxPool":
                y = F.max_pool2d(x[0], tuple(a["kernel_shape"]), stride=tuple(a.get("strides", [1, 1])),
                                 padding=_pads2d(a.get("pads", [0, 0, 0, 0])), dilation=tuple(a.get("dilations", [1, 1])),
                                 ceil_mode=bool(a.get("ceil_mode", 0)))
            elif op == "Add":
                y = x[0] + x[1]
            elif op == "Flatten":
                axis = a.get("axis", 1) % max(x[0].dim(), 1)  # ONNX Flatten: always 2-D (outer, inner)
                y = x[0].reshape(int(np.prod(x[0].shape[:axis])), -1)
            elif op == "Gemm":
                b = x[1].t() if a.get("transB", 0) else x[1]
                y = a.get("alpha", 1.0) * (x[0] @ b)
                if len(x) > 2 and x[2] is not None:
                    y = y + a.get("beta", 1.0) * x[2]
            elif op == "GlobalAveragePool":
                y = x[0].mean(dim=(2, 3), keepdim=True)
            elif op == "ReduceMean":
                axes = self._constant_ints(names[1], "ReduceMean axes") if len(names) > 1 else list(a["axes"])
                y = x[0].mean(dim=tuple(axes), keepdim=bool(a.get("keepdims", 1)))
            elif op == "Reshape":
                shape = self._constant_ints(names[1], "Reshape shape")
                if not a.get("allowzero", 0):
                    shape = [x[0].shape[i] if s == 0 else s for i, s in enumerate(shape)]
                y = x[0].reshape(shape)
            values[outputs[0]] = y
        results = [values[n] for n in self.output_names]
        return results[0] if len(results) == 1 else tuple(results)


def load(path):
    """OnnxModule for the ONNX file at `path`, in eval mode."""
    import onnx
    return OnnxModule(onnx.load(path)).eval()
