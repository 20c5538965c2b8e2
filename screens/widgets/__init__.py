"""Widgets shared by the screens: the record lists, the header, inert text and cells."""

from screens.widgets.desk_header import DeskHeader
from screens.widgets.record_list import RecordList
from screens.widgets.record_table import RecordColumn, RecordTable
from screens.widgets.untrusted import untrusted, untrusted_message

__all__ = [
    "DeskHeader",
    "RecordColumn",
    "RecordList",
    "RecordTable",
    "untrusted",
    "untrusted_message",
]
