#!/usr/bin/env python3
"""Checks ONNX models with the reference checker of the onnx package.

Run with Debian's Python (`apt-get install python3-onnx`):

    /usr/bin/python3 packages/onnx/scripts/check-onnx.py model.onnx [more.onnx ...]

For each file: onnx.checker.check_model(full_check=True), which checks the IR and opset
versions, every node against its operator schema, and runs strict shape inference; then prints
one line with the IR version, the opsets, the node count and the graph inputs and outputs.
Exits 1 when any file fails (each failure is printed), 2 without files.
"""
import sys

import onnx


def describe(model):
    opsets = ", ".join(f"{entry.domain or 'ai.onnx'} {entry.version}" for entry in model.opset_import)
    def value(info):
        dims = [dim.dim_param or str(dim.dim_value) for dim in info.type.tensor_type.shape.dim]
        return f"{info.name}[{', '.join(dims)}]"
    inputs = " ".join(value(info) for info in model.graph.input)
    outputs = " ".join(value(info) for info in model.graph.output)
    return f"IR {model.ir_version}, opset {opsets}, {len(model.graph.node)} nodes; in: {inputs}; out: {outputs}"


def main(paths):
    if not paths:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    failures = 0
    for path in paths:
        try:
            # A path (not a loaded model) lets the checker handle models over 2 GB too.
            onnx.checker.check_model(path, full_check=True)
            print(f"ok {path}: {describe(onnx.load(path, load_external_data=False))}")
        except Exception as error:  # the checker raises ValidationError, shape inference InferenceError
            failures += 1
            print(f"FAILED {path}: {type(error).__name__}: {error}")
    print(f"(onnx {onnx.__version__})")
    print(f"check-onnx: {len(paths) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
