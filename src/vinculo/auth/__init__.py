"""Authentication: second factor (TOTP), browser sessions with CSRF protection, OpenID Connect.

Local passwords and API tokens live in ``vinculo.sharing.directory``; this package adds what a
browser and an identity provider need. Modules are imported on their own (no re-exports here) so
that ``directory`` can use ``totp`` without an import cycle.
"""
