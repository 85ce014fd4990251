"""timm's models built with ``act_layer=`` an actbook module (random weights, nothing
downloaded): the outputs and one training step equal those of timm's original, in float64.

timm calls ``act_layer(inplace=True)`` for most layers; ResNet, EfficientNet, MobileNetV3 and a
ViT cover ReLU, SiLU, HardSwish and GELU. timm is installed without torchvision
(``tests/_torchvision_stub.py`` says why).
"""

from __future__ import annotations

import _torchvision_stub  # beside this file: pytest puts tests/ on sys.path
import pytest
import torch

from actbook import nn as A

_torchvision_stub.install()
timm = pytest.importorskip("timm", reason="timm is a test dependency: run make venv")

#: timm model → (the actbook module given as act_layer, extra arguments for a 64-pixel input).
MODELS = {
    "resnet18": (A.ReLU, {}),
    "efficientnet_b0": (A.SiLU, {}),
    "mobilenetv3_small_100": (A.HardSwish, {}),
    "vit_tiny_patch16_224": (A.GELU, {"img_size": 64}),
}


def _model(name: str, **kwargs) -> torch.nn.Module:
    torch.manual_seed(0)
    return timm.create_model(name, num_classes=5, **MODELS[name][1], **kwargs).double()


def _gradients(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor):
    """Logits and parameter gradients of one training-mode forward and backward pass."""
    model.zero_grad()
    logits = model(x)
    torch.nn.functional.cross_entropy(logits, y).backward()
    return logits.detach(), [p.grad.clone() for p in model.parameters()]


@pytest.mark.parametrize("name", sorted(MODELS))
def test_timm_model_with_actbook_act_layer_trains_like_the_original(name: str) -> None:
    """Gradients are compared on the scale of the largest one: the biases of normalisation
    layers followed by another normalisation have gradients that are 0 up to rounding."""
    act = MODELS[name][0]
    original, ours = _model(name), _model(name, act_layer=act)
    assert any(isinstance(m, act) for m in ours.modules()), "act_layer was not used"
    ours.load_state_dict(original.state_dict())
    x = torch.randn(8, 3, 64, 64, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    y = torch.arange(8) % 5
    (logits, grads), (expected_logits, expected) = _gradients(ours, x, y), \
        _gradients(original, x, y)
    torch.testing.assert_close(logits, expected_logits, rtol=1e-10, atol=1e-12)
    scale = max(g.abs().max().item() for g in expected)
    for mine, theirs in zip(grads, expected, strict=True):
        torch.testing.assert_close(mine, theirs, rtol=1e-8, atol=1e-10 * scale)
    for model in (ours, original):  # one SGD step, then the models in evaluation mode
        with torch.no_grad():
            for p in model.parameters():
                p -= 0.01 * p.grad
        model.eval()
    torch.testing.assert_close(ours(x), original(x), rtol=1e-8, atol=1e-10)
