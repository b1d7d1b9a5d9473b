"""Model backends behind one streaming interface. Heavy SDKs load only when a backend is built."""

from __future__ import annotations

from pathlib import Path

from simulator.llm.base import Backend, BackendError, Piece, Request, Usage, generate
from simulator.settings import Settings

__all__ = ["Backend", "BackendError", "Piece", "Request", "Usage", "generate", "make_backend", "writes_language"]

EMBEDDED_LANGUAGES = ("en",)
"""The embedded SmolLM2-135M writes no usable Russian (measured); other models are trusted."""


def writes_language(backend: str, model: str | None, language: str) -> bool:
    """Whether the model may write ``language``: the embedded one, local or through a class's model service
    (which names it by its file), only writes English."""
    from simulator.llm.local import model_name

    embedded = (backend == "local" and model is None) or (model is not None and model_name(model) == model_name(None))
    return not embedded or language in EMBEDDED_LANGUAGES


def make_backend(settings: Settings) -> Backend:
    if settings.backend == "scripted":
        from simulator.llm.scripted import ScriptedBackend

        return ScriptedBackend()
    if settings.backend == "local":
        from simulator.llm.local import LocalBackend

        framing = "chat" if settings.framing == "chat" else "transcript"
        return LocalBackend(
            Path(settings.model) if settings.model else None, settings.threads, settings.context, framing
        )
    from simulator.llm.openai_backend import OpenAIBackend

    if not settings.model:
        raise BackendError("the openai backend needs a model name: set SPARRING_MODEL or pass --model")
    return OpenAIBackend(
        base_url=settings.base_url,
        model=settings.model,
        api_key=settings.api_key.get_secret_value() if settings.api_key else None,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
        framing="transcript" if settings.framing == "transcript" else "chat",
        read_ahead=settings.read_ahead,
    )
