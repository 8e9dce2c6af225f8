"""The discriminator convolution's fast formulation computes StyleGAN2's layer (docs/performance.md).

Reference, written out as the official code's reference path does it: conv(x, W/sqrt(fan_in))
(after zero padding and the [1,3,3,1] blur when down-sampling), + bias, leaky ReLU(0.2) times
sqrt(2) times the gain, clamp to ±conv_clamp·gain. The fast layer folds the gain into W and b,
runs 1x1 kernels as matrix products and clamps with hardtanh; outputs, input gradients and the
R1 double backward must agree with the reference.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from einops import repeat
from inrvid_stylegan2.layers import Conv2dLayer, fir_filter


def reference(layer: Conv2dLayer, x: torch.Tensor, gain: float) -> torch.Tensor:
    weight = layer.weight / math.sqrt(layer.in_channels * layer.kernel_size ** 2)
    blur = repeat(fir_filter(), "kh kw -> c 1 kh kw", c=x.shape[1])
    if layer.down and layer.kernel_size == 1:
        x = F.conv2d(F.pad(x, [1, 1, 1, 1]), blur, stride=2, groups=x.shape[1])
        x = F.conv2d(x, weight)
    elif layer.down:
        x = F.conv2d(F.pad(x, [2, 2, 2, 2]), blur, groups=x.shape[1])
        x = F.conv2d(x, weight, stride=2)
    else:
        x = F.conv2d(x, weight, padding=layer.kernel_size // 2)
    if layer.bias is not None:
        x = x + layer.bias[None, :, None, None]
    if layer.activation == "lrelu":
        x = F.leaky_relu(x, 0.2) * math.sqrt(2)
    x = x * gain
    if layer.conv_clamp is not None:
        x = x.clamp(-layer.conv_clamp * gain, layer.conv_clamp * gain)
    return x


@pytest.mark.parametrize(("kernel_size", "down", "activation", "bias"), [
    (3, False, "lrelu", True), (3, True, "lrelu", True),
    (1, True, "linear", False), (1, False, "lrelu", True),
])
def test_fast_conv_layer_matches_the_reference_formula_with_gradients_and_r1(
    kernel_size: int, down: bool, activation: str, bias: bool
) -> None:
    torch.manual_seed(0)
    layer = Conv2dLayer(in_channels=5, out_channels=6, kernel_size=kernel_size, bias=bias,
                        activation=activation, down=down, conv_clamp=2.0)  # the clamp binds
    if layer.bias is not None:
        torch.nn.init.normal_(layer.bias)
    gain = math.sqrt(0.5)
    x = torch.randn(3, 5, 8, 8) * 3
    outputs, input_grads, r1_grads = [], [], []
    for run in (layer.forward, lambda v, g: reference(layer, v, g)):
        xi = x.clone().requires_grad_(True)
        y = run(xi, gain)
        (grad,) = torch.autograd.grad((y * y.detach().sign()).sum(), xi, create_graph=True)
        layer.zero_grad()
        grad.square().sum().backward()                        # R1-style double backward
        outputs.append(y.detach())
        input_grads.append(grad.detach())
        r1_grads.append(layer.weight.grad.clone())
    assert (outputs[1].abs() == 2.0 * gain).any()             # some activations were clamped
    torch.testing.assert_close(outputs[0], outputs[1], rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(input_grads[0], input_grads[1], rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(r1_grads[0], r1_grads[1], rtol=1e-4, atol=1e-4)
