"""Every activation name of Hugging Face's ``ACT2CLS`` and timm's ``get_act_layer`` resolves to
the same function, checked numerically, or is refused with the reason and what to use instead."""

from __future__ import annotations

import _torchvision_stub  # beside this file: pytest puts tests/ on sys.path
import pytest
import torch
from torch import nn
from transformers.activations import ACT2FN, XIELUActivation

import actbook

_torchvision_stub.install()
from timm.layers.create_act import _ACT_LAYER_DEFAULT, get_act_layer  # noqa: E402

X = torch.cat([torch.linspace(-12, 12, 241, dtype=torch.float64),
               torch.tensor([-40.0, -1e-3, 1e-3, 40.0], dtype=torch.float64)])
#: Hugging Face's gelu_fast writes √(2/π) as 0.7978845608, ten digits: 9e-13 apart in float64.
TOLERANCE = {"rtol": 1e-9, "atol": 1e-11}

#: timm's names (timm/layers/create_act.py), each with the module timm builds for it.
TIMM = {name: get_act_layer(name)() for name in _ACT_LAYER_DEFAULT}


def _hugging_face(name: str) -> nn.Module:
    if name == "xielu":  # its default keeps the parameters in bfloat16
        return XIELUActivation(dtype=torch.float64)
    return ACT2FN[name].double()


def _check(name: str, reference) -> None:
    try:
        ours = actbook.get(name)
    except KeyError as error:
        assert name in actbook.UNSUPPORTED, f"{name!r} is neither resolved nor refused"
        assert "does not implement" in str(error)
        return
    assert name not in actbook.UNSUPPORTED
    torch.testing.assert_close(ours(X), reference(X).detach(), **TOLERANCE)


@pytest.mark.parametrize("name", sorted(ACT2FN))
def test_hugging_face_names(name: str) -> None:
    _check(name, _hugging_face(name))


@pytest.mark.parametrize("name", sorted(TIMM))
def test_timm_names(name: str) -> None:
    _check(name, TIMM[name].double())


def test_every_refusal_is_a_name_of_those_libraries():
    assert set(actbook.UNSUPPORTED) <= set(ACT2FN) | set(TIMM)


def test_refusal_names_the_alternative():
    with pytest.raises(KeyError, match="torch.nn.Identity"):
        actbook.get("linear")
    with pytest.raises(KeyError, match="'elu'"):
        actbook.nn.make_activation("celu")
