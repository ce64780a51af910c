"""Reading commune officials' household spreadsheets as they make them.

- `reading`: the file's kind, its sheets, header detection, blank/total/section rows;
- `rows`: cell parsers, one data row → a `StagedRow` or errors;
- `vocabulary`: headers and categories as officials write them.

Nothing here touches the database; the services and `beneficiaries.merge` do (lookups
once, set-based writes).
"""

from .reading import (
    HEADER_SEARCH_ROWS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    TEMPLATE_VERSION,
    Book,
    ImportFileError,
    Table,
    original_sheets,
    read_book,
    read_table,
)
from .rows import StagedRow, normalise_rows
from .vocabulary import (
    HEADERS,
    categories_in,
    column_labels,
    fold_cached,
    fold_header,
    match_header,
)

__all__ = ["HEADERS", "HEADER_SEARCH_ROWS", "MAX_FILE_BYTES", "MAX_ROWS", "TEMPLATE_VERSION", "ImportFileError",
           "StagedRow", "Table", "categories_in", "column_labels", "fold_cached", "fold_header", "Book", "original_sheets", "read_book",
           "match_header", "normalise_rows", "read_table"]
