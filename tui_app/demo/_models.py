"""The models the simulated Ollama has installed or can pull, and how ``/api/show`` renders them."""

# Templates are verbatim model data (long lines, DeepSeek's full-width bars), not code.
# ruff: noqa: E501, RUF001

from __future__ import annotations

import hashlib
import itertools
import json
import random
from dataclasses import dataclass, field, replace
from typing import Any

from ._wire import go_value, parse_model_name

# A fixed origin keeps tags/show output identical from run to run (snapshot tests rely on it).
_BASE_TIME = 1_759_094_868.639712


def sha256_hex(*parts: object) -> str:
    """A deterministic 64-hex digest of ``parts``; stands in for real blob and manifest hashes."""
    return hashlib.sha256("\x00".join(map(str, parts)).encode()).hexdigest()


def blob_digest(*parts: object) -> str:
    """A ``sha256:<64hex>`` layer digest derived from ``parts``."""
    return "sha256:" + sha256_hex(*parts)


@dataclass
class SimModel:
    """A model known to the simulated server: what tags, ps, show and pull report about it.

    Fields left at their defaults are derived in ``__post_init__`` (layers from ``size``, ``size``
    from layers, digest from name and layers, ``model_info`` from the other fields).
    """

    name: str
    family: str = "llama"
    parameter_size: str = "3.2B"
    quantization_level: str = "Q4_K_M"
    size: int = 0
    digest: str = ""
    capabilities: list[str] = field(default_factory=lambda: ["completion"])
    context_length: int = 4096
    families: list[str] | None = None
    modified_at: float = 0.0
    template: str = "{{ .Prompt }}"
    system: str = ""
    license: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    layers: list[tuple[str, int]] = field(default_factory=list)
    format: str = "gguf"
    embedding_length: int = 0
    parent_model: str = ""
    model_info: dict[str, Any] = field(default_factory=dict)
    projector_info: dict[str, Any] = field(default_factory=dict)
    messages: list[dict[str, str]] = field(default_factory=list)
    gpu_fraction: float = 1.0
    """Share of the loaded model in VRAM as /api/ps reports it (1.0 = fully on the GPU)."""

    def __post_init__(self) -> None:
        parsed = parse_model_name(self.name)
        if parsed is not None:
            self.name = parsed.display()
        if not self.modified_at:
            self.modified_at = _BASE_TIME
        if not self.embedding_length:
            self.embedding_length = 768 if "embedding" in self.capabilities else 3072
        if not self.layers:
            self.layers = _default_layers(self)
        if not self.size:
            self.size = sum(size for _, size in self.layers)
        if not self.digest:
            self.digest = sha256_hex("manifest", self.name, *self.layers)
        if not self.model_info:
            self.model_info = _generic_model_info(self)

    @property
    def architecture(self) -> str:
        """``general.architecture`` from ``model_info``."""
        return str(self.model_info.get("general.architecture", self.family))

    @property
    def key(self) -> str:
        """The case-insensitive identity used for lookups."""
        return self.name.lower()

    def details(self, *, for_tags: bool = False, for_ps: bool = False) -> dict[str, Any]:
        """``ModelDetails`` in wire order; tags add the newer omitempty length fields."""
        out: dict[str, Any] = {
            "parent_model": "" if (for_tags or for_ps) else self.parent_model,
            "format": self.format,
            "family": self.family,
            "families": list(self.families) if self.families is not None else None,
            "parameter_size": self.parameter_size,
            "quantization_level": self.quantization_level,
        }
        if for_tags:
            if self.context_length:
                out["context_length"] = self.context_length
            if self.embedding_length:
                out["embedding_length"] = self.embedding_length
        return out


def _params_bytes(parameters: dict[str, Any]) -> int:
    return len(json.dumps(parameters, separators=(",", ":"))) if parameters else 0


def _default_layers(model: SimModel) -> list[tuple[str, int]]:
    small = [
        ("template", len(model.template.encode())),
        ("license", len(model.license.encode())),
        ("params", _params_bytes(model.parameters)),
        ("system", len(model.system.encode())),
    ]
    small = [(kind, size) for kind, size in small if size]
    config = 487
    weights = max(model.size - config - sum(size for _, size in small), 1_000_000)
    if not model.size:
        weights = _weights_size(model.parameter_size, model.quantization_level)
    layers = [(blob_digest(model.name, "model"), weights)]
    layers += [(blob_digest(model.name, kind), size) for kind, size in small]
    layers.append((blob_digest(model.name, "config"), config))
    return layers


_QUANT_BITS = {
    "Q2_K": 3.0,
    "Q3_K_S": 3.5,
    "Q3_K_M": 3.9,
    "Q4_0": 4.5,
    "Q4_K_S": 4.6,
    "Q4_K_M": 4.85,
    "Q5_K_M": 5.7,
    "Q6_K": 6.6,
    "Q8_0": 8.5,
    "F16": 16.0,
    "BF16": 16.0,
}


def parameter_count(parameter_size: str) -> int:
    """``"3.2B"`` → 3_200_000_000 (approximate, for plausible sizes and tensor shapes)."""
    text = parameter_size.strip().upper()
    scale = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}.get(text[-1:], 1.0)
    try:
        number = float(text[:-1] if text[-1:] in "KMBT" else text)
    except ValueError:
        number = 1.0
    return int(number * scale)


def _weights_size(parameter_size: str, quantization: str) -> int:
    bits = _QUANT_BITS.get(quantization.upper(), 4.85)
    return int(parameter_count(parameter_size) * bits / 8)


def _generic_model_info(model: SimModel) -> dict[str, Any]:
    arch = model.family or "llama"
    count = parameter_count(model.parameter_size)
    emb = model.embedding_length
    blocks = max(4, min(80, count // max(1, 12 * emb * emb))) if emb else 16
    info: dict[str, Any] = {
        "general.architecture": arch,
        "general.file_type": 15,
        "general.parameter_count": count,
        "general.quantization_version": 2,
        f"{arch}.attention.head_count": max(1, emb // 128),
        f"{arch}.attention.head_count_kv": max(1, emb // 512),
        f"{arch}.attention.layer_norm_rms_epsilon": 1e-05,
        f"{arch}.block_count": int(blocks),
        f"{arch}.context_length": model.context_length,
        f"{arch}.embedding_length": emb,
        f"{arch}.feed_forward_length": emb * 4,
        f"{arch}.rope.freq_base": 500000.0,
        "tokenizer.ggml.bos_token_id": 1,
        "tokenizer.ggml.eos_token_id": 2,
        "tokenizer.ggml.merges": None,
        "tokenizer.ggml.model": "gpt2",
        "tokenizer.ggml.token_type": None,
        "tokenizer.ggml.tokens": None,
    }
    return info


# --- /api/show renderings ---------------------------------------------------------------------

_SAMPLE_TOKENS = ["<unk>", "<s>", "</s>", "!", '"', "#", "$", "%", "&", "'", "(", ")", "*", "+"]
_SAMPLE_MERGES = ["Ġ Ġ", "Ġ t", "Ġ a", "i n", "h e", "r e", "o n", "Ġt he", "e r", "Ġ s"]


def show_model_info(model: SimModel, *, verbose: bool) -> dict[str, Any]:
    """``model_info`` with Go's map order (sorted) and long arrays emptied unless verbose."""
    out: dict[str, Any] = {}
    for key in sorted(model.model_info):
        value = model.model_info[key]
        if value is None:
            # Large tokenizer arrays: only ``verbose`` fills them (a sample here, not 128k entries).
            if not verbose:
                value = []
            elif key.endswith("merges"):
                value = list(_SAMPLE_MERGES)
            elif key.endswith("token_type"):
                value = [2, 3, 3] + [1] * (len(_SAMPLE_TOKENS) - 3)
            else:
                value = list(_SAMPLE_TOKENS)
        elif isinstance(value, list) and len(value) > 5 and not verbose:
            value = []
        out[key] = value
    return out


def show_tensors(model: SimModel) -> list[dict[str, Any]]:
    """A plausible GGUF tensor list derived from the architecture numbers in ``model_info``."""
    arch = model.architecture
    info = model.model_info
    emb = int(info.get(f"{arch}.embedding_length", model.embedding_length) or 0)
    if not emb:
        return []
    blocks = int(info.get(f"{arch}.block_count", 16))
    ff = int(info.get(f"{arch}.feed_forward_length", emb * 4))
    heads = int(info.get(f"{arch}.attention.head_count", max(1, emb // 128)))
    kv_heads = int(info.get(f"{arch}.attention.head_count_kv", heads))
    vocab = int(info.get(f"{arch}.vocab_size", 32000))
    kv = emb * kv_heads // max(1, heads)
    quant = model.quantization_level.upper()
    main = {"Q4_K_M": "Q4_K", "Q4_K_S": "Q4_K", "Q5_K_M": "Q5_K", "F16": "F16"}.get(quant, quant)
    tensors: list[dict[str, Any]] = [
        {"name": "token_embd.weight", "type": "Q6_K", "shape": [emb, vocab]},
    ]
    for block in range(blocks):
        prefix = f"blk.{block}"
        tensors += [
            {"name": f"{prefix}.attn_k.weight", "type": main, "shape": [emb, kv]},
            {"name": f"{prefix}.attn_norm.weight", "type": "F32", "shape": [emb]},
            {"name": f"{prefix}.attn_output.weight", "type": main, "shape": [emb, emb]},
            {"name": f"{prefix}.attn_q.weight", "type": main, "shape": [emb, emb]},
            {"name": f"{prefix}.attn_v.weight", "type": "Q6_K", "shape": [emb, kv]},
            {"name": f"{prefix}.ffn_down.weight", "type": "Q6_K", "shape": [ff, emb]},
            {"name": f"{prefix}.ffn_gate.weight", "type": main, "shape": [emb, ff]},
            {"name": f"{prefix}.ffn_norm.weight", "type": "F32", "shape": [emb]},
            {"name": f"{prefix}.ffn_up.weight", "type": main, "shape": [emb, ff]},
        ]
    tensors.append({"name": "output_norm.weight", "type": "F32", "shape": [emb]})
    return tensors


def parameters_text(model: SimModel) -> str:
    """Modelfile PARAMETERs as ``/api/show`` prints them: ``%-30s %#v``, one array item per line.

    Go iterates a map here, so the real order is random; a name-seeded shuffle keeps it
    arbitrary-looking but stable.
    """
    lines: list[str] = []
    for key, value in model.parameters.items():
        for item in value if isinstance(value, list) else [value]:
            lines.append(f"{key:<30} {go_value(item)}")
    random.Random(model.name).shuffle(lines)
    return "\n".join(lines)


def _modelfile_quote(text: str) -> str:
    return f'"""{text}"""'


def modelfile_text(model: SimModel, *, system: str) -> str:
    """The ``modelfile`` field of ``/api/show``."""
    weights = model.layers[0][0] if model.layers else blob_digest(model.name, "model")
    out = [
        '# Modelfile generated by "ollama show"',
        "# To build a new Modelfile based on this, replace FROM with:",
        f"# FROM {model.name}",
        "",
        f"FROM /root/.ollama/models/blobs/{weights.replace(':', '-')}",
    ]
    if model.template:
        out.append(f"TEMPLATE {_modelfile_quote(model.template)}")
    if system:
        out.append(f"SYSTEM {_modelfile_quote(system)}")
    for key, value in model.parameters.items():
        for item in value if isinstance(value, list) else [value]:
            out.append(
                f"PARAMETER {key} {item if not isinstance(item, bool) else str(item).lower()}"
            )
    if model.license:
        out.append(f"LICENSE {_modelfile_quote(model.license)}")
    for message in model.messages:
        out.append(f"MESSAGE {message.get('role', 'user')} {message.get('content', '')}")
    return "\n".join(out) + "\n"


# --- the default installation and registry ----------------------------------------------------

_LLAMA32_TEMPLATE = """<|start_header_id|>system<|end_header_id|>

Cutting Knowledge Date: December 2023

{{ if .System }}{{ .System }}
{{- end }}
{{- if .Tools }}When you receive a tool call response, use the output to format an answer to the orginal user question.

You are a helpful assistant with tool calling capabilities.
{{- end }}<|eot_id|>
{{- range $i, $_ := .Messages }}
{{- $last := eq (len (slice $.Messages $i)) 1 }}
{{- if eq .Role "user" }}<|start_header_id|>user<|end_header_id|>
{{- if and $.Tools $last }}

Given the following functions, please respond with a JSON for a function call with its proper arguments that best answers the given prompt.

Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}. Do not use variables.

{{ range $.Tools }}
{{- . }}
{{ end }}
{{ .Content }}<|eot_id|>
{{- else }}

{{ .Content }}<|eot_id|>
{{- end }}{{ if $last }}<|start_header_id|>assistant<|end_header_id|>

{{ end }}
{{- else if eq .Role "assistant" }}<|start_header_id|>assistant<|end_header_id|>
{{- if .ToolCalls }}
{{ range .ToolCalls }}
{"name": "{{ .Function.Name }}", "parameters": {{ .Function.Arguments }}}{{ end }}
{{- else }}

{{ .Content }}
{{- end }}{{ if not $last }}<|eot_id|>{{ end }}
{{- else if eq .Role "tool" }}<|start_header_id|>ipython<|end_header_id|>

{{ .Content }}<|eot_id|>{{ if $last }}<|start_header_id|>assistant<|end_header_id|>

{{ end }}
{{- end }}
{{- end }}"""

_QWEN3_TEMPLATE = """{{- $lastUserIdx := -1 -}}
{{- range $idx, $msg := .Messages -}}
{{- if eq $msg.Role "user" }}{{ $lastUserIdx = $idx }}{{ end -}}
{{- end }}
{{- if or .System .Tools }}<|im_start|>system
{{ if .System }}
{{ .System }}
{{- end }}
{{- if .Tools }}

# Tools

You may call one or more functions to assist with the user query.

You are provided with function signatures within <tools></tools> XML tags:
<tools>
{{- range .Tools }}
{"type": "function", "function": {{ .Function }}}
{{- end }}
</tools>

For each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:
<tool_call>
{"name": <function-name>, "arguments": <args-json-object>}
</tool_call>
{{- end -}}
<|im_end|>
{{ end }}
{{- range $i, $_ := .Messages }}
{{- $last := eq (len (slice $.Messages $i)) 1 -}}
{{- if eq .Role "user" }}<|im_start|>user
{{ .Content }}<|im_end|>
{{ else if eq .Role "assistant" }}<|im_start|>assistant
{{ if (and $.IsThinkSet (and .Thinking (or $last (gt $i $lastUserIdx)))) -}}
<think>{{ .Thinking }}</think>
{{ end -}}
{{ if .Content }}{{ .Content }}
{{- else if .ToolCalls }}<tool_call>
{{ range .ToolCalls }}{"name": "{{ .Function.Name }}", "arguments": {{ .Function.Arguments }}}
{{ end }}</tool_call>
{{- end }}{{ if not $last }}<|im_end|>
{{ end }}
{{- else if eq .Role "tool" }}<|im_start|>user
<tool_response>
{{ .Content }}
</tool_response><|im_end|>
{{ end }}
{{- if and (ne .Role "assistant") $last }}<|im_start|>assistant
{{ if and $.IsThinkSet (not $.Think) -}}
<think>

</think>

{{ end -}}
{{ end }}
{{- end }}"""

_LLAVA_TEMPLATE = "[INST] {{ if .System }}{{ .System }} {{ end }}{{ .Prompt }} [/INST]"

_GEMMA3_TEMPLATE = """{{- range $i, $_ := .Messages }}
{{- $last := eq (len (slice $.Messages $i)) 1 }}
{{- if or (eq .Role "user") (eq .Role "system") }}<start_of_turn>user
{{ .Content }}<end_of_turn>
{{ if $last }}<start_of_turn>model
{{ end }}
{{- else if eq .Role "assistant" }}<start_of_turn>model
{{ .Content }}{{ if not $last }}<end_of_turn>
{{ end }}
{{- end }}
{{- end }}"""

_MISTRAL_TEMPLATE = """{{- if .Messages }}
{{- range $index, $_ := .Messages }}
{{- if eq .Role "user" }}
{{- if and (eq (len (slice $.Messages $index)) 1) $.Tools }}[AVAILABLE_TOOLS] {{ $.Tools }}[/AVAILABLE_TOOLS]
{{- end }}[INST] {{ if and $.System (eq (len (slice $.Messages $index)) 1) }}{{ $.System }}

{{ end }}{{ .Content }}[/INST]
{{- else if eq .Role "assistant" }}
{{- if .Content }} {{ .Content }}
{{- else if .ToolCalls }}[TOOL_CALLS] [
{{- range .ToolCalls }}{"name": "{{ .Function.Name }}", "arguments": {{ .Function.Arguments }}}
{{- end }}]
{{- end }}</s>
{{- else if eq .Role "tool" }}[TOOL_RESULTS] {"content": {{ .Content }}} [/TOOL_RESULTS]
{{- end }}
{{- end }}
{{- else }}[INST] {{ if .System }}{{ .System }}

{{ end }}{{ .Prompt }}[/INST]
{{- end }} {{ .Response }}
{{- if .Response }}</s>
{{- end }}"""

_PHI4_TEMPLATE = """{{- if or .System .Tools }}<|system|>{{ if .System }}{{ .System }}{{ end }}
{{- if .Tools }}{{ if not .System }}You are a helpful assistant with some tools.{{ end }}<|tool|>{{ .Tools }}<|/tool|><|end|>
{{- end }}
{{- end }}
{{- range $i, $_ := .Messages }}
{{- $last := eq (len (slice $.Messages $i)) 1 -}}
{{- if ne .Role "system" }}<|{{ .Role }}|>{{ .Content }}
{{- if .ToolCalls }}<|tool_call|>[{{ range .ToolCalls }}{"name":"{{ .Function.Name }}","arguments":{{ .Function.Arguments }}{{ end }}]<|/tool_call|>
{{- end }}
{{- if not $last }}<|end|>
{{- end }}
{{- if and (ne .Role "assistant") $last }}<|end|><|assistant|>{{ end }}
{{- end }}
{{- end }}"""

_DEEPSEEK_TEMPLATE = """{{- if .System }}{{ .System }}{{ end }}
{{- range $i, $_ := .Messages }}
{{- $last := eq (len (slice $.Messages $i)) 1}}
{{- if eq .Role "user" }}<｜User｜>{{ .Content }}
{{- else if eq .Role "assistant" }}<｜Assistant｜>
  {{- if and $.IsThinkSet (and $last .Thinking) -}}
<think>
{{ .Thinking }}
</think>
{{- end }}{{ .Content }}{{- if not $last }}<｜end▁of▁sentence｜>{{- end }}
{{- end }}
{{- if and $last (ne .Role "assistant") }}<｜Assistant｜>
{{- if and $.IsThinkSet (not $.Think) -}}
<think>

</think>

{{ end }}
{{- end -}}
{{- end }}"""

_LLAMA_LICENSE_1 = """LLAMA 3.2 COMMUNITY LICENSE AGREEMENT
Llama 3.2 Version Release Date: September 25, 2024

"Agreement" means the terms and conditions for use, reproduction, distribution
and modification of the Llama Materials set forth herein.

"Documentation" means the specifications, manuals and documentation accompanying
Llama 3.2 distributed by Meta at https://llama.meta.com/doc/overview.

"Licensee" or "you" means you, or your employer or any other person or entity
(if you are entering into this Agreement on such person or entity's behalf), of
the age required under applicable laws, rules or regulations to provide legal
consent and that has legal authority to bind your employer or such other person
or entity if you are entering in this Agreement on their behalf.

1. License Rights and Redistribution.
a. Grant of Rights. You are granted a non-exclusive, worldwide, non-transferable
and royalty-free limited license under Meta's intellectual property or other
rights owned by Meta embodied in the Llama Materials to use, reproduce,
distribute, copy, create derivative works of, and make modifications to the
Llama Materials."""

_LLAMA_LICENSE_2 = """**Llama 3.2** **Acceptable Use Policy**

Meta is committed to promoting safe and fair use of its tools and features,
including Llama 3.2. If you access or use Llama 3.2, you agree to this
Acceptable Use Policy ("**Policy**"). The most recent copy of this policy can be
found at https://www.llama.com/llama3_2/use-policy."""

_APACHE_LICENSE = """                                 Apache License
                           Version 2.0, January 2004
                        http://www.apache.org/licenses/

   TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION

   1. Definitions.

      "License" shall mean the terms and conditions for use, reproduction,
      and distribution as defined by Sections 1 through 9 of this document.

      "Licensor" shall mean the copyright owner or entity authorized by
      the copyright owner that is granting the License."""

_GEMMA_LICENSE = """Gemma Terms of Use

Last modified: March 24, 2025

By using, reproducing, modifying, distributing, performing or displaying any
portion or element of Gemma, Model Derivatives including via any Hosted Service,
(each as defined below) (collectively, the "Gemma Services") or otherwise
accepting the terms of this Agreement, you agree to be bound by this Agreement."""

_MIT_LICENSE = """MIT License

Copyright (c) Microsoft Corporation.

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, subject to the following conditions."""


def _layers(name: str, weights: int, small: list[tuple[str, int]]) -> list[tuple[str, int]]:
    out = [(blob_digest(name, "model"), weights)]
    out += [(blob_digest(name, kind), size) for kind, size in small]
    return out


def _llm_info(
    arch: str,
    *,
    params: int,
    ctx: int,
    emb: int,
    blocks: int,
    ff: int,
    heads: int,
    kv_heads: int,
    vocab: int,
    rope_base: float,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    info: dict[str, Any] = {
        "general.architecture": arch,
        "general.basename": arch.capitalize(),
        "general.file_type": 15,
        "general.parameter_count": params,
        "general.quantization_version": 2,
        "general.type": "model",
        f"{arch}.attention.head_count": heads,
        f"{arch}.attention.head_count_kv": kv_heads,
        f"{arch}.attention.layer_norm_rms_epsilon": 1e-05,
        f"{arch}.block_count": blocks,
        f"{arch}.context_length": ctx,
        f"{arch}.embedding_length": emb,
        f"{arch}.feed_forward_length": ff,
        f"{arch}.rope.dimension_count": emb // heads,
        f"{arch}.rope.freq_base": rope_base,
        f"{arch}.vocab_size": vocab,
        "tokenizer.ggml.bos_token_id": 1,
        "tokenizer.ggml.eos_token_id": 2,
        "tokenizer.ggml.merges": None,
        "tokenizer.ggml.model": "gpt2",
        "tokenizer.ggml.pre": arch,
        "tokenizer.ggml.token_type": None,
        "tokenizer.ggml.tokens": None,
    }
    info.update(extra or {})
    return info


def _llama32() -> SimModel:
    name = "llama3.2:latest"
    return SimModel(
        name=name,
        family="llama",
        parameter_size="3.2B",
        quantization_level="Q4_K_M",
        size=2019393189,
        digest="a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72",
        capabilities=["completion", "tools"],
        context_length=131072,
        families=["llama"],
        modified_at=1_746_405_464.706015,
        template=_LLAMA32_TEMPLATE,
        license=_LLAMA_LICENSE_1 + "\n" + _LLAMA_LICENSE_2,
        parameters={"stop": ["<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]},
        layers=[
            ("sha256:dde5aa3fc5ffc17176b5e8bdc82f587b24b2678c6c66101bf7da77af9f7ccdff", 2019377376),
            ("sha256:966de95ca8a62200913e3f8bfbf84c8494536f1b94b49166851e76644e966396", 1429),
            ("sha256:fcc5a6bec9daf9b561a68827b67ab6088e1dba9d1fa2a50d7bbcc8384e0a265d", 7711),
            ("sha256:a70ff7e570d97baaf4e62ac6e6ad9975e04caa6d900d3742d37698494479e0cd", 6016),
            ("sha256:56bb8bd477a519e5ec9c1d9e6e1e5ed9b6b56ef5a9ccf2f5c7ad29a9aa1c6d4b", 96),
            ("sha256:34bb5ab01051a11372a91f95f3fbbc51173eed8e7f13ec395b9ae9b8bd0e242b", 561),
        ],
        embedding_length=3072,
        model_info=_llm_info(
            "llama",
            params=3212749888,
            ctx=131072,
            emb=3072,
            blocks=28,
            ff=8192,
            heads=24,
            kv_heads=8,
            vocab=128256,
            rope_base=500000.0,
            extra={
                "general.basename": "Llama-3.2",
                "general.finetune": "Instruct",
                "general.languages": ["en", "de", "fr", "it", "pt", "hi", "es", "th"],
                "general.license": "llama3.2",
                "general.size_label": "3B",
                "general.tags": [
                    "facebook",
                    "meta",
                    "pytorch",
                    "llama",
                    "llama-3",
                    "text-generation",
                ],
                "llama.attention.key_length": 128,
                "llama.attention.value_length": 128,
                "tokenizer.ggml.bos_token_id": 128000,
                "tokenizer.ggml.eos_token_id": 128009,
                "tokenizer.ggml.pre": "llama-bpe",
            },
        ),
    )


def _qwen3() -> SimModel:
    name = "qwen3:8b"
    return SimModel(
        name=name,
        family="qwen3",
        parameter_size="8.2B",
        quantization_level="Q4_K_M",
        size=0,
        digest="500a1f067a9f782620b40bee6f7b0c89e17ae61f686b92c24933e4ca4b2b8b41",
        capabilities=["completion", "tools", "thinking"],
        context_length=40960,
        families=["qwen3"],
        modified_at=1_758_207_191.503227,
        template=_QWEN3_TEMPLATE,
        license=_APACHE_LICENSE,
        parameters={
            "repeat_penalty": 1,
            "stop": ["<|im_start|>", "<|im_end|>"],
            "temperature": 0.6,
            "top_k": 20,
            "top_p": 0.95,
        },
        layers=_layers(
            name,
            5225374944,
            [("license", 11338), ("template", 1723), ("params", 105), ("config", 490)],
        ),
        embedding_length=4096,
        gpu_fraction=0.65,
        model_info=_llm_info(
            "qwen3",
            params=8190735360,
            ctx=40960,
            emb=4096,
            blocks=36,
            ff=12288,
            heads=32,
            kv_heads=8,
            vocab=151936,
            rope_base=1000000.0,
            extra={
                "general.basename": "Qwen3",
                "general.size_label": "8B",
                "general.license": "apache-2.0",
                "qwen3.attention.key_length": 128,
                "qwen3.attention.value_length": 128,
                "tokenizer.ggml.bos_token_id": 151643,
                "tokenizer.ggml.eos_token_id": 151645,
                "tokenizer.ggml.padding_token_id": 151643,
                "tokenizer.ggml.pre": "qwen2",
            },
        ),
    )


def _llava() -> SimModel:
    name = "llava:7b"
    return SimModel(
        name=name,
        family="llama",
        parameter_size="7B",
        quantization_level="Q4_0",
        size=0,
        digest="8dd30f6b0cb19f555f2c7a7ebda861449ea2cc76bf1f44e262931f45fc81d081",
        capabilities=["completion", "vision"],
        context_length=32768,
        families=["llama", "clip"],
        modified_at=1_752_672_384.120937,
        template=_LLAVA_TEMPLATE,
        license=_APACHE_LICENSE,
        parameters={"stop": ["[INST]", "[/INST]"]},
        layers=_layers(
            name,
            4108916384,
            [
                ("projector", 624434344),
                ("license", 11356),
                ("template", 67),
                ("params", 30),
                ("config", 564),
            ],
        ),
        embedding_length=4096,
        model_info=_llm_info(
            "llama",
            params=7241732096,
            ctx=32768,
            emb=4096,
            blocks=32,
            ff=14336,
            heads=32,
            kv_heads=8,
            vocab=32000,
            rope_base=1000000.0,
            extra={"general.name": "liuhaotian", "general.file_type": 2},
        ),
        projector_info={
            "clip.has_llava_projector": True,
            "clip.has_text_encoder": False,
            "clip.has_vision_encoder": True,
            "clip.projector_type": "mlp",
            "clip.vision.attention.head_count": 16,
            "clip.vision.block_count": 23,
            "clip.vision.embedding_length": 1024,
            "clip.vision.feed_forward_length": 4096,
            "clip.vision.image_size": 336,
            "clip.vision.patch_size": 14,
            "clip.vision.projection_dim": 768,
            "general.architecture": "clip",
            "general.file_type": 1,
            "general.parameter_count": 311841408,
        },
    )


def _nomic() -> SimModel:
    name = "nomic-embed-text:latest"
    return SimModel(
        name=name,
        family="nomic-bert",
        parameter_size="137M",
        quantization_level="F16",
        size=0,
        digest="0a109f422b47e3a30ba2b10eca18548e944e8a23073ee3f3e947efcf3c45e59f",
        capabilities=["embedding"],
        context_length=2048,
        families=["nomic-bert"],
        modified_at=1_747_118_020.935431,
        template="{{ .Prompt }}",
        license=_APACHE_LICENSE,
        parameters={"num_ctx": 8192},
        layers=_layers(
            name,
            274290656,
            [("license", 11357), ("params", 17), ("config", 420)],
        ),
        embedding_length=768,
        model_info={
            "general.architecture": "nomic-bert",
            "general.file_type": 1,
            "general.parameter_count": 136727040,
            "general.quantization_version": 2,
            "nomic-bert.attention.causal": False,
            "nomic-bert.attention.head_count": 12,
            "nomic-bert.attention.layer_norm_epsilon": 1e-12,
            "nomic-bert.block_count": 12,
            "nomic-bert.context_length": 2048,
            "nomic-bert.embedding_length": 768,
            "nomic-bert.feed_forward_length": 3072,
            "nomic-bert.pooling_type": 1,
            "nomic-bert.rope.freq_base": 1000.0,
            "tokenizer.ggml.bos_token_id": 101,
            "tokenizer.ggml.cls_token_id": 101,
            "tokenizer.ggml.eos_token_id": 102,
            "tokenizer.ggml.mask_token_id": 103,
            "tokenizer.ggml.model": "bert",
            "tokenizer.ggml.padding_token_id": 0,
            "tokenizer.ggml.seperator_token_id": 102,
            "tokenizer.ggml.token_type": None,
            "tokenizer.ggml.token_type_count": 2,
            "tokenizer.ggml.tokens": None,
            "tokenizer.ggml.unknown_token_id": 100,
        },
    )


def _gemma3() -> SimModel:
    name = "gemma3:1b"
    return SimModel(
        name=name,
        family="gemma3",
        parameter_size="999.89M",
        quantization_level="Q4_K_M",
        size=0,
        digest="8648f39daa8fbf5b18c7b4e6a8fb4990c692751d49917417b8842ca5758e7ffc",
        capabilities=["completion"],
        context_length=32768,
        # Models converted from some configs carry no families at all: Ollama sends null.
        families=None,
        modified_at=1_757_504_119.280444,
        template=_GEMMA3_TEMPLATE,
        license=_GEMMA_LICENSE,
        parameters={"stop": ["<end_of_turn>"], "temperature": 1, "top_k": 64, "top_p": 0.95},
        layers=_layers(
            name,
            815310432,
            [("template", 358), ("license", 8432), ("params", 77), ("config", 492)],
        ),
        embedding_length=1152,
        model_info=_llm_info(
            "gemma3",
            params=999885952,
            ctx=32768,
            emb=1152,
            blocks=26,
            ff=6912,
            heads=4,
            kv_heads=1,
            vocab=262144,
            rope_base=1000000.0,
            extra={"gemma3.attention.sliding_window": 512},
        ),
    )


def default_models() -> list[SimModel]:
    """The installed models of ``--demo`` and the tests: chat, thinking, vision, embedding, small."""
    return [_llama32(), _qwen3(), _llava(), _nomic(), _gemma3()]


def _catalog_extras() -> list[SimModel]:
    mistral = SimModel(
        name="mistral:7b",
        family="llama",
        parameter_size="7.2B",
        quantization_level="Q4_K_M",
        capabilities=["completion", "tools"],
        context_length=32768,
        families=["llama"],
        template=_MISTRAL_TEMPLATE,
        license=_APACHE_LICENSE,
        parameters={"stop": ["[INST]", "[/INST]"]},
        layers=_layers(
            "mistral:7b",
            4113289216,
            [("license", 11356), ("template", 801), ("params", 30), ("config", 485)],
        ),
        embedding_length=4096,
        model_info=_llm_info(
            "llama",
            params=7248023552,
            ctx=32768,
            emb=4096,
            blocks=32,
            ff=14336,
            heads=32,
            kv_heads=8,
            vocab=32768,
            rope_base=1000000.0,
        ),
    )
    phi4 = SimModel(
        name="phi4-mini:latest",
        family="phi3",
        parameter_size="3.8B",
        quantization_level="Q4_K_M",
        capabilities=["completion", "tools"],
        context_length=131072,
        families=["phi3"],
        template=_PHI4_TEMPLATE,
        license=_MIT_LICENSE,
        parameters={"stop": ["<|end|>"]},
        layers=_layers(
            "phi4-mini:latest",
            2491874688,
            [("template", 655), ("license", 1084), ("params", 34), ("config", 411)],
        ),
        embedding_length=3072,
        model_info=_llm_info(
            "phi3",
            params=3836021856,
            ctx=131072,
            emb=3072,
            blocks=32,
            ff=8192,
            heads=24,
            kv_heads=8,
            vocab=200064,
            rope_base=10000.0,
        ),
    )
    deepseek = SimModel(
        name="deepseek-r1:1.5b",
        family="qwen2",
        parameter_size="1.8B",
        quantization_level="Q4_K_M",
        capabilities=["completion", "thinking"],
        context_length=131072,
        families=["qwen2"],
        template=_DEEPSEEK_TEMPLATE,
        license=_MIT_LICENSE,
        parameters={"stop": ["<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>"]},
        layers=_layers(
            "deepseek-r1:1.5b",
            1117320736,
            [("license", 1065), ("template", 556), ("params", 148), ("config", 487)],
        ),
        embedding_length=1536,
        model_info=_llm_info(
            "qwen2",
            params=1777088000,
            ctx=131072,
            emb=1536,
            blocks=28,
            ff=8960,
            heads=12,
            kv_heads=2,
            vocab=151936,
            rope_base=10000.0,
        ),
    )
    minilm = SimModel(
        name="all-minilm:latest",
        family="bert",
        parameter_size="23M",
        quantization_level="F16",
        capabilities=["embedding"],
        context_length=512,
        families=["bert"],
        template="{{ .Prompt }}",
        license=_APACHE_LICENSE,
        parameters={"num_ctx": 256},
        layers=_layers("all-minilm:latest", 45949216, [("license", 11357), ("params", 16)]),
        embedding_length=384,
    )
    smollm = SimModel(
        name="smollm2:135m",
        family="llama",
        parameter_size="134.52M",
        quantization_level="F16",
        capabilities=["completion", "tools"],
        context_length=8192,
        families=["llama"],
        template=_PHI4_TEMPLATE,
        license=_APACHE_LICENSE,
        parameters={"stop": ["<|im_start|>", "<|im_end|>"]},
        layers=_layers(
            "smollm2:135m",
            270898368,
            [("template", 1555), ("license", 11338), ("params", 89), ("config", 485)],
        ),
        embedding_length=576,
    )
    return [mistral, phi4, deepseek, minilm, smollm]


def default_catalog() -> dict[str, SimModel]:
    """Models ``/api/pull`` can fetch, keyed by normalised ``name:tag``: the installed defaults
    plus a few more (``mistral:7b`` with tiny template/params layers, ``phi4-mini:latest``...)."""
    return {model.key: model for model in [*default_models(), *_catalog_extras()]}


_FAMILIES: list[tuple[str, str, list[str], list[str]]] = [
    ("llama3.1", "llama", ["8b", "70b", "405b"], ["completion", "tools"]),
    (
        "qwen2.5",
        "qwen2",
        ["0.5b", "1.5b", "3b", "7b", "14b", "32b", "72b"],
        ["completion", "tools"],
    ),
    ("qwen2.5-coder", "qwen2", ["1.5b", "7b", "14b", "32b"], ["completion", "tools", "insert"]),
    ("gemma2", "gemma2", ["2b", "9b", "27b"], ["completion"]),
    ("phi3", "phi3", ["3.8b", "14b"], ["completion"]),
    ("deepseek-r1", "qwen2", ["1.5b", "7b", "8b", "14b", "32b", "70b"], ["completion", "thinking"]),
    ("codellama", "llama", ["7b", "13b", "34b", "70b"], ["completion", "insert"]),
    ("mixtral", "llama", ["8x7b", "8x22b"], ["completion", "tools"]),
    ("starcoder2", "starcoder2", ["3b", "7b", "15b"], ["completion", "insert"]),
    ("tinyllama", "llama", ["1.1b"], ["completion"]),
    ("granite3.1-dense", "granite", ["2b", "8b"], ["completion", "tools"]),
    ("smollm2", "llama", ["135m", "360m", "1.7b"], ["completion", "tools"]),
    ("olmo2", "olmo2", ["7b", "13b"], ["completion"]),
    ("command-r", "command-r", ["35b"], ["completion", "tools"]),
    ("mxbai-embed-large", "bert", ["335m"], ["embedding"]),
]
_QUANTS = ["q4_K_M", "q8_0", "q5_K_M", "fp16", "q4_0", "q3_K_S", "q6_K", "q2_K"]


def _size_label(tag: str) -> str:
    text = tag.lower()
    if "x" in text:
        experts, per = text.split("x", 1)
        return f"{float(per[:-1]) * int(experts) * 0.8:.1f}B"
    number = float(text[:-1])
    unit = text[-1].upper()
    return f"{number:g}{unit}" if number < 10 else f"{number:.0f}{unit}"


def many_models(n: int) -> list[SimModel]:
    """``n`` plausible distinct installed models (the defaults first), for long-list benchmarks."""
    out = default_models()[:n]
    seen = {model.key for model in out}
    combos = itertools.product(_QUANTS, _FAMILIES)
    index = 0
    for quant, (base, family, sizes, caps) in combos:
        for size_tag in sizes:
            if len(out) >= n:
                return out
            for variant in ("instruct", "text") if quant != _QUANTS[0] else ("",):
                if len(out) >= n:
                    return out
                tag = size_tag if not variant else f"{size_tag}-{variant}-{quant}"
                name = f"{base}:{tag}"
                if name.lower() in seen:
                    continue
                seen.add(name.lower())
                index += 1
                quant_level = quant.upper() if quant != "fp16" else "F16"
                out.append(
                    SimModel(
                        name=name,
                        family=family,
                        parameter_size=_size_label(size_tag),
                        quantization_level=quant_level,
                        capabilities=list(caps),
                        context_length=[4096, 8192, 32768, 131072][index % 4],
                        families=[family] if index % 7 else None,
                        modified_at=_BASE_TIME - index * 86_411.137,
                        embedding_length=[2048, 3072, 4096, 5120][index % 4],
                    )
                )
    counter = 0
    while len(out) < n:
        counter += 1
        template = out[counter % max(1, len(out))]
        out.append(
            replace(
                template,
                name=f"user{counter}/{template.name}",
                digest=sha256_hex("many", counter),
                modified_at=_BASE_TIME - (index + counter) * 86_411.137,
            )
        )
    return out
