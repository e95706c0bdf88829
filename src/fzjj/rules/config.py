"""policies.yaml sections owned by the content rules: `whitelist` and `lint`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class WhitelistConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LintConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
