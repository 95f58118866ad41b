"""The demonstration: a synthetic register of the nation (or a sample of it), imported
and closed for 2023–2025 with the published parameters.  Not a use case of the
programme: tooling that drives the services."""
