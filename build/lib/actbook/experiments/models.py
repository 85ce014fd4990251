"""Chapter 7's table "Which released model uses what": the FFN activation of released models,
each with the configuration file or code line that says so.

Every row was checked against its source: a released configuration (a Hugging Face
``config.json`` or a model's gin file), reference code (the model's own repository, or a
default in a Hugging Face ``configuration_<model>.py``), or, for a model released only as a
paper, the paper's abstract. :attr:`ReleasedModel.verified` says which. GitHub links into the
models' own repositories are pinned to a commit; links into ``huggingface/transformers`` point at
``main``, where the configuration classes live.

The ``activation`` of a row is the name of the activation in :mod:`actbook.registry` (for a
gated unit, the whole unit: ``swiglu`` for Llama, not ``silu``), so the chapter can print the
registry's display name and plot the function itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from actbook import registry

__all__ = ["RELEASED_MODELS", "ReleasedModel", "VERIFIED_KINDS", "models_markdown", "models_table"]

#: What a row's source is: a released configuration, reference code, or a paper.
VERIFIED_KINDS = ("config", "code", "paper")

_HF = "https://github.com/huggingface/transformers/blob/main/src/transformers/models"


@dataclass(frozen=True)
class ReleasedModel:
    """One row of the table: a released model, its FFN activation and where that is stated.

    Args:
        model: the model's name, as the chapter prints it.
        year: the year the model (or its paper) was released.
        activation: the activation's name in :mod:`actbook.registry` (canonical name or a
            variant such as ``geglu_tanh``).
        detail: a short note on the exact form (at most 60 characters).
        source: the URL of the configuration file, code line or paper that states it.
        key: the configuration key or code expression at ``source`` that says it.
        verified: what ``source`` is: ``"config"``, ``"code"`` or ``"paper"``.

    Examples::

        >>> row = next(r for r in RELEASED_MODELS if r.model == "gpt-oss")
        >>> row.activation, row.verified
        ('clamped_swiglu', 'code')
    """

    model: str
    year: int
    activation: str
    detail: str
    source: str
    key: str
    verified: str


#: The released models, each checked against its source, in no particular order.
RELEASED_MODELS: tuple[ReleasedModel, ...] = (
    ReleasedModel(
        model="BERT", year=2018, activation="gelu_tanh",
        detail='hidden_act "gelu" is the tanh form in the TF code',
        source="https://github.com/google-research/bert/blob/"
               "eedf5716ce1268e56f0a50264a88cafad334ac61/modeling.py#L264-L277",
        key="cdf = 0.5 * (1.0 + tf.tanh((np.sqrt(2 / np.pi) * (x + 0.044715 * tf.pow(x, 3)))))",
        verified="code",
    ),
    ReleasedModel(
        model="GPT-2", year=2019, activation="gelu_tanh",
        detail='tanh GELU; Hugging Face calls it "gelu_new"',
        source="https://github.com/openai/gpt-2/blob/"
               "9b63575ef42771a015060c964af2c3da4cf7c8ab/src/model.py#L25-L26",
        key="0.5*x*(1+tf.tanh(np.sqrt(2/np.pi)*(x+0.044715*tf.pow(x, 3))))",
        verified="code",
    ),
    ReleasedModel(
        model="T5 v1.1", year=2020, activation="geglu",
        detail="GELU gate times linear, replacing T5's ReLU",
        source="https://github.com/google-research/text-to-text-transfer-transformer/blob/"
               "e081111ccd51df425aa7124e8e311ed6d403d767/t5/models/gin/models/"
               "t5.1.1.base.gin#L17",
        key='DenseReluDense.activation = ["gelu", "linear"]',
        verified="config",
    ),
    ReleasedModel(
        model="OpenAI CLIP", year=2021, activation="gelu_sigmoid",
        detail="QuickGELU x·σ(1.702x) in both towers' MLPs",
        source="https://github.com/openai/CLIP/blob/"
               "d05afc436d78f1c48dc0dbf8e5980a9d471f35f6/clip/model.py#L166-L168",
        key="return x * torch.sigmoid(1.702 * x)",
        verified="code",
    ),
    ReleasedModel(
        model="Primer", year=2021, activation="squared_relu",
        detail="ReLU² FFN plus depthwise conv after Q, K, V",
        source="https://arxiv.org/abs/2109.08668",
        key="abstract: squaring ReLU activations",
        verified="paper",
    ),
    ReleasedModel(
        model="Llama 2", year=2023, activation="swiglu",
        detail="w2(silu(w1 x) · w3 x), no biases",
        source="https://github.com/meta-llama/llama/blob/"
               "689c7f261b9c5514636ecc3c5fefefcbb3e6eed7/llama/model.py#L348",
        key="self.w2(F.silu(self.w1(x)) * self.w3(x))",
        verified="code",
    ),
    ReleasedModel(
        model="Mistral 7B", year=2023, activation="swiglu",
        detail="SiLU gate_proj times up_proj",
        source=f"{_HF}/mistral/configuration_mistral.py",
        key='hidden_act="silu"',
        verified="code",
    ),
    ReleasedModel(
        model="Llama 3", year=2024, activation="swiglu",
        detail="as Llama 2; hidden width × ffn_dim_multiplier",
        source="https://github.com/meta-llama/llama3/blob/"
               "a0940f9cf7065d45bb6675660f80d305c041a754/llama/model.py#L219",
        key="self.w2(F.silu(self.w1(x)) * self.w3(x))",
        verified="code",
    ),
    ReleasedModel(
        model="Gemma", year=2024, activation="geglu_tanh",
        detail="tanh-GELU gate_proj times up_proj",
        source="https://github.com/google/gemma_pytorch/blob/"
               "014acb7ac4563a5f77c76d7ff98f31b568c16508/gemma/model.py#L208",
        key='gate = F.gelu(gate, approximate="tanh")',
        verified="code",
    ),
    ReleasedModel(
        model="Gemma 2", year=2024, activation="geglu_tanh",
        detail="tanh GEGLU; tanh softcaps 50 (attention), 30 (logits)",
        source=f"{_HF}/gemma2/configuration_gemma2.py",
        key='hidden_activation="gelu_pytorch_tanh", attn_logit_softcapping=50.0, '
            "final_logit_softcapping=30.0",
        verified="code",
    ),
    ReleasedModel(
        model="Nemotron-4 Minitron 4B", year=2024, activation="squared_relu",
        detail="non-gated ReLU² MLP (NemotronForCausalLM)",
        source="https://huggingface.co/nvidia/Minitron-4B-Base/blob/"
               "475785aa6f0a23f18b968821c9e2191697278bfd/config.json",
        key='"hidden_act": "relu2"',
        verified="config",
    ),
    ReleasedModel(
        model="TurboSparse-Mixtral", year=2024, activation="drelu",
        detail="ReLU on both gate and up branches of each expert",
        source="https://huggingface.co/PowerInfer/TurboSparse-Mixtral/blob/"
               "8f55951a89a7dd82faf0dd9f509e72646a9a25b6/modeling_supersparsemixtral.py#L1283",
        key="self.act_fn(self.w1(hidden_states)) * self.act_fn(self.w3(hidden_states))",
        verified="code",
    ),
    ReleasedModel(
        model="DeepSeek-V3", year=2024, activation="swiglu",
        detail="SwiGLU experts; 256 routed + 1 shared, sigmoid router",
        source="https://github.com/deepseek-ai/DeepSeek-V3/blob/"
               "9b4e9788e4a3a731f7567338ed15d3ec549ce03b/inference/model.py#L633",
        key="self.w2(F.silu(self.w1(x)) * self.w3(x))",
        verified="code",
    ),
    ReleasedModel(
        model="Qwen3", year=2025, activation="swiglu",
        detail="SiLU gate_proj times up_proj",
        source=f"{_HF}/qwen3/configuration_qwen3.py",
        key='hidden_act="silu"',
        verified="code",
    ),
    ReleasedModel(
        model="Gemma 3n", year=2025, activation="geglu_tanh",
        detail="tanh GEGLU; Gaussian top-k 0.95 in the first 10 layers",
        source=f"{_HF}/gemma3n/configuration_gemma3n.py",
        key='hidden_activation="gelu_pytorch_tanh"; activation_sparsity_pattern = '
            "[0.95] * num_sparse_layers + [0.0] * (...), num_sparse_layers = 10",
        verified="code",
    ),
    ReleasedModel(
        model="gpt-oss", year=2025, activation="clamped_swiglu",
        detail="gate clamped ≤ 7, value ±7, +1, interleaved",
        source="https://github.com/openai/gpt-oss/blob/"
               "7b583341fe16729127f6d5b94a7b09ccae97e1a1/gpt_oss/torch/model.py#L249-L256",
        key="swiglu_limit: float = 7.0; swiglu(x, alpha=1.702, limit=7.0)",
        verified="code",
    ),
    ReleasedModel(
        model="Apertus", year=2025, activation="xielu",
        detail="non-gated MLP (up_proj, down_proj only)",
        source=f"{_HF}/apertus/configuration_apertus.py",
        key='hidden_act="xielu"',
        verified="code",
    ),
    ReleasedModel(
        model="Nemotron-H", year=2025, activation="squared_relu",
        detail="non-gated ReLU² MLPs and experts; Mamba-2 hybrid",
        source=f"{_HF}/nemotron_h/configuration_nemotron_h.py",
        key='mlp_hidden_act="relu2"',
        verified="code",
    ),
    ReleasedModel(
        model="Motif 2.6B", year=2025, activation="polynorm",
        detail="PolyNorm in the MLP; differential attention",
        source="https://arxiv.org/abs/2508.09148",
        key='abstract: "Differential Attention and PolyNorm activation functions"',
        verified="paper",
    ),
)


def models_table() -> list[dict[str, str]]:
    """The rows of :data:`RELEASED_MODELS` as the chapter prints them, in year order.

    Rows of the same year keep their order in :data:`RELEASED_MODELS`. The activation is given
    by its display name in the registry (:attr:`actbook.registry.ActivationInfo.display_name`).

    Returns:
        One dict per model with the keys ``model``, ``year``, ``activation``, ``detail``,
        ``source`` and ``key``, all strings.

    Examples::

        >>> rows = models_table()
        >>> rows[0]["model"], rows[0]["year"], rows[0]["activation"]
        ('BERT', '2018', 'GELU (tanh)')
        >>> next(r["activation"] for r in rows if r["model"] == "gpt-oss")
        'Clamped SwiGLU'
    """
    rows = sorted(RELEASED_MODELS, key=lambda row: row.year)
    return [
        {
            "model": row.model,
            "year": str(row.year),
            "activation": registry.info(row.activation).display_name,
            "detail": row.detail,
            "source": row.source,
            "key": row.key,
        }
        for row in rows
    ]


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell: pipes escaped."""
    return text.replace("|", "\\|")


def models_markdown(rows: list[dict[str, str]]) -> str:
    """A MyST Markdown table of :func:`models_table` rows, each key linked to its source.

    Args:
        rows: rows of :func:`models_table`.

    Returns:
        str: the header, the separator and one line per row, joined by newlines.

    Examples::

        >>> lines = models_markdown(models_table()).splitlines()
        >>> lines[0]
        '| Model | Year | Activation | Detail | Where it says so |'
        >>> len(lines) == len(RELEASED_MODELS) + 2
        True
    """
    header = ("Model", "Year", "Activation", "Detail", "Where it says so")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        key = row["key"].replace("`", "'")
        cells = (row["model"], row["year"], row["activation"], _cell(row["detail"]),
                 f"[`{_cell(key)}`]({row['source']})")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
