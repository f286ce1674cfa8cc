"""The detection-quality corpus: public tables and sentences whose personal-data labels
were written by their authors, converted to Debezium change events.

Nothing here ships data. ``build.py`` builds the corpus into ``.corpus/`` (gitignored)
from a pinned PyPI package and from repository snapshots read with git; each source's
``manifests/NAME.json`` names where its data comes from (repository, commit, paths,
licence) and maps the authors' labels to this project's entities.
"""
