"""The CDS Hooks web service: a thin ASGI layer over the handler (``[server]`` extra).

:func:`create_app` builds the Starlette app from a :class:`ServerConfig`; ``baclofen-dose serve``
runs it with uvicorn. Importing this package needs the ``[server]`` extra (Starlette, uvicorn,
PyJWT with its crypto backend); ``import baclofen_dose`` never imports it.
"""

from __future__ import annotations

from baclofen_dose.server.app import SANDBOX_ORIGIN, ServerConfig, create_app

__all__ = ["SANDBOX_ORIGIN", "ServerConfig", "create_app"]
