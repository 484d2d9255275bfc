"""How facts read in Vietnamese, written once for pages, PDFs, the CLI and the API's ``*_text`` fields.

``numbers`` (decimal comma, dot thousands), ``money`` (whole đồng), ``times`` (stored in UTC, shown in
Asia/Ho_Chi_Minh; form input read back to UTC) and ``words`` (status words and the reason
sentences of a score breakdown). This package sits at the bottom of the layers: it imports nothing
from the project, so every other package may use it.
"""
