#!/usr/bin/env python3
"""Runs `seu-onnx bench` and the same work on its peers, in one run on this machine, and prints the
ratios side by side (see Benchmarks/README.md).

Peers (2 threads each, fixed seeds):
  onnxruntime            resnet18 224, batch 1 and 8: median latency
  framework (a)          seu-injection-framework 1.3.0, digits_cnn, exhaustive bit 1 over conv1.weight,
                         360 images: injections/s
  framework (b)          resnet18_digits32, ~200 random faults over all weights and all bits, 64 images
  onnxruntime (c)        resnet18 224, 200 random faults, one image, a new session from the patched
                         model bytes per fault, top-1 compared with the fault-free one: faults/s

Run by hand with any Python 3.9+; it creates (or reuses) a virtual environment, installs the peers
into it and re-runs itself there:

    swift build -c release
    python3 Benchmarks/peers.py [--quick] [--json OUT]
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FRAMEWORK = "seu-injection-framework==1.3.0"
# Imported to decide whether the venv is ready; scikit-learn: the framework's accuracy uses
# sklearn.metrics.accuracy_score when installed (as in the crosscheck's measurements).
MODULES = ["numpy", "onnx", "onnxruntime", "torch", "tqdm", "sklearn", "seu_injection"]
INSIDE = "SEU_PEERS_IN_VENV"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--venv", default=os.path.join(HERE, ".venv"),
                        help="virtual environment to create or reuse (default Benchmarks/.venv)")
    parser.add_argument("--torch-index-url", metavar="URL",
                        help="try this package index for torch first (e.g. PyTorch's CPU-only wheel index, which "
                             "avoids the CUDA libraries of PyPI's torch); falls back to plain PyPI")
    parser.add_argument("--torch-spec", default="torch",
                        help="pip requirement for torch (default 'torch'; e.g. 'torch==2.13.0+cpu' for a local wheel)")
    parser.add_argument("--no-install", action="store_true", help="use the venv as it is (fail if a package is missing)")
    parser.add_argument("--seu-onnx", default=os.path.join(ROOT, ".build/release/seu-onnx"),
                        help="seu-onnx binary (default .build/release/seu-onnx)")
    parser.add_argument("--models", default=os.environ.get("SEU_SHARED_MODELS", os.path.join(ROOT, "../shared/models")),
                        help="reference models (default $SEU_SHARED_MODELS or ../shared/models)")
    parser.add_argument("--threads", type=int, default=2, help="threads for every peer (default 2)")
    parser.add_argument("--torch-threads", type=int,
                        help="torch threads for the framework only (default --threads; torch's OpenMP threads spin, "
                             "so 2 threads collapse when other jobs load a 2-core machine and 1 can be faster)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="repetitions: `seu-onnx bench --repeat`, and best-of for the peers' campaigns (default 3)")
    parser.add_argument("--quick", action="store_true",
                        help="shorter run for testing: 1 repetition, fewer latency runs, 40 faults for (c)")
    parser.add_argument("--skip-seu-onnx", metavar="JSON",
                        help="do not run seu-onnx bench; read its results from this JSON (written by --json)")
    parser.add_argument("--json", metavar="OUT", help="write every measurement to this JSON file")
    return parser.parse_args(argv)


def venv_python(venv):
    return os.path.join(venv, "bin", "python")


def pip(python, *arguments):
    command = [python, "-m", "pip", "install", "--disable-pip-version-check", *arguments]
    print("+ " + " ".join(command), flush=True)
    return subprocess.run(command).returncode == 0


def ensure_venv(args):
    """Creates the venv if needed and installs the peers unless they already import there."""
    python = venv_python(args.venv)
    if not os.path.exists(python):
        print(f"creating the virtual environment {args.venv}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", args.venv], check=True)
    check = subprocess.run([python, "-c", "import " + ", ".join(MODULES)], capture_output=True, text=True)
    if check.returncode == 0:
        return python
    if args.no_install:
        sys.exit(f"{args.venv} lacks a package ({check.stderr.strip().splitlines()[-1]}) and --no-install was given")
    # torch first, alone: it is the large one and the only one that may come from another index.
    if not (args.torch_index_url and pip(python, args.torch_spec, "--index-url", args.torch_index_url)):
        if args.torch_index_url:
            print("torch from that index failed; falling back to PyPI", flush=True)
        if not pip(python, args.torch_spec):
            sys.exit("could not install torch")
    if not pip(python, "numpy", "onnx", "onnxruntime", "tqdm", "scikit-learn"):
        sys.exit("could not install onnx, onnxruntime, numpy, tqdm, scikit-learn")
    # 1.3.0 pins numpy<2, which would downgrade numpy and break onnx (its ml_dtypes needs numpy 2);
    # it runs unchanged on numpy 2 (Examples/crosscheck/README.md), so it goes in without its deps.
    if not pip(python, "--no-deps", FRAMEWORK):
        sys.exit(f"could not install {FRAMEWORK}")
    check = subprocess.run([python, "-c", "import " + ", ".join(MODULES)], capture_output=True, text=True)
    if check.returncode != 0:
        sys.exit(f"the venv still cannot import the peers:\n{check.stderr}")
    return python


def main():
    args = parse_args(sys.argv[1:])
    if os.environ.get(INSIDE) != "1":
        python = ensure_venv(args)
        os.environ[INSIDE] = "1"
        os.execv(python, [python, os.path.abspath(__file__), *sys.argv[1:]])
    from comparison import run_all  # here: it needs the venv's packages
    run_all(args)


if __name__ == "__main__":
    main()
