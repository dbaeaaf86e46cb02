"""The REST API under ``/api/v1``: routes described by :class:`~.routing.ApiRoute`, so the
OpenAPI document and the authorisation tests are built from the same route table."""
