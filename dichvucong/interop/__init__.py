"""Interoperability: the sync of every dossier status change to the national public services portal.

- constants.py   states of the outbox, the national field names and codes (data, to verify)
- models.py      NationalSyncEvent (the outbox, one row per dossier event) and the sandbox's tables
- providers.py   the registry: "national" (settings from env) and "sandbox" (this app's own receiver)
- services.py    enqueue (from dossier_transition), send in order per dossier, retry with backoff
- sandbox_*.py   the sandbox national portal served by the app in development (/cong-quoc-gia-thu-nghiem/)
"""
