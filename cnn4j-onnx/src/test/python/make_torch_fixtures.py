#!/usr/bin/python3
"""Writes the PyTorch-made ONNX fixtures of cnn4j-onnx's tests.

Run from the repository root with Debian's python3-torch and python3-onnx:
    /usr/bin/python3 cnn4j-onnx/src/test/python/make_torch_fixtures.py

For each network it writes, under cnn4j-onnx/src/test/resources/onnx/:
  <name>.onnx       torch.onnx.export of the network (opset 13, NCHW input)
  <name>.json       a non-symmetric input batch in NHWC order (cnn4j's layout), its shape, and
                    PyTorch's output for it: the reference the Java test compares with.
The images are not square and have several channels, so a wrong (C, H, W) -> (H, W, C) row
permutation of the first Linear layer after Flatten, or a transposed kernel, changes the output.
"""
import json
import os

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from torch import nn

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "onnx")


class ConvNet(nn.Module):
    """Conv/ReLU/MaxPool/Flatten/Gemm/Softmax, the network the issue names."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(2, 4, kernel_size=3)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(4 * 3 * 2, 5)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        x = torch.flatten(x, 1)
        return torch.softmax(self.fc1(x), dim=1)


class ConvNetSame(nn.Module):
    """'same'-padded convolution (padding 1 for a 3x3 kernel), average pooling, tanh, two Linear layers."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(4, 3, kernel_size=(2, 3), stride=(1, 2))
        self.pool = nn.AvgPool2d(2)
        self.fc1 = nn.Linear(3 * 2 * 1, 6)
        self.fc2 = nn.Linear(6, 3)

    def forward(self, x):
        x = torch.tanh(self.conv1(x))
        x = self.pool(torch.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = torch.sigmoid(self.fc1(x))
        return torch.softmax(self.fc2(x), dim=1)


class ModernNet(nn.Module):
    """BatchNorm2d (folded into the Conv by the exporter in eval mode), LeakyReLU, ReLU6 (Relu + Clip),
    AdaptiveAvgPool2d(1) (GlobalAveragePool), BatchNorm1d (a BatchNormalization node).
    (torch 1.13 exports nn.ZeroPad2d as a chain of shape operators computing the pads, which cnn4j
    refuses by name, ConstantOfShape; ZeroPadding2D import is tested with constant pads instead.)"""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(2, 3, kernel_size=3)
        self.bn1 = nn.BatchNorm2d(3)
        self.conv2 = nn.Conv2d(3, 4, kernel_size=2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Linear(4, 5)
        self.bn2 = nn.BatchNorm1d(5)
        self.fc2 = nn.Linear(5, 3)

    def forward(self, x):
        x = F.leaky_relu(self.bn1(self.conv1(x)), 0.1)
        x = F.relu6(self.conv2(x))
        x = torch.flatten(self.pool(x), 1)
        x = torch.relu(self.bn2(self.fc1(x)))
        return torch.softmax(self.fc2(x), dim=1)


class ViewNet(nn.Module):
    """x.view(x.size(0), -1): with a dynamic batch torch writes Shape, Gather, Unsqueeze, Concat, Reshape."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 2, kernel_size=3)
        self.fc1 = nn.Linear(2 * 3 * 4, 4)

    def forward(self, x):
        x = torch.relu(self.conv1(x))
        return self.fc1(x.view(x.size(0), -1))


def write(name, net, nchw_shape):
    torch.manual_seed(12)
    for p in net.parameters():
        nn.init.uniform_(p, -0.5, 0.5)
    for m in net.modules():  # non-trivial running statistics
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 1.5)
    net.eval()
    x = torch.rand((2,) + nchw_shape) * 2 - 1
    path = os.path.join(OUT, name + ".onnx")
    torch.onnx.export(net, x, path, opset_version=13, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    onnx.checker.check_model(onnx.load(path))
    with torch.no_grad():
        y = net(x).numpy()
    nhwc = x.numpy().transpose(0, 2, 3, 1)
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump({"input_shape": list(nhwc.shape), "input": [float(v) for v in nhwc.reshape(-1)],
                   "output_shape": list(y.shape), "output": [float(v) for v in y.reshape(-1)]}, f)
    print(name, "input NCHW", (2,) + nchw_shape, "output", y.shape)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(12)
    write("torch_conv_relu_maxpool_gemm_softmax", ConvNet(), (2, 8, 6))   # C=2, H=8, W=6 -> conv 6x4 -> pool 3x2
    write("torch_same_avgpool_tanh_sigmoid", ConvNetSame(), (3, 5, 6))     # C=3, H=5, W=6 -> 5x6 -> 4x2 -> pool 2x1
    write("torch_view_dynamic_batch", ViewNet(), (3, 5, 6))              # C=3, H=5, W=6 -> 3x4
    write("torch_bn_leaky_relu6_gap_bn1d", ModernNet(), (2, 7, 6))   # C=2, H=7, W=6 -> 5x4 -> 4x3 -> 1x1
