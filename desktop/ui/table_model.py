"""The boilerplate every table model of the window shares, in one base class.

A :class:`TableModel` has named ``COLUMNS`` (the header), rows counted from its keys, and signals a change
of many rows as one ``dataChanged`` per run of adjacent rows (a bulk ingest refreshes thousands at once;
one signal per row kept the GUI thread busy). A :class:`KeyedTableModel` holds ids in display order and
reads their rows lazily, a page at a time, caching them until they are refreshed: the models stay thin
adapters over the named queries, and a table of 100,000 rows opens at once.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt


def runs(rows: Iterable[int]) -> Iterator[tuple[int, int]]:
    """``(first, last)`` of each run of consecutive numbers in ``rows`` (sorted here)."""
    start = prev = None
    for r in sorted(rows):
        if start is None:
            start = prev = r
        elif r == prev + 1:
            prev = r
        elif r != prev:
            yield start, prev
            start = prev = r
    if start is not None:
        yield start, prev


def header_data(columns: Sequence[str], section: int, orientation, role) -> str | None:
    if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(columns)):
        return columns[section]
    return None


class TableModel(QAbstractTableModel):
    """Columns, header and row count; rows are ``self._keys`` (any sequence)."""

    COLUMNS: tuple[str, ...] = ()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._keys: Sequence[Any] = []

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._keys)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        return header_data(self.COLUMNS, section, orientation, role)

    def rows_changed(self, rows: Iterable[int]) -> None:
        """Tell the views these rows changed: one signal per run of adjacent rows."""
        last = self.columnCount() - 1
        for first, end in runs(rows):
            self.dataChanged.emit(self.index(first, 0), self.index(end, last))


class KeyedTableModel(TableModel):
    """Rows are ids in order; each row's data is read by :meth:`fetch_rows` a page at a time and cached.

    Subclasses implement ``fetch_rows(ids) -> {id: row}`` and ``data``; :meth:`set_keys` resets the rows,
    :meth:`refresh_keys` forgets and repaints some of them."""

    PAGE = 200

    def __init__(self, parent=None):
        super().__init__(parent)
        self._keys: list[int] = []
        self._row_of: dict[int, int] = {}
        self._cache: dict[int, Any] = {}

    def fetch_rows(self, keys: list[int]) -> dict[int, Any]:
        raise NotImplementedError

    def set_keys(self, keys: list[int]) -> None:
        self.beginResetModel()
        self._keys = list(keys)
        self._reindex()
        self._cache = {}
        self.endResetModel()

    def _reindex(self) -> None:
        self._row_of = {k: i for i, k in enumerate(self._keys)}

    def key_at(self, row: int) -> int | None:
        return self._keys[row] if 0 <= row < len(self._keys) else None

    def row_for(self, key: int) -> int | None:
        return self._row_of.get(key)

    def cached(self, key: int) -> Any | None:
        """The row of ``key`` (read with its page the first time), None when it is not in the model."""
        if key not in self._row_of:
            return None
        if key not in self._cache:
            row = self._row_of[key]
            start = (row // self.PAGE) * self.PAGE
            wanted = [k for k in self._keys[start:start + self.PAGE] if k not in self._cache and self.fetchable(k)]
            self._cache.update(self.fetch_rows(wanted))
        return self._cache.get(key)

    def peek(self, key: int) -> Any | None:
        """The cached row of ``key``, without reading it."""
        return self._cache.get(key)

    def fetchable(self, key: int) -> bool:
        """Whether ``fetch_rows`` reads this key (a model may mix in rows of another kind)."""
        return True

    def refresh_keys(self, keys: Iterable[int]) -> None:
        """Forget these rows' cached data and repaint them."""
        rows = []
        for key in keys:
            self._cache.pop(key, None)
            if key in self._row_of:
                rows.append(self._row_of[key])
        self.rows_changed(rows)
