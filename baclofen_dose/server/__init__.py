"""The CDS Hooks web service: a thin ASGI layer over :mod:`baclofen_dose.interop`.

Needs the ``[server]`` extra.
"""
