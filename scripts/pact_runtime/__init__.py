"""PACT runtime: hook handlers and commands shipped inside the plugin.

Standard library only (Python 3.9+), started with ``python3 -S``. The one
third-party package is sqlglot, which the build vendors into ``vendor/``
beside this package and which only the SQL guard imports.
"""
