"""Request and response shapes of the public API."""
