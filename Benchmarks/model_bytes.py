"""Where each initializer's float32 payload lies in a serialized ONNX model, so that a bit can be
flipped in the bytes themselves (the way a user of onnxruntime without an injection tool would
build a faulty model: patch the file, open a new session).

A minimal protobuf wire-format walk: ModelProto.graph (field 7) -> GraphProto.initializer
(field 5) -> TensorProto name (8), data_type (2), raw_data (9) or packed float_data (4); both
payloads are little-endian float32 in row-major order. External data is not handled (the
reference models embed their weights).
"""

FLOAT = 1


def _varint(data, i):
    value, shift = 0, 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, i
        shift += 7


def _fields(data, start, end):
    """Yields (field number, wire type, value or (payload start, payload end)) of one message."""
    i = start
    while i < end:
        key, i = _varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(data, i)
            yield number, wire, value
        elif wire == 1:
            yield number, wire, (i, i + 8)
            i += 8
        elif wire == 2:
            length, i = _varint(data, i)
            yield number, wire, (i, i + length)
            i += length
        elif wire == 5:
            yield number, wire, (i, i + 4)
            i += 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire} at byte {i}")
    if i != end:
        raise ValueError("truncated protobuf message")


def float_payloads(data):
    """{initializer name: (byte offset, element count)} for the float32 initializers of the
    serialized ModelProto `data`."""
    found = {}
    for number, wire, span in _fields(data, 0, len(data)):
        if number != 7 or wire != 2:
            continue
        for g_number, g_wire, g_span in _fields(data, *span):
            if g_number != 5 or g_wire != 2:
                continue
            name, dtype, payload = None, None, None
            for t_number, t_wire, t_value in _fields(data, *g_span):
                if t_number == 8 and t_wire == 2:
                    name = bytes(data[t_value[0]:t_value[1]]).decode()
                elif t_number == 2 and t_wire == 0:
                    dtype = t_value
                elif t_number in (9, 4) and t_wire == 2:
                    payload = t_value
            if dtype == FLOAT and payload is not None and name is not None:
                found[name] = (payload[0], (payload[1] - payload[0]) // 4)
    return found


def flip(data, offset, index, bit):
    """Flips bit `bit` (0 = MSB = sign) of float32 element `index` of the payload at `offset`,
    in the bytearray `data` (little-endian: the MSB is in the element's last byte)."""
    byte = offset + 4 * index + 3 - bit // 8
    data[byte] ^= 0x80 >> (bit % 8)
