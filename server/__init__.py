"""The HTTP JSON API: `create_app(index_dir)` for uvicorn, `assistant serve` to run it."""

from server.app import create_app

__all__ = ["create_app"]
