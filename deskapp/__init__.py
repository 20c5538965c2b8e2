"""deskapp: a terminal desk for hosting, ISP and managed-services staff.

Importing it has no side effects: the `deskapp` command's own import speed-ups are installed by
the command (deskapp.cli.main, see deskapp.fast_import).
"""

__version__ = "0.1.0"
