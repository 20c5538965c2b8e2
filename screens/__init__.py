"""The Textual UI of deskapp: the app shell (app.py), one module per screen, widgets/.

Screens reach data only through deskapp.services, from thread workers; nothing here imports
peewee or the models.
"""

__all__: list[str] = []
