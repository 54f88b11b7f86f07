//! Python bindings (filled by the Python-package issue).
