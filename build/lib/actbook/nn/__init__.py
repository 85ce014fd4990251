r"""Activations as :class:`torch.nn.Module`\ s, and the feed-forward blocks built from them.

:mod:`actbook.nn.activations` holds one module per activation of the registry and
:func:`make_activation`, which builds one from a name; :mod:`actbook.nn.ffn` holds the
Transformer feed-forward blocks :class:`FFN` and :class:`GatedFFN` and the rules that size them.
Everything is importable from ``actbook.nn`` itself.
"""

from actbook.nn import activations
from actbook.nn.activations import *  # noqa: F403  (one module class per activation)
from actbook.nn.ffn import FFN, GatedFFN, gated_hidden_dim, llama_hidden_dim

__all__ = [
    *activations.__all__,
    "FFN",
    "GatedFFN",
    "gated_hidden_dim",
    "llama_hidden_dim",
]
