"""Background jobs on procrastinate (PostgreSQL-backed): the worker and its stalled-job recovery.

Tasks are defined where their work lives (`parlor.webhooks.tasks`, `parlor.subjects.tasks`) with
`procrastinate.contrib.django.app`; procrastinate's tables live in the public schema, so a task
that touches a tenant's data takes the schema name as an argument and enters it itself.
"""
