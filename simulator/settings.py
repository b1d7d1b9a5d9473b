"""Settings from ``SPARRING_*`` environment variables or ``config.toml`` in the config dir."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from simulator import paths
from simulator.vocabulary import Language

BackendName = Literal["local", "openai", "scripted"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SPARRING_", extra="ignore", use_attribute_docstrings=True, populate_by_name=True
    )

    language: Language = "en"
    """Language of the interface and of messages."""

    backend: BackendName = "local"
    """Who writes the customer's lines: local (llama.cpp), openai (any compatible server) or scripted."""

    model: str | None = None
    """Local: path to a GGUF file (default: the embedded SmolLM2-135M). OpenAI: the model name."""

    base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("SPARRING_BASE_URL", "OPENAI_BASE_URL"), repr=False
    )
    """OpenAI-compatible server URL, e.g. http://127.0.0.1:8080/v1 (default: the OpenAI API)."""

    api_key: SecretStr | None = Field(default=None, validation_alias=AliasChoices("SPARRING_API_KEY", "OPENAI_API_KEY"))
    """API key for the OpenAI-compatible server; read from the environment, never stored."""

    framing: Literal["auto", "transcript", "chat"] = "auto"
    """How the customer is prompted: a transcript to continue (small models) or role-flipped chat."""

    read_ahead: bool = False
    """OpenAI-compatible server: have it read the chat while the trainee types (one more request a turn). For
    Sparring's model service, which `sparring serve` sets, or a local llama-server; not for a paid API."""

    timeout: float = 60.0
    """Seconds to wait for a model server before giving up on a line."""

    max_retries: int = 2
    """Retries for a failing model server request (connection errors, 429, 5xx)."""

    threads: int | None = None
    """llama.cpp threads (default: the free cores, leaving one for the app)."""

    context: int = 4096
    """llama.cpp context size in tokens."""

    database_url: str | None = Field(default=None, repr=False)  # it may hold a password
    """Where sessions are kept: a SQLAlchemy URL such as postgresql+psycopg://user@host/sparring
    (default: a SQLite file in the data folder)."""

    user: str | None = None
    """Who is using Sparring (default: the login name); --as NAME overrides it per command."""

    require_sign_in: bool = False
    """Open the app on a sign-in screen even in a terminal (`sparring serve` always does)."""

    theme: str | None = None
    """The app's colour theme (any Textual theme name)."""

    coach: bool = True
    """The live coach under the draft in practice mode (never in assessment); ctrl+g toggles it."""

    catalog: list[Path] = []
    """Extra folders of persona and scenario YAML, searched after the shipped ones."""

    xapi_base: str = Field(
        default="https://sparring.invalid/", validation_alias=AliasChoices("SPARRING_XAPI_BASE", "xapi_base")
    )
    """Where the IRIs of xAPI statements live: people's accounts, scenarios as activities, skill extensions."""

    lrs_url: str | None = Field(default=None, validation_alias=AliasChoices("SPARRING_LRS_URL", "lrs_url"), repr=False)
    """The learning record store's xAPI endpoint, e.g. https://lrs.example.org/xAPI (statements go to
    its /statements)."""

    lrs_username: str | None = Field(default=None, repr=False)
    """The LRS's basic-auth user; from the environment only."""

    lrs_password: SecretStr | None = None
    """The LRS's basic-auth password; from the environment only, never stored or shown."""

    lrs_token: SecretStr | None = None
    """Instead of a user and password: the LRS's Authorization header value ("Basic …", "Bearer …"), or a bare
    token sent as Bearer; from the environment only, never stored or shown."""

    lrs_timeout: float = 30.0
    """Seconds to wait for the LRS to answer one batch."""

    @field_validator("base_url")
    @classmethod
    def _no_query(cls, value: str | None) -> str | None:
        # The client appends its paths after the query, so the request fails and the server's 404 echoes the query
        # (often a key) into every error line and transcript. The value itself is never repeated here.
        if value and urlsplit(value)[3:] != ("", ""):
            raise ValueError("must not have a query string or #fragment: put an API key in SPARRING_API_KEY")
        return value

    @field_validator("lrs_url", "xapi_base")
    @classmethod
    def _plain_http_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        # Credentials in the URL would be recorded with every push and shown in every message: they belong in
        # SPARRING_LRS_USERNAME / SPARRING_LRS_PASSWORD. The value itself is never repeated here.
        if not value:
            return value
        example = "https://lrs.example.org/xAPI" if info.field_name == "lrs_url" else "https://academy.example.org/"
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"must be an http:// or https:// URL, e.g. {example}")
        if "@" in parts.netloc:
            raise ValueError("must not hold a user or password: use SPARRING_LRS_USERNAME and SPARRING_LRS_PASSWORD")
        if parts.query or parts.fragment:
            raise ValueError("must not have a query string or #fragment")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, _TomlWithoutCredentials(settings_cls, toml_file=paths.config_file())


ENVIRONMENT_ONLY = ("lrs_username", "lrs_password", "lrs_token")
"""Credentials read from the environment alone: one left in config.toml is ignored, not used."""


class _TomlWithoutCredentials(TomlConfigSettingsSource):
    def __call__(self) -> dict[str, Any]:
        return {key: value for key, value in super().__call__().items() if key not in ENVIRONMENT_ONLY}


def load_settings(**overrides: Any) -> Settings:
    return Settings(**{key: value for key, value in overrides.items() if value is not None})
