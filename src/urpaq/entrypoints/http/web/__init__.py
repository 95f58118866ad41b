"""The web pages: the public lookup, a young adult's statement behind sign-in, and the
statistics (`routes.py`), with their templates, static files, words and charts."""
