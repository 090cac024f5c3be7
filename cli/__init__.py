"""The ``station`` command: composes each package's commands, importing them lazily."""
