"""The Starlette application: stream, pages and widget assets."""
