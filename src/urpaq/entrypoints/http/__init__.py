"""The HTTP face of urpaq: the operators' API under `/api/v1/` and the public pages.

`app.py` assembles them; `edge.py` is what every request passes through; `deps.py` hands
the routes what they need.
"""
