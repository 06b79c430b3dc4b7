"""The peers' seed net (../../../shared/bench/common.py, eval mode, + Softmax, seed 0), exported to ONNX
with a dynamic batch axis so ONNX Runtime can run it on one image; the same graph as
shared/bench/peers/export_onnx.py otherwise. Also writes x1.bin / ref1.bin (one image and PyTorch's
output for it, float32 little-endian) so the runtime's answer is checked.
usage: /usr/bin/python3 export_onnx_batch1.py PEER_DIR OUT_DIR   (PEER_DIR: the folder with common.py)"""
import os, sys
import torch, torch.nn as nn

peer_dir, out = sys.argv[1], sys.argv[2]
sys.path.insert(0, peer_dir)
from common import build_model

os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
m = nn.Sequential(build_model(3, 100, 10, "after-pool"), nn.Softmax(dim=1)).eval()
x = torch.rand(1, 3, 100, 100)
path = os.path.join(out, "seed-dynamic.onnx")
torch.onnx.export(m, x, path, opset_version=13, input_names=["x"], output_names=["prob"],
                  dynamic_axes={"x": {0: "batch"}, "prob": {0: "batch"}}, do_constant_folding=True)
import onnx
onnx.checker.check_model(onnx.load(path))
with torch.no_grad():
    ref = m(x)
x.numpy().astype("<f4").tofile(os.path.join(out, "x1.bin"))
ref.numpy().astype("<f4").tofile(os.path.join(out, "ref1.bin"))
print(path)
