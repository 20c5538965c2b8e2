"""deskapp: a terminal desk for hosting, ISP and managed-services staff."""

__version__ = "0.1.0"
