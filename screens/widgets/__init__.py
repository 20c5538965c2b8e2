"""Widgets shared by the screens: the paged record table, the header, inert text and cells."""

from screens.widgets.desk_header import DeskHeader
from screens.widgets.record_table import RecordColumn, RecordTable
from screens.widgets.untrusted import untrusted, untrusted_message

__all__ = ["DeskHeader", "RecordColumn", "RecordTable", "untrusted", "untrusted_message"]
