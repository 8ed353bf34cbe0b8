"""The missions service: actions, missions, members, claims, checks, counting, points (R1–R10).

Every operation is a plain function taking a :class:`~engine.service.context.Service` (database,
settings, clock, queue) and returning frozen dataclasses from :mod:`engine.service.records`;
the command line and the HTTP API are thin layers over them.
"""
