"""AI Plan Monitor pipelines: upstream files and APIs → tidy observations → DuckDB warehouse."""
