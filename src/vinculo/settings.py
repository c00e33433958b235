"""Configuration from ``VINCULO_*`` environment variables, with an optional TOML file.

Precedence: environment, then the file named by ``VINCULO_CONFIG`` (or ``./vinculo.toml``), then
defaults. Kept deliberately small: a setting earns its place when an operator needs to change it.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path

DEFAULT_VAR_DIR = Path("var")


@dataclass(frozen=True)
class Settings:
    database_url: str = ""
    var_dir: Path = DEFAULT_VAR_DIR
    #: Years before a record must be reviewed by its owner (Europol: at most three).
    review_years: int = 3
    #: Rows per import transaction: a crash loses at most one batch of work, never half of one.
    import_batch_size: int = 2000
    #: Lifetime of API tokens issued at login, in hours.
    token_hours: int = 12
    secret_key: str = ""

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'vinculo.sqlite3').as_posix()}"


def _coerce(name: str, raw: object) -> object:
    if name == "var_dir":
        return Path(str(raw))
    if name in {"review_years", "import_batch_size", "token_hours"}:
        return int(str(raw))
    return str(raw)


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if environ is None else environ)
    values: dict[str, object] = {}
    config_path = Path(env.get("VINCULO_CONFIG", "vinculo.toml"))
    if config_path.is_file():
        with config_path.open("rb") as fh:
            data = tomllib.load(fh)
        for f in fields(Settings):
            if f.name in data:
                values[f.name] = _coerce(f.name, data[f.name])
    for f in fields(Settings):
        key = f"VINCULO_{f.name.upper()}"
        if key in env and env[key] != "":
            values[f.name] = _coerce(f.name, env[key])
    return Settings(**values)  # type: ignore[arg-type]


@cache
def get_settings() -> Settings:
    return load_settings()
