"""Score tables (绩效自评表) and budget tables read from their structure (stub, filled in below)."""

from __future__ import annotations


def table_claims(doc, norm):
    return []
