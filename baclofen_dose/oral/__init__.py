"""Oral baclofen planners: patient and renal function, products, titration, taper, missed dose."""
