"""Interoperability: FHIR in (resources -> orders) and the CDS Hooks handler (JSON in, JSON out).

Sits above render/ and check/: it reads what an EHR sends, checks it with the order check and
answers with resources and cards written by render/. Nothing here is imported by
``import baclofen_dose``.
"""
