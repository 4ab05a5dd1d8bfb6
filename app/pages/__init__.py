"""Pages for people: HTML beside the API, every asset served by the app itself."""

from app.pages.routes import STATIC_URL, router, static_files

__all__ = ["STATIC_URL", "router", "static_files"]
