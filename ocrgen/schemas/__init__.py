"""pydantic models, the single source of truth: `config` (batch config), `plan` (plan record), `label`.

Import from the submodules; this package imports nothing, so the effect catalogue
(which the config and plan models include) can load without a cycle.
"""
