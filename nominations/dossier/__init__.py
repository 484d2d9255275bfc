"""Award dossiers (hồ sơ đề nghị khen thưởng): Jinja2 templates rendered to PDF by WeasyPrint.

``context`` documents the plain dict a dossier set is rendered from;
``render`` turns one context into the set's PDF files (serially or in a process pool) and
packs them into a deterministic ZIP.
"""

from nominations.dossier.context import DossierContext, normalize_context
from nominations.dossier.render import (
    DossierFile,
    html_set,
    render_set,
    render_set_async,
    shutdown_pool,
    zip_set,
)

__all__ = [
    "DossierContext",
    "DossierFile",
    "html_set",
    "normalize_context",
    "render_set",
    "render_set_async",
    "shutdown_pool",
    "zip_set",
]
